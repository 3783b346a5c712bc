/**
 * The emulator's mailbox: Graph message JSON (typed with microsoft-graph-types) in well-known
 * folders, a change sequence for delta queries, and a log of removals. Mailboxes are built
 * from the repo's own mbox files, parsed with mailparser (not the code under test).
 */
import { createHash } from 'node:crypto';
import type { Message, Recipient } from '@microsoft/microsoft-graph-types';
import { simpleParser, type ParsedAddress } from '../../helpers/mailparser.js';

export const FOLDERS = ['inbox', 'sentitems', 'drafts', 'junkemail', 'deleteditems', 'archive'] as const;
export type FolderName = (typeof FOLDERS)[number];

export interface StoredMessage {
  msg: Message & { attachments?: Array<{ name: string; contentType: string }> };
  folder: FolderName;
  /** Sequence number of the last change (create, update, move). */
  seq: number;
  /** Text body, and an HTML rendering of it (what Graph serves without the text preference). */
  text: string;
  props: Map<string, string>;
}

function folderId(name: FolderName): string {
  return `AAMkFolder-${name}-${createHash('sha256').update(name).digest('base64url').slice(0, 12)}=`;
}

function recipients(a: ParsedAddress | ParsedAddress[] | undefined): Recipient[] {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list.flatMap((x) => x.value).filter((v) => v.address).map((v) => ({ emailAddress: { address: v.address!, name: v.name || v.address! } }));
}

export function htmlOf(text: string): string {
  const esc = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<html><body><div>${esc.split('\n').join('<br>')}</div></body></html>`;
}

export interface AddOptions {
  folder?: FolderName;
  conversationId?: string;
}

export class GraphMailbox {
  readonly folderIds = new Map<FolderName, string>(FOLDERS.map((f) => [f, folderId(f)]));
  readonly messages = new Map<string, StoredMessage>();
  /** Removed from a folder (deleted or moved out) at `seq`. */
  readonly removals: Array<{ id: string; folder: FolderName; seq: number }> = [];
  seq = 0;
  private counter = 0;
  private readonly convByMessageId = new Map<string, string>();

  constructor(readonly owner: string) {}

  folderOfId(id: string): FolderName | null {
    for (const [k, v] of this.folderIds) if (v === id || k === id.toLowerCase()) return k;
    return null;
  }

  newId(seed: string): string {
    this.counter++;
    return `AAMkAD${createHash('sha256').update(`${seed}#${this.counter}`).digest('base64').replace(/\//g, '-').replace(/\+/g, '_').slice(0, 38)}=`;
  }

  /** Adds a message as Graph JSON; returns its id. */
  put(msg: StoredMessage["msg"], text: string, folder: FolderName): string {
    const id = msg.id ?? this.newId(msg.internetMessageId ?? msg.subject ?? '');
    this.seq++;
    const now = msg.lastModifiedDateTime ?? msg.receivedDateTime ?? new Date(0).toISOString();
    this.messages.set(id, {
      msg: { ...msg, id, parentFolderId: this.folderIds.get(folder), createdDateTime: msg.createdDateTime ?? now, lastModifiedDateTime: now, changeKey: `CQ${this.seq}` },
      folder,
      seq: this.seq,
      text,
      props: new Map(),
    });
    return id;
  }

  /** Parses one RFC 5322 message and files it (Sent Items when the owner wrote it). */
  async addRaw(raw: Buffer | string, opts: AddOptions = {}): Promise<string> {
    const p = (await simpleParser(raw)) as Awaited<ReturnType<typeof simpleParser>> & {
      date?: Date;
      cc?: ParsedAddress;
      replyTo?: ParsedAddress;
      html?: string | false;
      attachments?: Array<{ filename?: string; contentType: string }>;
    };
    const labels = String(p.headers.get('x-gmail-labels') ?? '');
    const from = p.from?.value[0];
    const mine = from?.address?.toLowerCase() === this.owner;
    const folder: FolderName = opts.folder ?? (/\bdrafts?\b/i.test(labels) ? 'drafts' : /\bspam\b/i.test(labels) ? 'junkemail' : /\btrash\b/i.test(labels) ? 'deleteditems' : mine || /\bsent\b/i.test(labels) ? 'sentitems' : 'inbox');
    const refs = Array.isArray(p.references) ? p.references : p.references ? p.references.split(/\s+/) : [];
    const root = String(p.headers.get('x-gm-thrid') ?? '') || refs[0] || p.inReplyTo || p.messageId || `${p.subject}`;
    const conv = opts.conversationId ?? this.convByMessageId.get(root) ?? `AAQkAD${createHash('sha256').update(root).digest('base64url').slice(0, 30)}=`;
    this.convByMessageId.set(root, conv);
    const date = (p.date ?? new Date(0)).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const headers = [...p.headers.keys()]
      .filter((k) => ['in-reply-to', 'references', 'list-unsubscribe', 'list-id', 'auto-submitted', 'precedence', 'message-id', 'reply-to', 'x-auto-response-suppress'].includes(k))
      .map((k) => ({ name: k.replace(/(^|-)(\w)/g, (_m, a: string, b: string) => a + b.toUpperCase()), value: headerText(p.headers.get(k)) }));
    if (p.inReplyTo && !headers.some((h) => h.name === 'In-Reply-To')) headers.push({ name: 'In-Reply-To', value: p.inReplyTo });
    if (refs.length && !headers.some((h) => h.name === 'References')) headers.push({ name: 'References', value: refs.join(' ') });
    const text = p.text ?? '';
    const msg: Message & { attachments?: Array<{ name: string; contentType: string }> } = {
      internetMessageId: p.messageId ?? null,
      conversationId: conv,
      subject: p.subject ?? '',
      bodyPreview: text.replace(/\s+/g, ' ').trim().slice(0, 255),
      from: recipients(p.from)[0] ?? null,
      sender: recipients(p.from)[0] ?? null,
      toRecipients: recipients(p.to),
      ccRecipients: recipients(p.cc),
      replyTo: recipients(p.replyTo),
      receivedDateTime: date,
      sentDateTime: date,
      isDraft: folder === 'drafts',
      isRead: true,
      categories: [],
      flag: { flagStatus: 'notFlagged' },
      hasAttachments: (p.attachments ?? []).length > 0,
      internetMessageHeaders: headers,
      attachments: (p.attachments ?? []).map((a) => ({ name: a.filename ?? 'attachment', contentType: a.contentType })),
    };
    return this.put(msg, text, folder);
  }

  /** Applies a change to a message (bumps its sequence, so delta reports it). */
  touch(id: string, change: (s: StoredMessage) => void, at?: string): StoredMessage {
    const s = this.messages.get(id);
    if (!s) throw new Error(`no message ${id}`);
    change(s);
    this.seq++;
    s.seq = this.seq;
    s.msg.changeKey = `CQ${this.seq}`;
    if (at) s.msg.lastModifiedDateTime = at;
    return s;
  }

  move(id: string, to: FolderName): void {
    const s = this.messages.get(id);
    if (!s || s.folder === to) return;
    this.seq++;
    this.removals.push({ id, folder: s.folder, seq: this.seq });
    s.folder = to;
    s.msg.parentFolderId = this.folderIds.get(to);
    s.seq = this.seq;
  }

  remove(id: string): void {
    const s = this.messages.get(id);
    if (!s) return;
    this.seq++;
    this.removals.push({ id, folder: s.folder, seq: this.seq });
    this.messages.delete(id);
  }

  inFolder(folder: FolderName): StoredMessage[] {
    return [...this.messages.values()].filter((s) => s.folder === folder);
  }

  drafts(): StoredMessage[] {
    return this.inFolder('drafts');
  }
}

function headerText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'text' in v) return String((v as { text: unknown }).text);
  if (v && typeof v === 'object' && 'value' in v) return String((v as { value: unknown }).value);
  return String(v ?? '');
}

/** Splits an mboxrd file into raw messages. */
export function splitMbox(buf: Buffer): Buffer[] {
  const s = buf.toString('latin1');
  const out: Buffer[] = [];
  const starts: number[] = [];
  const re = /(^|\n)From [^\n]*\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) starts.push(m.index + m[1]!.length, m.index + m[0].length);
  for (let i = 0; i < starts.length; i += 2) {
    const end = i + 2 < starts.length ? starts[i + 2]! : s.length;
    let text = s.slice(starts[i + 1]!, end);
    if (text.endsWith('\n\n')) text = text.slice(0, -1);
    out.push(Buffer.from(text.replace(/^>(>*From )/gm, '$1'), 'latin1'));
  }
  return out;
}
