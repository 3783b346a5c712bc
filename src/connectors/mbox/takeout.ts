/**
 * Google Takeout's own headers, read here and nowhere else: `X-GM-THRID` (Gmail's thread id)
 * and `X-Gmail-Labels` (comma-separated label names). Together with `X-Unsent` (a draft saved
 * as a file) they give each message its mailbox role and the owner's own labels.
 */
import type { MailboxRole } from '../port.js';
import type { MailMessage } from '../../model/types.js';
import { headerFields } from '../../mail/headers.js';
import { parseMessage, type ParseOptions } from '../../mail/normalise.js';

/** Takeout writes labels comma-separated; a label holding a comma is double-quoted. */
export function splitLabels(v: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of v) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/** Takeout's names for Gmail's system labels, lower-cased → the role each gives (null: no role, just not the owner's). */
const SYSTEM_LABELS: ReadonlyMap<string, MailboxRole | null> = new Map<string, MailboxRole | null>([
  ['inbox', 'inbox'],
  ['sent', 'sent'],
  ['drafts', 'drafts'],
  ['draft', 'drafts'],
  ['spam', 'junk'],
  ['trash', 'trash'],
  ['archived', 'archive'],
  ['important', null],
  ['starred', null],
  ['unread', null],
  ['opened', null],
  ['chat', null],
]);

/** Precedence when a message carries several (port.ts): drafts > sent > junk > trash > inbox > archive > other. */
const PRECEDENCE: readonly MailboxRole[] = ['drafts', 'sent', 'junk', 'trash', 'inbox', 'archive', 'other'];

export interface TakeoutPlace {
  threadId: string | null;
  role: MailboxRole;
  /** The owner's labels and Gmail's categories (`Category Promotions`: rules use them). */
  labels: string[];
}

/** Role and labels from the header values; a message with no mailbox label is archived mail. */
export function placeOf(fields: { thrid?: string | null; labels?: string | null; unsent?: string | null }): TakeoutPlace {
  const roles = new Set<MailboxRole>();
  const labels: string[] = [];
  for (const l of splitLabels(fields.labels ?? '')) {
    const lower = l.toLowerCase();
    if (SYSTEM_LABELS.has(lower)) {
      const r = SYSTEM_LABELS.get(lower);
      if (r) roles.add(r);
    } else labels.push(l);
  }
  if ((fields.unsent ?? '').trim() === '1') roles.add('drafts');
  const role = PRECEDENCE.find((r) => roles.has(r)) ?? 'archive';
  const thrid = (fields.thrid ?? '').trim();
  return { threadId: thrid === '' ? null : thrid, role, labels };
}

/** The Takeout place of a raw message (its header block only is read). */
export function takeoutPlace(raw: Uint8Array): TakeoutPlace {
  const f = headerFields(raw, ['x-gm-thrid', 'x-gmail-labels', 'x-unsent']);
  return placeOf({ thrid: f.get('x-gm-thrid'), labels: f.get('x-gmail-labels'), unsent: f.get('x-unsent') });
}

/** One message of an mbox file as the core sees it: parsed, then placed. */
export async function parseMboxMessage(raw: Uint8Array, opts: ParseOptions = {}): Promise<MailMessage> {
  const parsed = await parseMessage(raw, opts);
  return { ...parsed, ...takeoutPlace(raw) };
}
