/**
 * Every service operation returns data its zod schema describes, and `--json` prints exactly
 * that data: checked over the demo state (board, thread, alerts, decide, drafts, offers, cycle).
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { z } from 'zod';
import { cli } from '../helpers/cli.js';
import { demoCopy } from '../helpers/serve.js';
import { AlertData, ApproveResult, Board, DecideResult, Offers, ProposalData, ThreadDetail, ThreadJson, openStateService, CycleResult, openService } from '../../src/app/index.js';
import { specFromConfig } from '../../src/cli/context.js';
import { loadConfig } from '../../src/config/load.js';
import { fixedClock } from '../../src/clock.js';

const demo = demoCopy();
const run = (args: string[]) => cli(['--config', demo.config, '--now', demo.now, ...args]);
const json = async (args: string[]) => {
  const r = await run(args);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as unknown;
};
/** Strict: the JSON has no key the schema does not name. */
const strictly = <T extends z.ZodTypeAny>(schema: T, value: unknown) => {
  const parsed = schema.parse(value);
  expect(parsed).toEqual(value);
  return parsed as z.infer<T>;
};

beforeAll(async () => {
  expect((await run(['once'])).code).toBe(0);
}, 60_000);

describe('the service layer schemas', () => {
  it('status, explain, alerts, drafts, offers and decide print their schema\'s data', async () => {
    const threads = strictly(z.array(ThreadJson), await json(['status', '--json']));
    expect(threads.length).toBeGreaterThan(5);
    const offer = threads.find((t) => t.stage === 'offer')!;
    const detail = strictly(ThreadDetail, await json(['explain', `${offer.source}:${offer.threadId}`, '--json']));
    expect(detail.history.length).toBeGreaterThan(0);
    strictly(z.array(AlertData), await json(['alerts', '--json']));
    const drafts = strictly(z.array(ProposalData), await json(['drafts', '--json']));
    strictly(ProposalData, await json(['drafts', 'show', String(drafts[0]!.id), '--json']));
    strictly(Offers, await json(['offers', '--json']));
    const interviewing = threads.find((t) => t.stage === 'interviewing')!;
    const decided = strictly(DecideResult, await json(['decide', `${interviewing.source}:${interviewing.threadId}`, 'decline', '--json']));
    expect(decided.proposal.decision).toBe('withdraw'); // what declining means before an offer
    expect(decided.proposal.templateId).toBe('withdraw');
  });

  it('the board, an approve and a cycle match their schemas', async () => {
    const loaded = loadConfig(demo.config);
    const opened = await openService(await specFromConfig(loaded), { clock: fixedClock(demo.now), log: () => {}, write: () => {} });
    try {
      const s = opened.service;
      strictly(Board, s.board());
      const pending = s.drafts()[0]!;
      strictly(ApproveResult, await s.approve(pending.id, { force: true }));
      strictly(CycleResult, (await s.cycle({ holder: 'schema test' })).result);
    } finally {
      await opened.close();
    }
    const readOnly = openStateService(loaded.stateDir, fixedClock(demo.now));
    try {
      expect(readOnly.service.board().threads.some((c) => c.draft?.status === 'saved')).toBe(true);
    } finally {
      readOnly.close();
    }
  }, 60_000);
});
