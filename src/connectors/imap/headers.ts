/** The few header fields sync looks at before it decides to fetch a body. */
import { addressParser } from 'postal-mime';
import type { Address } from '../../model/types.js';
import { decodeValue } from '../../mail/headers.js';

/** Fetched with BODY.PEEK[HEADER.FIELDS (…)]: what candidate and thread decisions need, nothing more. */
export const META_HEADERS = ['from', 'to', 'subject', 'message-id', 'in-reply-to', 'references'] as const;

export interface HeaderMeta {
  from: Address | null;
  to: Address[];
  subject: string;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
}

function decode(v: string): string {
  return decodeValue(v).trim();
}

/** First value of each header in a header block (unfolded, lower-cased names). */
export function headerMap(block: Buffer | string): Map<string, string> {
  const text = (typeof block === 'string' ? block : block.toString('latin1')).replace(/\r?\n[ \t]+/g, ' ');
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!out.has(name)) out.set(name, line.slice(colon + 1).trim());
  }
  return out;
}

function addresses(v: string | undefined): Address[] {
  if (!v) return [];
  try {
    return addressParser(decode(v), { flatten: true })
      .filter((a) => !a.group && a.address)
      .map((a) => ({ name: a.name ? a.name : null, address: (a.address ?? '').toLowerCase() }));
  } catch {
    return [];
  }
}

const angle = (v: string | undefined): string[] => (v ?? '').match(/<[^<>\s]+>/g) ?? [];

export function parseHeaderMeta(block: Buffer | undefined): HeaderMeta {
  const h = headerMap(block ?? '');
  return {
    from: addresses(h.get('from'))[0] ?? null,
    to: addresses(h.get('to')),
    subject: decode(h.get('subject') ?? '').replace(/\s+/g, ' '),
    messageId: angle(h.get('message-id'))[0] ?? null,
    inReplyTo: angle(h.get('in-reply-to'))[0] ?? null,
    references: angle(h.get('references')),
  };
}
