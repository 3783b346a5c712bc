/**
 * Gmail message shapes → our model: `format: raw` through the shared parser, and
 * `format: metadata` into the cheap MessageMeta the candidate filter looks at.
 */
import { addressParser } from 'postal-mime';
import type { gmail_v1 } from 'googleapis/build/src/apis/gmail/v1.js';
import type { Address, MailMessage, MessageFailure } from '../../model/types.js';
import type { MailboxRole, MessageMeta } from '../port.js';
import { parseMessage, sha256Hex } from '../../mail/normalise.js';
import { OfferwatchError, isOfferwatchError } from '../../errors.js';

/** Gmail HTML-escapes snippets. */
export function decodeSnippet(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}

function headerOf(m: gmail_v1.Schema$Message, name: string): string {
  const lower = name.toLowerCase();
  return m.payload?.headers?.find((h) => (h.name ?? '').toLowerCase() === lower)?.value ?? '';
}

export function parseAddress(value: string): Address | null {
  if (!value.trim()) return null;
  const first = addressParser(value, { flatten: true })[0];
  if (!first || first.group || !first.address) return null;
  return { name: first.name ? first.name : null, address: first.address.toLowerCase() };
}

export interface Place {
  role: MailboxRole;
  labels: string[];
}

export function toMeta(m: gmail_v1.Schema$Message, place: Place): MessageMeta {
  return {
    from: parseAddress(headerOf(m, 'From')),
    subject: headerOf(m, 'Subject'),
    snippet: decodeSnippet(m.snippet ?? ''),
    role: place.role,
    labels: place.labels,
  };
}

export type Converted = { ok: true; message: MailMessage } | { ok: false; failure: MessageFailure };

/** A `format: raw` message → MailMessage with Gmail's ids, its role and the owner's label names. Parse errors become failures. */
export async function fromRaw(m: gmail_v1.Schema$Message, place: Place): Promise<Converted> {
  const id = m.id ?? '';
  if (!m.raw) {
    return { ok: false, failure: { ref: id, reason: 'gmail returned no raw content', contentHash: null } };
  }
  const bytes = Buffer.from(m.raw, 'base64url');
  const internal = Number(m.internalDate);
  try {
    const parsed = await parseMessage(bytes, {
      fallbackDate: Number.isFinite(internal) && internal > 0 ? new Date(internal).toISOString() : undefined,
      fallbackId: id,
    });
    return { ok: true, message: { ...parsed, id, threadId: m.threadId ?? null, role: place.role, labels: place.labels } };
  } catch (e) {
    if (!isOfferwatchError(e, 'EPARSE')) throw e;
    return { ok: false, failure: { ref: id, reason: (e as OfferwatchError).message, contentHash: sha256Hex(bytes) } };
  }
}
