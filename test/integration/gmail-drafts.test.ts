/**
 * Drafts and the reply-due label through the real client: idempotent creation keyed by
 * X-Offerwatch-Draft-Key (lost answers, crashes between create and commit, edited
 * drafts never overwritten), label create/add/remove, and no send path at all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DRAFT_KEY_HEADER } from '../../src/mail/headers.js';
import { OfferwatchError } from '../../src/errors.js';
import { hexThread, rfc822, startHarness, type Harness } from '../emulators/gmail/harness.js';

// "Kestrel Maps offer - Frontend Engineer II" in the demo mailbox.
const THREAD = hexThread('1881496409342850435');

let h: Harness;
afterEach(async () => {
  expect(h.emu.counters.sendAttempts).toBe(0);
  expect(h.emu.counters.forbiddenWrites).toBe(0);
  await h.close();
});

function draftMime(key: string, body = 'Thank you for the conversation; I have decided to withdraw.'): Buffer {
  return Buffer.from(
    rfc822({
      from: 'Jordan Okafor <jordan@example.com>',
      to: 'Marguerite Dubois <marguerite@kestrelmaps.example>',
      subject: 'Re: Kestrel Maps offer - Frontend Engineer II',
      date: h.clock.now(),
      messageId: `<draft-${key}@example.net>`,
      body,
      extra: [`${DRAFT_KEY_HEADER}: ${key}`],
    }),
  );
}

/** A thread handle as the core builds it for a Gmail thread (the provider id is the store's id). */
const handle = (threadId: string) => ({ threadId, providerThreadId: threadId, messages: [] });
const req = (threadId: string, key: string, mime: Buffer) => ({
  thread: handle(threadId),
  key,
  mime,
  reply: { from: { name: 'Jordan Okafor', address: 'jordan@example.com' }, to: [], subject: 'Re: Kestrel Maps offer - Frontend Engineer II', text: '', inReplyTo: null, references: [] },
});

const draftsIn = (threadId: string) => [...h.emu.mailbox.drafts.values()].filter((mid) => h.emu.mailbox.messages.get(mid)!.threadId === threadId);

describe('gmail drafts', () => {
  it('creates a draft in the thread and finds it again by key', async () => {
    h = await startHarness();
    const drafts = h.connector.drafts!;
    expect(await drafts.findDraftByKey(handle(THREAD), 'k-1')).toBeNull();
    const saved = await drafts.createDraft(req(THREAD, 'k-1', draftMime('k-1')));
    expect(saved.location).toBe(`Gmail draft ${saved.draftId} in thread ${THREAD}`);
    expect(draftsIn(THREAD)).toHaveLength(1);
    const mid = h.emu.mailbox.drafts.get(saved.draftId)!;
    expect(h.emu.mailbox.messages.get(mid)!.labelIds.has('DRAFT')).toBe(true);
    expect(await drafts.findDraftByKey(handle(THREAD), 'k-1')).toEqual(saved);
    expect(await drafts.findDraftByKey(handle(THREAD), 'k-2')).toBeNull();
  });

  it('makes exactly one draft when the answer to drafts.create is lost', async () => {
    h = await startHarness();
    h.emu.fail({ method: 'drafts.create', kind: 'drop-response' });
    const saved = await h.connector.drafts!.createDraft(req(THREAD, 'k-lost', draftMime('k-lost')));
    expect(h.emu.counters.calls['drafts.create']).toBe(1);
    expect(draftsIn(THREAD)).toEqual([h.emu.mailbox.drafts.get(saved.draftId)]);
    expect(h.logs.some((l) => l.includes('looking the draft up by key'))).toBe(true);
  });

  it('tries again after a refused create, once the lookup finds nothing', async () => {
    h = await startHarness();
    h.emu.fail({ method: 'drafts.create', status: 503 });
    const saved = await h.connector.drafts!.createDraft(req(THREAD, 'k-503', draftMime('k-503')));
    expect(h.emu.counters.calls['drafts.create']).toBe(2);
    expect(draftsIn(THREAD)).toEqual([h.emu.mailbox.drafts.get(saved.draftId)]);
  });

  it('finds a draft created before a crash, from a fresh process', async () => {
    h = await startHarness();
    const saved = await h.connector.drafts!.createDraft(req(THREAD, 'k-crash', draftMime('k-crash')));
    // The process dies before the store commits `saved`; the next run asks again.
    const next = await h.reconnect();
    expect(await next.drafts!.findDraftByKey(handle(THREAD), 'k-crash')).toEqual(saved);
    expect(await next.drafts!.createDraft(req(THREAD, 'k-crash', draftMime('k-crash')))).toEqual(saved);
    expect(h.emu.counters.calls['drafts.create']).toBe(1);
  });

  it('never overwrites a draft the owner has edited', async () => {
    h = await startHarness();
    const saved = await h.connector.drafts!.createDraft(req(THREAD, 'k-edit', draftMime('k-edit')));
    const edited = draftMime('k-edit', 'Hi Abby, I rewrote this myself.');
    await h.emu.mailbox.editDraftAsOwner(saved.draftId, edited);
    const again = await h.connector.drafts!.createDraft(req(THREAD, 'k-edit', draftMime('k-edit')));
    expect(again).toEqual(saved);
    const mid = h.emu.mailbox.drafts.get(saved.draftId)!;
    expect(h.emu.mailbox.messages.get(mid)!.raw.toString('utf8')).toContain('I rewrote this myself');
    expect(h.emu.counters.calls['drafts.create']).toBe(1);
  });

  it('pages through drafts.list to find a key', async () => {
    h = await startHarness({ pageSize: 2 });
    for (let i = 0; i < 5; i++) await h.emu.mailbox.createDraft(draftMime(`other-${i}`), THREAD);
    const saved = await h.connector.drafts!.createDraft(req(THREAD, 'k-page', draftMime('k-page')));
    for (let i = 0; i < 3; i++) await h.emu.mailbox.createDraft(draftMime(`later-${i}`), THREAD);
    h.emu.counters.reset();
    expect(await h.connector.drafts!.findDraftByKey(handle(THREAD), 'k-page')).toEqual(saved);
    expect(h.emu.counters.calls['drafts.list']).toBe(5);
  });

  it('refuses a MIME message without its key header, before any request', async () => {
    h = await startHarness();
    const mime = Buffer.from(rfc822({ from: 'Jordan Okafor <jordan@example.com>', subject: 'x', date: h.clock.now(), messageId: '<x@y>', body: 'x' }));
    await expect(h.connector.drafts!.createDraft(req(THREAD, 'k-none', mime))).rejects.toMatchObject({ code: 'EUNSAFE' });
    expect(h.emu.counters.totalCalls()).toBe(0);
  });

  it('does not retry drafts.create on a permanent refusal', async () => {
    h = await startHarness();
    h.emu.fail({ method: 'drafts.create', status: 400, reason: 'invalidArgument' });
    const err = await h.connector.drafts!.createDraft(req(THREAD, 'k-400', draftMime('k-400'))).catch((e) => e);
    expect(err).toBeInstanceOf(OfferwatchError);
    expect(err.code).toBe('EPROVIDER');
    expect(h.emu.counters.calls['drafts.create']).toBe(1);
  });
});

describe('gmail reply-due label', () => {
  const labelled = () => {
    const id = [...h.emu.mailbox.labels.values()].find((l) => l.name === 'offerwatch/Reply due')?.id;
    return id ? (h.emu.mailbox.threads.get(THREAD) ?? []).map((mid) => h.emu.mailbox.messages.get(mid)!.labelIds.has(id)) : null;
  };

  it('creates the label once, adds it, removes it, idempotently', async () => {
    h = await startHarness();
    const att = h.connector.attention!;
    await att.setNeedsReply(handle(THREAD), false); // no label yet: nothing to do, nothing created
    expect(labelled()).toBeNull();
    await att.setNeedsReply(handle(THREAD), true);
    expect(labelled()!.every(Boolean)).toBe(true);
    await att.setNeedsReply(handle(THREAD), true);
    await att.setNeedsReply(handle(THREAD), false);
    expect(labelled()!.some(Boolean)).toBe(false);
    expect(h.emu.counters.calls['labels.create']).toBe(1);
    expect(h.emu.counters.calls['labels.list']).toBe(1); // one look, then the cache
    expect(h.emu.counters.calls['threads.modify']).toBe(3);
  });

  it('uses an existing label of that name, and a configured name', async () => {
    h = await startHarness({ cfg: { replyDueLabel: 'Jobs/Owe a reply' } });
    const id = h.emu.mailbox.ensureLabel('Jobs/Owe a reply');
    await h.connector.attention!.setNeedsReply(handle(THREAD), true);
    expect(h.emu.counters.calls['labels.create'] ?? 0).toBe(0);
    const mids = h.emu.mailbox.threads.get(THREAD)!;
    expect(mids.every((mid) => h.emu.mailbox.messages.get(mid)!.labelIds.has(id))).toBe(true);
  });

  it('finds the label after a lost labels.create answer instead of creating a second one', async () => {
    h = await startHarness();
    h.emu.fail({ method: 'labels.create', kind: 'drop-response' });
    await h.connector.attention!.setNeedsReply(handle(THREAD), true);
    expect([...h.emu.mailbox.labels.values()].filter((l) => l.name === 'offerwatch/Reply due')).toHaveLength(1);
    expect(labelled()!.every(Boolean)).toBe(true);
  });
});
