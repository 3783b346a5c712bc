/**
 * The connector port: what the cycle needs from a mailbox, split by capability
 * (read, write drafts, mark attention) so that a backend offers only what it can.
 * A connector that lacks a capability leaves it undefined; callers say so
 * ("cannot save draft: source demo is read-only") instead of faking it.
 */
import type { Address, MailMessage, MessageFailure } from '../model/types.js';

/** One unit of sync progress. The cycle stores the messages and the cursor in one transaction. */
export interface SyncBatch {
  /** New or changed messages (each carries its provider thread id when known). */
  messages: MailMessage[];
  /** Messages that could not be parsed, with the reason. */
  failures: MessageFailure[];
  /** Opaque cursor covering everything up to and including this batch. */
  cursor: string;
}

/** Cheap look at a message before its full content is fetched. */
export interface MessageMeta {
  from: Address | null;
  subject: string;
  snippet: string;
  labels: string[];
}

/** What the rules say is worth fetching: used to build provider search queries and to prefilter. */
export interface CandidateFilter {
  /** Sender domains of applicant-tracking and scheduling systems, e.g. `greenhouse-mail.io`. */
  senderDomains: string[];
  /** Plain phrases that suggest a job-search message, e.g. `your application`. */
  phrases: string[];
  /** True when a message could be about the owner's job search and deserves a full fetch. */
  isCandidate(meta: MessageMeta): boolean;
}

export interface SyncOptions {
  /** Injected clock: the cycle's notion of now. */
  now: Date;
  filter: CandidateFilter;
  /** Thread ids already tracked in state; a change to one of them is always fetched. */
  trackedThreadIds: ReadonlySet<string>;
  signal?: AbortSignal;
  /** `done` of `total` messages (total null when unknown); file-backed readers add bytes read of bytes to read. */
  onProgress?: (done: number, total: number | null, bytes?: { done: number; total: number }) => void;
}

export interface MailReader {
  /** Yields batches of messages that changed since `cursor` (null: first run). */
  sync(cursor: string | null, opts: SyncOptions): AsyncIterable<SyncBatch>;
}

export interface SavedDraft {
  /** Provider draft id, or a file path for file-backed drafts. */
  draftId: string;
  /** Human-readable place, e.g. a file path or "Gmail draft r-123 in thread 18c…". */
  location: string;
}

export interface DraftRequest {
  /** Provider thread id the draft replies in. */
  threadId: string;
  /** Idempotency key; the MIME carries it in the `X-Offerwatch-Draft-Key` header. */
  key: string;
  /** The complete RFC 5322 message. */
  mime: Buffer;
}

export interface DraftWriter {
  /** Finds a draft previously saved with this key, whether or not the owner edited it since. */
  findDraftByKey(threadId: string, key: string): Promise<SavedDraft | null>;
  /** Creates a new draft. Never updates or replaces an existing one; never sends. */
  createDraft(req: DraftRequest): Promise<SavedDraft>;
}

export interface AttentionMarker {
  /** Marks (on) or unmarks (off) a thread as needing the owner's reply, e.g. with a label. Idempotent. */
  setNeedsReply(threadId: string, on: boolean): Promise<void>;
}

/** A configured mailbox: always readable; drafts and attention only where the backend can. */
export interface Connector {
  /** Configured source name, e.g. `demo`, `gmail:personal`. */
  readonly name: string;
  readonly reader: MailReader;
  readonly drafts?: DraftWriter;
  readonly attention?: AttentionMarker;
  close?(): Promise<void>;
}

export const DRAFT_KEY_HEADER = 'X-Offerwatch-Draft-Key';
