/**
 * A Gmail search (`q`) good enough for the emulator: from:/to:/subject:, quoted phrases,
 * bare words, OR and `{}` groups, parentheses, -negation, newer_than:/older_than:,
 * after:/before: (yyyy/mm/dd or epoch seconds), in:/label:/is:/category:, rfc822msgid:.
 * Terms are ANDed; OR binds tighter than the implicit AND, as in Gmail.
 */

export type QueryNode =
  | { t: 'and'; c: QueryNode[] }
  | { t: 'or'; c: QueryNode[] }
  | { t: 'not'; c: QueryNode }
  | { t: 'term'; field: string | null; value: string; phrase: boolean };

/** What a message offers to the matcher; built once per message by the mailbox. */
export interface Searchable {
  fromText: string;
  fromAddress: string;
  recipients: { name: string; address: string }[];
  subjectNorm: string;
  /** Subject, sender, recipients, body and attachment names, normalised. */
  allNorm: string;
  dateMs: number;
  /** Label names and ids, lower-cased. */
  labels: Set<string>;
  messageIdHeader: string | null;
  hasAttachment: boolean;
}

type Tok =
  | { k: 'open' | 'close' | 'lbrace' | 'rbrace' | 'minus' | 'or' }
  | { k: 'term'; field: string | null; value: string; phrase: boolean };

/** Lower-case, punctuation to spaces, padded: phrase search becomes a substring test. */
export function normalise(s: string): string {
  return ` ${s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').replace(/\s+/g, ' ').trim()} `;
}

function tokenize(q: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const readValue = (): { value: string; phrase: boolean } => {
    if (q[i] === '"') {
      const end = q.indexOf('"', i + 1);
      const value = q.slice(i + 1, end < 0 ? q.length : end);
      i = end < 0 ? q.length : end + 1;
      return { value, phrase: true };
    }
    let j = i;
    while (j < q.length && !/[\s(){}"]/.test(q[j])) j++;
    const value = q.slice(i, j);
    i = j;
    return { value, phrase: false };
  };
  while (i < q.length) {
    const c = q[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(') {
      out.push({ k: 'open' });
      i++;
    } else if (c === ')') {
      out.push({ k: 'close' });
      i++;
    } else if (c === '{') {
      out.push({ k: 'lbrace' });
      i++;
    } else if (c === '}') {
      out.push({ k: 'rbrace' });
      i++;
    } else if (c === '-' && i + 1 < q.length && !/\s/.test(q[i + 1])) {
      out.push({ k: 'minus' });
      i++;
    } else if (c === '"') {
      const v = readValue();
      out.push({ k: 'term', field: null, ...v });
    } else {
      const m = /^([a-z_0-9]+):/i.exec(q.slice(i));
      if (m) {
        i += m[0].length;
        const v = readValue();
        out.push({ k: 'term', field: m[1].toLowerCase(), ...v });
      } else {
        const v = readValue();
        if (v.value === 'OR' || v.value === '|') out.push({ k: 'or' });
        else if (v.value.length > 0) out.push({ k: 'term', field: null, ...v });
        else i++;
      }
    }
  }
  return out;
}

export function parseQuery(q: string): QueryNode {
  const toks = tokenize(q);
  let p = 0;
  const parseAnd = (stop: Tok['k'] | null): QueryNode => {
    const c: QueryNode[] = [];
    while (p < toks.length && toks[p].k !== stop) c.push(parseOr(stop));
    if (stop && p < toks.length) p++;
    return c.length === 1 ? c[0] : { t: 'and', c };
  };
  const parseOr = (stop: Tok['k'] | null): QueryNode => {
    const c = [parseUnary(stop)];
    while (p < toks.length && toks[p].k === 'or') {
      p++;
      if (p < toks.length && toks[p].k !== stop) c.push(parseUnary(stop));
    }
    return c.length === 1 ? c[0] : { t: 'or', c };
  };
  const parseUnary = (stop: Tok['k'] | null): QueryNode => {
    const tok = toks[p++];
    if (tok.k === 'minus') return { t: 'not', c: parseUnary(stop) };
    if (tok.k === 'open') return parseAnd('close');
    if (tok.k === 'lbrace') {
      const c: QueryNode[] = [];
      while (p < toks.length && toks[p].k !== 'rbrace') {
        if (toks[p].k === 'or') {
          p++;
          continue;
        }
        c.push(parseUnary('rbrace'));
      }
      p++;
      return { t: 'or', c };
    }
    if (tok.k === 'term') return { t: 'term', field: tok.field, value: tok.value, phrase: tok.phrase };
    // A stray close/OR: match everything, like Gmail ignoring it.
    return { t: 'and', c: [] };
  };
  return parseAnd(null);
}

function textHas(norm: string, value: string): boolean {
  const v = normalise(value);
  if (v === '  ') return true;
  return norm.includes(v);
}

function addressMatches(name: string, address: string, v: string): boolean {
  const value = v.toLowerCase();
  if (address === value || address.includes(value)) return true;
  const domain = address.slice(address.lastIndexOf('@') + 1);
  if (domain === value || domain.endsWith(`.${value}`)) return true;
  return normalise(name).includes(normalise(value));
}

const DAY = 86_400_000;

function relativeMs(v: string): number | null {
  const m = /^(\d+)([dmy])$/i.exec(v);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2].toLowerCase();
  return n * (unit === 'd' ? DAY : unit === 'm' ? 30 * DAY : 365 * DAY);
}

function absoluteMs(v: string): number | null {
  if (/^\d{9,}$/.test(v)) return Number(v) * 1000;
  const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(v);
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

const IN_LABELS: Record<string, string> = {
  inbox: 'inbox',
  sent: 'sent',
  spam: 'spam',
  trash: 'trash',
  drafts: 'draft',
  draft: 'draft',
  chats: 'chat',
};

function matchTerm(n: { field: string | null; value: string; phrase: boolean }, m: Searchable, nowMs: number): boolean {
  const v = n.value;
  switch (n.field) {
    case null:
      return textHas(m.allNorm, v);
    case 'from':
      return addressMatches(m.fromText, m.fromAddress, v);
    case 'to':
    case 'cc':
      return m.recipients.some((r) => addressMatches(r.name, r.address, v));
    case 'subject':
      return textHas(m.subjectNorm, v);
    case 'newer_than':
    case 'older_than': {
      const rel = relativeMs(v);
      if (rel === null) return false;
      return n.field === 'newer_than' ? m.dateMs >= nowMs - rel : m.dateMs < nowMs - rel;
    }
    case 'after':
    case 'newer':
    case 'before':
    case 'older': {
      const at = absoluteMs(v);
      if (at === null) return false;
      return n.field === 'after' || n.field === 'newer' ? m.dateMs >= at : m.dateMs < at;
    }
    case 'in': {
      const value = v.toLowerCase();
      if (value === 'anywhere') return true;
      return m.labels.has(IN_LABELS[value] ?? value);
    }
    case 'label':
    case 'category': {
      const value = v.toLowerCase();
      const wanted = n.field === 'category' ? `category_${value}` : value;
      for (const l of m.labels) {
        if (l === wanted || l.replace(/[\s/]+/g, '-') === wanted) return true;
      }
      return false;
    }
    case 'is': {
      const value = v.toLowerCase();
      if (value === 'read') return !m.labels.has('unread');
      return m.labels.has(value);
    }
    case 'has':
      return v.toLowerCase() === 'attachment' ? m.hasAttachment : false;
    case 'rfc822msgid': {
      const id = (m.messageIdHeader ?? '').replace(/^<|>$/g, '').toLowerCase();
      return id === v.replace(/^<|>$/g, '').toLowerCase();
    }
    default:
      return textHas(m.allNorm, `${n.field}:${v}`);
  }
}

export function matches(node: QueryNode, m: Searchable, nowMs: number): boolean {
  switch (node.t) {
    case 'and':
      return node.c.every((c) => matches(c, m, nowMs));
    case 'or':
      return node.c.some((c) => matches(c, m, nowMs));
    case 'not':
      return !matches(node.c, m, nowMs);
    case 'term':
      return matchTerm(node, m, nowMs);
  }
}

/** True when the query asks for spam or trash itself, which Gmail otherwise leaves out. */
export function mentionsSpamOrTrash(node: QueryNode): boolean {
  switch (node.t) {
    case 'and':
    case 'or':
      return node.c.some(mentionsSpamOrTrash);
    case 'not':
      return false;
    case 'term':
      return node.field === 'in' && ['spam', 'trash', 'anywhere'].includes(node.value.toLowerCase());
  }
}
