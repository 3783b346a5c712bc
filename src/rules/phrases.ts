/**
 * Phrases and user regexes used by rule conditions.
 *
 * A phrase is plain text matched case-insensitively on word boundaries, with any run of
 * spaces matching any whitespace, straight and curly apostrophes alike, and ` ... ` standing
 * for a short gap of up to six words. A string written `/like this/` is a regular expression;
 * it is checked at load time and refused when it could backtrack catastrophically.
 */
import { compileNeed, scanLiterals, type LiteralSet, type NeedTest } from './literal-index.js';
import { anyOf, requiredLiterals, type Need } from './needs.js';

export interface CompiledPhrase {
  source: string;
  re: RegExp;
  /**
   * The character before a match must not be a letter or digit (the phrase starts with a word).
   * Checked on the match instead of with a `(?<![\p{L}\p{N}])` lookbehind in the expression:
   * a leading lookbehind stops the engine from skipping ahead to the phrase's first letter, and
   * made phrase lists some twenty times slower.
   */
  wordStart: boolean;
  /** The literal pieces a match needs (see needs.ts); null when no piece is known to be needed. */
  need: Need | null;
  /** Whether a text with these pieces may match (null: it may). A false answer is certain, so the expression is not run. */
  mayMatch: NeedTest | null;
}

/** Longest text a phrase is run against; longer texts are cut (bounds the work per message). */
export const MAX_MATCH_CHARS = 50_000;
const MAX_REGEX_LENGTH = 400;

/** The literal pieces of a text, as far as phrases read it. */
export function literalsOf(text: string): LiteralSet {
  return scanLiterals(text, MAX_MATCH_CHARS);
}

export class UnsafePatternError extends Error {}

export function compilePhrase(source: string): CompiledPhrase {
  const m = /^\/(.+)\/([imsu]*)$/s.exec(source);
  if (m) {
    checkSafeRegex(m[1]!);
    const flags = new Set(['i', 'u', ...m[2]!.split('')]);
    flags.delete('g');
    let re: RegExp;
    try {
      re = new RegExp(anySpacing(m[1]!), [...flags].join(''));
    } catch (e) {
      throw new UnsafePatternError(`invalid regular expression: ${(e as Error).message}`);
    }
    return { source, re, wordStart: false, ...needOf(requiredLiterals(re.source)) };
  }
  const text = source.trim();
  if (!text) throw new UnsafePatternError('empty phrase');
  const parts = text.split(/\s+\.\.\.\s+/).map((part) =>
    part
      .split(/\s+/)
      .map((w) => escapeRegex(w).replace(/['’]/g, "['’]"))
      .join('\\s+'),
  );
  let body = parts.join('(?:\\s+[^\\s.!?]+){0,6}?\\s+');
  if (/[\p{L}\p{N}]$/u.test(text)) body = `${body}(?![\\p{L}\\p{N}])`;
  return { source, re: new RegExp(body, 'giu'), wordStart: /^[\p{L}\p{N}]/u.test(text), ...needOf(requiredLiterals(body)) };
}

function needOf(need: Need | null): Pick<CompiledPhrase, 'need' | 'mayMatch'> {
  return { need, mayMatch: need === null ? null : compileNeed(need) };
}

/** A literal space in a regular expression (outside a character class) matches any run of whitespace, as in plain phrases: mail is wrapped anywhere. */
function anySpacing(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') { out += c + (pattern[i + 1] ?? ''); i++; continue; }
    if (inClass) { if (c === ']') inClass = false; out += c; continue; }
    if (c === '[') { inClass = true; out += c; continue; }
    if (c === ' ' && pattern[i + 1] !== ' ' && !/[*+?{]/.test(pattern[i + 1] ?? '')) { out += '\\s+'; continue; }
    out += c;
  }
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Refuses patterns whose matching time can explode: back-references, and quantified
 * groups that themselves contain a quantifier or an alternation (`(a+)+`, `(a|ab)*`).
 */
export function checkSafeRegex(pattern: string): void {
  if (pattern.length > MAX_REGEX_LENGTH) throw new UnsafePatternError(`regular expression longer than ${MAX_REGEX_LENGTH} characters`);
  if (/\\[1-9]|\\k</.test(pattern)) throw new UnsafePatternError('back-references are not allowed');
  // Scan groups: for each group remember whether it contains a quantifier or alternation.
  const stack: { risky: boolean }[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') { i++; continue; }
    if (inClass) { if (c === ']') inClass = false; continue; }
    if (c === '[') { inClass = true; continue; }
    if (c === '(') { stack.push({ risky: false }); continue; }
    if (c === '|' && stack.length) { stack[stack.length - 1]!.risky = true; continue; }
    if (isQuantifierAt(pattern, i) && stack.length) stack[stack.length - 1]!.risky = true;
    if (c === ')') {
      const g = stack.pop();
      if (!g) throw new UnsafePatternError('unbalanced parenthesis');
      const next = i + 1;
      if (g.risky && isUnboundedQuantifierAt(pattern, next)) {
        throw new UnsafePatternError('a repeated group may not contain another repetition or an alternation (catastrophic backtracking)');
      }
      if (g.risky && stack.length) stack[stack.length - 1]!.risky = true;
    }
  }
}

function isQuantifierAt(p: string, i: number): boolean {
  const c = p[i];
  return c === '*' || c === '+' || c === '?' ? p[i - 1] !== '(' : c === '{' && /^\{\d+(,\d*)?\}/.test(p.slice(i));
}

function isUnboundedQuantifierAt(p: string, i: number): boolean {
  const c = p[i];
  if (c === '*' || c === '+') return true;
  const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
  if (!m) return false;
  if (m[2] === undefined) return Number(m[1]) > 1;
  return m[3] === '' || Number(m[3]) > 1;
}

/**
 * One regular expression per flag set for a whole list of phrases: the same matches as trying
 * them one by one (each alternative is already checked safe), at a fraction of the cost.
 */
export function combinePhrases(list: CompiledPhrase[]): CompiledPhrase[] {
  const byKind = new Map<string, CompiledPhrase[]>();
  for (const p of list) {
    const kind = `${p.re.flags}|${p.wordStart}`;
    const group = byKind.get(kind) ?? [];
    group.push(p);
    byKind.set(kind, group);
  }
  return [...byKind.values()].map((group) =>
    group.length === 1
      ? group[0]!
      : {
          source: group.map((g) => g.source).join(' | '),
          re: new RegExp(group.map((g) => `(?:${g.re.source})`).join('|'), group[0]!.re.flags),
          wordStart: group[0]!.wordStart,
          ...needOf(anyOf(group.map((g) => g.need))),
        },
  );
}

export interface PhraseHit {
  phrase: string;
  /** The sentence around the match, for `explain`. */
  sentence: string;
}

const WORD_CHAR_BEFORE = /[\p{L}\p{N}]$/u;

/** Where the first matching phrase matched, before its sentence is cut out (see findPhrase). */
export interface PhraseMatch {
  phrase: string;
  hay: string;
  index: number;
  length: number;
}

/**
 * The first phrase that matches the text, and where. `seen` may give the literal pieces of the
 * text, or of any text containing it (a message's for one of its sentences): phrases needing
 * pieces that are not there are skipped without running their expression.
 */
export function matchPhrase(phrases: CompiledPhrase[], text: string, seen?: LiteralSet): PhraseMatch | null {
  const hay = text.length > MAX_MATCH_CHARS ? text.slice(0, MAX_MATCH_CHARS) : text;
  for (const p of phrases) {
    if (p.mayMatch && !p.mayMatch((seen ??= literalsOf(text)))) continue;
    const m = exec(p, hay);
    if (m) return { phrase: p.source, hay, index: m.index, length: m[0].length };
  }
  return null;
}

/** The sentence a match is in, for `explain`. */
export function hitOf(m: PhraseMatch): PhraseHit {
  return { phrase: m.phrase, sentence: sentenceAround(m.hay, m.index, m.length) };
}

/** The first phrase that matches the text, with its sentence (see matchPhrase). */
export function findPhrase(phrases: CompiledPhrase[], text: string, seen?: LiteralSet): PhraseHit | null {
  const m = matchPhrase(phrases, text, seen);
  return m && hitOf(m);
}

/** Whether any of the phrases may match a text with these pieces (if none may, none matches). */
export function mayFind(phrases: CompiledPhrase[], seen: LiteralSet): boolean {
  return phrases.some((p) => !p.mayMatch || p.mayMatch(seen));
}

/** The first match whose start is a word start where the phrase asks for one (all alternatives share that start). */
function exec(p: CompiledPhrase, hay: string): RegExpExecArray | null {
  const re = p.re;
  if (!re.global && !re.sticky) return re.exec(hay);
  re.lastIndex = 0;
  for (;;) {
    const m = re.exec(hay);
    if (!m) return null;
    if (!p.wordStart || m.index === 0 || !WORD_CHAR_BEFORE.test(hay.slice(Math.max(0, m.index - 2), m.index))) return m;
    re.lastIndex = m.index + 1;
  }
}

/** `.`, `!`, `?` (and a line break, which ends a sentence too but is not kept). */
const isStop = (c: number) => c === 0x2e || c === 0x21 || c === 0x3f;

export function sentenceAround(text: string, start: number, len: number): string {
  let a = start;
  while (a > 0 && !isStop(text.charCodeAt(a - 1)) && text.charCodeAt(a - 1) !== 0x0a && start - a < 200) a--;
  let b = start + len;
  while (b < text.length && !isStop(text.charCodeAt(b)) && text.charCodeAt(b) !== 0x0a && b - start < 300) b++;
  if (b < text.length && isStop(text.charCodeAt(b))) b++;
  return text.slice(a, b).replace(/\s+/g, ' ').trim();
}
