import { MAILBOX_ROLES } from '../../src/connectors/port.js';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitMbox, envelopeDate, type MboxItem, type MboxMessage } from '../../src/connectors/mbox/split.js';
import { MboxReader, decodeMboxCursor } from '../../src/connectors/mbox/reader.js';
import { EmlDraftWriter, draftFileName } from '../../src/connectors/mbox/drafts.js';
import { createMboxConnector } from '../../src/connectors/mbox/index.js';
import type { CandidateFilter, SyncBatch, SyncOptions } from '../../src/connectors/port.js';
import { DRAFT_KEY_HEADER } from '../../src/mail/headers.js';
import { MAX_MESSAGE_BYTES, parseMessage } from '../../src/mail/normalise.js';
import { generateMbox, generateMailItems, writeMbox } from '../../scripts/lib/gen-mbox.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'mime');
const REPO = resolve(import.meta.dirname, '..', '..');
const SAMPLE = resolve(REPO, '..', 'shared', 'corpus', 'sample.mbox');

const filter: CandidateFilter = { senderDomains: [], phrases: [], lookbackDays: 180, isCandidate: () => true };
const syncOpts: SyncOptions = { now: new Date('2026-11-20T12:00:00Z'), filter, trackedThreadIds: new Set() };

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const messagesOf = (items: MboxItem[]): MboxMessage[] => items.filter((i): i is MboxMessage => !i.oversized);

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'offerwatch-mbox-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('splitMbox', () => {
  it('splits on From lines after blank lines and undoes mboxrd quoting', async () => {
    const items = messagesOf(await collect(splitMbox(join(FIX, 'from-lines.mbox'))));
    expect(items).toHaveLength(3);
    const first = items[0].raw.toString('utf8');
    expect(first.startsWith('From: One <sender@one.example>\n')).toBe(true);
    expect(first).toContain('\nFrom here on, a quoted From line.\n');
    expect(first).toContain('\n>From and a doubly quoted one.\n');
    expect(first).toContain('\n>>From three.\n');
    expect(first).toContain('\nFrom the middle of a paragraph is not a separator.\n');
    expect(first).toContain('\n >From with a leading space stays as it is.\n');
    // The separator blank line is not part of the message; the message's own newline is.
    expect(first.endsWith('stays as it is.\n')).toBe(true);
    expect(items[1].raw.toString('utf8').endsWith('Second body.\n\n')).toBe(true);
    expect(items[2].raw.toString('utf8').endsWith('no trailing newline')).toBe(true);
    expect(items[0].fromLine).toBe('From sender@one.example Mon Nov  2 10:00:00 2026');
    // Offsets cover the file exactly.
    const size = statSync(join(FIX, 'from-lines.mbox')).size;
    expect(items[0].offset).toBe(0);
    expect(items[0].end).toBe(items[1].offset);
    expect(items[1].end).toBe(items[2].offset);
    expect(items[2].end).toBe(size);
  });

  it('handles CRLF files', async () => {
    const items = messagesOf(await collect(splitMbox(join(FIX, 'crlf.mbox'))));
    expect(items).toHaveLength(2);
    expect(items[0].raw.toString()).toContain('\r\nFrom quoted.\r\n');
    expect(items[0].raw.toString().endsWith('First.\r\nFrom quoted.\r\n')).toBe(true);
    expect(items[0].fromLine).toBe('From a@crlf.example Thu Nov  5 09:00:00 2026');
    const m = await parseMessage(items[1].raw);
    expect(m.subject).toBe('CRLF two');
    expect(m.text).toBe('Second.');
  });

  it('gives the same messages whatever the chunk size, and resumes at any message end', async () => {
    const path = join(FIX, 'from-lines.mbox');
    const whole = messagesOf(await collect(splitMbox(path)));
    for (const hw of [1, 3, 7, 64]) {
      const chunked = messagesOf(await collect(splitMbox(path, { highWaterMark: hw })));
      expect(chunked.map((i) => [i.offset, i.end, i.raw.toString('hex')])).toEqual(whole.map((i) => [i.offset, i.end, i.raw.toString('hex')]));
    }
    const resumed = messagesOf(await collect(splitMbox(path, { start: whole[1].offset })));
    expect(resumed.map((i) => i.offset)).toEqual([whole[1].offset, whole[2].offset]);
    expect(await collect(splitMbox(path, { start: whole[2].end }))).toEqual([]);
  });

  it('reports an oversized message without buffering it, and the next one still comes through', async () => {
    const path = join(tmp, 'oversized.mbox');
    const big = 'x'.repeat(200) + '\n';
    writeFileSync(
      path,
      'From a@x.example Mon Nov  2 10:00:00 2026\nFrom: a@x.example\nSubject: big\nDate: Mon, 02 Nov 2026 10:00:00 +0000\n\n' +
        big.repeat(100) +
        '\nFrom b@x.example Mon Nov  2 11:00:00 2026\nFrom: b@x.example\nSubject: small\nDate: Mon, 02 Nov 2026 11:00:00 +0000\n\nok\n',
    );
    const items = await collect(splitMbox(path, { maxMessageBytes: 5000, highWaterMark: 512 }));
    expect(items).toHaveLength(2);
    expect(items[0].oversized).toBe(true);
    expect(items[0]).not.toHaveProperty('raw');
    expect(items[0].end).toBe(items[1].offset);
    expect(items[1].oversized).toBeFalsy();
    expect((items[1] as MboxMessage).raw.toString()).toContain('Subject: small');
  });

  it('copes with a very long line (no line ending for megabytes)', async () => {
    const path = join(tmp, 'longline.mbox');
    const long = 'A'.repeat(300_000);
    writeFileSync(path, `From a@x.example Mon Nov  2 10:00:00 2026\nFrom: a@x.example\nSubject: long\n\n${long}\n\nFrom b@x.example Mon Nov  2 10:00:00 2026\nSubject: two\n\nbody\n`);
    const items = messagesOf(await collect(splitMbox(path, { highWaterMark: 4096 })));
    expect(items).toHaveLength(2);
    expect(items[0].raw.toString()).toBe(`From: a@x.example\nSubject: long\n\n${long}\n`);
  });

  it('skips leading bytes before the first envelope line', async () => {
    const path = join(tmp, 'leading.mbox');
    writeFileSync(path, 'junk line\n\nFrom a@x.example Mon Nov  2 10:00:00 2026\nSubject: one\n\nbody\n');
    const items = messagesOf(await collect(splitMbox(path)));
    expect(items).toHaveLength(1);
    expect(items[0].offset).toBe('junk line\n\n'.length);
  });
});

describe('envelopeDate', () => {
  it('reads asctime and Takeout-style envelope dates', () => {
    expect(envelopeDate('From a@b Tue Jun  9 20:15:45 2026')).toBe('2026-06-09T20:15:45.000Z');
    expect(envelopeDate('From 1790034483426766917@xxx Mon Feb 19 10:22:33 +0000 2024')).toBe('2024-02-19T10:22:33.000Z');
    expect(envelopeDate('From a@b Mon Feb 19 10:22:33 -0130 2024')).toBe('2024-02-19T11:52:33.000Z');
    expect(envelopeDate('From a@b')).toBeNull();
    expect(envelopeDate('From a@b Tue Feb 31 20:15:45 2026')).toBeNull();
  });
});

describe('MboxReader', () => {
  it('reads every message of a generated mbox in batches, with failures recorded', async () => {
    const path = join(tmp, 'gen.mbox');
    await writeMbox(path, { seed: 11, messages: 120, owner: 'Sam Lee <sam.lee@example.net>' });
    appendFileSync(path, 'From broken@x.example Tue Nov  3 11:00:00 2026\nnot a header line\n\nbody\n\n');
    appendFileSync(path, 'From late@x.example Tue Nov  3 12:00:00 2026\nFrom: late@x.example\nSubject: after the broken one\n\nok\n');
    const reader = new MboxReader(path, { batchSize: 50 });
    const batches = await collect(reader.sync(null, syncOpts));
    expect(batches.map((b) => b.messages.length + b.failures.length)).toEqual([50, 50, 22]);
    const messages = batches.flatMap((b) => b.messages);
    const failures = batches.flatMap((b) => b.failures);
    expect(messages).toHaveLength(121);
    expect(failures).toHaveLength(1);
    expect(failures[0].ref).toMatch(/^gen\.mbox@\d+$/);
    expect(failures[0].reason).toMatch(/^cannot parse message: /);
    expect(failures[0].contentHash).toMatch(/^[0-9a-f]{64}$/);
    const late = messages[messages.length - 1];
    expect(late.subject).toBe('after the broken one');
    expect(late.date).toBe('2026-11-03T12:00:00.000Z'); // from the envelope line
    // Each batch's cursor covers exactly its messages and all before.
    for (let i = 0; i < batches.length; i++) {
      const c = decodeMboxCursor(batches[i].cursor);
      expect(c).not.toBeNull();
      const rest = await collect(reader.sync(batches[i].cursor, syncOpts));
      const restCount = rest.reduce((n, b) => n + b.messages.length + b.failures.length, 0);
      const before = batches.slice(0, i + 1).reduce((n, b) => n + b.messages.length + b.failures.length, 0);
      expect(before + restCount).toBe(122);
    }
  });

  it('resumes from a cursor: same total, no duplicates; new mail appended later is picked up', async () => {
    const path = join(tmp, 'resume.mbox');
    const chunks = [...generateMbox({ seed: 5, messages: 80, owner: 'sam.lee@example.net' })];
    writeFileSync(path, chunks.slice(0, 60).join(''));
    const reader = new MboxReader(path, { batchSize: 25 });
    const it = reader.sync(null, syncOpts)[Symbol.asyncIterator]();
    const first = (await it.next()).value as SyncBatch;
    await it.return?.();
    expect(first.messages).toHaveLength(25);
    const rest = await collect(reader.sync(first.cursor, syncOpts));
    const ids = [...first.messages, ...rest.flatMap((b) => b.messages)].map((m) => m.id);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    const all = await collect(reader.sync(null, syncOpts));
    expect(all.flatMap((b) => b.messages).map((m) => m.id)).toEqual(ids);

    // Nothing new: no batch with messages.
    const last = rest[rest.length - 1].cursor;
    const none = await collect(reader.sync(last, syncOpts));
    expect(none.flatMap((b) => b.messages)).toEqual([]);

    // Appended mail is read from where the last cursor stopped.
    appendFileSync(path, chunks.slice(60).join(''));
    const more = await collect(reader.sync(last, syncOpts));
    const moreIds = more.flatMap((b) => b.messages).map((m) => m.id);
    expect(moreIds).toHaveLength(20);
    expect(moreIds.some((id) => ids.includes(id))).toBe(false);
  });

  it('restarts from the start when the head of the file changed or the file shrank', async () => {
    const path = join(tmp, 'restart.mbox');
    const chunks = [...generateMbox({ seed: 6, messages: 30, owner: 'sam.lee@example.net' })];
    writeFileSync(path, chunks.join(''));
    const reader = new MboxReader(path, { batchSize: 1000 });
    const [b1] = await collect(reader.sync(null, syncOpts));
    expect(b1.messages).toHaveLength(30);

    // Replaced by a different mailbox of the same size or larger: head hash differs.
    writeFileSync(path, [...generateMbox({ seed: 99, messages: 40, owner: 'sam.lee@example.net' })].join(''));
    const again = await collect(reader.sync(b1.cursor, syncOpts));
    expect(again.flatMap((b) => b.messages)).toHaveLength(40);

    // Shrunk (same head, fewer bytes): restart too.
    const [b2] = await collect(reader.sync(null, syncOpts));
    writeFileSync(path, [...generateMbox({ seed: 99, messages: 35, owner: 'sam.lee@example.net' })].join(''));
    const shrunk = await collect(reader.sync(b2.cursor, syncOpts));
    expect(shrunk.flatMap((b) => b.messages)).toHaveLength(35);

    // A cursor that is not ours: start over.
    const junk = await collect(reader.sync('{"v":2}', syncOpts));
    expect(junk.flatMap((b) => b.messages)).toHaveLength(35);
  });

  it('records an oversized message as a failure and parses the next one', async () => {
    const path = join(tmp, 'huge.mbox');
    const head = 'From a@x.example Mon Nov  2 10:00:00 2026\nFrom: a@x.example\nSubject: huge\nDate: Mon, 02 Nov 2026 10:00:00 +0000\n\n';
    const line = 'y'.repeat(1023) + '\n';
    writeFileSync(path, head);
    const block = line.repeat(1024); // 1 MiB
    for (let i = 0; i < Math.ceil(MAX_MESSAGE_BYTES / block.length) + 1; i++) appendFileSync(path, block);
    appendFileSync(path, '\nFrom b@x.example Mon Nov  2 11:00:00 2026\nFrom: b@x.example\nSubject: next\nDate: Mon, 02 Nov 2026 11:00:00 +0000\n\nstill here\n');
    const batches = await collect(new MboxReader(path).sync(null, syncOpts));
    const failures = batches.flatMap((b) => b.failures);
    const messages = batches.flatMap((b) => b.messages);
    expect(failures).toEqual([{ ref: 'huge.mbox@0', reason: expect.stringMatching(/^cannot parse message: \d+ bytes, over the/), contentHash: null }]);
    expect(messages.map((m) => m.subject)).toEqual(['next']);
  });

  it('never writes to the mbox', async () => {
    const path = join(tmp, 'ro.mbox');
    copyFileSync(join(FIX, 'from-lines.mbox'), path);
    const before = readFileSync(path);
    const mtime = statSync(path).mtimeMs;
    await collect(new MboxReader(path).sync(null, syncOpts));
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(statSync(path).mtimeMs).toBe(mtime);
  });

  it('says clearly when the file does not exist', async () => {
    await expect(collect(new MboxReader(join(tmp, 'missing.mbox')).sync(null, syncOpts))).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});

const sampleMissing = !existsSync(SAMPLE);
describe.skipIf(sampleMissing)(
  sampleMissing ? `shared sample corpus: SKIPPED, ${SAMPLE} not found` : 'shared sample corpus (../shared/corpus/sample.mbox)',
  () => {
  it('splits and parses all 76 messages in 46 threads with decoded subjects and clean newText', async () => {
    const items = await collect(splitMbox(SAMPLE));
    expect(items).toHaveLength(76);
    const batches = await collect(new MboxReader(SAMPLE, { batchSize: 20 }).sync(null, syncOpts));
    const messages = batches.flatMap((b) => b.messages);
    expect(batches.flatMap((b) => b.failures)).toEqual([]);
    expect(messages).toHaveLength(76);
    expect(new Set(messages.map((m) => m.threadId)).size).toBe(46);
    expect(messages.every((m) => m.threadId && /^\d{19}$/.test(m.threadId))).toBe(true);
    expect(new Set(messages.map((m) => m.id)).size).toBe(76);

    const subjects = messages.map((m) => m.subject);
    expect(subjects).toContain("Offre d'emploi - Scientifique de données principal(e)");
    expect(subjects).toContain('Flash offer ⚡ 40% off bedding ends tonight');
    expect(subjects.some((s) => s.includes('=?'))).toBe(false);
    expect(messages.some((m) => m.from?.name === 'Tomás Aguilar')).toBe(true);
    const french = messages.find((m) => m.subject.startsWith('Offre'))!;
    expect(french.text).toContain("l'équipe Analytique d'Érable Numérique");
    expect(french.text).not.toMatch(/[\u0080-\u009f\ufffd]/);

    const replies = messages.filter((m) => m.inReplyTo !== null);
    expect(replies.length).toBeGreaterThan(20);
    for (const r of replies) {
      expect(r.newText.length).toBeGreaterThan(0);
      expect(r.newText).not.toMatch(/^\s*>/m);
      expect(r.newText).not.toMatch(/wrote:\s*$/m);
    }
    const withQuotes = replies.filter((r) => /^>/m.test(r.text));
    expect(withQuotes.length).toBeGreaterThan(10);
    for (const m of messages) {
      expect(m.date).toMatch(/^2026-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      expect(MAILBOX_ROLES).toContain(m.role);
      expect(m.contentHash).toMatch(/^[0-9a-f]{64}$/);
    }
  });
  },
);

describe('generateMbox', () => {
  it('is deterministic for a seed and varied', async () => {
    const a = [...generateMbox({ seed: 3, messages: 300, owner: 'sam.lee@example.net' })].join('');
    const b = [...generateMbox({ seed: 3, messages: 300, owner: 'sam.lee@example.net' })].join('');
    const c = [...generateMbox({ seed: 4, messages: 300, owner: 'sam.lee@example.net' })].join('');
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toMatch(/Content-Transfer-Encoding: quoted-printable/);
    expect(a).toMatch(/Content-Transfer-Encoding: base64/);
    expect(a).toMatch(/multipart\/alternative/);
    expect(a).toMatch(/filename="[^"]+\.pdf"/);
    expect(a).toMatch(/^Content-Type: text\/html/m);
    expect(a).toMatch(/wrote:\n> /);
    const items = [...generateMailItems({ seed: 3, messages: 2000, owner: 'sam.lee@example.net' })];
    const share = items.filter((m) => m.job).length / items.length;
    expect(share).toBeGreaterThan(0.02);
    expect(share).toBeLessThan(0.05);
    const perThread = new Map<string, number>();
    for (const m of items) perThread.set(m.threadId, (perThread.get(m.threadId) ?? 0) + 1);
    expect(Math.max(...perThread.values())).toBeLessThanOrEqual(5);
    expect([...perThread.values()].filter((n) => n >= 3).length).toBeGreaterThan(10);
    const dates = items.map((m) => m.date);
    expect([...dates].sort()).toEqual(dates);
  });

  it('writes to disk up to a byte target', async () => {
    const path = join(tmp, 'target.mbox');
    const res = await writeMbox(path, { seed: 1, messages: Infinity, owner: 'sam.lee@example.net', targetBytes: 300_000 });
    expect(res.bytes).toBe(statSync(path).size);
    expect(res.bytes).toBeGreaterThanOrEqual(300_000);
    const items = await collect(splitMbox(path));
    expect(items).toHaveLength(res.messages);
  });
});

describe('EmlDraftWriter', () => {
  const h = (threadId: string) => ({ threadId, providerThreadId: null, messages: [] });
  const reply = { from: { name: null, address: 'sam.lee@example.net' }, to: [], subject: 'Re: Offer', text: '', inReplyTo: null, references: [] };
  const mime = (key: string, body: string): Buffer =>
    Buffer.from(`From: sam.lee@example.net\nTo: abby@pumice.example\nSubject: Re: Offer\n${DRAFT_KEY_HEADER}: ${key}\n\n${body}\n`);

  it('creates a private .eml once and never overwrites it', async () => {
    const dir = join(tmp, 'drafts');
    const w = new EmlDraftWriter(dir);
    expect(await w.findDraftByKey(h('t1'), 'k1')).toBeNull();
    const saved = await w.createDraft({ thread: h('t1'), key: 'k1', reply, mime: mime('k1', 'first') });
    expect(saved.location).toBe(join(dir, 'k1.eml'));
    expect(saved.draftId).toBe(saved.location);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(saved.location).mode & 0o777).toBe(0o600);
    // The owner edits the draft; creating again returns it unchanged.
    writeFileSync(saved.location, mime('k1', 'edited by the owner'));
    const again = await w.createDraft({ thread: h('t1'), key: 'k1', reply, mime: mime('k1', 'second') });
    expect(again).toEqual(saved);
    expect(readFileSync(saved.location, 'utf8')).toContain('edited by the owner');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(await w.findDraftByKey(h('t1'), 'k1')).toEqual(saved);
  });

  it('finds a renamed draft by its key header, and keeps unsafe keys inside the directory', async () => {
    const dir = join(tmp, 'drafts2');
    const w = new EmlDraftWriter(dir);
    const key = '../../etc/passwd thread:1/decline';
    const saved = await w.createDraft({ thread: h('t2'), key, reply, mime: mime(key, 'hello') });
    expect(saved.location.startsWith(dir + '/')).toBe(true);
    expect(draftFileName(key)).not.toContain('/');
    expect(draftFileName(key)).not.toBe(draftFileName('.._.._etc_passwd_thread_1_decline'));
    const renamed = join(dir, 'my edited reply.eml');
    renameSync(saved.location, renamed);
    expect(await w.findDraftByKey(h('t2'), key)).toEqual({ draftId: renamed, location: renamed });
    expect(await w.findDraftByKey(h('t2'), 'other')).toBeNull();
  });

  it('is wired into the connector with no attention marker', () => {
    const c = createMboxConnector({ name: 'demo', path: join(FIX, 'from-lines.mbox'), draftsDir: join(tmp, 'd3') });
    expect(c.name).toBe('demo');
    expect(c.reader).toBeInstanceOf(MboxReader);
    expect(c.drafts).toBeInstanceOf(EmlDraftWriter);
    expect(c.attention).toBeUndefined();
  });
});
