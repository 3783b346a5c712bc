/**
 * Batching boundaries: messages are stored a sync batch at a time and threads classified a page
 * at a time (so that memory stays flat on a large mailbox). Where the boundaries fall must not
 * change a verdict: a thread whose messages arrive in different batches, or a page of one thread,
 * gives the same board as one batch and one page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openApp } from '../../src/cli/app.js';
import { classifyChanged, syncSources } from '../../src/pipeline/cycle.js';
import { MboxReader } from '../../src/connectors/mbox/reader.js';
import { DEFAULT_DEADLINES } from '../../src/classify/classify.js';
import { fixedClock } from '../../src/clock.js';

const MBOX = resolve(import.meta.dirname, '..', 'corpora', 'voices', 'mailbox.mbox');
const NOW = '2026-11-18T15:00:00Z';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Every verdict (tracked or not) after one sync and one classification with these boundaries. */
async function board(opts: { batchSize?: number; pageSize?: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'offerwatch-batching-'));
  dirs.push(dir);
  const clock = fixedClock(NOW);
  const app = await openApp(
    {
      owner: { name: 'Priya Natarajan', addresses: ['priya.n@example.org', 'pnatarajan@example.com'], signature: null },
      sources: [{ type: 'mbox', name: 'voices', path: MBOX }],
      stateDir: dir,
      deadlines: DEFAULT_DEADLINES,
      ruleSources: [],
      disabledRules: [],
      responses: [],
      channels: [],
      autoSave: false,
      resolvePath: (p) => p,
    },
    { clock, log: () => {}, write: () => {} },
  );
  try {
    if (opts.batchSize) app.ctx.connectors = [{ name: 'voices', reader: new MboxReader(MBOX, { batchSize: opts.batchSize }) }];
    await syncSources(app.ctx);
    const classified = classifyChanged(app.ctx, opts.pageSize);
    const verdicts = app.store.threads.list(clock.now(), { all: true });
    const multi = (app.store.db.prepare('SELECT COUNT(*) AS n FROM (SELECT 1 FROM messages GROUP BY source, thread_id HAVING COUNT(*) > 1)').get() as { n: number }).n;
    return { classified, verdicts, multi, dirtyLeft: app.store.threads.dirty().length };
  } finally {
    await app.close();
  }
}

describe('batching boundaries', () => {
  it('classifies a thread split across sync batches, and threads a page at a time, as in one go', async () => {
    const whole = await board({ batchSize: 100_000, pageSize: 100_000 });
    const split = await board({ batchSize: 1, pageSize: 1 });
    const uneven = await board({ batchSize: 3, pageSize: 7 });
    expect(whole.verdicts.length).toBeGreaterThan(10);
    // The corpus has threads of several messages, so batches of one split each of them.
    expect(whole.multi).toBeGreaterThan(5);
    for (const other of [split, uneven]) {
      expect(other.verdicts).toEqual(whole.verdicts);
      expect(other.classified).toBe(whole.classified);
      expect(other.multi).toBe(whole.multi);
      expect(other.dirtyLeft).toBe(0);
    }
  });
});
