/**
 * Gmail sync through the real googleapis client against the loopback emulator:
 * backfill, paging, resume after a kill, incremental sync, idle poll, history expiry.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCursor } from '../../src/connectors/gmail/cursor.js';
import { afterDate } from '../../src/connectors/gmail/query.js';
import { drain, hexThread, rfc822, startHarness, type Harness } from '../emulators/gmail/harness.js';
import { DEMO_LABELS, DEMO_MBOX, splitMboxrd } from '../emulators/gmail/mbox.js';

interface LabelRow {
  thread: string;
  stage: string;
  subject: string;
}
const LABELS: LabelRow[] = JSON.parse(readFileSync(DEMO_LABELS, 'utf8'));
const JOB_THREADS = LABELS.filter((l) => l.stage !== 'none').map((l) => hexThread(l.thread));

/** Messages per thread in the demo mailbox, spam left out (Gmail search leaves it out too). */
function sampleCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const raw of splitMboxrd(readFileSync(DEMO_MBOX))) {
    const s = raw.toString('latin1');
    if (/^X-Gmail-Labels:.*\bSpam\b/im.test(s)) continue;
    const t = hexThread(/^X-GM-THRID:\s*(\d+)/im.exec(s)![1]);
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  return counts;
}

let h: Harness;
afterEach(async () => {
  expect(h.emu.counters.sendAttempts).toBe(0);
  expect(h.emu.counters.forbiddenWrites).toBe(0);
  await h.close();
});

describe('gmail backfill', () => {
  it('finds every job thread of the demo mailbox in full, and not the mail outside the query', async () => {
    h = await startHarness();
    const r = await drain(h.connector.reader, null, h.options());
    expect(r.failures).toEqual([]);
    const byThread = new Map<string, number>();
    for (const m of r.messages) byThread.set(m.threadId!, (byThread.get(m.threadId!) ?? 0) + 1);
    for (const t of JOB_THREADS) expect(byThread.has(t), `job thread ${t}`).toBe(true);
    // Whole threads: the owner's replies come along even when they do not match the query.
    const counts = sampleCounts();
    for (const [t, n] of byThread) expect(n, `thread ${t}`).toBe(counts.get(t));
    // Distractors the query does not reach (a conference talk, a job-board digest) stay out.
    const outside = ['Your FrontFest North 2027 talk has been accepted!', '"frontend engineer": 11 new jobs in Toronto, Ontario'];
    for (const subject of outside) {
      const row = LABELS.find((l) => l.subject === subject)!;
      expect(byThread.has(hexThread(row.thread)), subject).toBe(false);
    }
    // Gmail ids, thread ids and label names come from Gmail, not from the parser.
    const ids = new Set(h.emu.mailbox.messages.keys());
    for (const m of r.messages) expect(ids.has(m.id)).toBe(true);
    expect(r.messages.some((m) => m.role === 'sent' && !m.labels.includes('SENT'))).toBe(true);
    expect(r.messages.some((m) => m.labels.includes('Jobs'))).toBe(true);
    expect(new Set(r.messages.map((m) => m.id)).size).toBe(r.messages.length);
    // The history id is taken first, and the last cursor switches to incremental.
    expect(h.emu.counters.log[0].method).toBe('getProfile');
    const last = decodeCursor(r.cursor);
    expect(last).toMatchObject({ phase: 'incremental', historyId: '100000' });
  });

  it('looks back as far as the filter says (180 days by default); a source may only narrow it', async () => {
    const bound = (days: number) => afterDate(h.clock.now().getTime() - days * 86_400_000);
    const queries = () => h.emu.counters.log.filter((l) => l.method === 'messages.list').map((l) => String(l.query.q));
    h = await startHarness();
    await drain(h.connector.reader, null, h.options());
    expect(queries().every((q) => q.endsWith(bound(180)))).toBe(true);
    await h.close();
    h = await startHarness({ cfg: { lookbackDays: 10 } });
    await drain(h.connector.reader, null, h.options());
    expect(queries().every((q) => q.endsWith(bound(10)))).toBe(true);
    await h.close();
    h = await startHarness({ cfg: { lookbackDays: 400 } });
    await drain(h.connector.reader, null, h.options({ filter: { ...h.options().filter, lookbackDays: 30 } }));
    expect(queries().every((q) => q.endsWith(bound(30)))).toBe(true);
  });

  it('follows every page of messages.list', async () => {
    h = await startHarness({ pageSize: 7 });
    const r = await drain(h.connector.reader, null, h.options());
    const lists = h.emu.counters.log.filter((l) => l.method === 'messages.list');
    expect(lists.length).toBeGreaterThan(3);
    expect(lists.slice(1).every((l) => typeof l.query.pageToken === 'string')).toBe(true);
    expect(lists.every((l) => Number(l.query.maxResults) === 7)).toBe(true);
    for (const t of JOB_THREADS) expect(r.messages.some((m) => m.threadId === t)).toBe(true);
    expect(new Set(r.messages.map((m) => m.id)).size).toBe(r.messages.length);
  });

  it('resumes a killed backfill from the last batch cursor without skipping or repeating', async () => {
    h = await startHarness({ pageSize: 5 });
    const full = await drain(h.connector.reader, null, h.options());
    const all = full.messages.map((m) => m.id).sort();

    for (const stopAfter of [1, 2, 4]) {
      const first = await drain(h.connector.reader, null, h.options(), stopAfter);
      expect(decodeCursor(first.cursor)).toMatchObject({ phase: 'backfill' });
      const restarted = await h.reconnect();
      const rest = await drain(restarted.reader, first.cursor, h.options());
      const ids = [...first.messages, ...rest.messages].map((m) => m.id);
      expect(new Set(ids).size, `stop after ${stopAfter}`).toBe(ids.length);
      expect(ids.sort()).toEqual(all);
      expect(decodeCursor(rest.cursor)).toMatchObject({ phase: 'incremental' });
    }
  });
});

describe('gmail incremental sync', () => {
  async function synced(): Promise<string> {
    const r = await drain(h.connector.reader, null, h.options());
    return r.cursor!;
  }

  it('costs exactly one request when nothing changed', async () => {
    h = await startHarness();
    const cursor = await synced();
    h.emu.counters.reset();
    const r = await drain(h.connector.reader, cursor, h.options());
    expect(h.emu.counters.log.map((l) => l.method)).toEqual(['history.list']);
    expect(h.emu.counters.totalUnits()).toBe(2);
    expect(r.messages).toEqual([]);
    expect(r.batches).toHaveLength(1);
    expect(decodeCursor(r.cursor)).toMatchObject({ phase: 'incremental', historyId: '100000' });
  });

  it('fetches new messages of tracked threads and new candidate threads, and only peeks at the rest', async () => {
    h = await startHarness();
    const cursor = await synced();
    const tracked = hexThread(LABELS.find((l) => l.subject.startsWith('Lumen Ridge - technical interview'))!.thread);
    const trackedFirst = h.emu.mailbox.messages.get(h.emu.mailbox.threads.get(tracked)![0])!;
    h.clock.advance(3_600_000);
    const reply = await h.emu.addMessage(
      rfc822({
        from: 'Jordan Okafor <jordan@example.com>',
        to: 'Inês Carvalho <ines@lumenridge.example>',
        subject: 'Re: Lumen Ridge - technical interview',
        date: h.clock.now(),
        messageId: '<reply-1@example.net>',
        inReplyTo: trackedFirst.search.messageIdHeader!,
        body: 'Tuesday at 11:00 works well for me.',
      }),
      { labels: ['SENT'] },
    );
    expect(reply.threadId).toBe(tracked);
    const invite = await h.emu.addMessage(
      rfc822({
        from: 'Quillfeather Talent <no-reply@quillfeather.greenhouse-mail.io>',
        subject: 'Thank you for your application to Quillfeather',
        date: h.clock.now(),
        messageId: '<gh-1@quillfeather.example>',
        body: 'We received your application for Data Scientist.',
      }),
    );
    const noise = await h.emu.addMessage(
      rfc822({
        from: 'Corner Bakery <news@bakery.example>',
        subject: 'Fresh bread on Fridays',
        date: h.clock.now(),
        messageId: '<news-1@bakery.example>',
        body: 'Come by for sourdough.',
      }),
    );
    h.emu.counters.reset();
    const r = await drain(h.connector.reader, cursor, h.options({ now: h.clock.now(), trackedThreadIds: new Set([tracked]) }));
    const got = r.messages.map((m) => m.id).sort();
    expect(got).toEqual([reply.id, invite.id].sort());
    expect(r.messages.find((m) => m.id === invite.id)!.threadId).toBe(invite.threadId);
    // The noise message was looked at through metadata at most, never fetched raw.
    const raws = h.emu.counters.log.filter((l) => l.method === 'messages.get' && l.query.format === 'raw').map((l) => l.path);
    expect(raws.sort()).toEqual([`messages/${reply.id}`, `messages/${invite.id}`].sort());
    expect(h.emu.counters.log.some((l) => l.path === `messages/${noise.id}` && l.query.format !== 'metadata')).toBe(false);
    const c = decodeCursor(r.cursor);
    expect(c).toMatchObject({ phase: 'incremental', historyId: String(h.emu.mailbox.historyId) });
    // And the next poll is idle again.
    h.emu.counters.reset();
    const again = await drain(h.connector.reader, r.cursor, h.options({ now: h.clock.now(), trackedThreadIds: new Set([tracked]) }));
    expect(again.messages).toEqual([]);
    expect(h.emu.counters.totalCalls()).toBe(1);
  });

  it('uses one server-side search to narrow a busy window, then metadata, then content for candidates only', async () => {
    h = await startHarness();
    const cursor = await synced();
    h.clock.advance(600_000);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const m = await h.emu.addMessage(
        rfc822({ from: `Shop ${i} <deals@shop${i}.example>`, subject: `Weekly deals ${i}`, date: h.clock.now(), messageId: `<deal-${i}@shop.example>`, body: 'Sale on lamps.' }),
      );
      ids.push(m.id);
    }
    const job = await h.emu.addMessage(
      rfc822({
        from: 'Ivo Marsh <ivo@lanternworks.example>',
        subject: 'Interview invitation: Lanternworks',
        date: h.clock.now(),
        messageId: '<iv-1@lanternworks.example>',
        body: 'We would like to invite you to interview for the analytics role.',
      }),
    );
    h.emu.counters.reset();
    const r = await drain(h.connector.reader, cursor, h.options({ now: h.clock.now() }));
    expect(r.messages.map((m) => m.id)).toEqual([job.id]);
    const calls = h.emu.counters.calls;
    expect(calls['history.list']).toBe(1);
    expect(calls['messages.list']).toBe(1);
    expect(calls['messages.get']).toBe(2); // metadata + raw of the one candidate
    expect(calls['threads.get'] ?? 0).toBe(0); // it started the thread: its id is the thread id
  });

  it('looks at a lone new message through metadata only, and fetches nothing when it is not a candidate', async () => {
    h = await startHarness();
    const cursor = await synced();
    h.clock.advance(600_000);
    const m = await h.emu.addMessage(
      rfc822({ from: 'Corner Bakery <news@bakery.example>', subject: 'Fresh bread', date: h.clock.now(), messageId: '<b-2@bakery.example>', body: 'Sourdough.' }),
    );
    h.emu.counters.reset();
    const r = await drain(h.connector.reader, cursor, h.options({ now: h.clock.now() }));
    expect(r.messages).toEqual([]);
    expect(h.emu.counters.log.map((l) => [l.method, l.path, l.query.format ?? null])).toEqual([
      ['history.list', 'history', null],
      ['messages.get', `messages/${m.id}`, 'metadata'],
    ]);
  });

  it('reports progress and stops when aborted', async () => {
    h = await startHarness({ pageSize: 10 });
    const progress: [number, number | null][] = [];
    const ac = new AbortController();
    let batches = 0;
    for await (const b of h.connector.reader.sync(null, h.options({ signal: ac.signal, onProgress: (p) => progress.push([p.done, p.total]) }))) {
      expect(b.cursor).toBeTruthy();
      batches++;
      ac.abort();
    }
    expect(batches).toBe(1);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0][0]).toBeGreaterThan(0);
    const calls = h.emu.counters.totalCalls();
    await drain(h.connector.reader, null, h.options({ signal: ac.signal }));
    expect(h.emu.counters.totalCalls()).toBe(calls);
  });

  it('pages through history and skips drafts', async () => {
    h = await startHarness({ pageSize: 2 });
    const cursor = await synced();
    const tracked = hexThread(LABELS.find((l) => l.subject.startsWith('Lumen Ridge - technical interview'))!.thread);
    const first = h.emu.mailbox.messages.get(h.emu.mailbox.threads.get(tracked)![0])!;
    const added: string[] = [];
    for (let i = 0; i < 5; i++) {
      h.clock.advance(60_000);
      const m = await h.emu.addMessage(
        rfc822({ from: 'Inês Carvalho <ines@lumenridge.example>', subject: 'Re: Lumen Ridge - technical interview', date: h.clock.now(), messageId: `<more-${i}@lumenridge.example>`, inReplyTo: first.search.messageIdHeader!, body: `Note ${i}` }),
      );
      added.push(m.id);
    }
    await h.emu.mailbox.createDraft(Buffer.from(rfc822({ from: 'Jordan Okafor <jordan@example.com>', subject: 'Re: phone screen', date: h.clock.now(), messageId: '<d@x>', body: 'draft' })), tracked);
    h.emu.counters.reset();
    const r = await drain(h.connector.reader, cursor, h.options({ now: h.clock.now(), trackedThreadIds: new Set([tracked]) }));
    expect(r.messages.map((m) => m.id).sort()).toEqual(added.sort());
    expect(h.emu.counters.calls['history.list']).toBe(3);
  });

  it('resyncs once within the lookback when the stored history id has expired, without duplicates', async () => {
    h = await startHarness();
    const first = await drain(h.connector.reader, null, h.options());
    const known = new Set(first.messages.map((m) => m.id));
    h.clock.advance(86_400_000);
    const late = await h.emu.addMessage(
      rfc822({
        from: 'Talent at Birchway <no-reply@birchway.greenhouse-mail.io>',
        subject: 'Birchway: your application was received',
        date: h.clock.now(),
        messageId: '<bw-1@birchway.example>',
        body: 'Thanks for your application.',
      }),
    );
    h.emu.mailbox.expireHistory();
    h.emu.counters.reset();
    const r = await drain(h.connector.reader, first.cursor, h.options({ now: h.clock.now() }));
    expect(h.emu.counters.log.map((l) => l.method).slice(0, 2)).toEqual(['history.list', 'getProfile']);
    expect(h.emu.counters.log[0].status).toBe(404);
    expect(h.emu.counters.calls['history.list']).toBe(1);
    expect(h.logs.some((l) => l.includes('has expired; resyncing'))).toBe(true);
    // The resync brings back what the store already has (the store dedups by id) plus the new mail.
    const ids = r.messages.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(late.id);
    expect(ids.filter((id) => !known.has(id))).toEqual([late.id]);
    const c = decodeCursor(r.cursor);
    expect(c).toMatchObject({ phase: 'incremental', historyId: String(h.emu.mailbox.historyId) });
    h.emu.counters.reset();
    await drain(h.connector.reader, r.cursor, h.options({ now: h.clock.now() }));
    expect(h.emu.counters.log.map((l) => l.method)).toEqual(['history.list']);
  });

  it('treats a cursor it did not write as a first run', async () => {
    h = await startHarness();
    const r = await drain(h.connector.reader, '{"phase":"something-else"}', h.options());
    expect(h.logs.some((l) => l.includes('not one this version wrote'))).toBe(true);
    expect(decodeCursor(r.cursor)).toMatchObject({ phase: 'incremental' });
  });
});
