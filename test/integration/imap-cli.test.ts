/**
 * The whole product over IMAP, through the CLI, against a real Dovecot: `once` backfills the
 * demo mailbox, classifies it the same as the mbox scan, raises the overdue alert and flags
 * that thread (\Flagged + $ReplyDue), proposes a decline and `drafts approve` saves exactly one
 * draft in Drafts as a mail program expects it (\Draft, In-Reply-To/References of the thread's
 * last message, the key header). A recreated mailbox (new UIDVALIDITY) raises no second alert
 * or draft; a wrong password is one line and exit code 1; a loose password file exit code 2.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_DOVECOT, startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { headerOf, messagesIn, seedFromMbox, withClient } from '../helpers/imap.js';
import { cli } from '../helpers/cli.js';
import { writeProviderConfig } from '../helpers/provider-config.js';
import { REPO } from '../helpers/paths.js';

const NOW = '2026-11-20T09:00:00Z';
const DEMO = join(REPO, 'demo', 'demo.mbox');

describe.skipIf(!HAS_DOVECOT)('offerwatch over IMAP (Dovecot)', () => {
  let dv: Dovecot;
  let dir: string;
  let config: string;
  const write = writeProviderConfig;
  let source: Record<string, unknown>;

  beforeAll(async () => {
    dv = await startDovecot();
    // The demo's incoming mail lives in a folder the owner's filters use, so it can be recreated.
    await withClient(dv, (c) => c.mailboxCreate('Jobs'));
    await seedFromMbox(dv, DEMO, ['jordan@example.com'], { inbox: 'Jobs' });
    dir = mkdtempSync(join(tmpdir(), 'ow-imap-cli-'));
    writeFileSync(join(dir, 'imap.password'), `${dv.password}\n`, { mode: 0o600 });
    source = { type: 'imap', name: 'mail', host: '127.0.0.1', port: dv.port, tls: 'none', user: dv.user, passwordFile: 'imap.password', watch: ['Jobs'] };
    config = join(dir, 'config.yaml');
    write(config, source);
  });
  afterAll(async () => {
    await dv?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('once: the same board as the mbox scan, the overdue alert flags the thread, one threaded draft in Drafts', async () => {
    const r = await cli(['--config', config, '--now', NOW, 'once', '--json']);
    expect(r.code, r.err).toBe(0);
    const board = JSON.parse(r.out) as { threadId: string; stage: string; stale: boolean; company: string; subject: string }[];
    const scan = await cli(['--now', NOW, 'scan', '--source', `mbox:${DEMO}`, '--me', 'jordan@example.com', '--json']);
    const expected = JSON.parse(scan.out) as { subject: string; stage: string; stale: boolean }[];
    const key = (t: { subject: string; stage: string; stale: boolean }) => `${t.subject} → ${t.stage}${t.stale ? ' (stale)' : ''}`;
    expect(board.map(key).sort()).toEqual(expected.map(key).sort());
    expect(r.err).toMatch(/Offer from Tidewater Labs .* has waited 3 days for your reply/);

    const tidewater = board.find((t) => t.stage === 'offer' && t.company === 'Tidewater Labs')!;
    const jobs = await messagesIn(dv, 'Jobs');
    const tideIn = jobs.filter((m) => /Tidewater/.test(headerOf(m.source, 'Subject') ?? ''));
    const flagged = tideIn.filter((m) => m.flags.includes('\\Flagged') && m.flags.includes('$ReplyDue'));
    expect(flagged).toHaveLength(1);
    // Nothing was marked read.
    expect(jobs.filter((m) => m.flags.includes('\\Seen'))).toEqual([]);

    const list = await cli(['--config', config, '--now', NOW, 'drafts']);
    const id = new RegExp(`#(\\d+) +\\[pending\\] +decline-accepted-elsewhere +mail:${tidewater.threadId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).exec(list.out)?.[1];
    expect(id, list.out).toBeDefined();
    const a1 = await cli(['--config', config, '--now', NOW, 'drafts', 'approve', id!]);
    expect(a1.code, a1.err).toBe(0);
    const a2 = await cli(['--config', config, '--now', NOW, 'drafts', 'approve', id!]);
    expect(a2.out).toMatch(/^Already saved/);

    const drafts = await messagesIn(dv, 'Drafts');
    expect(drafts).toHaveLength(1);
    const d = drafts[0]!;
    expect(d.flags).toContain('\\Draft');
    expect(d.flags).toContain('\\Seen');
    expect(headerOf(d.source, 'X-Offerwatch-Draft-Key')).toBeTruthy();
    // In the thread: it answers the thread's last message and carries its references.
    const last = tideIn.map((m) => ({ id: headerOf(m.source, 'Message-ID')!, date: Date.parse(headerOf(m.source, 'Date')!) })).sort((a, b) => a.date - b.date).at(-1)!;
    expect(headerOf(d.source, 'In-Reply-To')).toBe(last.id);
    expect(headerOf(d.source, 'References')).toContain(last.id);
    expect(headerOf(d.source, 'Subject')).toMatch(/^Re: .*Tidewater/);
  });

  it('a recreated mailbox (new UIDVALIDITY) is resynced once: no second alert, no second draft', async () => {
    const before = await messagesIn(dv, 'Jobs');
    await withClient(dv, async (c) => {
      await c.mailboxDelete('Jobs');
      await c.mailboxCreate('Jobs');
      for (const m of before) await c.append('Jobs', m.source, m.flags.filter((f) => f !== '\\Recent'), new Date(headerOf(m.source, 'Date')!));
    });
    const r = await cli(['--config', config, '--now', NOW, 'once']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/UIDVALIDITY of Jobs changed/);
    expect(r.out).not.toMatch(/has waited/);
    expect(await messagesIn(dv, 'Drafts')).toHaveLength(1);
    const again = await cli(['--config', config, '--now', NOW, 'once']);
    expect(again.code, again.err).toBe(0);
    expect(await messagesIn(dv, 'Drafts')).toHaveLength(1);
  });

  it('a wrong password: one line naming the account, exit code 3 (a source failed), no password and no stack', async () => {
    const file = join(dir, 'wrong.yaml');
    writeFileSync(join(dir, 'wrong.password'), 'not-the-password-42', { mode: 0o600 });
    write(file, { ...source, passwordFile: 'wrong.password' });
    const r = await cli(['--config', file, '--now', NOW, 'once']);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/cannot log in to IMAP source mail \(sam@127\.0\.0\.1:\d+\): the server refused the user name or password/);
    expect(r.err).not.toMatch(/not-the-password-42|\n\s+at /);
    expect(r.err.trim().split('\n')).toEqual([expect.stringMatching(/^mail: 0 new message\(s\) — cannot log in to IMAP source mail/)]);
  });

  it('a password file others can read is refused: one line, exit code 2', async () => {
    const file = join(dir, 'loose.yaml');
    const pw = join(dir, 'loose.password');
    writeFileSync(pw, dv.password);
    chmodSync(pw, 0o644);
    write(file, { ...source, passwordFile: 'loose.password' });
    const r = await cli(['--config', file, '--now', NOW, 'once']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/readable by others \(mode 0644\).*chmod 600/);
  });
});
