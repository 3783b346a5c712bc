/**
 * Small header-block helpers shared by connectors that keep mail as RFC 5322 bytes, and the
 * name of the header our drafts carry their key in (for MIME-based backends; the key itself
 * is opaque to the core: each connector stores and finds it its own way).
 */
import { decodeWords } from 'postal-mime';

/** The header a MIME draft carries its idempotency key in. */
export const DRAFT_KEY_HEADER = 'X-Offerwatch-Draft-Key';

/** How much of a message is looked at to find its header block. */
const MAX_HEAD_BYTES = 256 * 1024;

/**
 * The first value of each named header (lower-cased names) in a raw message's header block,
 * unfolded and with RFC 2047 encoded words decoded. Headers that are absent are not in the map.
 */
export function headerFields(raw: Uint8Array | string, names: readonly string[]): Map<string, string> {
  const text = typeof raw === 'string' ? raw.slice(0, MAX_HEAD_BYTES) : Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, MAX_HEAD_BYTES)).toString('latin1');
  const end = /\r?\n\r?\n/.exec(text);
  const block = (end ? text.slice(0, end.index) : text).replace(/\r?\n[ \t]+/g, ' ');
  const want = new Set(names.map((n) => n.toLowerCase()));
  const out = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!want.has(name) || out.has(name)) continue;
    out.set(name, decodeValue(line.slice(colon + 1).trim()));
  }
  return out;
}

/** One header's first value, or null. */
export function headerField(raw: Uint8Array | string, name: string): string | null {
  return headerFields(raw, [name]).get(name.toLowerCase()) ?? null;
}

function decodeValue(v: string): string {
  // latin1 → the original bytes as UTF-8 where they are valid UTF-8 (raw 8-bit headers).
  let s = v;
  if (/[\u0080-\u00ff]/.test(s)) {
    const utf8 = Buffer.from(s, 'latin1').toString('utf8');
    if (!utf8.includes('\ufffd')) s = utf8;
  }
  try {
    return decodeWords(s).replace(/\0/g, '').trim();
  } catch {
    return s;
  }
}
