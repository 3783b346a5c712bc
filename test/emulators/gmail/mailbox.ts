/**
 * The emulator's mailbox state: messages, threads, labels, drafts and a history log
 * with a monotonic historyId and a retention floor (older start ids answer 404).
 * Shapes are Gmail's own (gmail_v1 schema types).
 */
import type { gmail_v1 } from 'googleapis';
import { headerValue, indexRaw, type EmuHeader } from './mime.js';
import { matches, mentionsSpamOrTrash, normalise, parseQuery, type Searchable } from './search.js';

type Message = gmail_v1.Schema$Message;
type History = gmail_v1.Schema$History;
type Label = gmail_v1.Schema$Label;

export const SYSTEM_LABELS = [
  'INBOX',
  'SENT',
  'DRAFT',
  'SPAM',
  'TRASH',
  'UNREAD',
  'STARRED',
  'IMPORTANT',
  'CHAT',
  'CATEGORY_PERSONAL',
  'CATEGORY_SOCIAL',
  'CATEGORY_PROMOTIONS',
  'CATEGORY_UPDATES',
  'CATEGORY_FORUMS',
] as const;

/** Takeout's X-Gmail-Labels names → Gmail system label ids (null: no label). */
const TAKEOUT_NAMES: Record<string, string | null> = {
  inbox: 'INBOX',
  sent: 'SENT',
  spam: 'SPAM',
  trash: 'TRASH',
  unread: 'UNREAD',
  opened: null,
  archived: null,
  important: 'IMPORTANT',
  starred: 'STARRED',
  drafts: 'DRAFT',
  draft: 'DRAFT',
  chat: 'CHAT',
};

export interface StoredMessage {
  id: string;
  threadId: string;
  labelIds: Set<string>;
  raw: Buffer;
  internalDate: number;
  historyId: number;
  headers: EmuHeader[];
  snippet: string;
  search: Searchable;
}

export interface AddMessageOptions {
  /** Put the message in this thread (it is created when missing). */
  threadId?: string;
  /** Label ids, or names of user labels (created when missing). Default: INBOX + UNREAD. */
  labels?: string[];
  /** Takeout-style `X-Gmail-Labels` value; used when `labels` is absent. */
  takeoutLabels?: string;
  internalDate?: number;
  id?: string;
}

export class Mailbox {
  readonly owner: string;
  private readonly nowMs: () => number;
  historyId: number;
  /** Records at or below this id are gone; a start id below it answers 404. */
  historyFloor: number;
  private readonly records: History[] = [];
  readonly messages = new Map<string, StoredMessage>();
  readonly threads = new Map<string, string[]>();
  readonly labels = new Map<string, Label>();
  /** draft id → message id */
  readonly drafts = new Map<string, string>();
  private seq = 0;
  private userLabelSeq = 0;
  private draftSeq = 0;
  private version = 0;
  private readonly listCache = new Map<string, StoredMessage[]>();
  private sorted: StoredMessage[] | null = null;

  constructor(opts: { owner: string; nowMs?: () => number; startHistoryId?: number }) {
    this.owner = opts.owner.toLowerCase();
    this.nowMs = opts.nowMs ?? (() => Date.now());
    this.historyId = opts.startHistoryId ?? 100_000;
    this.historyFloor = this.historyId;
    for (const id of SYSTEM_LABELS) {
      this.labels.set(id, { id, name: id, type: 'system' });
    }
  }

  now(): number {
    return this.nowMs();
  }

  private touch(): void {
    this.version++;
    this.listCache.clear();
    this.sorted = null;
  }

  private newMessageId(dateMs: number): string {
    const seq = BigInt(this.seq++ & 0xfffff);
    let id = ((BigInt(Math.max(0, Math.floor(dateMs))) << 20n) | seq).toString(16);
    while (this.messages.has(id)) id = ((BigInt(dateMs) << 20n) | BigInt(this.seq++ & 0xfffff)).toString(16);
    return id;
  }

  /** Finds or creates a user label by name; returns its id. */
  ensureLabel(name: string): string {
    if (this.labels.has(name)) return name;
    for (const l of this.labels.values()) if (l.name === name) return l.id!;
    const id = `Label_${++this.userLabelSeq}`;
    this.labels.set(id, {
      id,
      name,
      type: 'user',
      labelListVisibility: 'labelShow',
      messageListVisibility: 'show',
    });
    return id;
  }

  private takeoutToLabelIds(value: string): string[] {
    const out: string[] = [];
    for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
      const lower = part.toLowerCase();
      if (lower in TAKEOUT_NAMES) {
        const id = TAKEOUT_NAMES[lower];
        if (id) out.push(id);
      } else if (lower.startsWith('category ')) {
        out.push(`CATEGORY_${part.slice(9).trim().toUpperCase()}`);
      } else {
        out.push(this.ensureLabel(part));
      }
    }
    return out;
  }

  private threadFor(headers: EmuHeader[]): string | null {
    const thrid = headerValue(headers, 'X-GM-THRID');
    if (thrid && /^\d+$/.test(thrid)) {
      const hex = BigInt(thrid).toString(16);
      return hex;
    }
    const refs = `${headerValue(headers, 'In-Reply-To') ?? ''} ${headerValue(headers, 'References') ?? ''}`;
    const ids = refs.match(/<[^>]+>/g) ?? [];
    if (ids.length === 0) return null;
    const wanted = new Set(ids.map((s) => s.toLowerCase()));
    for (const m of this.messages.values()) {
      if (m.search.messageIdHeader && wanted.has(m.search.messageIdHeader.toLowerCase())) return m.threadId;
    }
    return null;
  }

  private labelKeys(ids: Set<string>): Set<string> {
    const out = new Set<string>();
    for (const id of ids) {
      out.add(id.toLowerCase());
      const name = this.labels.get(id)?.name;
      if (name) out.add(name.toLowerCase());
    }
    return out;
  }

  private record(rec: Omit<History, 'id'>): number {
    this.historyId += 1;
    this.records.push({ id: String(this.historyId), ...rec });
    return this.historyId;
  }

  /**
   * Adds a message. With `recordHistory` (the default for runtime additions) a
   * messageAdded record is written and the mailbox historyId moves on.
   */
  async add(raw: Buffer, opts: AddMessageOptions = {}, recordHistory = true): Promise<StoredMessage> {
    const idx = await indexRaw(raw);
    const internalDate = opts.internalDate ?? idx.dateMs ?? this.nowMs();
    const threadGuess = opts.threadId ?? this.threadFor(idx.headers);
    let id = opts.id;
    if (!id) {
      // Gmail's thread id is the id of the thread's first message.
      id = threadGuess && !this.threads.has(threadGuess) && !this.messages.has(threadGuess) ? threadGuess : this.newMessageId(internalDate);
    }
    const threadId = threadGuess ?? id;
    let labelIds: string[];
    if (opts.labels) labelIds = opts.labels.map((l) => (this.labels.has(l) ? l : this.ensureLabel(l)));
    else if (opts.takeoutLabels !== undefined) labelIds = this.takeoutToLabelIds(opts.takeoutLabels);
    else {
      const tk = headerValue(idx.headers, 'X-Gmail-Labels');
      labelIds = tk !== null ? this.takeoutToLabelIds(tk) : ['INBOX', 'UNREAD'];
    }
    const fromText = idx.from ? `${idx.from.name} ${idx.from.address}` : '';
    const labelSet = new Set(labelIds);
    const msg: StoredMessage = {
      id,
      threadId,
      labelIds: labelSet,
      raw,
      internalDate,
      historyId: this.historyId,
      headers: idx.headers,
      snippet: idx.snippet,
      search: {
        fromText: idx.from?.name ?? '',
        fromAddress: idx.from?.address ?? '',
        recipients: idx.recipients,
        subjectNorm: normalise(idx.subject),
        allNorm: normalise(
          [idx.subject, fromText, ...idx.recipients.map((r) => `${r.name} ${r.address}`), idx.text, ...idx.attachmentNames].join('\n'),
        ),
        dateMs: internalDate,
        labels: new Set(),
        messageIdHeader: idx.messageIdHeader,
        hasAttachment: idx.attachmentNames.length > 0,
      },
    };
    msg.search.labels = this.labelKeys(labelSet);
    this.messages.set(id, msg);
    const list = this.threads.get(threadId) ?? [];
    list.push(id);
    this.threads.set(threadId, list);
    if (recordHistory) {
      msg.historyId = this.record({
        messages: [{ id, threadId }],
        messagesAdded: [{ message: { id, threadId, labelIds: [...labelSet] } }],
      });
    }
    this.touch();
    return msg;
  }

  /** Adds or removes labels on every message of a thread, writing history records. */
  modifyThread(threadId: string, add: string[], remove: string[]): void {
    for (const mid of this.threads.get(threadId) ?? []) {
      const m = this.messages.get(mid)!;
      const added = add.filter((l) => !m.labelIds.has(l));
      const removed = remove.filter((l) => m.labelIds.has(l));
      for (const l of added) m.labelIds.add(l);
      for (const l of removed) m.labelIds.delete(l);
      m.search.labels = this.labelKeys(m.labelIds);
      const ref = { id: m.id, threadId: m.threadId, labelIds: [...m.labelIds] };
      if (added.length) m.historyId = this.record({ messages: [{ id: m.id, threadId }], labelsAdded: [{ message: ref, labelIds: added }] });
      if (removed.length) m.historyId = this.record({ messages: [{ id: m.id, threadId }], labelsRemoved: [{ message: ref, labelIds: removed }] });
    }
    this.touch();
  }

  async createDraft(raw: Buffer, threadId: string | null): Promise<{ draftId: string; message: StoredMessage }> {
    const message = await this.add(raw, { threadId: threadId && this.threads.has(threadId) ? threadId : undefined, labels: ['DRAFT'], internalDate: this.nowMs() });
    const draftId = `r${(++this.draftSeq).toString().padStart(6, '0')}${message.id.slice(-6)}`;
    this.drafts.set(draftId, message.id);
    return { draftId, message };
  }

  /** Owner edits a draft in the Gmail UI: its message content changes, its id stays. */
  async editDraftAsOwner(draftId: string, raw: Buffer): Promise<void> {
    const mid = this.drafts.get(draftId);
    if (!mid) throw new Error(`no draft ${draftId}`);
    const old = this.messages.get(mid)!;
    const idx = await indexRaw(raw);
    old.raw = raw;
    old.headers = idx.headers;
    old.snippet = idx.snippet;
    this.touch();
  }

  /** Drops every history record: any earlier start id now answers 404. */
  expireHistory(): void {
    this.historyFloor = this.historyId;
    this.records.length = 0;
  }

  historySince(start: number, types: string[] | null, labelId: string | null): History[] {
    const out: History[] = [];
    for (const r of this.records) {
      if (Number(r.id) <= start) continue;
      const kinds = [
        r.messagesAdded?.length ? 'messageAdded' : null,
        r.messagesDeleted?.length ? 'messageDeleted' : null,
        r.labelsAdded?.length ? 'labelAdded' : null,
        r.labelsRemoved?.length ? 'labelRemoved' : null,
      ].filter((k): k is string => k !== null);
      if (types && types.length > 0 && !kinds.some((k) => types.includes(k))) continue;
      if (labelId) {
        const ids = (r.messages ?? []).map((m) => this.messages.get(m.id!)?.labelIds);
        if (!ids.some((s) => s?.has(labelId))) continue;
      }
      out.push(r);
    }
    return out;
  }

  /** Messages newest first, as messages.list orders them. */
  private sortedMessages(): StoredMessage[] {
    if (!this.sorted) {
      this.sorted = [...this.messages.values()].sort((a, b) => b.internalDate - a.internalDate || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    }
    return this.sorted;
  }

  search(q: string, labelIds: string[], includeSpamTrash: boolean): StoredMessage[] {
    const key = `${q}\u0000${labelIds.join(',')}\u0000${includeSpamTrash}\u0000${this.version}`;
    const hit = this.listCache.get(key);
    if (hit) return hit;
    const node = parseQuery(q);
    const allowSpamTrash = includeSpamTrash || mentionsSpamOrTrash(node);
    const now = this.nowMs();
    const out = this.sortedMessages().filter((m) => {
      if (!allowSpamTrash && (m.labelIds.has('SPAM') || m.labelIds.has('TRASH'))) return false;
      if (labelIds.some((l) => !m.labelIds.has(l))) return false;
      return matches(node, m.search, now);
    });
    this.listCache.set(key, out);
    return out;
  }

  toGmail(m: StoredMessage, format: string, metadataHeaders: string[]): Message {
    const base: Message = {
      id: m.id,
      threadId: m.threadId,
      labelIds: [...m.labelIds],
      snippet: m.snippet,
      historyId: String(m.historyId),
      internalDate: String(m.internalDate),
      sizeEstimate: m.raw.length,
    };
    if (format === 'minimal') return base;
    if (format === 'raw') return { ...base, raw: m.raw.toString('base64url') };
    const wanted = metadataHeaders.map((h) => h.toLowerCase());
    const headers = format === 'metadata' && wanted.length > 0 ? m.headers.filter((h) => wanted.includes(h.name.toLowerCase())) : m.headers;
    const ct = headerValue(m.headers, 'Content-Type') ?? 'text/plain';
    const payload: gmail_v1.Schema$MessagePart = { partId: '', mimeType: ct.split(';')[0].trim().toLowerCase(), filename: '', headers };
    if (format === 'full') {
      const s = m.raw.toString('latin1');
      const sep = /\r?\n\r?\n/.exec(s);
      const body = sep ? m.raw.subarray(sep.index + sep[0].length) : Buffer.alloc(0);
      payload.body = { size: body.length, data: body.toString('base64url') };
    }
    return { ...base, payload };
  }

  profile(): gmail_v1.Schema$Profile {
    return {
      emailAddress: this.owner,
      messagesTotal: this.messages.size,
      threadsTotal: this.threads.size,
      historyId: String(this.historyId),
    };
  }

  threadHistoryId(threadId: string): number {
    let max = 0;
    for (const id of this.threads.get(threadId) ?? []) max = Math.max(max, this.messages.get(id)!.historyId);
    return max;
  }
}
