/**
 * What text a regular expression needs before it can match: the literal pieces every match
 * contains. `offer\s+letter` cannot match a text without "offer" and "letter"; an alternation
 * needs one of its branches' pieces. Phrase matching uses this to skip expressions whose
 * pieces a message lacks (see literal-index.ts), without changing what matches.
 *
 * The analysis is conservative: it may know less than the expression needs (then it asks for
 * less), never more. Only printable ASCII characters count as literal, lower-cased (the
 * expressions are case-insensitive); anything else — classes, escapes such as `\s`, `.`,
 * lookarounds, non-ASCII letters, optional parts — ends a piece.
 */

/** A literal piece (lower-case ASCII), or every / any of several needs. */
export type Need = string | { all: Need[] } | { any: Need[] };

/** The need of a whole list of alternatives: any of theirs; null (no need) if one has none. */
export function anyOf(needs: (Need | null)[]): Need | null {
  if (needs.some((n) => n === null)) return null;
  return needs.length === 1 ? needs[0]! : { any: needs as Need[] };
}

function allOf(needs: (Need | null)[]): Need | null {
  const known = needs.filter((n): n is Need => n !== null);
  return known.length === 0 ? null : known.length === 1 ? known[0]! : { all: known };
}

/** Escapes after which the next character stands for itself (all others are classes, anchors or codes). */
const CLASS_ESCAPES = 'bBdDsSwWnrtfv0';

/**
 * The need of a regular expression source (as accepted with the `u` flag). Unknown syntax
 * gives no need rather than a wrong one.
 */
export function requiredLiterals(source: string): Need | null {
  try {
    const p = new Parser(source);
    const need = p.alternatives();
    return p.done() ? need : null;
  } catch {
    return null;
  }
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  done(): boolean {
    return this.i === this.s.length;
  }

  /** `a|b|c` up to a closing parenthesis or the end. */
  alternatives(): Need | null {
    const branches = [this.sequence()];
    while (this.s[this.i] === '|') {
      this.i++;
      branches.push(this.sequence());
    }
    return anyOf(branches);
  }

  /** Atoms one after another: runs of literal characters become pieces, groups add their needs. */
  private sequence(): Need | null {
    const needs: (Need | null)[] = [];
    let run = '';
    const endRun = () => {
      if (run) needs.push(run);
      run = '';
    };
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      const atom = this.atom();
      const min = this.quantifierMin();
      if (min === null && atom.char !== null) {
        run += atom.char;
        continue;
      }
      endRun();
      // A repeated atom still needs what it needs once, but its characters do not join a piece.
      if (min === null || min > 0) needs.push(atom.need);
    }
    endRun();
    return allOf(needs);
  }

  /** One atom: `char` when it is a single literal character, else what it needs. */
  private atom(): { char: string | null; need: Need | null } {
    const c = this.s[this.i]!;
    if (c === '(') return { char: null, need: this.group() };
    if (c === '[') {
      this.skipClass();
      return { char: null, need: null };
    }
    if (c === '\\') return this.escape();
    this.i += c.length;
    if (c === '.' || c === '^' || c === '$') return { char: null, need: null };
    if (c === '*' || c === '+' || c === '?' || c === '{') throw new SyntaxError('quantifier without atom');
    return { char: literalChar(c), need: null };
  }

  private group(): Need | null {
    this.i++; // (
    let lookaround = false;
    if (this.s[this.i] === '?') {
      const rest = this.s.slice(this.i, this.i + 3);
      if (rest.startsWith('?:')) this.i += 2;
      else if (rest.startsWith('?=') || rest.startsWith('?!')) { lookaround = true; this.i += 2; }
      else if (rest === '?<=' || rest === '?<!') { lookaround = true; this.i += 3; }
      else if (rest.startsWith('?<')) {
        const end = this.s.indexOf('>', this.i);
        if (end < 0) throw new SyntaxError('unterminated group name');
        this.i = end + 1;
      } else throw new SyntaxError('unknown group');
    }
    const need = this.alternatives();
    if (this.s[this.i] !== ')') throw new SyntaxError('unterminated group');
    this.i++;
    // A lookaround consumes nothing: what it sees is not part of the match.
    return lookaround ? null : need;
  }

  private skipClass(): void {
    this.i++; // [
    while (this.i < this.s.length && this.s[this.i] !== ']') this.i += this.s[this.i] === '\\' ? 2 : 1;
    if (this.i >= this.s.length) throw new SyntaxError('unterminated class');
    this.i++;
  }

  private escape(): { char: string | null; need: Need | null } {
    const c = this.s[this.i + 1];
    if (c === undefined) throw new SyntaxError('trailing backslash');
    this.i += 2;
    if (c === 'p' || c === 'P' || c === 'u' || c === 'x' || c === 'c' || c === 'k' || /\d/.test(c) || CLASS_ESCAPES.includes(c)) {
      this.skipEscapeArgument(c);
      return { char: null, need: null };
    }
    return { char: literalChar(c), need: null };
  }

  /** A property, a code or a back-reference: its argument is not literal text either. */
  private skipEscapeArgument(c: string): void {
    const braced = this.s[this.i] === '{' || (c === 'k' && this.s[this.i] === '<');
    if (braced) {
      const end = this.s.indexOf(c === 'k' ? '>' : '}', this.i);
      if (end < 0) throw new SyntaxError('unterminated escape');
      this.i = end + 1;
    } else {
      this.i += c === 'u' ? 4 : c === 'x' ? 2 : c === 'c' ? 1 : 0;
    }
  }

  /** The smallest count of a quantifier at the cursor (and moves past it); null when there is none. */
  private quantifierMin(): number | null {
    const c = this.s[this.i];
    let min: number | null = null;
    if (c === '*' || c === '?') { min = 0; this.i++; }
    else if (c === '+') { min = 1; this.i++; }
    else if (c === '{') {
      const m = /^\{(\d+)(?:,\d*)?\}/.exec(this.s.slice(this.i));
      if (!m) throw new SyntaxError('bad quantifier');
      min = Number(m[1]);
      this.i += m[0].length;
    }
    if (min !== null && this.s[this.i] === '?') this.i++; // lazy
    return min;
  }
}

/** The character as a piece of literal text, or null when it cannot be one (not printable ASCII). */
function literalChar(c: string): string | null {
  const code = c.charCodeAt(0);
  return c.length === 1 && code > 0x20 && code < 0x7f ? c.toLowerCase() : null;
}
