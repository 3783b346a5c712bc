/**
 * Graph message JSON → our model. Bodies arrive as plain text (`Prefer:
 * outlook.body-content-type="text"`); an HTML body (a server that ignored the preference)
 * goes through the shared HTML converter. Threads are Graph conversations.
 */
import { createHash } from 'node:crypto';
import type { Attachment, Message, Recipient } from '@microsoft/microsoft-graph-types';
import type { Address, MailMessage } from '../../model/types.js';
import type { MailboxRole, MessageMeta } from '../port.js';
import { extractNewText } from '../../mail/newtext.js';
import { DRAFT_KEY_PROPERTY, odataString } from './props.js';
import { htmlToPlainText, DEFAULT_MAX_TEXT_CHARS, KEPT_HEADERS } from '../../mail/normalise.js';

/** Fields the candidate filter and the sync decisions need (no body). */
export const META_FIELDS = ['id', 'conversationId', 'subject', 'bodyPreview', 'from', 'receivedDateTime', 'categories', 'parentFolderId', 'isDraft'];
/** Fields classification and drafts need. */
export const FULL_FIELDS = [
  ...META_FIELDS,
  'internetMessageId',
  'internetMessageHeaders',
  'body',
  'sender',
  'toRecipients',
  'ccRecipients',
  'replyTo',
  'sentDateTime',
  'hasAttachments',
];
/** Full fetch: the fields, attachment names, and our draft key where a message carries it (a sent draft of ours). */
export const FULL_QUERY = `$select=${FULL_FIELDS.join(',')}&$expand=${encodeURIComponent(`attachments($select=name),singleValueExtendedProperties($filter=id eq ${odataString(DRAFT_KEY_PROPERTY)})`)}`;

/** Headers kept from `internetMessageHeaders` (the same few the MIME parser keeps). */
const KEPT = new Set<string>(KEPT_HEADERS.filter((h) => !h.startsWith('x-gmail')));

export type GraphMessage = Message & { '@removed'?: { reason?: string }; attachments?: Attachment[]; singleValueExtendedProperties?: Array<{ id?: string; value?: string | null }> };

export function addressOf(r: Recipient | null | undefined): Address | null {
  const a = r?.emailAddress?.address;
  if (!a) return null;
  return { name: r?.emailAddress?.name && r.emailAddress.name !== a ? r.emailAddress.name : null, address: a.toLowerCase() };
}

function addresses(rs: Recipient[] | null | undefined): Address[] {
  return (rs ?? []).map(addressOf).filter((a): a is Address => a !== null);
}

export function roleOf(m: GraphMessage, folderRoles: Readonly<Record<string, MailboxRole>>): MailboxRole {
  if (m.isDraft) return 'drafts';
  return (m.parentFolderId && folderRoles[m.parentFolderId]) || 'other';
}

export function toMeta(m: GraphMessage, folderRoles: Readonly<Record<string, MailboxRole>>, ours: readonly string[] = []): MessageMeta {
  return {
    from: addressOf(m.from),
    subject: m.subject ?? '',
    snippet: m.bodyPreview ?? '',
    role: roleOf(m, folderRoles),
    labels: ownerCategories(m, ours),
  };
}

/** The owner's categories: without the reply-due category offerwatch itself sets (not the owner's, and not a change). */
function ownerCategories(m: GraphMessage, ours: readonly string[]): string[] {
  return (m.categories ?? []).filter((c) => !ours.includes(c));
}

function ids(v: string | undefined): string[] {
  return v ? (v.match(/<[^<>\s]+>/g) ?? []) : [];
}

export function toMailMessage(m: GraphMessage, folderRoles: Readonly<Record<string, MailboxRole>>, ours: readonly string[] = []): MailMessage {
  const labels = ownerCategories(m, ours);
  const headers: Record<string, string> = {};
  for (const h of m.internetMessageHeaders ?? []) {
    const k = (h.name ?? '').toLowerCase();
    if (KEPT.has(k) && h.value != null) headers[k] = headers[k] ? `${headers[k]}, ${h.value}` : h.value;
  }
  // Our draft key on a message the owner sent: the core marks that proposal sent.
  const key = (m.singleValueExtendedProperties ?? []).find((p) => (p.id ?? '').toLowerCase() === DRAFT_KEY_PROPERTY.toLowerCase())?.value;
  if (key) headers['x-offerwatch-draft-key'] = key;
  const raw = m.body?.content ?? '';
  let text = m.body?.contentType === 'html' ? htmlToPlainText(raw) : raw.replace(/\r\n?/g, '\n');
  if (text.length > DEFAULT_MAX_TEXT_CHARS) text = text.slice(0, DEFAULT_MAX_TEXT_CHARS);
  const role = roleOf(m, folderRoles);
  const date = (role === 'sent' ? m.sentDateTime ?? m.receivedDateTime : m.receivedDateTime ?? m.sentDateTime) ?? new Date(0).toISOString();
  const refs = ids(headers['references']);
  const hash = createHash('sha256')
    .update(JSON.stringify([m.id, m.internetMessageId, m.subject, raw, m.from, m.toRecipients, m.ccRecipients, date, labels]))
    .digest('hex');
  return {
    id: m.id ?? '',
    threadId: m.conversationId ?? null,
    messageId: m.internetMessageId ?? null,
    inReplyTo: ids(headers['in-reply-to'])[0] ?? null,
    references: refs,
    date: new Date(date).toISOString(),
    from: addressOf(m.from) ?? addressOf(m.sender),
    replyTo: addresses(m.replyTo),
    to: addresses(m.toRecipients),
    cc: addresses(m.ccRecipients),
    subject: m.subject ?? '',
    text,
    newText: extractNewText(text),
    headers,
    labels,
    attachments: (m.attachments ?? []).map((a) => a.name ?? '').filter(Boolean),
    contentHash: hash,
    role,
  };
}
