/**
 * The connector contract: the same behaviours, through the real core, for every connector in
 * DRIVERS (test/contract/drivers.ts). Each driver gets one session; the behaviours run in order
 * on it, as a mailbox lives: backfill, incremental, a batch delivered twice, cursor expiry and
 * resync, a draft across a lost answer and across a crash, attention on and off, and never a send.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DraftWriter } from '../../src/connectors/port.js';
import { proposeOne } from '../../src/pipeline/proposing.js';
import { saveProposal } from '../../src/respond/save.js';
import { ensurePrivateDir } from '../../src/util/secure-fs.js';
import { DRIVERS } from './drivers.js';
import { startCore, type Core } from './core.js';
import { ack, FIXTURE_NOW, interview, interviewReply, jobSearchFixture, lateOffer, newApplication, noise, offer, screen, type DriverSession, type FixtureMessage } from './driver.js';

const HOUR = 3_600_000;
const SOURCE = 'contract';

class Clock {
  private t = FIXTURE_NOW.getTime();
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(d: Date): void {
    this.t = d.getTime();
  }
}

describe.each(DRIVERS.map((d) => [d.name, d] as const))('connector contract: %s', (_name, driver) => {
  const fixture = jobSearchFixture();
  const clock = new Clock();
  const logs: string[] = [];
  let dir: string;
  let session: DriverSession;
  let core: Core;
  let cursorBeforeIncremental: string | null = null;

  const verdict = (m: FixtureMessage) => core.store.threads.get({ source: SOURCE, id: core.threadIdOf(m.messageId) }, clock.now());
  /** Whether the thread of this message is tracked (a message the connector never fetched is not). */
  const isTracked = (m: FixtureMessage) => {
    const stored = core.store.db.prepare('SELECT thread_id FROM messages WHERE source = ? AND message_id = ?').get(SOURCE, m.messageId) as { thread_id: string } | undefined;
    return stored ? (core.store.threads.get({ source: SOURCE, id: stored.thread_id }, clock.now())?.tracked ?? false) : false;
  };
  const tracked = () => core.store.threads.list(clock.now()).map((v) => v.subject).sort();
  const marked = async (m: FixtureMessage): Promise<boolean> => {
    const handle = core.handleOf(m.messageId);
    if (core.ctx.connectors[0]!.attention) return session.attentionOf!(handle);
    return core.store.alerts.attention(SOURCE).includes(handle.threadId);
  };
  const keysOf = async (key: string) => (await session.draftKeys()).filter((k) => k === key);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ow-contract-'));
    ensurePrivateDir(dir);
    session = await driver.setup(fixture, { clock, stateDir: dir, sourceName: SOURCE });
    expect(session.connector.name).toBe(SOURCE);
    core = startCore({ connector: session.connector, stateDir: dir, clock, owner: { name: fixture.ownerName, address: fixture.owner }, logs });
  });

  afterEach(() => {
    expect(session.sendAttempts()).toBe(0);
  });

  afterAll(async () => {
    core?.close();
    await session?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backfill: tracks the job threads, alerts once per overdue thread, saves one draft, marks the overdue threads', async () => {
    const r = await core.cycle();
    expect(r.sources[0]!.error).toBeNull();
    expect(tracked()).toEqual([ack, screen, offer, interview].map((m) => /^Subject: (.*)$/m.exec(m.raw)![1]!.replace(/\r$/, '')).sort());
    expect(isTracked(noise)).toBe(false);
    expect(verdict(offer)!.stage).toBe('offer');
    expect(verdict(interview)!.stage).toBe('interviewing');
    expect(verdict(screen)!.awaitingReply).toBe(false); // the owner's sent reply counts
    expect(core.raised.map((a) => a.threadId).sort()).toEqual([core.threadIdOf(offer.messageId), core.threadIdOf(interview.messageId)].sort());
    const saved = core.store.proposals.list('saved');
    expect(saved).toHaveLength(1);
    expect(saved[0]!.threadId).toBe(core.threadIdOf(offer.messageId));
    expect(await session.draftKeys()).toEqual([saved[0]!.key]);
    expect(await marked(offer)).toBe(true);
    expect(await marked(interview)).toBe(true);
    expect(await marked(screen)).toBe(false);
  });

  it('incremental: the owner’s reply clears the alert and the mark; a new application is tracked', async () => {
    cursorBeforeIncremental = core.store.messages.getCursor(SOURCE);
    clock.advance(3 * HOUR);
    await session.deliver([interviewReply, newApplication]);
    const r = await core.cycle();
    expect(r.sources[0]!.error).toBeNull();
    expect(r.sources[0]!.added).toBe(2);
    expect(verdict(interview)!.awaitingReply).toBe(false);
    expect(core.store.alerts.open().map((a) => a.threadId)).toEqual([core.threadIdOf(offer.messageId)]);
    expect(await marked(interview)).toBe(false);
    expect(await marked(offer)).toBe(true);
    expect(verdict(newApplication)).toMatchObject({ tracked: true, stage: 'applied' });
    expect(core.raised).toHaveLength(2);
    expect(await session.draftKeys()).toHaveLength(1);
  });

  it('idempotent re-delivery: the same batch synced again adds nothing and raises nothing', async () => {
    core.store.db.prepare('UPDATE sources SET cursor = ? WHERE name = ?').run(cursorBeforeIncremental, SOURCE);
    const r = await core.cycle();
    expect(r.sources[0]!.error).toBeNull();
    expect(r.sources[0]!.added).toBe(0);
    expect(r.sources[0]!.unchanged).toBeGreaterThanOrEqual(2);
    expect(core.raised).toHaveLength(2);
    expect(r.saved).toEqual([]);
    expect(await session.draftKeys()).toHaveLength(1);
  });

  it('cursor expiry: one resync, the new offer alerted and drafted once, nothing earlier repeated', async () => {
    clock.set(new Date(FIXTURE_NOW.getTime() + 80 * HOUR)); // past the late offer's 48 h deadline
    await session.deliver([lateOffer]);
    await session.expireCursor(); // the stored cursor is now older than what the provider keeps
    const r = await core.cycle();
    expect(r.sources[0]!.error).toBeNull();
    expect(r.sources[0]!.added).toBe(1); // only the new offer is new…
    expect(r.sources[0]!.unchanged).toBeGreaterThan(0); // …the rest came back in the resync, unchanged
    expect(core.raised).toHaveLength(3);
    expect(core.raised[2]!.threadId).toBe(core.threadIdOf(lateOffer.messageId));
    const keys = await session.draftKeys();
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
    // A second cycle after the resync is quiet.
    const again = await core.cycle();
    expect(again.sources[0]!.added).toBe(0);
    expect(core.raised).toHaveLength(3);
    expect(await session.draftKeys()).toHaveLength(2);
  });

  it('a draft exactly once when the answer to its creation is lost', async () => {
    const v = verdict(screen)!;
    const { proposal } = proposeOne(core.ctx, v, { ref: { source: SOURCE, id: v.threadId }, decision: 'withdraw', reason: null, rule: null });
    await session.dropNextWriteResponse();
    const r = await saveProposal(core.store, core.ctx.connectors[0], proposal, core.ctx.owner, clock.now());
    expect(r.proposal.status).toBe('saved');
    expect(await keysOf(proposal.key)).toHaveLength(1);
    // And approving again finds it.
    expect((await saveProposal(core.store, core.ctx.connectors[0], r.proposal, core.ctx.owner, clock.now())).outcome).toBe('unchanged');
    expect(await keysOf(proposal.key)).toHaveLength(1);
  });

  it('a draft exactly once across a crash between the provider’s create and the state write', async () => {
    const v = verdict(newApplication)!;
    const { proposal } = proposeOne(core.ctx, v, { ref: { source: SOURCE, id: v.threadId }, decision: 'withdraw', reason: null, rule: null });
    const real = core.ctx.connectors[0]!;
    // The process is killed right after the provider created the draft: nothing of it runs again.
    let created!: () => void;
    const draftCreated = new Promise<void>((r) => (created = r));
    const dying: DraftWriter = {
      findDraftByKey: (t, k) => real.drafts!.findDraftByKey(t, k),
      async createDraft(req) {
        await real.drafts!.createDraft(req);
        created();
        return new Promise<never>(() => {});
      },
    };
    void saveProposal(core.store, { ...real, drafts: dying }, proposal, core.ctx.owner, clock.now());
    await draftCreated;
    // What a kill leaves behind: the claim of a process that no longer exists.
    core.store.db
      .prepare("UPDATE proposals SET status = 'saving', claim_token = ?, claimed_at = ? WHERE id = ?")
      .run(`${hostname().replace(/[^A-Za-z0-9.-]/g, '_')}:2147483646:killed`, clock.now().toISOString(), proposal.id);
    const restarted = await session.reconnect();
    core.use(restarted);
    const r = await saveProposal(core.store, restarted, core.store.proposals.get(proposal.id)!, core.ctx.owner, clock.now());
    expect(r.outcome).toBe('adopted');
    expect(await keysOf(proposal.key)).toHaveLength(1);
    // A whole cycle afterwards changes nothing.
    await core.cycle();
    expect(await keysOf(proposal.key)).toHaveLength(1);
    expect(logs.filter((l) => /cannot/.test(l))).toEqual([]);
  });
});
