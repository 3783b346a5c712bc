/**
 * Outlook sync (MailReader) over Graph delta queries on Inbox and Sent Items.
 *
 * Every round asks both folders at once in one JSON `$batch` (an idle poll is one HTTP
 * request): the first run starts a delta round limited to the look-back window
 * (`$filter=receivedDateTime ge …`, the only filter Graph's message delta accepts), later
 * runs continue from each folder's stored deltaLink. Pages carry metadata only (`$select`);
 * the candidate filter runs on it, and bodies are fetched (as text, in batches of 20) only
 * for candidates — a candidate's whole conversation (`$filter=conversationId eq …`) — and
 * for messages of conversations already tracked. Each page is one SyncBatch whose cursor
 * holds the folder's nextLink (resume mid-round) or, at the end of the round, its deltaLink.
 * An expired or invalid delta token (410, SyncStateNotFound, resyncRequired) means one
 * scoped resync within the look-back window; the store deduplicates what comes again.
 */
import type { MailMessage, MessageFailure } from '../../model/types.js';
import type { MailboxRole, MailReader, SyncBatch, SyncOptions } from '../port.js';
import { OfferwatchError, isOfferwatchError } from '../../errors.js';
import type { OutlookSourceConfig } from './config.js';
import type { GraphApi, SubRequest, SubResponse } from './graph.js';
import { decodeCursor, encodeCursor, SYNC_FOLDERS, type OutlookCursor, type SyncFolder } from './cursor.js';
import { odataString } from './props.js';
import { FULL_QUERY, META_FIELDS, toMailMessage, toMeta, type GraphMessage } from './convert.js';

/** Messages per delta page we ask for (`Prefer: odata.maxpagesize`); Graph may send fewer. */
export const PAGE_SIZE = 200;

/** Graph's well-known folder names → our roles. */
const WELL_KNOWN: ReadonlyArray<readonly [string, MailboxRole]> = [
  ['inbox', 'inbox'],
  ['sentitems', 'sent'],
  ['drafts', 'drafts'],
  ['junkemail', 'junk'],
  ['deleteditems', 'trash'],
  ['archive', 'archive'],
];
/** Messages in these places are not part of a conversation offerwatch reads. */
const SKIP_ROLES = new Set<MailboxRole>(['drafts', 'junk', 'trash']);

interface Page {
  value?: GraphMessage[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

export interface ReaderDeps {
  graph: GraphApi;
  cfg: OutlookSourceConfig;
  log: (line: string) => void;
  pageSize?: number;
  /** Bytes received so far, for progress. */
  bytes?: () => number;
  /** Categories offerwatch itself sets (reply due): not the owner's labels, and not a change. */
  ownCategories?: string[];
}

export class OutlookReader implements MailReader {
  private readonly action: string;
  private readonly prefer: string;

  constructor(private readonly d: ReaderDeps) {
    this.action = `sync outlook account ${d.cfg.name}`;
    this.prefer = `odata.maxpagesize=${d.pageSize ?? PAGE_SIZE}, outlook.body-content-type="text"`;
  }

  async *sync(cursor: string | null, opts: SyncOptions): AsyncGenerator<SyncBatch> {
    if (opts.signal?.aborted) return;
    let state = decodeCursor(cursor);
    if (state === 'invalid') {
      this.d.log(`outlook ${this.d.cfg.name}: the stored cursor is not one this version wrote; resyncing within ${this.days(opts)} days`);
      state = null;
    }
    try {
      yield* this.run(state ?? (await this.fresh(opts)), opts);
      return;
    } catch (e) {
      if (!isOfferwatchError(e, 'ECURSOR')) throw e;
      this.d.log(`outlook ${this.d.cfg.name}: the delta token has expired; resyncing within ${this.days(opts)} days`);
    }
    yield* this.run(await this.fresh(opts), opts);
  }

  /** A new cursor: the folder ids (one $batch) and the look-back window. */
  private async fresh(opts: SyncOptions): Promise<OutlookCursor> {
    const reqs: SubRequest[] = WELL_KNOWN.map(([name]) => ({ id: name, method: 'GET', url: `/me/mailFolders/${name}?$select=id` }));
    const res = await this.d.graph.batch<{ id?: string }>(this.action, reqs);
    const folderRoles: Record<string, MailboxRole> = {};
    for (const [name, role] of WELL_KNOWN) {
      const sub = res.get(name);
      if (sub?.status === 200 && sub.body?.id) folderRoles[sub.body.id] = role;
      else if (name === 'inbox' || name === 'sentitems') throw this.d.graph.itemError(`${this.action} (folder ${name})`, sub);
    }
    const days = this.days(opts);
    const since = new Date(opts.now.getTime() - days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { v: 1, folders: { inbox: { phase: 'initial', link: null }, sentitems: { phase: 'initial', link: null } }, folderRoles, since };
  }

  /** The rules' look-back window, narrowed by the source's own when it sets one. */
  private days(opts: SyncOptions): number {
    return Math.min(opts.filter.lookbackDays, this.d.cfg.lookbackDays ?? Infinity);
  }

  private urlOf(f: SyncFolder, c: OutlookCursor): string {
    const s = c.folders[f];
    if (s.phase !== 'initial' && s.link) return this.d.graph.relative(s.link);
    const filter = encodeURIComponent(`receivedDateTime ge ${c.since}`);
    return `/me/mailFolders/${f}/messages/delta?$select=${META_FIELDS.join(',')}&$filter=${filter}`;
  }

  private async *run(start: OutlookCursor, opts: SyncOptions): AsyncGenerator<SyncBatch> {
    const c: OutlookCursor = structuredClone(start);
    const roundDone = new Set<SyncFolder>();
    const delivered = new Set<string>();
    const conversations = new Set<string>();
    let seen = 0;
    while (roundDone.size < SYNC_FOLDERS.length) {
      if (opts.signal?.aborted) return;
      const todo = SYNC_FOLDERS.filter((f) => !roundDone.has(f));
      const res = await this.d.graph.batch<Page>(this.action, todo.map((f) => ({ id: f, method: 'GET', url: this.urlOf(f, c), headers: { Prefer: this.prefer } })));
      const entries: GraphMessage[] = [];
      const removed: string[] = [];
      for (const f of todo) {
        const sub = res.get(f);
        if (sub?.status !== 200 || !sub.body) throw this.d.graph.itemError(`${this.action} (${f})`, sub);
        const page = sub.body;
        for (const m of page.value ?? []) {
          if (!m.id) continue;
          if (m['@removed']) removed.push(m.id);
          else entries.push(m);
        }
        const next = page['@odata.nextLink'];
        const delta = page['@odata.deltaLink'];
        if (next) c.folders[f] = { phase: 'paging', link: this.d.graph.checkLink(next) };
        else if (delta) {
          c.folders[f] = { phase: 'delta', link: this.d.graph.checkLink(delta) };
          roundDone.add(f);
        } else throw new OfferwatchError('EPROVIDER', `cannot ${this.action}: graph answered a delta page without a nextLink or deltaLink`);
      }
      const got = await this.collect(entries, c, opts, delivered, conversations);
      seen += entries.length + removed.length;
      opts.onProgress?.({ done: seen, total: null, bytes: this.d.bytes?.() });
      yield { messages: got.messages, removed, failures: got.failures, cursor: encodeCursor(c) };
    }
  }

  /** Which changed messages to fetch in full, and fetching them. */
  private async collect(entries: GraphMessage[], c: OutlookCursor, opts: SyncOptions, delivered: Set<string>, conversations: Set<string>): Promise<{ messages: MailMessage[]; failures: MessageFailure[] }> {
    const byId: string[] = [];
    const whole: string[] = [];
    for (const m of entries) {
      const id = m.id!;
      if (m.isDraft || delivered.has(id) || byId.includes(id)) continue;
      const conv = m.conversationId ?? null;
      if (conv && (opts.trackedThreadIds.has(conv) || conversations.has(conv))) {
        byId.push(id);
        continue;
      }
      if (!opts.filter.isCandidate(toMeta(m, c.folderRoles, this.d.ownCategories))) continue;
      if (!conv) byId.push(id);
      else if (!whole.includes(conv)) whole.push(conv);
    }
    const reqs: SubRequest[] = [
      ...byId.map((id, i): SubRequest => ({ id: `m${i}`, method: 'GET', url: `/me/messages/${encodeURIComponent(id)}?${FULL_QUERY}`, headers: { Prefer: this.prefer } })),
      ...whole.map((conv, i): SubRequest => ({
        id: `c${i}`,
        method: 'GET',
        url: `/me/messages?$filter=${encodeURIComponent(`conversationId eq ${odataString(conv)}`)}&${FULL_QUERY}`,
        headers: { Prefer: this.prefer },
      })),
    ];
    const found = await this.fetchAll(reqs);
    for (const conv of whole) conversations.add(conv);
    const messages: MailMessage[] = [];
    const failures: MessageFailure[] = [];
    for (const m of found) {
      if (!m.id || delivered.has(m.id)) continue;
      const msg = toMailMessage(m, c.folderRoles, this.d.ownCategories);
      if (SKIP_ROLES.has(msg.role)) continue;
      delivered.add(m.id);
      if (!msg.date || Number.isNaN(Date.parse(msg.date))) failures.push({ ref: m.id, reason: 'graph returned a message without a date', contentHash: msg.contentHash });
      else messages.push(msg);
    }
    return { messages, failures };
  }

  /** Runs GETs in batches and follows every nextLink of collection answers. */
  private async fetchAll(reqs: SubRequest[]): Promise<GraphMessage[]> {
    const out: GraphMessage[] = [];
    let pending = reqs;
    let round = 0;
    while (pending.length > 0) {
      const res = await this.d.graph.batch<GraphMessage & Page>(this.action, pending);
      const next: SubRequest[] = [];
      for (const r of pending) {
        const sub: SubResponse<GraphMessage & Page> | undefined = res.get(r.id);
        if (sub?.status === 404) continue; // deleted since it was listed
        if (sub?.status !== 200 || !sub.body) throw this.d.graph.itemError(this.action, sub);
        if (Array.isArray(sub.body.value)) {
          out.push(...sub.body.value);
          const link = sub.body['@odata.nextLink'];
          if (link) next.push({ id: `${r.id}.${round}`, method: 'GET', url: this.d.graph.relative(this.d.graph.checkLink(link)), headers: r.headers });
        } else out.push(sub.body);
      }
      pending = next;
      round++;
    }
    return out;
  }
}
