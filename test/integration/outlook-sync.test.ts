/**
 * The Outlook connector's reader against the Graph emulator: backfill by delta with the
 * candidate filter on metadata, idle polls in one $batch request, incremental changes,
 * `@removed`, duplicates, expired delta tokens, and resuming a killed backfill.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { drain, rfc822 } from '../emulators/gmail/harness.js';
import { startGraphHarness, DEMO_OWNER, type GraphHarness } from '../emulators/graph/harness.js';

let h: GraphHarness | null = null;
afterEach(async () => {
  if (h) expect(h.emu.counters.sendAttempts).toBe(0);
  await h?.close();
  h = null;
});

describe('outlook sync (emulated Graph)', () => {
  it('backfills job-search conversations of Inbox and Sent Items with roles and conversation ids', async () => {
    h = await startGraphHarness();
    const out = await drain(h.connector.reader, null, h.options());
    expect(out.failures).toEqual([]);
    expect(out.messages.length).toBeGreaterThan(10);
    const roles = new Set(out.messages.map((m) => m.role));
    expect(roles).toEqual(new Set(['inbox', 'sent']));
    for (const m of out.messages) {
      expect(m.threadId).toMatch(/^AAQk/);
      expect(m.text.length).toBeGreaterThan(0);
    }
    const sent = out.messages.filter((m) => m.role === 'sent');
    expect(sent.every((m) => m.from?.address === DEMO_OWNER)).toBe(true);
    // Bodies are fetched only for candidates: fewer messages than the mailbox holds.
    expect(out.messages.length).toBeLessThan(h.emu.mailbox.messages.size);
    const cursor = JSON.parse(out.cursor!) as { folders: Record<string, { phase: string; link: string }> };
    expect(cursor.folders.inbox!.phase).toBe('delta');
    expect(cursor.folders.inbox!.link).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0\/me\/mailFolders\/inbox\/messages\/delta\?\$deltatoken=/);
  });

  it('an idle poll of both folders is one HTTP request ($batch)', async () => {
    h = await startGraphHarness();
    const first = await drain(h.connector.reader, null, h.options());
    h.emu.resetCounters();
    const before = h.connector.counters.requests;
    const idle = await drain(h.connector.reader, first.cursor, h.options());
    expect(idle.messages).toEqual([]);
    expect(h.emu.counters.requests, JSON.stringify(h.emu.counters.calls)).toBe(1);
    expect(h.connector.counters.requests - before).toBe(1);
  });

  it('picks up a new reply in a tracked conversation, a new candidate, removals and ignores noise', async () => {
    h = await startGraphHarness();
    const first = await drain(h.connector.reader, null, h.options());
    const tracked = new Set(first.messages.map((m) => m.threadId!));
    const anyTracked = first.messages.find((m) => m.role === 'inbox')!;
    const stored = h.emu.mailbox.messages.get(anyTracked.id)!;
    await h.emu.mailbox.addRaw(rfc822({ from: 'Pat <pat@newco.example>', to: DEMO_OWNER, subject: 'Weekend plans', date: new Date('2026-11-20T10:00:00Z'), messageId: '<noise-1@newco.example>', body: 'Brunch on Sunday?' }));
    await h.emu.mailbox.addRaw(rfc822({ from: 'Recruiting <jobs@greenhouse-mail.io>', to: DEMO_OWNER, subject: 'Your application to Orbit', date: new Date('2026-11-20T10:05:00Z'), messageId: '<app-1@greenhouse-mail.io>', body: 'Thanks for applying to the Platform Engineer role.' }));
    await h.emu.mailbox.addRaw(rfc822({ from: 'A Person <a@x.example>', to: DEMO_OWNER, subject: `Re: ${stored.msg.subject}`, date: new Date('2026-11-20T10:10:00Z'), messageId: '<follow-1@x.example>', inReplyTo: stored.msg.internetMessageId!, body: 'One more thing.' }), { conversationId: stored.msg.conversationId! });
    h.emu.mailbox.remove(anyTracked.id);
    const next = await drain(h.connector.reader, first.cursor, h.options({ trackedThreadIds: tracked }));
    const subjects = next.messages.map((m) => m.subject).sort();
    expect(subjects).toEqual([`Re: ${stored.msg.subject}`, 'Your application to Orbit'].sort());
    expect(next.batches.flatMap((b) => b.removed ?? [])).toEqual([anyTracked.id]);
  });

  it('an expired delta token means one scoped resync that re-delivers, without failing', async () => {
    h = await startGraphHarness();
    const first = await drain(h.connector.reader, null, h.options());
    h.emu.expireDeltaTokens();
    const again = await drain(h.connector.reader, first.cursor, h.options());
    expect(h.logs.some((l) => /delta token has expired; resyncing within 180 days/.test(l))).toBe(true);
    expect(new Set(again.messages.map((m) => m.id))).toEqual(new Set(first.messages.map((m) => m.id)));
    const resyncRequired = await drain(h.connector.reader, again.cursor, h.options());
    expect(resyncRequired.messages).toEqual([]);
    h.emu.expireDeltaTokens('resyncRequired');
    const third = await drain(h.connector.reader, again.cursor, h.options());
    expect(third.messages.length).toBe(first.messages.length);
  });

  it('entries Graph lists twice are delivered once', async () => {
    h = await startGraphHarness({ pageSize: 4 });
    h.emu.repeatDeltaEntries(true);
    const twice = await drain(h.connector.reader, null, h.options());
    const ids = twice.messages.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    h.emu.repeatDeltaEntries(false);
    const once = await drain(h.connector.reader, null, h.options());
    expect(new Set(ids)).toEqual(new Set(once.messages.map((m) => m.id)));
  });

  it('a killed backfill resumes from the stored nextLink', async () => {
    h = await startGraphHarness({ pageSize: 3 });
    const partial = await drain(h.connector.reader, null, h.options(), 2);
    expect(JSON.parse(partial.cursor!).folders.inbox.phase).toBe('paging');
    const rest = await drain(h.connector.reader, partial.cursor, h.options());
    const full = await drain(await h.reconnect().then((c) => c.reader), null, h.options());
    const got = new Set([...partial.messages, ...rest.messages].map((m) => m.id));
    expect(got).toEqual(new Set(full.messages.map((m) => m.id)));
  });
});
