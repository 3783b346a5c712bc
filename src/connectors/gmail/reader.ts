/**
 * Gmail sync (MailReader).
 *
 * First run: the mailbox historyId is taken first (getProfile), then a scoped backfill:
 * messages.list with the candidate query, every page; each new thread costs one
 * threads.get (minimal: ids and labels) plus one messages.get (raw) per message.
 * Batches carry resumable cursors; the last one switches to incremental.
 *
 * Later runs: history.list (messageAdded) from the stored historyId; an idle mailbox is
 * one request. New messages in tracked threads are fetched raw. For the rest, the
 * server-side candidate query (one messages.list) narrows them when there are more
 * than a handful, then messages.get metadata + filter.isCandidate decides, and only
 * candidate threads are fetched. A 404 on the stored historyId means one scoped resync.
 */
import type { gmail_v1 } from 'googleapis/build/src/apis/gmail/v1.js';
import type { MailMessage, MessageFailure } from '../../model/types.js';
import type { MailReader, SyncBatch, SyncOptions } from '../port.js';
import { isOfferwatchError } from '../../errors.js';
import type { GmailSourceConfig } from './config.js';
import type { GmailHttp } from './http.js';
import type { LabelCache } from './labels.js';
import { decodeCursor, encodeCursor, type BackfillCursor, type IncrementalCursor } from './cursor.js';
import { afterDate, buildCandidateQueries } from './query.js';
import { fromRaw, toMeta } from './convert.js';

/** Threads per backfill batch: a killed run loses at most this much work. */
export const THREADS_PER_BATCH = 25;
/** Messages per incremental batch. */
const MESSAGES_PER_BATCH = 100;
/** Gmail's largest page for messages.list and history.list. */
export const LIST_PAGE = 500;
const SKIP_LABELS = ['DRAFT', 'SPAM', 'TRASH'];

export interface ReaderDeps {
  api: gmail_v1.Gmail;
  http: GmailHttp;
  labels: LabelCache;
  cfg: GmailSourceConfig;
  log: (line: string) => void;
  /** Results per list page (default LIST_PAGE). */
  pageSize?: number;
}

interface Added {
  id: string;
  threadId: string;
  labelIds: string[];
}

class Collector {
  messages: MailMessage[] = [];
  failures: MessageFailure[] = [];
  get size(): number {
    return this.messages.length + this.failures.length;
  }
  take(cursor: string): SyncBatch {
    const b = { messages: this.messages, failures: this.failures, cursor };
    this.messages = [];
    this.failures = [];
    return b;
  }
}

const skip = (labelIds: readonly string[] | null | undefined) => (labelIds ?? []).some((l) => SKIP_LABELS.includes(l));

export class GmailReader implements MailReader {
  private readonly action: string;

  constructor(private readonly d: ReaderDeps) {
    this.action = `sync gmail account ${d.cfg.name}`;
  }

  /** Days the first run (and a resync) looks back: the filter's window, narrowed by the source's. */
  private lookbackDays(opts: SyncOptions): number {
    return Math.min(opts.filter.lookbackDays, this.d.cfg.lookbackDays ?? Infinity);
  }

  async *sync(cursor: string | null, opts: SyncOptions): AsyncGenerator<SyncBatch> {
    if (opts.signal?.aborted) return;
    const state = decodeCursor(cursor);
    if (state === 'invalid') {
      this.d.log(`gmail ${this.d.cfg.name}: the stored cursor is not one this version wrote; resyncing within ${this.lookbackDays(opts)} days`);
    }
    if (state !== null && state !== 'invalid' && state.phase === 'incremental') {
      try {
        yield* this.incremental(state, opts);
        return;
      } catch (e) {
        if (!isOfferwatchError(e, 'ECURSOR')) throw e;
        this.d.log(`gmail ${this.d.cfg.name}: history from ${state.historyId} has expired; resyncing within ${this.lookbackDays(opts)} days`);
      }
    }
    yield* this.backfill(state !== null && state !== 'invalid' && state.phase === 'backfill' ? state : null, opts);
  }

  private call<T>(method: Parameters<GmailHttp['call']>[0], run: () => Promise<{ data: T }>): Promise<T> {
    return this.d.http.call(method, this.action, run);
  }

  private async fetchMessage(id: string, out: Collector): Promise<void> {
    let m: gmail_v1.Schema$Message;
    try {
      m = await this.call('messages.get', () => this.d.api.users.messages.get({ userId: 'me', id, format: 'raw' }));
    } catch (e) {
      if (isOfferwatchError(e, 'ENOTFOUND')) return; // deleted since it was listed
      throw e;
    }
    if (skip(m.labelIds)) return;
    const converted = await fromRaw(m, await this.d.labels.place(m.labelIds ?? []));
    if (converted.ok) out.messages.push(converted.message);
    else out.failures.push(converted.failure);
  }

  /** Every message of a thread: threads.get (minimal) for ids, then raw per message. */
  private async fetchThread(threadId: string, out: Collector): Promise<void> {
    let t: gmail_v1.Schema$Thread;
    try {
      t = await this.call('threads.get', () => this.d.api.users.threads.get({ userId: 'me', id: threadId, format: 'minimal' }));
    } catch (e) {
      if (isOfferwatchError(e, 'ENOTFOUND')) return;
      throw e;
    }
    for (const m of t.messages ?? []) {
      if (m.id && !skip(m.labelIds)) await this.fetchMessage(m.id, out);
    }
  }

  private async *backfill(resume: BackfillCursor | null, opts: SyncOptions): AsyncGenerator<SyncBatch> {
    let c: BackfillCursor;
    if (resume) {
      c = { ...resume, fetched: [...resume.fetched] };
    } else {
      const profile = await this.call('getProfile', () => this.d.api.users.getProfile({ userId: 'me' }));
      const bound = afterDate(opts.now.getTime() - this.lookbackDays(opts) * 86_400_000);
      c = {
        v: 1,
        phase: 'backfill',
        historyId: profile.historyId ?? '0',
        queries: buildCandidateQueries(opts.filter, bound),
        qi: 0,
        pageToken: null,
        fetched: [],
        startedAt: Math.floor(opts.now.getTime() / 1000),
      };
    }
    const fetched = new Set(c.fetched);
    const out = new Collector();
    while (c.qi < c.queries.length) {
      if (opts.signal?.aborted) return;
      const page: gmail_v1.Schema$ListMessagesResponse = await this.call('messages.list', () =>
        this.d.api.users.messages.list({ userId: 'me', q: c.queries[c.qi], maxResults: this.d.pageSize ?? LIST_PAGE, pageToken: c.pageToken ?? undefined }),
      );
      const threads = [...new Set((page.messages ?? []).map((m) => m.threadId).filter((t): t is string => !!t && !fetched.has(t)))];
      for (let i = 0; i < threads.length; i += THREADS_PER_BATCH) {
        for (const tid of threads.slice(i, i + THREADS_PER_BATCH)) {
          if (opts.signal?.aborted) return;
          await this.fetchThread(tid, out);
          fetched.add(tid);
        }
        opts.onProgress?.({ done: fetched.size, total: null });
        yield out.take(encodeCursor({ ...c, fetched: [...fetched] }));
      }
      if (page.nextPageToken) c = { ...c, pageToken: page.nextPageToken };
      else c = { ...c, qi: c.qi + 1, pageToken: null };
    }
    const done: IncrementalCursor = { v: 1, phase: 'incremental', historyId: c.historyId, checkedAt: c.startedAt };
    yield out.take(encodeCursor(done));
  }

  /** Message ids the candidate queries find: the cheap server-side prefilter. */
  private async searchIds(queries: string[]): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const q of queries) {
      let pageToken: string | undefined;
      do {
        const page: gmail_v1.Schema$ListMessagesResponse = await this.call('messages.list', () =>
          this.d.api.users.messages.list({ userId: 'me', q, maxResults: this.d.pageSize ?? LIST_PAGE, pageToken }),
        );
        for (const m of page.messages ?? []) if (m.id) ids.add(m.id);
        pageToken = page.nextPageToken ?? undefined;
      } while (pageToken);
    }
    return ids;
  }

  private async *incremental(state: IncrementalCursor, opts: SyncOptions): AsyncGenerator<SyncBatch> {
    const added = new Map<string, Added>();
    let historyId = state.historyId;
    let pageToken: string | undefined;
    do {
      const res: gmail_v1.Schema$ListHistoryResponse = await this.call('history.list', () =>
        this.d.api.users.history.list({ userId: 'me', startHistoryId: state.historyId, historyTypes: ['messageAdded'], maxResults: this.d.pageSize ?? LIST_PAGE, pageToken }),
      );
      for (const h of res.history ?? []) {
        for (const a of h.messagesAdded ?? []) {
          const m = a.message;
          if (m?.id && m.threadId) added.set(m.id, { id: m.id, threadId: m.threadId, labelIds: m.labelIds ?? [] });
        }
      }
      if (res.historyId) historyId = res.historyId;
      pageToken = res.nextPageToken ?? undefined;
    } while (pageToken);

    const checkedAt = Math.floor(opts.now.getTime() / 1000);
    const finalCursor = encodeCursor({ v: 1, phase: 'incremental', historyId, checkedAt });
    const holdCursor = encodeCursor(state);
    const fresh = [...added.values()].filter((m) => !skip(m.labelIds));
    const tracked = fresh.filter((m) => opts.trackedThreadIds.has(m.threadId));
    const untracked = fresh.filter((m) => !opts.trackedThreadIds.has(m.threadId));

    // Which untracked messages deserve a look at their metadata.
    // Metadata costs one messages.get each; the prefilter one messages.list per query.
    let toCheck = untracked;
    const prefilter = buildCandidateQueries(opts.filter, afterDate(state.checkedAt * 1000));
    if (untracked.length > prefilter.length) {
      const hits = await this.searchIds(prefilter);
      toCheck = untracked.filter((m) => hits.has(m.id));
    }
    const candidateThreads = new Set<string>();
    for (const m of toCheck) {
      if (candidateThreads.has(m.threadId)) continue;
      if (opts.signal?.aborted) return;
      let meta: gmail_v1.Schema$Message;
      try {
        meta = await this.call('messages.get', () =>
          this.d.api.users.messages.get({ userId: 'me', id: m.id, format: 'metadata', metadataHeaders: ['From', 'Subject'] }),
        );
      } catch (e) {
        if (isOfferwatchError(e, 'ENOTFOUND')) continue;
        throw e;
      }
      if (opts.filter.isCandidate(toMeta(meta, await this.d.labels.place(meta.labelIds ?? [])))) candidateThreads.add(m.threadId);
    }

    // What to fetch: new messages of tracked threads; whole candidate threads, unless the
    // thread started inside this window (its first message's id is the thread id), in
    // which case its new messages are all of it.
    const messageIds: string[] = tracked.map((m) => m.id);
    const threadIds: string[] = [];
    for (const tid of candidateThreads) {
      const mine = untracked.filter((m) => m.threadId === tid);
      if (mine.some((m) => m.id === tid)) messageIds.push(...mine.map((m) => m.id));
      else threadIds.push(tid);
    }
    const total = messageIds.length + threadIds.length;
    let done = 0;
    const out = new Collector();
    for (const id of messageIds) {
      if (opts.signal?.aborted) return;
      await this.fetchMessage(id, out);
      opts.onProgress?.({ done: ++done, total });
      if (out.size >= MESSAGES_PER_BATCH) yield out.take(holdCursor);
    }
    for (const tid of threadIds) {
      if (opts.signal?.aborted) return;
      await this.fetchThread(tid, out);
      opts.onProgress?.({ done: ++done, total });
      if (out.size >= MESSAGES_PER_BATCH) yield out.take(holdCursor);
    }
    yield out.take(finalCursor);
  }
}
