/** Compiles a rule's `when` tree into a predicate over one message in its thread. */
import type { ThreadMessage, StageOrNone } from '../model/types.js';
import { domainIn, domainOf, isRobotAddress } from '../mail/addresses.js';
import type { Condition, VarTest } from './schema.js';
import { combinePhrases, compilePhrase, hitOf, literalsOf, matchPhrase, mayFind, type CompiledPhrase, type PhraseMatch, UnsafePatternError, MAX_MATCH_CHARS } from './phrases.js';
import type { LiteralSet } from './literal-index.js';
import { formatPath } from '../yaml/load.js';

export interface MessageContext {
  msg: ThreadMessage;
  /** The message before this one in the thread, if any. */
  previous?: ThreadMessage;
  index: number;
  count: number;
  /** Stage before this message. */
  stage: StageOrNone;
  tags: ReadonlySet<string>;
  vars: () => Readonly<Record<string, string | number | null>>;
  /** The message's texts as conditions read them, worked out once for all rules. */
  texts: MessageTexts;
}

/**
 * What every rule would otherwise work out again for the same message: the subject-and-body
 * text, and the literal pieces (literal-index.ts) of each text a phrase reads. Computed on
 * first use.
 */
export class MessageTexts {
  private full: string | null = null;
  private subjectSeen: LiteralSet | null = null;
  private newTextSeen: LiteralSet | null = null;
  private textSeen: LiteralSet | null = null;
  private fullTextSeen: LiteralSet | null = null;
  constructor(private readonly msg: ThreadMessage) {}

  /** Subject and whole body, as `fullText` conditions read them. */
  get fullText(): string {
    return (this.full ??= `${this.msg.subject}\n${this.msg.text}`);
  }

  get subjectLiterals(): LiteralSet {
    return (this.subjectSeen ??= literalsOf(this.msg.subject));
  }

  /** Most messages quote nothing: their new text is their text, read once for both. */
  get newTextLiterals(): LiteralSet {
    return (this.newTextSeen ??= this.msg.newText === this.msg.text ? this.textLiterals : literalsOf(this.msg.newText));
  }

  private get textLiterals(): LiteralSet {
    return (this.textSeen ??= literalsOf(this.msg.text));
  }

  /** No piece spans the line break between subject and body, so the pieces are those of both. */
  get fullTextLiterals(): LiteralSet {
    return (this.fullTextSeen ??= this.subjectLiterals.union(this.textLiterals));
  }
}

/** Why a condition matched: the sentence that triggered it, when a phrase did. */
export interface Evidence {
  readonly sentence: string | null;
  /** How far a `score` cleared its minimum (total − min), when a score decided; the smallest along the tree. */
  margin?: number;
}

export type Predicate = (ctx: MessageContext) => Evidence | null;

export class ConditionError extends Error {
  constructor(readonly path: (string | number)[], message: string) {
    super(message);
  }
}

const YES: Evidence = { sentence: null };

export function compileCondition(c: Condition, path: (string | number)[] = []): Predicate {
  // Cheap checks (direction, stage, sender, position…) run before any text is searched.
  const cheap: Predicate[] = [];
  const tests: Predicate[] = [];
  const phrases = (key: string | (string | number)[], list: string[]): CompiledPhrase[] =>
    combinePhrases(list.map((p, i) => {
      try {
        return compilePhrase(p);
      } catch (e) {
        if (e instanceof UnsafePatternError) throw new ConditionError([...path, ...(Array.isArray(key) ? key : key.split('.')), i], e.message);
        throw e;
      }
    }));

  if (c.direction) {
    const d = c.direction;
    cheap.push((x) => (x.msg.direction === d ? YES : null));
  }
  if (c.from) {
    const match = senderMatcher(c.from);
    cheap.push((x) => (match(x.msg.from?.address ?? '') || x.msg.replyTo.some((r) => match(r.address)) ? YES : null));
  }
  if (c.to) {
    const match = senderMatcher(c.to);
    cheap.push((x) => (x.msg.to.some((t) => match(t.address) || match(t.name ?? '')) || x.msg.cc.some((t) => match(t.address) || match(t.name ?? '')) ? YES : null));
  }
  if (c.fromName) {
    const ps = phrases('fromName', c.fromName);
    tests.push((x) => (matchPhrase(ps, x.msg.from?.name ?? '') ? YES : null));
  }
  if (c.robotSender !== undefined) {
    const want = c.robotSender;
    cheap.push((x) => (isRobotAddress(x.msg.from) === want ? YES : null));
  }
  if (c.subject) {
    const ps = phrases('subject', c.subject);
    tests.push((x) => evidence(matchPhrase(ps, x.msg.subject, x.texts.subjectLiterals)));
  }
  if (c.text) {
    const ps = phrases('text', c.text);
    tests.push((x) => evidence(matchPhrase(ps, x.msg.newText, x.texts.newTextLiterals)));
  }
  if (c.sentence) {
    const anyP = phrases(['sentence', 'any'], c.sentence.any);
    const noneP = phrases(['sentence', 'none'], c.sentence.none ?? []);
    tests.push((x) => {
      // A sentence's pieces are among its message's: most messages need not be split at all.
      const seen = x.texts.newTextLiterals;
      if (!mayFind(anyP, seen)) return null;
      for (const sentence of sentencesOf(x.msg.newText)) {
        const hit = matchPhrase(anyP, sentence, seen);
        if (hit && !matchPhrase(noneP, sentence, seen)) return new MatchEvidence(hit);
      }
      return null;
    });
  }
  if (c.fullText) {
    const ps = phrases('fullText', c.fullText);
    tests.push((x) => evidence(matchPhrase(ps, x.texts.fullText, x.texts.fullTextLiterals)));
  }
  if (c.attachment) {
    const ps = phrases('attachment', c.attachment);
    tests.push((x) => (x.msg.attachments.some((a) => matchPhrase(ps, a)) ? YES : null));
  }
  if (c.label) {
    const want = new Set(c.label.map((l) => l.toLowerCase()));
    cheap.push((x) => (x.msg.labels.some((l) => want.has(l.toLowerCase())) ? YES : null));
  }
  if (c.role) {
    const want = new Set<string>(c.role);
    cheap.push((x) => (want.has(x.msg.role) ? YES : null));
  }
  if (c.header) {
    for (const [name, spec] of Object.entries(c.header)) {
      const key = name.toLowerCase();
      if (spec === true) cheap.push((x) => (x.msg.headers[key] !== undefined ? YES : null));
      else {
        const ps = phrases(['header', name], spec);
        tests.push((x) => evidence(matchPhrase(ps, x.msg.headers[key] ?? '')));
      }
    }
  }
  if (c.position) {
    const pos = c.position;
    cheap.push((x) => {
      const first = x.index === 0;
      const last = x.index === x.count - 1;
      const ok = pos === 'first' ? first : pos === 'last' ? last : pos === 'only' ? first && last : !first;
      return ok ? YES : null;
    });
  }
  if (c.previousDirection) {
    const want = c.previousDirection;
    cheap.push((x) => (x.index > 0 && x.previous?.direction === want ? YES : null));
  }
  if (c.score) {
    const min = c.score.min;
    const groups = c.score.of.map((g, i) => ({ weight: g.weight, phrases: phrases(['score', 'of', i, 'phrases'], g.phrases) }));
    tests.push((x) => {
      let total = 0;
      let best: { weight: number; match: PhraseMatch } | null = null;
      for (const g of groups) {
        const match = matchPhrase(g.phrases, x.msg.newText, x.texts.newTextLiterals);
        if (!match) continue;
        total += g.weight;
        if (g.weight > 0 && (!best || g.weight > best.weight)) best = { weight: g.weight, match };
      }
      // Only the heaviest group's sentence is evidence.
      return total >= min ? new MatchEvidence(best?.match ?? null, total - min) : null;
    });
  }
  if (c.stage) {
    const want = new Set(c.stage);
    cheap.push((x) => (want.has(x.stage) ? YES : null));
  }
  if (c.tags) {
    const want = c.tags;
    cheap.push((x) => (want.some((t) => x.tags.has(t)) ? YES : null));
  }
  if (c.vars) {
    for (const [name, t] of Object.entries(c.vars)) tests.push((x) => (varMatches(x.vars()[name], t) ? YES : null));
  }
  if (c.all) {
    const subs = c.all.map((s, i) => compileCondition(s, [...path, 'all', i]));
    tests.push((x) => {
      let ev: Evidence = YES;
      for (const s of subs) {
        const e = s(x);
        if (!e) return null;
        ev = merge(ev, e);
      }
      return ev;
    });
  }
  if (c.any) {
    const subs = c.any.map((s, i) => compileCondition(s, [...path, 'any', i]));
    tests.push((x) => {
      for (const s of subs) {
        const e = s(x);
        if (e) return e;
      }
      return null;
    });
  }
  if (c.not) {
    const sub = compileCondition(c.not, [...path, 'not']);
    tests.push((x) => (sub(x) ? null : YES));
  }
  tests.unshift(...cheap);
  if (tests.length === 0) throw new ConditionError(path, `empty condition at ${formatPath(path) || 'when'}`);
  return (x) => {
    let ev: Evidence = YES;
    for (const t of tests) {
      const e = t(x);
      if (!e) return null;
      if (e !== YES) ev = merge(ev, e);
    }
    return ev;
  };
}

const sentenceCache = new Map<string, string[]>();

/**
 * Sentences of a text: split at . ! ? and line breaks (bounded like phrase matching). A line
 * that was hard-wrapped by the sender's mail program (long, no closing punctuation, the next
 * line going on with the same sentence) is joined to the next first, so "If you have not heard
 * by … / … assume …" stays one sentence.
 */
export function sentencesOf(text: string): string[] {
  let out = sentenceCache.get(text);
  if (!out) {
    if (sentenceCache.size > 64) sentenceCache.clear();
    out = unwrap(text.slice(0, MAX_MATCH_CHARS)).split(/(?<=[.!?])\s+|\n+/).map((s) => s.trim()).filter(Boolean);
    sentenceCache.set(text, out);
  }
  return out;
}

/**
 * Long lines (41+ characters) not ending a sentence continue on the next line unless it starts a
 * list item: as `text.replace(WRAPPED, '$1 ')` (the definition, kept for the tests), which
 * backtracks over every position of every line; this reads each line once.
 */
export const WRAPPED = /([^\n]{40,}[^\s.!?:;])[ \t]*\n(?=[ \t]*[\p{Ll}\p{N}(\p{Lu}][^\n]*)/gu;
const ENDS_SENTENCE = /[\s.!?:;]/u;
const GOES_ON = /^[ \t]*[\p{Ll}\p{N}(\p{Lu}]/u;
export function unwrap(text: string): string {
  const lines = text.split('\n');
  if (lines.length === 1) return text;
  let out = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (i === lines.length - 1) return out + line;
    // The line's last character that is not a space or tab, and how many code points come before it.
    let end = line.length;
    while (end > 0 && (line.charCodeAt(end - 1) === 0x20 || line.charCodeAt(end - 1) === 0x09)) end--;
    const lastIsLow = end > 1 && (line.charCodeAt(end - 1) & 0xfc00) === 0xdc00 && (line.charCodeAt(end - 2) & 0xfc00) === 0xd800;
    const last = end - (lastIsLow ? 2 : 1);
    const joins = last >= 0 && !ENDS_SENTENCE.test(line.slice(last, end)) && codePointsAtLeast(line, last, 40) && GOES_ON.test(lines[i + 1]!);
    out += joins ? `${line.slice(0, end)} ` : `${line}\n`;
  }
  return out;
}

/** Whether the first `end` UTF-16 units of a line hold at least `n` code points. */
function codePointsAtLeast(line: string, end: number, n: number): boolean {
  if (end < n) return false;
  if (end >= 2 * n) return true;
  let count = 0;
  for (let i = 0; i < end; i++) {
    const c = line.charCodeAt(i);
    if (!((c & 0xfc00) === 0xdc00 && i > 0 && (line.charCodeAt(i - 1) & 0xfc00) === 0xd800)) count++;
  }
  return count >= n;
}

/**
 * Evidence of a phrase match. Its sentence is cut out of the text only when it is read (for a
 * stage change or an ask): most matches are only tested, inside `all`, `not` or a score.
 */
class MatchEvidence implements Evidence {
  private cut: string | null | undefined;
  constructor(
    private readonly match: PhraseMatch | null,
    readonly margin?: number,
  ) {}

  get sentence(): string | null {
    if (this.cut === undefined) this.cut = this.match && hitOf(this.match).sentence;
    return this.cut;
  }
}

/** The first sentence found (read when asked for), and the tightest score margin. */
class MergedEvidence implements Evidence {
  constructor(
    private readonly a: Evidence,
    private readonly b: Evidence,
    readonly margin?: number,
  ) {}

  get sentence(): string | null {
    return this.a.sentence ?? this.b.sentence;
  }
}

function merge(a: Evidence, b: Evidence): Evidence {
  if (b === YES) return a;
  if (a === YES) return b;
  return new MergedEvidence(a, b, a.margin === undefined ? b.margin : b.margin === undefined ? a.margin : Math.min(a.margin, b.margin));
}

function evidence(match: PhraseMatch | null): Evidence | null {
  return match && new MatchEvidence(match);
}

/**
 * `greenhouse-mail.io` matches that domain and its subdomains; `jobs-*@linkedin.com` is an address
 * glob. Domains go in a set looked up once per label of the address's domain (a rule may list
 * dozens of ATS domains, and every message meets it).
 */
function senderMatcher(patterns: string[]): (address: string) => boolean {
  const domains = new Set<string>();
  const globs: RegExp[] = [];
  for (const raw of patterns) {
    const pat = raw.toLowerCase().trim();
    if (pat.includes('@') || pat.includes('*')) globs.push(new RegExp(`^${pat.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^@]*')}$`));
    else if (pat.replace(/^\*?\./, '')) domains.add(pat.replace(/^\*?\./, ''));
  }
  return (address) => {
    const a = address.toLowerCase();
    if (domains.size && a.includes('@') && domainIn(domainOf(a), domains)) return true;
    return globs.some((g) => g.test(a));
  };
}

function varMatches(v: string | number | null | undefined, t: VarTest): boolean {
  const present = v !== null && v !== undefined && v !== '';
  if (t.present !== undefined && t.present !== present) return false;
  if (!present) return t.present === false;
  const n = typeof v === 'number' ? v : Number(v);
  if (t.lt !== undefined && !(n < t.lt)) return false;
  if (t.lte !== undefined && !(n <= t.lte)) return false;
  if (t.gt !== undefined && !(n > t.gt)) return false;
  if (t.gte !== undefined && !(n >= t.gte)) return false;
  const norm = (x: string | number) => String(x).toLowerCase();
  if (t.eq !== undefined && norm(v) !== norm(t.eq)) return false;
  if (t.in !== undefined && !t.in.map(norm).includes(norm(v))) return false;
  return true;
}
