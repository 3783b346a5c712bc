/**
 * Outlook drafts and reply-due marks against the Graph emulator: exactly one draft across a
 * lost createReply answer, a crash between createReply and PATCH, and repeated saves; an
 * edited draft is never overwritten; the flag (start + due) and the category go on the
 * latest inbound message and come off again. Nothing is ever sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DraftRequest, ThreadHandle } from '../../src/connectors/port.js';
import { drain } from '../emulators/gmail/harness.js';
import { startGraphHarness, DEMO_OWNER, type GraphHarness } from '../emulators/graph/harness.js';
import { DRAFT_KEY_PROPERTY } from '../../src/connectors/outlook/props.js';

let h: GraphHarness | null = null;
afterEach(async () => {
  if (h) {
    expect(h.emu.counters.sendAttempts).toBe(0);
    expect(h.emu.counters.forbiddenWrites).toBe(0);
  }
  await h?.close();
  h = null;
});

async function aThread(hh: GraphHarness): Promise<ThreadHandle> {
  const out = await drain(hh.connector.reader, null, hh.options());
  const conv = out.messages.find((m) => /Offer/i.test(m.subject) && m.role === 'inbox')!.threadId!;
  const msgs = out.messages.filter((m) => m.threadId === conv).sort((a, b) => a.date.localeCompare(b.date));
  return {
    threadId: conv,
    providerThreadId: conv,
    messages: msgs.map((m) => ({ id: m.id, messageId: m.messageId, direction: m.from?.address === DEMO_OWNER ? 'out' : 'in', date: m.date })),
  };
}

function request(thread: ThreadHandle, key = 'k-offer-decline-1'): DraftRequest {
  return {
    thread,
    key,
    mime: Buffer.from(''),
    reply: { from: { name: 'Jordan Okafor', address: DEMO_OWNER }, to: [{ name: 'Colette Fournier', address: 'colette@saltmarshmedia.example' }], subject: 'Re: Offer', text: 'Hi Colette,\n\nThank you — I have decided to decline.\n\nJordan', inReplyTo: null, references: [] },
  };
}

describe('outlook drafts (emulated Graph)', () => {
  it('creates one reply draft in the conversation, with the key property, plain-text body and recipients', async () => {
    h = await startGraphHarness();
    const thread = await aThread(h);
    const saved = await h.connector.drafts!.createDraft(request(thread));
    const drafts = h.emu.mailbox.drafts();
    expect(drafts).toHaveLength(1);
    const d = drafts[0]!;
    expect(saved.draftId).toBe(d.msg.id);
    expect(d.msg.conversationId).toBe(thread.providerThreadId);
    expect(d.props.get(DRAFT_KEY_PROPERTY)).toBe('k-offer-decline-1');
    expect(d.text).toContain('I have decided to decline');
    expect(d.msg.toRecipients?.map((r) => r.emailAddress?.address)).toEqual(['colette@saltmarshmedia.example']);
    expect(h.emu.counters.calls.createReply).toBe(1);
    // Saving again finds it by key and creates nothing.
    const again = await h.connector.drafts!.createDraft(request(thread));
    expect(again.draftId).toBe(saved.draftId);
    expect(await h.connector.drafts!.findDraftByKey(thread, 'k-offer-decline-1')).toMatchObject({ draftId: saved.draftId });
    expect(await h.connector.drafts!.findDraftByKey(thread, 'some-other-key')).toBeNull();
    expect(h.emu.mailbox.drafts()).toHaveLength(1);
  });

  it('a lost createReply answer (connection dropped after the write) still leaves exactly one draft', async () => {
    h = await startGraphHarness();
    const thread = await aThread(h);
    h.emu.fault({ route: 'createReply', kind: 'drop-response' });
    const saved = await h.connector.drafts!.createDraft(request(thread));
    expect(h.emu.mailbox.drafts()).toHaveLength(1);
    expect(h.emu.mailbox.drafts()[0]!.msg.id).toBe(saved.draftId);
    expect(h.emu.mailbox.drafts()[0]!.text).toContain('I have decided to decline');
    expect(h.logs.some((l) => /looking the draft up by key/.test(l))).toBe(true);
  });

  it('a crash between createReply and PATCH is completed on the next attempt, not duplicated', async () => {
    h = await startGraphHarness();
    const thread = await aThread(h);
    h.emu.fault({ route: 'messages.patch', status: 500, times: 10 });
    await expect(h.connector.drafts!.createDraft(request(thread))).rejects.toThrow(/graph answered 500/);
    h.emu.faults.clear();
    expect(h.emu.mailbox.drafts()).toHaveLength(1);
    const restarted = await h.reconnect();
    const saved = await restarted.drafts!.createDraft(request(thread));
    expect(h.emu.mailbox.drafts()).toHaveLength(1);
    expect(h.emu.mailbox.drafts()[0]!.msg.id).toBe(saved.draftId);
    expect(h.emu.mailbox.drafts()[0]!.text).toContain('I have decided to decline');
    await restarted.close?.();
  });

  it('an edited draft is never overwritten', async () => {
    h = await startGraphHarness();
    const thread = await aThread(h);
    const saved = await h.connector.drafts!.createDraft(request(thread));
    h.emu.mailbox.touch(saved.draftId, (s) => {
      s.text = 'My own words.';
    });
    const again = await h.connector.drafts!.createDraft(request(thread));
    expect(again.draftId).toBe(saved.draftId);
    expect(h.emu.mailbox.messages.get(saved.draftId)!.text).toBe('My own words.');
  });
});

describe('outlook: a draft the owner sent', () => {
  it('is found by key as sent, and its Sent Items copy carries the key for the core', async () => {
    h = await startGraphHarness();
    const first = await drain(h.connector.reader, null, h.options());
    const conv = first.messages.find((m) => /Offer/i.test(m.subject) && m.role === 'inbox')!.threadId!;
    const msgs = first.messages.filter((m) => m.threadId === conv);
    const thread: ThreadHandle = { threadId: conv, providerThreadId: conv, messages: msgs.map((m) => ({ id: m.id, messageId: m.messageId, direction: m.role === 'sent' ? 'out' : 'in', date: m.date })) };
    const saved = await h.connector.drafts!.createDraft(request(thread));
    // The owner sends it from Outlook: it leaves Drafts for Sent Items.
    h.emu.mailbox.touch(saved.draftId, (s) => {
      s.msg.isDraft = false;
    });
    h.emu.mailbox.move(saved.draftId, 'sentitems');
    expect(await h.connector.drafts!.findDraftByKey(thread, 'k-offer-decline-1')).toMatchObject({ draftId: saved.draftId, sent: true });
    const again = await h.connector.drafts!.createDraft(request(thread));
    expect(again.sent).toBe(true);
    expect(h.emu.mailbox.drafts()).toHaveLength(0);
    const next = await drain(h.connector.reader, first.cursor, h.options({ trackedThreadIds: new Set([conv]) }));
    const sentCopy = next.messages.find((m) => m.id === saved.draftId)!;
    expect(sentCopy.role).toBe('sent');
    expect(sentCopy.headers['x-offerwatch-draft-key']).toBe('k-offer-decline-1');
  });
});

describe('outlook reply-due marks (emulated Graph)', () => {
  it('flags the latest inbound message with start and due dates and the category, then clears both', async () => {
    h = await startGraphHarness();
    const thread = await aThread(h);
    const latestIn = thread.messages.filter((m) => m.direction === 'in').at(-1)!;
    const due = new Date('2026-11-18T12:00:00Z');
    await h.connector.attention!.setNeedsReply(thread, true, due);
    const m = h.emu.mailbox.messages.get(latestIn.id)!.msg;
    expect(m.flag?.flagStatus).toBe('flagged');
    expect(m.flag?.dueDateTime).toEqual({ dateTime: '2026-11-18T12:00:00.000', timeZone: 'UTC' });
    expect(m.flag?.startDateTime?.dateTime).toBeDefined();
    expect(m.categories).toEqual(['Reply due']);
    // Our own mark is not the owner's label and not a change of the message.
    const cursor = (await drain(h.connector.reader, null, h.options())).cursor;
    h.emu.mailbox.touch(latestIn.id, () => {});
    const redelivered = (await drain(h.connector.reader, cursor, h.options({ trackedThreadIds: new Set([thread.threadId]) }))).messages.find((x) => x.id === latestIn.id)!;
    expect(redelivered.labels).toEqual([]);
    const patches = h.emu.counters.calls['messages.patch'] ?? 0;
    await h.connector.attention!.setNeedsReply(thread, true, due); // idempotent: nothing to change
    expect(h.emu.counters.calls['messages.patch'] ?? 0).toBe(patches);
    await h.connector.attention!.setNeedsReply(thread, false);
    const cleared = h.emu.mailbox.messages.get(latestIn.id)!.msg;
    expect(cleared.flag?.flagStatus).toBe('notFlagged');
    expect(cleared.categories).toEqual([]);
  });

  it('leaves a flag the owner set on a message without our category', async () => {
    h = await startGraphHarness();
    const thread = await aThread(h);
    const first = thread.messages.filter((m) => m.direction === 'in')[0]!;
    h.emu.mailbox.touch(first.id, (s) => {
      s.msg.flag = { flagStatus: 'flagged', startDateTime: { dateTime: '2026-11-01T00:00:00', timeZone: 'UTC' }, dueDateTime: { dateTime: '2026-11-02T00:00:00', timeZone: 'UTC' } };
    });
    await h.connector.attention!.setNeedsReply(thread, false);
    expect(h.emu.mailbox.messages.get(first.id)!.msg.flag?.flagStatus).toBe('flagged');
  });
});
