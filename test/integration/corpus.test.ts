/**
 * Classification quality on labelled mailboxes, through the real CLI (`scan --json --all`):
 * the shared sample (../shared/corpus, when present) and every corpus under test/corpora/.
 * Prints stage accuracy, awaiting-reply and stale precision/recall, and the stage and
 * waiting-on-you misses.
 *
 * A corpus with `blind: true` in its corpus.yaml is measured by hand, totals only
 * (`npx tsx scripts/eval-corpus.ts NAME`), and deliberately never scored here: a threshold
 * would make it a tuning target. Its files are still checked by test/unit/corpora.test.ts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverCorpora, loadCorpus } from '../../scripts/corpus/load.js';
import { type Mailbox, type Score, scoreMailbox } from '../../scripts/corpus/score.js';
import { HAS_SHARED, SHARED_CORPUS, SHARED_MBOX } from '../helpers/paths.js';

/** Today's threshold for a tuning corpus that does not set `minStageAccuracy`. */
const DEFAULT_MIN_STAGE = 0.85;

function report(name: string, s: Score): void {
  console.log(`${name}: ${s.summary}`);
  for (const m of s.mistakes.filter((l) => /^(stage|waiting)/.test(l))) console.log(`  ${m}`);
}

const corpora = discoverCorpora().map((dir) => loadCorpus(dir));

describe('classification on labelled mailboxes', () => {
  it.skipIf(!HAS_SHARED)(`shared sample: at least 90% stage accuracy${HAS_SHARED ? '' : ` (skipped: ${SHARED_MBOX} is not there; it is optional)`}`, async () => {
    const box: Mailbox = { mbox: SHARED_MBOX, labels: join(SHARED_CORPUS, 'labels.json'), me: ['sam.lee@example.net'], now: '2026-11-20T12:00:00Z' };
    const s = await scoreMailbox(box);
    report('shared sample', s);
    expect(s.stageAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('finds the corpora by folder', () => {
    expect(corpora.length).toBeGreaterThan(0);
  });

  for (const c of corpora) {
    const min = c.meta.minStageAccuracy ?? DEFAULT_MIN_STAGE;
    if (c.meta.blind) {
      it.skip(`${c.name}: blind, measured by hand with totals only (not scored in tests)`, () => {});
      continue;
    }
    it(`${c.name}: at least ${(100 * min).toFixed(0)}% stage accuracy`, async () => {
      const s = await scoreMailbox({ mbox: c.mboxPath, labels: c.labelsPath, me: c.me, now: c.def.now });
      report(c.name, s);
      expect(s.stageAccuracy).toBeGreaterThanOrEqual(min);
    });
  }
});
