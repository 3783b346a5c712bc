/**
 * Classification quality on labelled mailboxes, through the real CLI (`scan --json`):
 * the shared sample (../shared/corpus) and our own fixtures written in other voices.
 * Prints stage accuracy, awaiting-reply and stale precision/recall.
 *
 * Hold-outs are written blind (by someone who had not read the rules) and measured once
 * before anyone looks at their misses; after that they are tuning sets and join this test.
 * The current blind one, test/fixtures/holdout5, is measured by hand with scripts/eval-corpus.ts
 * and deliberately not scored here (see its README).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { HAS_SHARED, REPO, SHARED_CORPUS, SHARED_MBOX, VOICES } from '../helpers/paths.js';
import { scoreVerdicts, type Label, type Scored } from '../helpers/score.js';

const HOLDOUT = join(REPO, 'test', 'fixtures', 'holdout');
const HOLDOUT2 = join(REPO, 'test', 'fixtures', 'holdout2');
const HOLDOUT3 = join(REPO, 'test', 'fixtures', 'holdout3');
const HOLDOUT4 = join(REPO, 'test', 'fixtures', 'holdout4');

async function score(mbox: string, labels: string, me: string, now: string) {
  const r = await cli(['--now', now, 'scan', '--source', `mbox:${mbox}`, '--me', me, '--json', '--all']);
  expect(r.code, r.err).toBe(0);
  const verdicts = JSON.parse(r.out) as Scored[];
  return scoreVerdicts(verdicts, JSON.parse(readFileSync(labels, 'utf8')) as Label[]);
}

function report(name: string, s: Awaited<ReturnType<typeof score>>): void {
  console.log(`${name}: ${s.summary}`);
  for (const m of s.mistakes.filter((l) => /^(stage|waiting)/.test(l))) console.log(`  ${m}`);
}

describe('classification on labelled mailboxes', () => {
  it.skipIf(!HAS_SHARED)('shared sample: at least 90% stage accuracy', async () => {
    const s = await score(SHARED_MBOX, join(SHARED_CORPUS, 'labels.json'), 'sam.lee@example.net', '2026-11-20T12:00:00Z');
    report('shared sample', s);
    expect(s.stageAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('fixtures in other voices: at least 85% stage accuracy', async () => {
    // Owner and reference time as stated in test/fixtures/voices/README.md.
    const s = await score(join(VOICES, 'voices.mbox'), join(VOICES, 'labels.json'), 'priya.n@example.org,pnatarajan@example.com', '2026-11-18T15:00:00Z');
    report('voices fixtures', s);
    expect(s.stageAccuracy).toBeGreaterThanOrEqual(0.85);
  });

  it('first hold-out (measured blind at 54.8%, since tuned on): at least 85% stage accuracy', async () => {
    const s = await score(join(HOLDOUT, 'holdout.mbox'), join(HOLDOUT, 'labels.json'), 'mateo.alvarez@example.net,mateo@alvarez.example', '2026-11-19T10:00:00Z');
    report('first hold-out', s);
    expect(s.stageAccuracy).toBeGreaterThanOrEqual(0.85);
  });

  it('second hold-out (measured blind at 73.8%, since tuned on): at least 85% stage accuracy', async () => {
    const s = await score(join(HOLDOUT2, 'holdout2.mbox'), join(HOLDOUT2, 'labels.json'), 'aisha.bello@example.com,abello@example.org', '2026-11-17T14:00:00Z');
    report('second hold-out', s);
    expect(s.stageAccuracy).toBeGreaterThanOrEqual(0.85);
  });

  it('third hold-out (measured blind at 84.4%, since tuned on): at least 85% stage accuracy', async () => {
    const s = await score(join(HOLDOUT3, 'holdout3.mbox'), join(HOLDOUT3, 'labels.json'), 'jonah.whitaker@example.net,jwhitaker@example.org', '2026-11-19T16:00:00Z');
    report('third hold-out', s);
    expect(s.stageAccuracy).toBeGreaterThanOrEqual(0.85);
  });

  it('fourth hold-out (measured blind at 87.0%, since tuned on): at least 85% stage accuracy', async () => {
    const s = await score(join(HOLDOUT4, 'holdout4.mbox'), join(HOLDOUT4, 'labels.json'), 'lucia.fernandez@example.com,lfernandez@example.net', '2026-11-18T18:00:00Z');
    report('fourth hold-out', s);
    expect(s.stageAccuracy).toBeGreaterThanOrEqual(0.85);
  });
});
