/** IMAP connector pieces that need no server: config rules, the example config, roles by name, UID sets. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { imapSourceSchema, resolveRoles, roleByName } from '../../src/connectors/imap/index.js';
import { compactUids, expandUids } from '../../src/connectors/imap/cursor.js';
import { searchTerms } from '../../src/connectors/imap/reader.js';
import { REPO } from '../helpers/paths.js';

describe('IMAP config', () => {
  it('the commented imap entry of config.example.yaml is valid', () => {
    const text = readFileSync(join(REPO, 'config.example.yaml'), 'utf8');
    const lines = text.split('\n');
    const start = lines.findIndex((l) => /^\s*# - type: imap\b/.test(l));
    expect(start).toBeGreaterThan(0);
    const block: string[] = [];
    for (const l of lines.slice(start)) {
      if (block.length > 0 && !/^\s*#\s{3}/.test(l)) break;
      // Uncomment one level (the entry's own comments stay comments).
      block.push(l.replace(/^(\s*)# /, '$1'));
    }
    const entry = (parse(block.join('\n')) as unknown[])[0];
    const cfg = imapSourceSchema.parse(entry);
    expect(cfg).toMatchObject({ type: 'imap', tls: 'implicit', replyDueKeyword: '$ReplyDue', watch: ['Recruiters'] });
  });

  it('plaintext only for 127.0.0.1, exactly one password source, never a password key', () => {
    const base = { type: 'imap', name: 'b', user: 'u', passwordEnv: 'PW' };
    expect(imapSourceSchema.safeParse({ ...base, host: '127.0.0.1', port: 1143, tls: 'none' }).success).toBe(true);
    expect(imapSourceSchema.safeParse({ ...base, host: 'localhost', tls: 'none' }).success).toBe(false);
    expect(imapSourceSchema.safeParse({ ...base, host: 'imap.example.com', passwordFile: '/x' }).success).toBe(false);
    expect(imapSourceSchema.safeParse({ type: 'imap', name: 'b', user: 'u', host: 'h' }).success).toBe(false);
    expect(imapSourceSchema.safeParse({ ...base, host: 'h', password: 'secret' }).success).toBe(false);
  });
});

describe('IMAP mailbox roles', () => {
  it('knows names in several languages and Courier-style paths', () => {
    expect(roleByName('INBOX.Sent Items', '.')).toBe('sent');
    expect(roleByName('Gesendete Elemente', '/')).toBe('sent');
    expect(roleByName('Éléments envoyés', '/')).toBe('sent');
    expect(roleByName('Entwürfe', '/')).toBe('drafts');
    expect(roleByName('Borradores', '/')).toBe('drafts');
    expect(roleByName('Papierkorb', '/')).toBe('trash');
    expect(roleByName('[Gmail]/All Mail', '/')).toBe('archive');
    expect(roleByName('Projects', '/')).toBeNull();
  });

  it('config names win over SPECIAL-USE, which wins over names', () => {
    const list = [
      { path: 'INBOX', delimiter: '/', specialUse: [], selectable: true },
      { path: 'Sent', delimiter: '/', specialUse: [], selectable: true },
      { path: 'Sent Mail', delimiter: '/', specialUse: ['\\sent'], selectable: true },
      { path: 'Mine/Drafts', delimiter: '/', specialUse: [], selectable: true },
      { path: 'Brouillons', delimiter: '/', specialUse: [], selectable: true },
    ];
    const roles = resolveRoles(list, { mailboxes: { drafts: 'Mine/Drafts' } });
    expect(roles.get('sent')).toBe('Sent Mail');
    expect(roles.get('drafts')).toBe('Mine/Drafts');
    expect(roles.get('inbox')).toBe('INBOX');
    expect(resolveRoles(list, { mailboxes: {} }).get('drafts')).toBe('Brouillons');
  });
});

describe('IMAP helpers', () => {
  it('UID sets round-trip', () => {
    const uids = [1, 2, 3, 7, 9, 10, 11, 40];
    expect(compactUids(uids)).toBe('1:3,7,9:11,40');
    expect(expandUids(compactUids(uids))).toEqual(uids);
    expect(compactUids([])).toBe('');
  });

  it('search terms: FROM for domains, SUBJECT and BODY for phrases (not TEXT: it searches MIME headers too), quotes removed', () => {
    expect(searchTerms({ senderDomains: ['greenhouse-mail.io', '*.lever.co', 'not a domain'], phrases: ['your "application"', 'offer'] })).toEqual([
      { from: 'greenhouse-mail.io' },
      { from: 'lever.co' },
      { subject: 'your application' },
      { body: 'your application' },
      { subject: 'offer' },
      { body: 'offer' },
    ]);
  });
});
