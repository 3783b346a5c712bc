/**
 * Classification's fast paths (issue 12) give exactly what the plain definitions they replace
 * give: line unwrapping without the backtracking expression, the sentence around a match read
 * by character codes, and robot domains looked up in a set.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unwrap, WRAPPED } from '../../src/rules/conditions.js';
import { sentenceAround } from '../../src/rules/phrases.js';
import { isRobotDomain } from '../../src/mail/addresses.js';

/** Characters that decide the edge cases: spaces, tabs, stops, a capital, astral and lone surrogates, no-break space. */
const char = fc.constantFrom('a', 'B', '1', ' ', '\t', '\n', '\r', '.', '!', '?', ':', ';', '(', '-', 'é', 'É', '😀', '\u00a0', '\ud800', '\udc00');
const line = fc.oneof(
  fc.array(char, { maxLength: 90 }).map((a) => a.join('')),
  // Lines at the 40-code-point edge, counted in code points as the expression counts them.
  fc.constantFrom('a'.repeat(39) + 'b', 'a'.repeat(40) + 'b', '😀'.repeat(39) + 'b', '😀'.repeat(20) + 'a'.repeat(20) + 'b \t', 'a'.repeat(40) + '.'),
);
const text = fc.array(line, { maxLength: 6 }).map((l) => l.join('\n'));

describe('unwrapping hard-wrapped lines', () => {
  it('is the WRAPPED expression, on any text', () => {
    fc.assert(fc.property(text, (t) => {
      expect(unwrap(t)).toBe(t.replace(WRAPPED, '$1 '));
    }), { numRuns: 20_000, seed: 7 });
  });
});

describe('the sentence around a match', () => {
  function definition(t: string, start: number, len: number): string {
    let a = start;
    while (a > 0 && !/[.!?\n]/.test(t[a - 1]!) && start - a < 200) a--;
    let b = start + len;
    while (b < t.length && !/[.!?\n]/.test(t[b]!) && b - start < 300) b++;
    if (b < t.length && /[.!?]/.test(t[b]!)) b++;
    return t.slice(a, b).replace(/\s+/g, ' ').trim();
  }
  it('is the one cut by the stop characters, on any text and span', () => {
    const long = fc.array(line, { maxLength: 12 }).map((l) => l.join(fc.sample(fc.constantFrom(' ', '\n', '. '), 1)[0]!));
    fc.assert(
      fc.property(long, fc.nat(), fc.nat(40), (t, s, l) => {
        const start = t.length ? s % t.length : 0;
        const len = Math.min(l, t.length - start);
        expect(sentenceAround(t, start, len)).toBe(definition(t, start, len));
      }),
      { numRuns: 20_000, seed: 5 },
    );
  });
});

describe('robot domains', () => {
  it('match a listed domain and its subdomains, in any case, and nothing that only ends like one', () => {
    expect(isRobotDomain('no-reply@greenhouse.io')).toBe(true);
    expect(isRobotDomain('x@us.Greenhouse-Mail.IO')).toBe(true);
    expect(isRobotDomain('jobs@a.b.linkedin.com')).toBe(true);
    expect(isRobotDomain('ceo@notlinkedin.com')).toBe(false);
    expect(isRobotDomain('ceo@linkedin.com.example')).toBe(false);
    expect(isRobotDomain('nobody')).toBe(false);
    expect(isRobotDomain('x@')).toBe(false);
  });
});
