/**
 * Which literal pieces (see needs.ts) a text contains, found in one pass.
 *
 * Every piece any compiled phrase needs gets a number; one Aho–Corasick automaton over all of
 * them reads a text once and marks the pieces in it. A phrase then costs a few bit tests
 * instead of a run of its regular expression, which for most mail (not about a job) finds
 * nothing. The automaton is rebuilt, on the next scan, whenever new pieces were added.
 *
 * Matching is case-insensitive as the expressions are (`iu`): text characters are folded to
 * lower-case ASCII, including the two non-ASCII characters Unicode case folding maps onto
 * ASCII letters (Kelvin sign, long s); every other non-ASCII character is a piece boundary.
 */
import type { Need } from './needs.js';

const KELVIN_SIGN = 0x212a;
const LONG_S = 0x17f;

/** The lower-case ASCII character `/x/iu` would match a text character with, or -1 (none: not ASCII). */
export function foldToAscii(code: number): number {
  if (code < 0x80) return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
  if (code === KELVIN_SIGN) return 0x6b; // k
  if (code === LONG_S) return 0x73; // s
  return -1;
}

const ids = new Map<string, number>();
const pieces: string[] = [];

function pieceId(piece: string): number {
  let id = ids.get(piece);
  if (id === undefined) {
    id = pieces.length;
    pieces.push(piece);
    ids.set(piece, id);
  }
  return id;
}

/** The pieces found in a text. A piece numbered after the scan counts as present (nothing is known of it). */
export class LiteralSet {
  constructor(
    private readonly bits: Uint32Array,
    private readonly known: number,
  ) {}

  has(id: number): boolean {
    return id >= this.known || (this.bits[id >>> 5] & (1 << (id & 31))) !== 0;
  }

  /** The pieces of two texts, for a text made of both joined by whitespace (no piece spans whitespace). */
  union(other: LiteralSet): LiteralSet {
    const bits = new Uint32Array(Math.min(this.bits.length, other.bits.length));
    for (let i = 0; i < bits.length; i++) bits[i] = this.bits[i] | other.bits[i];
    return new LiteralSet(bits, Math.min(this.known, other.known));
  }
}

/** A test whether a text with these pieces may match. */
export type NeedTest = (seen: LiteralSet) => boolean;

/**
 * A need as a test. Most texts have none of the pieces, so each alternative is first tried on
 * a key: pieces one of which it cannot do without (the rarest-looking, the longest). Only an
 * alternative whose key is there is worked out in full.
 */
export function compileNeed(need: Need): NeedTest {
  const branches = alternativesOf(need).map((b) => ({ key: Int32Array.from(keyOf(b).map(pieceId)), full: typeof b === 'string' ? null : exactTest(b) }));
  return (seen) => {
    for (const b of branches) {
      for (let j = 0; j < b.key.length; j++) {
        if (!seen.has(b.key[j])) continue;
        if (b.full === null || b.full(seen)) return true;
        break;
      }
    }
    return false;
  };
}

function alternativesOf(need: Need): Need[] {
  return typeof need !== 'string' && 'any' in need ? need.any.flatMap(alternativesOf) : [need];
}

/** Pieces at least one of which every text meeting the need contains. */
function keyOf(need: Need): string[] {
  if (typeof need === 'string') return [need];
  if ('any' in need) return [...new Set(need.any.flatMap(keyOf))];
  // Any one part's key will do: the one whose shortest piece is longest (short words are everywhere).
  const keys = need.all.map(keyOf);
  const shortest = (k: string[]) => Math.min(...k.map((p) => p.length));
  return keys.reduce((best, k) => (shortest(k) > shortest(best) || (shortest(k) === shortest(best) && k.length < best.length) ? k : best));
}

function exactTest(need: Need): NeedTest {
  if (typeof need === 'string') {
    const id = pieceId(need);
    return (seen) => seen.has(id);
  }
  const parts = ('all' in need ? need.all : need.any).map(exactTest);
  if ('all' in need) return (seen) => parts.every((p) => p(seen));
  return (seen) => parts.some((p) => p(seen));
}

interface Automaton {
  /** How many pieces it knows (pieces numbered later are not searched for). */
  known: number;
  /** UTF-16 code unit → character class, folded as foldToAscii does (0: a character no piece contains). */
  classOf: Uint8Array;
  /** log2 of a state's row in `next` (rows are a power of two wide, so a row's state is a shift away). */
  shift: number;
  /** Next state's row start (state << shift) for a row start + class. */
  next: Int32Array;
  /** Pieces ending at a state: outIds[outStart[s] .. outStart[s + 1]). */
  outStart: Int32Array;
  outIds: Int32Array;
}

let automaton: Automaton | null = null;

function currentAutomaton(): Automaton {
  if (!automaton || automaton.known !== pieces.length) automaton = build(pieces);
  return automaton;
}

function build(list: readonly string[]): Automaton {
  const classOf = new Uint8Array(128);
  let classes = 1;
  for (const p of list) for (let i = 0; i < p.length; i++) if (!classOf[p.charCodeAt(i)]) classOf[p.charCodeAt(i)] = classes++;

  // The trie, then failure links breadth first, turned into a full transition table.
  const trie: Map<number, number>[] = [new Map()];
  const ends: number[][] = [[]];
  list.forEach((p, id) => {
    let s = 0;
    for (let i = 0; i < p.length; i++) {
      const k = classOf[p.charCodeAt(i)];
      let t = trie[s].get(k);
      if (t === undefined) {
        t = trie.length;
        trie.push(new Map());
        ends.push([]);
        trie[s].set(k, t);
      }
      s = t;
    }
    ends[s].push(id);
  });
  const next = new Int32Array(trie.length * classes);
  const fail = new Int32Array(trie.length);
  const out: number[][] = ends.map((e) => [...e]);
  const queue: number[] = [];
  for (const [k, t] of trie[0]) {
    next[k] = t;
    queue.push(t);
  }
  for (let q = 0; q < queue.length; q++) {
    const s = queue[q];
    out[s].push(...out[fail[s]]);
    for (let k = 0; k < classes; k++) {
      const t = trie[s].get(k);
      if (t === undefined) {
        next[s * classes + k] = next[fail[s] * classes + k];
        continue;
      }
      fail[t] = next[fail[s] * classes + k];
      next[s * classes + k] = t;
      queue.push(t);
    }
  }
  const outStart = new Int32Array(trie.length + 1);
  for (let s = 0; s < trie.length; s++) outStart[s + 1] = outStart[s] + out[s].length;
  // The scan's tables: every code unit's class, and rows of a power-of-two width holding row starts.
  const unitClass = new Uint8Array(0x10000);
  for (let u = 0; u < 0x10000; u++) {
    const c = foldToAscii(u);
    unitClass[u] = c < 0 ? 0 : classOf[c];
  }
  const shift = Math.ceil(Math.log2(classes));
  const rows = new Int32Array(trie.length << shift);
  for (let s = 0; s < trie.length; s++) for (let k = 0; k < classes; k++) rows[(s << shift) + k] = next[s * classes + k] << shift;
  return { known: list.length, classOf: unitClass, shift, next: rows, outStart, outIds: Int32Array.from(out.flat()) };
}

/** The pieces in the first `limit` characters of a text. */
export function scanLiterals(text: string, limit = text.length): LiteralSet {
  const a = currentAutomaton();
  const bits = new Uint32Array((a.known + 31) >>> 5);
  const { classOf, shift, next, outStart, outIds } = a;
  const n = Math.min(text.length, limit);
  let row = 0;
  for (let i = 0; i < n; i++) {
    row = next[row + classOf[text.charCodeAt(i)]];
    const state = row >>> shift;
    for (let j = outStart[state], end = outStart[state + 1]; j < end; j++) {
      const id = outIds[j];
      bits[id >>> 5] |= 1 << (id & 31);
    }
  }
  return new LiteralSet(bits, a.known);
}
