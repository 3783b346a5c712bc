import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRuleSet, readRuleDir, readRuleFile } from '../../src/rules/load.js';
import { runRuleTests } from '../../src/rules/selftest.js';
import { compilePhrase, checkSafeRegex, combinePhrases, findPhrase } from '../../src/rules/phrases.js';
import { nextStage } from '../../src/rules/machine.js';
import { ConfigError } from '../../src/errors.js';
import { REPO } from '../helpers/paths.js';

const builtin = () => readRuleDir(join(REPO, 'rules'));

function ruleFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ow-rules-'));
  const f = join(dir, 'mine.yaml');
  writeFileSync(f, text);
  return f;
}

describe('built-in rules', () => {
  it('pass the tests written inside the rule files', () => {
    const results = runRuleTests(buildRuleSet(builtin()));
    expect(results.length).toBeGreaterThan(10);
    for (const r of results) expect(r.problems, `${r.name} (${r.origin})`).toEqual([]);
  });
});

describe('rule files are validated strictly, with file, line and key', () => {
  it('rejects an unknown key', () => {
    const f = ruleFile('version: 1\nrules:\n  - name: mine\n    when:\n      subjekt: [offer]\n    then: { stage: offer }\n');
    expect(() => readRuleFile(f, true)).toThrowError(ConfigError);
    try {
      readRuleFile(f, true);
    } catch (e) {
      expect((e as Error).message).toBe(`${f}:5:7: rules[0].when.subjekt: unknown key "subjekt"`);
    }
  });

  it('rejects a wrong stage with its line', () => {
    const f = ruleFile('version: 1\nrules:\n  - name: mine\n    when: { subject: [x] }\n    then:\n      stage: hired\n');
    expect(() => readRuleFile(f, true)).toThrowError(/mine\.yaml:6:\d+: rules\[0\]\.then\.stage: /);
  });

  it('rejects a regex that can backtrack catastrophically, naming where it is', () => {
    const f = ruleFile("version: 1\nrules:\n  - name: slow\n    when:\n      text: ['/(a+)+b/']\n    then: { stage: offer }\n");
    expect(() => buildRuleSet([readRuleFile(f, true), ...builtin()])).toThrowError(/mine\.yaml:5:\d+: rules\[0\]\.when\.text\[0\]: .*catastrophic/);
  });

  it('rejects invalid YAML with a line', () => {
    const f = ruleFile('version: 1\nrules:\n  - name: x\n   when: [\n');
    expect(() => readRuleFile(f, true)).toThrowError(/mine\.yaml:\d+:\d+: invalid YAML/);
  });

  it('lets a personal rule read facts extracted from the thread (vars)', () => {
    const f = ruleFile([
      'version: 1',
      'rules:',
      '  - name: low-offer',
      '    when: { direction: in, vars: { baseSalary: { lt: 100000 } } }',
      '    then: { tag: below-floor }',
      'tests:',
      '  - name: a low base salary is tagged',
      '    messages:',
      '      - from: Ana Ruiz <ana@corvid.example>',
      '        subject: Your offer',
      '        text: We are pleased to offer you the Analyst role with a base salary of $92,000.',
      '    expect: { stage: offer, tags: [below-floor] }',
      '  - name: a higher one is not',
      '    messages:',
      '      - from: Ana Ruiz <ana@corvid.example>',
      '        subject: Your offer',
      '        text: We are pleased to offer you the Analyst role with a base salary of $128,000.',
      '    expect: { stage: offer, tags: [] }',
      '',
    ].join('\n'));
    const results = runRuleTests(buildRuleSet([readRuleFile(f, true), ...builtin()])).filter((r) => r.origin.includes('mine.yaml'));
    expect(results).toHaveLength(2);
    for (const r of results) expect(r.problems, r.name).toEqual([]);
  });

  it('lets a personal rule replace a built-in one of the same name', () => {
    const f = ruleFile('version: 1\nrules:\n  - name: rejection\n    when: { text: [no thanks] }\n    then: { stage: rejected }\n');
    const set = buildRuleSet([readRuleFile(f, true), ...builtin()]);
    const r = set.rules.filter((x) => x.name === 'rejection');
    expect(r).toHaveLength(1);
    expect(r[0]!.personal).toBe(true);
  });
});

describe('phrases and regexes', () => {
  it('match on word boundaries, case-insensitively, across spacing and apostrophes', () => {
    const matches = (phrase: string, text: string) => findPhrase([compilePhrase(phrase)], text) !== null;
    expect(matches("we've received your application", 'We’ve   received your Application!')).toBe(true);
    expect(matches('offer', 'offering')).toBe(false);
    expect(matches('offer', 'a counteroffer')).toBe(false);
    expect(matches('offer', 'a counteroffer, then an offer')).toBe(true);
    expect(matches('über', 'Grüße, Über uns')).toBe(true);
    expect(matches('über', 'darüber')).toBe(false);
  });
  it('allow a short gap with ...', () => {
    expect(findPhrase([compilePhrase('filled the ... role')], 'we filled the senior analyst role')).not.toBeNull();
  });
  it('refuse back-references and nested repetition', () => {
    expect(() => checkSafeRegex('(a)\\1')).toThrow();
    expect(() => checkSafeRegex('(x+x+)+y')).toThrow();
    expect(() => checkSafeRegex('(a|ab)*c')).toThrow();
    expect(() => checkSafeRegex('\\b(if|once)\\b')).not.toThrow();
    expect(() => checkSafeRegex('[a-z]+\\d{2,3}')).not.toThrow();
  });
});

describe('stage machine', () => {
  it('moves forward, ends, and stays ended', () => {
    expect(nextStage('applied', 'interviewing')).toBe('interviewing');
    expect(nextStage('offer', 'interviewing')).toBeNull();
    expect(nextStage('interviewing', 'declined')).toBe('withdrawn');
    expect(nextStage('offer', 'withdrawn')).toBe('declined');
    expect(nextStage('accepted', 'declined')).toBe('declined');
    expect(nextStage('accepted', 'offer')).toBeNull();
    expect(nextStage('rejected', 'offer')).toBeNull();
    expect(nextStage('none', 'rejected')).toBe('rejected');
  });

  it('reopens a declined offer only for a rule marked reopen', () => {
    expect(nextStage('declined', 'offer')).toBeNull();
    expect(nextStage('declined', 'offer', { reopen: true })).toBe('offer');
    expect(nextStage('rejected', 'offer', { reopen: true })).toBeNull();
    expect(nextStage('withdrawn', 'offer', { reopen: true })).toBeNull();
  });
});

describe('phrases without a leading lookbehind match exactly what the lookbehind version matched', () => {
  /** The earlier compilation: a `(?<![\p{L}\p{N}])` lookbehind in the expression itself. */
  const reference = (phrase: string): RegExp => {
    const re = compilePhrase(phrase).re;
    return /^[\p{L}\p{N}]/u.test(phrase.trim()) ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${re.source})`, 'iu') : new RegExp(re.source, 'iu');
  };
  it('agrees on whether each phrase list matches, on texts made of its words and others', async () => {
    const fc = (await import('fast-check')).default;
    const words = ['offer', 'Offer', 'counteroffer', 'OFFERS', 'interview', 'I’m', "I'm", 'happy', 'to', 'accept', 'don’t', 'follow-up', 'KELVIN', 'co-op', 'naïve', 'Über', 'darüber', '401k', 'x', '𝒳offer'];
    const phraseArb = fc.array(fc.constantFrom('offer', 'happy to accept', "I'm happy", 'follow-up', 'kelvin', 'co-op', 'naïve', 'über', '401k', 'happy ... accept', "don't", '-up', '%off'), { minLength: 1, maxLength: 5 });
    const textArb = fc.array(fc.constantFrom(...words, ' ', '.', '\n', '-', ',', '—', '%off'), { maxLength: 30 }).map((a) => a.join(' ').replace(/ +([.,])/g, '$1'));
    fc.assert(
      fc.property(phraseArb, textArb, (list, text) => {
        const hit = findPhrase(combinePhrases(list.map(compilePhrase)), text);
        const ref = list.map((p) => reference(p).exec(text)).filter((m): m is RegExpExecArray => m !== null);
        expect(hit !== null).toBe(ref.length > 0);
      }),
      { numRuns: 3000, seed: 42 },
    );
  });
});
