/**
 * The literal prefilter of phrase matching (rules/needs.ts, rules/literal-index.ts) may only
 * skip expressions that cannot match: with it, every phrase finds exactly what it found without.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRuleDir } from '../../src/rules/load.js';
import { combinePhrases, compilePhrase, findPhrase, type CompiledPhrase } from '../../src/rules/phrases.js';
import { requiredLiterals } from '../../src/rules/needs.js';
import { compileNeed, foldToAscii, scanLiterals } from '../../src/rules/literal-index.js';
import { REPO } from '../helpers/paths.js';

describe('folding text for literal pieces', () => {
  it('maps every character that /x/iu matches, for printable ASCII x, onto lower-case x', () => {
    let all = '';
    for (let c = 0; c <= 0x10ffff; c++) if (c < 0xd800 || c > 0xdfff) all += String.fromCodePoint(c);
    for (let x = 0x21; x < 0x7f; x++) {
      const ch = String.fromCharCode(x);
      const re = new RegExp(ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 'giu');
      for (const m of all.matchAll(re)) expect(foldToAscii(m[0].codePointAt(0)!), `U+${m[0].codePointAt(0)!.toString(16)} for ${ch}`).toBe(ch.toLowerCase().charCodeAt(0));
    }
  });
});

describe('what an expression needs', () => {
  const need = (phrase: string) => requiredLiterals(compilePhrase(phrase).re.source);
  it('is every word of a plain phrase, split where a character is not ASCII or not literal', () => {
    expect(need('Offer letter')).toEqual({ all: ['offer', 'letter'] });
    expect(need("we've received ... application")).toEqual({ all: ['we', 've', 'received', 'application'] });
    expect(need('não avançar')).toEqual({ all: ['n', 'o', 'avan', 'ar'] });
    expect(need('% off')).toEqual({ all: ['%', 'off'] });
  });
  it('is one of the branches of an alternation, and nothing of optional parts or lookarounds', () => {
    expect(need('/\\b(unable|not able) to progress/')).toEqual({ all: [{ any: ['unable', { all: ['not', 'able'] }] }, 'to', 'progress'] });
    expect(need('/applications? (sent|received)?/')).toEqual('application');
    expect(need('/your (?!visa\\b)(\\w+ )?interview\\b/')).toEqual({ all: ['your', 'interview'] });
    expect(need('/(?<!not )(offer){1,2}/')).toEqual('offer');
    expect(need('/\\$\\d+ per year/')).toEqual({ all: ['$', 'per', 'year'] });
    expect(need('/caf\\u00e9 (?<place>bar)/')).toEqual({ all: ['caf', 'bar'] });
  });
  it('is nothing when one branch needs nothing, or the syntax is unknown', () => {
    expect(need('/\\d[\\d.,]*\\s?(EUR|€)/')).toBeNull();
    expect(need('/[a-z]+ing/')).toBe('ing');
    expect(requiredLiterals('(?i:x)y')).toBeNull();
    expect(requiredLiterals('(unclosed')).toBeNull();
  });
});

describe('finding literal pieces in a text', () => {
  const naive = (text: string, piece: string) => [...text].map((c) => String.fromCharCode(Math.max(0, foldToAscii(c.charCodeAt(0))))).join('').includes(piece);
  it('finds exactly the pieces a folded text contains', () => {
    const pieces = ['ab', 'aab', 'b', 'ba', 'abab', 'ks', 'sk', 'a-b', 'bab'];
    const tests = pieces.map((p) => compileNeed(p));
    const text = fc.array(fc.constantFrom('a', 'A', 'b', 'B', 'k', 'K', '\u212a', 's', '\u017f', 'é', ' ', '-', '𝒳'), { maxLength: 40 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, (t) => {
        const seen = scanLiterals(t);
        pieces.forEach((p, i) => expect(tests[i]!(seen), `${p} in ${t}`).toBe(naive(t, p)));
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
  it('reads only up to the limit, and counts a piece numbered after the scan as present', () => {
    const limitword = compileNeed('limitword');
    const seen = scanLiterals('xx limitword', 5);
    expect(limitword(seen)).toBe(false);
    expect(limitword(scanLiterals('xx limitword'))).toBe(true);
    expect(compileNeed('a-piece-no-text-has-yet')(seen)).toBe(true);
  });
});

/** Every phrase list of the built-in rules, as their conditions combine them. */
function ruleLists(): string[][] {
  const lists: string[][] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) lists.push(v as string[]);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const src of readRuleDir(join(REPO, 'rules'))) for (const r of src.parsed.value.rules) walk(r.when);
  return lists.map((l) => l.filter((p) => { try { compilePhrase(p); return true; } catch { return false; } })).filter((l) => l.length > 0);
}

/**
 * Texts an expression is likely to match: fast-check's strings for it, without the assertions
 * fast-check cannot generate for (lookarounds, `\b`), in random case, with the characters that
 * fold onto ASCII letters, curly apostrophes and line breaks, between other words.
 */
function textsFor(p: CompiledPhrase): fc.Arbitrary<string> {
  const core = fc.stringMatching(new RegExp(withoutAssertions(p.re.source), 'u'));
  const variant = fc.constantFrom<(c: string) => string>(
    (c) => c, (c) => c.toUpperCase(), (c) => c.toLowerCase(),
    (c) => (c === 'k' || c === 'K' ? '\u212a' : c), (c) => (c === 's' ? '\u017f' : c), (c) => (c === "'" ? '’' : c), (c) => (c === ' ' ? '\n  ' : c),
  );
  const mutated = fc.tuple(core, fc.array(variant, { minLength: 1, maxLength: 8 })).map(([s, fs]) => [...s].map((c, i) => fs[i % fs.length]!(c)).join(''));
  const filler = fc.constantFrom('', 'Dear Sam,', 'the', 'Re:', 'x', 'naïve', '—', '.', '\n');
  return fc.tuple(filler, mutated, filler).map(([a, s, b]) => `${a} ${s} ${b}`);
}

function withoutAssertions(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    if (source[i] === '\\') {
      if (source[i + 1] !== 'b' && source[i + 1] !== 'B') out += source.slice(i, i + 2);
      i++;
    } else if (/^\(\?<?[=!]/.test(source.slice(i, i + 4))) {
      i = closingParen(source, i);
    } else out += source[i];
  }
  return out;
}

function closingParen(s: string, open: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return s.length;
}

describe('the prefilter never turns away a text a phrase matches', () => {
  const unfiltered = (ps: CompiledPhrase[]) => ps.map((p) => ({ ...p, mayMatch: null }));
  const lists = ruleLists();

  it('for every phrase of the built-in rules, on texts made to match it', () => {
    let matched = 0;
    let phrases = 0;
    for (const source of new Set(lists.flat())) {
      const p = compilePhrase(source);
      phrases++;
      let arb: fc.Arbitrary<string>;
      try {
        arb = textsFor(p);
        fc.sample(arb, 1);
      } catch {
        continue; // an expression fast-check cannot generate for: the lists' test below still reads it
      }
      let any = false;
      fc.assert(
        fc.property(arb, (text) => {
          const want = findPhrase(unfiltered([p]), text);
          any ||= want !== null;
          expect(findPhrase([p], text), `${source} on ${JSON.stringify(text)}`).toEqual(want);
        }),
        { numRuns: 12, seed: 11 },
      );
      if (any) matched++;
    }
    expect(phrases).toBeGreaterThan(1000);
    // The texts must be worth the test: most phrases matched some of them.
    expect(matched / phrases).toBeGreaterThan(0.8);
  });

  it('for every phrase list of the built-in rules, combined as conditions combine them', () => {
    for (const list of lists) {
      const combined = combinePhrases(list.map(compilePhrase));
      const samples = list.flatMap((s) => {
        try {
          return fc.sample(textsFor(compilePhrase(s)), { numRuns: 2, seed: 3 });
        } catch {
          return [s.replace(/^\/|\/[a-z]*$/g, '')];
        }
      });
      for (const text of [...samples, samples.join(' ')]) {
        expect(findPhrase(combined, text), `${list.join(' | ').slice(0, 80)} on ${JSON.stringify(text)}`).toEqual(findPhrase(unfiltered(combined), text));
      }
    }
  });
});
