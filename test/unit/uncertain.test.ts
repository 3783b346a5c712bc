/** Uncertain verdicts: weak evidence (a score that only just held) or two rules that disagree on the deciding message. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRuleSet, readRuleFile } from '../../src/rules/load.js';
import { classifyThread, DEFAULT_DEADLINES } from '../../src/classify/classify.js';
import { threadFromTest } from '../../src/rules/selftest.js';

function rules(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ow-unc-'));
  const f = join(dir, 'mine.yaml');
  writeFileSync(f, text);
  return buildRuleSet([readRuleFile(f, true)]);
}

const RULES = `version: 1
rules:
  - name: says-no
    when: { direction: in, score: { min: 3, of: [ { weight: 2, phrases: [unfortunately] }, { weight: 1, phrases: [other candidates] }, { weight: 2, phrases: [not moving forward] } ] } }
    then: { stage: rejected }
  - name: says-offer
    when: { direction: in, text: [pleased to offer] }
    then: { stage: offer }
  - name: says-interview
    when: { direction: in, text: [interview] }
    then: { stage: interviewing }
  - name: applied
    when: { direction: in, text: [application] }
    then: { stage: applied }
`;

const verdict = (texts: string[]) => {
  const t = threadFromTest({ name: 't', origin: 'x', expect: { stage: 'none' }, messages: texts.map((text) => ({ from: 'HR <hr@acme.example>', text })) });
  return classifyThread(t, rules(RULES), DEFAULT_DEADLINES, new Date('2026-01-06T00:00:00Z'));
};

describe('uncertain verdicts', () => {
  it('a clear verdict is not uncertain', () => {
    const v = verdict(['Thanks for your application.', 'Unfortunately we are not moving forward with your application.']);
    expect(v.stage).toBe('rejected');
    expect(v.uncertain).toBe(false);
    expect(v.uncertainReasons).toEqual([]);
  });

  it('a score that only just held is weak evidence', () => {
    const v = verdict(['Thanks for your application.', 'Unfortunately there were many other candidates.']);
    expect(v.stage).toBe('rejected');
    expect(v.uncertain).toBe(true);
    expect(v.uncertainReasons[0]).toMatch(/weak evidence: rule says-no only just held \(score margin 0\)/);
  });

  it('a rejection that another rule reads as an offer is uncertain: a hidden offer is the costly mistake', () => {
    const v = verdict(['Thanks for your application.', 'Unfortunately we are not moving forward with the first role, but we are pleased to offer you the second.']);
    expect(v.stage).toBe('rejected');
    expect(v.uncertain).toBe(true);
    expect(v.uncertainReasons.join(' ')).toMatch(/rules disagree: says-no says rejected, says-offer .* says offer/);
  });

  it('a rejection that also mentions the interview is not a disagreement (an ending against an earlier open stage)', () => {
    const v = verdict(['Thanks for your application.', 'Thank you for the interview. Unfortunately we are not moving forward.']);
    expect(v.stage).toBe('rejected');
    expect(v.uncertain).toBe(false);
  });

  it('untracked threads are never uncertain', () => {
    const v = verdict(['Hello there, lunch on Friday?']);
    expect(v.stage).toBe('none');
    expect(v.uncertain).toBe(false);
  });
});
