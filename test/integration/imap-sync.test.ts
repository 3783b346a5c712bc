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
import { imapSourceSchema } from '../../src/connectors/imap/index.js';
import { createImapConnector, type ImapConnector } from '../../src/connectors/imap/connector.js';
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
const built = candidateFilter(buildRuleSet(readRuleDir(BUILTIN_RULES_DIR)));
const filter: CandidateFilter = { ...built, lookbackDays: built.lookbackDays ?? 180 };

if (!HAS_DOVECOT) console.warn(`imap-sync.test.ts: ${NO_DOVECOT_REASON}`);

describe('the IMAP test server', () => {
  // CI installs it (.ci/run): there, a missing server is a failure, not a skip.
  it.skipIf(!process.env.CI)('is installed where CI runs', () => {
    expect(HAS_DOVECOT, NO_DOVECOT_REASON).toBe(true);
  });
});

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
      // Each cycle (sync) has its own connection; nothing else opened one.
      expect(c.connections()).toBe(2);
    } finally {
      await c.close?.();
    }
  });

  it('a poll after new mail fetches the reply in a known job thread and skips unrelated mail', async () => {
    const c = await make();
    try {
      const first = await drain(c, null);
      const tide = first.messages.find((m) => /Tidewater/.test(m.subject))!;
      await withClient(dv, async (cl) => {
        await cl.append('INBOX', rawMail({ from: 'Pat Doe <pat@tidewater.example>', to: 'jordan@example.com', subject: 'Re: Tidewater - good news after your final round', id: '<new-1@tidewater.example>', date: '2026-11-20T08:00:00Z', body: 'Just checking in on the above.', inReplyTo: tide.messageId! }));
        await cl.append('INBOX', rawMail({ from: 'Mum <mum@family.example>', to: 'jordan@example.com', subject: 'Sunday lunch', id: '<new-2@family.example>', date: '2026-11-20T08:10:00Z', body: 'Roast at one.' }));
      });
      const busy = await drain(c, first.cursor);
      expect(busy.messages.map((m) => m.messageId)).toEqual(['<new-1@tidewater.example>']);
      expect((await drain(c, busy.cursor)).messages).toEqual([]);
    } finally {
      await c.close?.();
    }
  });

  it('a changed UIDVALIDITY (the mailbox recreated) resyncs that mailbox once, with the same message ids', async () => {
    const logs: string[] = [];
    const c = await createImapConnector(
      imapSourceSchema.parse({ type: 'imap', name: 'mail', host: '127.0.0.1', port: dv.port, tls: 'none', user: dv.user, passwordFile: pwFile, watch: ['Projects'] }),
      { clock: fixedClock(NOW), log: (l) => logs.push(l), resolvePath: (p) => p },
    );
    const job = rawMail({ from: 'Ines Ortega <ines@vantablue.example>', to: 'jordan@example.com', subject: 'Interview for the Frontend Engineer role', id: '<proj-1@vantablue.example>', date: '2026-11-18T10:00:00Z', body: 'Could we schedule an interview next week?' });
    try {
      await withClient(dv, async (cl) => {
        await cl.mailboxCreate('Projects');
        await cl.append('Projects', job, [], new Date('2026-11-18T10:00:00Z'));
      });
      const first = await drain(c, null);
      expect(first.messages.map((m) => m.id)).toContain('<proj-1@vantablue.example>');
      await withClient(dv, async (cl) => {
        await cl.mailboxDelete('Projects');
        await cl.mailboxCreate('Projects');
        await cl.append('Projects', job, [], new Date('2026-11-18T10:00:00Z'));
      });
      const again = await drain(c, first.cursor);
      expect(logs.join('\n')).toMatch(/UIDVALIDITY of Projects changed/);
      expect(again.messages.map((m) => m.id)).toEqual(['<proj-1@vantablue.example>']);
      expect((await drain(c, again.cursor)).messages).toEqual([]);
    } finally {
      await c.close?.();
      await withClient(dv, (cl) => cl.mailboxDelete('Projects'));
    }
  });

  it('a sync killed after its first batch resumes from that batch\'s cursor: nothing lost, nothing twice', async () => {
    const mk = () => createImapConnector(
      imapSourceSchema.parse({ type: 'imap', name: 'mail', host: '127.0.0.1', port: dv.port, tls: 'none', user: dv.user, passwordFile: pwFile }),
      { clock: fixedClock(NOW), log: () => {}, resolvePath: (p) => p, batchSize: 4 },
    );
    const a = await mk();
    let firstIds: string[] = [];
    let cursor: string | null = null;
    for await (const b of a.reader.sync(null, { now: NOW, filter, trackedThreadIds: new Set() })) {
      firstIds = b.messages.map((m) => m.id);
      cursor = b.cursor;
      break; // the process dies here
    }
    await a.close?.();
    expect(firstIds).toHaveLength(4);
    const b = await mk();
    const rest = await drain(b, cursor);
    await b.close?.();
    const refC = await make();
    const ref = await drain(refC, null);
    await refC.close?.();
    const restIds = rest.messages.map((m) => m.id);
    expect(restIds.filter((id) => firstIds.includes(id))).toEqual([]);
    expect(new Set([...firstIds, ...restIds])).toEqual(new Set(ref.messages.map((m) => m.id)));
  });

  it('a connection cut in the middle of a FETCH is reopened once and the sync completes', async () => {
    const proxy = await startProxy({ host: '127.0.0.1', port: dv.port });
    const c = await make({}, proxy.port);
    try {
      const cut = proxy.cutOnce({ afterServer: /\* \d+ FETCH \(UID \d+ [^\r\n]*BODY\[\] \{\d+\}/ });
      const got = await drain(c, null);
      await cut;
      expect(c.connections()).toBe(2);
      const refC = await make();
    const ref = await drain(refC, null);
    await refC.close?.();
      expect(new Set(got.messages.map((m) => m.id))).toEqual(new Set(ref.messages.map((m) => m.id)));
    } finally {
      await c.close?.();
      await proxy.close();
    }
  });

  it('saves exactly one draft in Drafts (\\Draft \\Seen, key header), across a retry and a connection cut after APPEND', async () => {
    const proxy = await startProxy({ host: '127.0.0.1', port: dv.port });
    const c = await make({}, proxy.port);
    const key = 'tidewater-decline-1';
    const mime = Buffer.from(['From: Jordan Okafor <jordan@example.com>', 'To: Pat Doe <pat@tidewater.example>', 'Subject: Re: Tidewater - good news after your final round', 'In-Reply-To: <x@tidewater.example>', 'References: <x@tidewater.example>', `X-Offerwatch-Draft-Key: ${key}`, 'Message-ID: <draft-1@example.com>', 'Date: Fri, 20 Nov 2026 09:00:00 +0000', 'Content-Type: text/plain; charset=utf-8', '', 'Thank you so much for the offer...', ''].join('\r\n'));
    const thread: ThreadHandle = { threadId: 'm:1', providerThreadId: null, messages: [{ id: '<x@tidewater.example>', messageId: '<x@tidewater.example>', direction: 'in', date: NOW.toISOString() }] };
    const req = { thread, key, mime, reply: { from: { name: null, address: 'jordan@example.com' }, to: [], subject: '', text: '', inReplyTo: null, references: [] } };
    try {
      await drain(c, null);
      // The server stores the APPEND; its tagged OK never reaches the client.
      const cut = proxy.cutOnce({ afterServer: /OK \[APPENDUID/ });
      const saved = await c.drafts!.createDraft(req);
      await cut;
      expect(saved.location).toMatch(/Drafts/);
      const again = await c.drafts!.createDraft(req);
      expect(again.draftId).toBe(saved.draftId);
      // A longer key that contains this one is not mistaken for it (header SEARCH matches substrings).
      expect(await c.drafts!.findDraftByKey(thread, 'tidewater-decline')).toBeNull();
      const drafts = (await messagesIn(dv, 'Drafts')).filter((m) => headerOf(m.source, 'X-Offerwatch-Draft-Key') === key);
      expect(drafts).toHaveLength(1);
      expect(drafts[0]!.flags.filter((f) => f !== '\\Recent').sort()).toEqual(['\\Draft', '\\Seen']);
      expect(headerOf(drafts[0]!.source, 'In-Reply-To')).toBe('<x@tidewater.example>');

      // Cut before the APPEND reaches the server: nothing stored, so it is appended (once) again.
      const key2 = 'tidewater-decline-2';
      const mime2 = Buffer.from(mime.toString('latin1').replace(key, key2), 'latin1');
      const c2 = await make({}, proxy.port);
      try {
        const cut2 = proxy.cutOnce({ afterClient: /APPEND/ });
        await c2.drafts!.createDraft({ ...req, key: key2, mime: mime2 });
        await cut2;
        expect(c2.connections()).toBe(2);
      } finally {
        await c2.close?.();
      }
      expect((await messagesIn(dv, 'Drafts')).filter((m) => headerOf(m.source, 'X-Offerwatch-Draft-Key') === key2)).toHaveLength(1);
    } finally {
      await c.close?.();
      await proxy.close();
    }
  });

  it('a key found in Sent means the owner sent it: no draft is created', async () => {
    const c = await make();
    const key = 'sent-already-1';
    const mime = Buffer.from(['From: jordan@example.com', 'To: a@b.example', 'Subject: Re: x', `X-Offerwatch-Draft-Key: ${key}`, 'Message-ID: <sent-1@example.com>', '', 'hi', ''].join('\r\n'));
    try {
      await withClient(dv, (cl) => cl.append('Sent', mime, ['\\Seen']));
      const thread: ThreadHandle = { threadId: 'm:2', providerThreadId: null, messages: [] };
      const found = await c.drafts!.createDraft({ thread, key, mime, reply: { from: { name: null, address: 'jordan@example.com' }, to: [], subject: '', text: '', inReplyTo: null, references: [] } });
      expect(found.sent).toBe(true);
      expect((await messagesIn(dv, 'Drafts')).filter((m) => headerOf(m.source, 'X-Offerwatch-Draft-Key') === key)).toEqual([]);
    } finally {
      await c.close?.();
    }
  });

  it('reply due: \\Flagged plus $ReplyDue on the newest incoming message, taken off again; an owner\'s own flag is kept', async () => {
    const c = await make();
    try {
      const inbox = await messagesIn(dv, 'INBOX');
      const ids = inbox.map((m) => headerOf(m.source, 'Message-ID')!).slice(0, 2);
      await withClient(dv, async (cl) => {
        await cl.mailboxOpen('INBOX');
        await cl.messageFlagsAdd({ header: { 'Message-ID': ids[1]! } }, ['\\Flagged']);
      });
      const t = (id: string): ThreadHandle => ({ threadId: 'm:3', providerThreadId: null, messages: [{ id, messageId: id, direction: 'in', date: NOW.toISOString() }] });
      await c.attention!.setNeedsReply(t(ids[0]!), true);
      await c.attention!.setNeedsReply(t(ids[0]!), true);
      await c.attention!.setNeedsReply(t(ids[1]!), true);
      const flagsOf = async (id: string) => (await messagesIn(dv, 'INBOX')).find((m) => headerOf(m.source, 'Message-ID') === id)!.flags.sort();
      expect(await flagsOf(ids[0]!)).toEqual(['$ReplyDue', '\\Flagged']);
      expect(await flagsOf(ids[1]!)).toContain('$ReplyDue');
      await c.attention!.setNeedsReply(t(ids[0]!), false);
      await c.attention!.setNeedsReply(t(ids[1]!), false);
      expect(await flagsOf(ids[0]!)).toEqual([]);
      expect(await flagsOf(ids[1]!)).toEqual(['\\Flagged']);
      // One connection for all of it.
      expect(c.connections()).toBe(1);
    } finally {
      await c.close?.();
    }
  });

  it('refuses a password file others can read, and names it', async () => {
    const loose = join(dir, 'loose');
    writeFileSync(loose, 'x', { mode: 0o644 });
    await expect(make({ passwordFile: loose })).rejects.toThrow(/readable by others \(mode 0644\).*chmod 600/);
  });

  it('a wrong password is one EAUTH line without the password', async () => {
    const bad = join(dir, 'bad');
    writeFileSync(bad, 'wrong-secret-123', { mode: 0o600 });
    const c = await make({ passwordFile: bad });
    const err = await drain(c, null).then(() => null, (e: Error) => e);
    expect(err).toMatchObject({ code: 'EAUTH' });
    expect(err!.message).toMatch(/^cannot log in to IMAP source mail \(sam@127\.0\.0\.1:\d+\): the server refused the user name or password/);
    expect(err!.message).not.toMatch(/wrong-secret|\n/);
  });

  it('implicit TLS and STARTTLS with the test certificate (caFile); plaintext is refused for other hosts', async () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, dv.ca);
    for (const over of [{ tls: 'implicit', port: dv.tlsPort }, { tls: 'starttls', port: dv.port }]) {
      const c = await make({ ...over, caFile: ca });
      try {
        const got = await drain(c, null);
        expect(got.messages.length).toBeGreaterThan(10);
      } finally {
        await c.close?.();
      }
    }
    const r = imapSourceSchema.safeParse({ type: 'imap', name: 'x', host: 'imap.example.com', tls: 'none', user: 'u', passwordEnv: 'PW' });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/allowed only for host 127\.0\.0\.1/);
  });
});

describe.skipIf(!HAS_DOVECOT)('IMAP connector against a Dovecot without QRESYNC, LIST-STATUS or SPECIAL-USE, mailboxes named in German', () => {
  let dv: Dovecot;
  let dir: string;
  let pwFile: string;
  beforeAll(async () => {
    dv = await startDovecot({ qresync: false, listStatus: false, specialUse: false, mailboxes: { sent: 'Gesendet', drafts: 'Entwürfe', junk: 'Spam', trash: 'Papierkorb', archive: 'Archiv' } });
    dir = mkdtempSync(join(tmpdir(), 'ow-imap-de-'));
    pwFile = join(dir, 'password');
    writeFileSync(pwFile, dv.password, { mode: 0o600 });
    await seedFromMbox(dv, DEMO, OWNER, { sent: 'Gesendet' });
  });
  afterAll(async () => {
    await dv?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds Sent and Drafts by name, syncs with UID SEARCH, and saves the draft in Entwürfe', async () => {
    const proxy = await startProxy({ host: '127.0.0.1', port: dv.port });
    const c = await createImapConnector(
      imapSourceSchema.parse({ type: 'imap', name: 'de', host: '127.0.0.1', port: proxy.port, tls: 'none', user: dv.user, passwordFile: pwFile }),
      { clock: fixedClock(NOW), log: () => {}, resolvePath: (p) => p },
    );
    try {
      const first = await drain(c, null);
      expect(first.messages.some((m) => m.role === 'sent' && m.from?.address === 'jordan@example.com')).toBe(true);
      await withClient(dv, (cl) => cl.append('INBOX', rawMail({ from: 'Recruiting <jobs@greenhouse-mail.io>', to: 'jordan@example.com', subject: 'Your application', id: '<gh-9@greenhouse-mail.io>', date: '2026-11-20T08:00:00Z', body: 'Thanks for applying.' })));
      proxy.reset();
      const busy = await drain(c, first.cursor);
      expect(busy.messages.map((m) => m.messageId)).toEqual(['<gh-9@greenhouse-mail.io>']);
      expect(proxy.counters.commands['UID SEARCH']).toBeGreaterThan(0);
      expect(proxy.counters.lines.join('\n')).not.toMatch(/CHANGEDSINCE|HIGHESTMODSEQ|QRESYNC/);
      // STATUS for the three watched mailboxes only (INBOX, Gesendet, Archiv), not for every folder.
      expect(proxy.counters.commands['STATUS']).toBe(3);
      const mime = Buffer.from(['From: jordan@example.com', 'To: jobs@greenhouse-mail.io', 'Subject: Re: Your application', 'X-Offerwatch-Draft-Key: de-1', '', 'Danke', ''].join('\r\n'));
      const saved = await c.drafts!.createDraft({ thread: { threadId: 'm:9', providerThreadId: null, messages: [] }, key: 'de-1', mime, reply: { from: { name: null, address: 'jordan@example.com' }, to: [], subject: '', text: '', inReplyTo: null, references: [] } });
      expect(saved.location).toMatch(/Entwürfe/);
      expect(await messagesIn(dv, 'Entwürfe')).toHaveLength(1);
    } finally {
      await c.close?.();
      await proxy.close();
    }
  });
});
