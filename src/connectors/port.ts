/**
 * The connector port: what the core needs from a mailbox, split by capability
 * (read, write drafts, mark attention) so that a backend offers only what it can.
 * Nothing here names a provider. A connector that lacks a capability leaves it undefined;
 * callers say so ("cannot save draft: source demo is read-only") instead of faking it.
 */
import type { z } from 'zod';
import type { Address, MailMessage, MessageFailure } from '../model/types.js';
import type { Clock } from '../clock.js';

/**
 * Normalised mailbox roles (RFC 6154 special-use, Gmail system labels, Graph well-known folders).
 * Every MailMessage carries one in `MailMessage.role` (added to model/types.ts):
 * precedence when a provider gives several: drafts > sent > junk > trash > inbox > archive > other.
 */
export const MAILBOX_ROLES = ['inbox', 'sent', 'drafts', 'junk', 'trash', 'archive', 'other'] as const;
export type MailboxRole = (typeof MAILBOX_ROLES)[number];

/** One unit of sync progress. The cycle stores the messages and the cursor in one transaction. */
export interface SyncBatch {
  /** New or changed messages (each carries its provider thread id when known, and its role). */
  messages: MailMessage[];
  /** Provider message ids that disappeared (Graph `@removed`, Gmail messagesDeleted, IMAP VANISHED). May be empty. */
  removed?: string[];
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
  role: MailboxRole;
  /** The owner's own labels/categories/keywords (never provider system labels). */
  labels: string[];
}

/**
 * What the rules say is worth fetching. Each connector compiles it to what its provider can
 * filter on (Gmail `q`, Graph `$filter`, IMAP `SEARCH`), and applies `isCandidate` to metadata.
 */
export interface CandidateFilter {
  /** Sender domains of applicant-tracking and scheduling systems, e.g. `greenhouse-mail.io`. */
  senderDomains: string[];
  /** Plain phrases that suggest a job-search message, e.g. `your application`. */
  phrases: string[];
  /** First-run look-back window in days (a source's config may narrow it). */
  lookbackDays: number;
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
  /** Progress: done/total in messages (total null when unknown) and, where known, bytes. */
  onProgress?: (p: { done: number; total: number | null; bytes?: number; totalBytes?: number | null }) => void;
}

export interface MailReader {
  /** Yields batches of messages that changed since `cursor` (null: first run). */
  sync(cursor: string | null, opts: SyncOptions): AsyncIterable<SyncBatch>;
}

/**
 * Everything a connector needs to find a thread again in its own mailbox. Built by the core
 * from stored messages; the connector picks what its provider addresses (Gmail: the provider
 * thread id; Graph: the message to `createReply` on; IMAP/mbox: Message-ID headers).
 */
export interface ThreadHandle {
  /** Thread id as the store knows it (provider thread id, or a store-minted `m:…` id). */
  threadId: string;
  /** The provider's own thread id (Gmail threadId, Graph conversationId, Takeout X-GM-THRID); null when it has none. */
  providerThreadId: string | null;
  /** The thread's messages, oldest first: provider message id, RFC Message-ID and direction. */
  messages: ReadonlyArray<{ id: string; messageId: string | null; direction: 'in' | 'out'; date: string }>;
}

export interface SavedDraft {
  /** Provider draft id, or a file path for file-backed drafts. */
  draftId: string;
  /** Human-readable place, e.g. a file path or "Gmail draft r-123 in thread 18c…". */
  location: string;
  /** True when the key was found on a message the owner already sent (not a draft any more). */
  sent?: boolean;
}

export interface DraftRequest {
  thread: ThreadHandle;
  /** Idempotency key, opaque to the core: each connector stores and finds it its own way
   *  (MIME header `X-Offerwatch-Draft-Key`, Graph single-value extended property, …). */
  key: string;
  /** The complete RFC 5322 reply (carries the key header), for MIME-based backends. */
  mime: Buffer;
  /** The same reply, structured, for backends that build drafts through an API (Graph createReply + PATCH). */
  reply: { from: Address; to: Address[]; subject: string; text: string; inReplyTo: string | null; references: string[] };
}

export interface DraftWriter {
  /** Finds a draft (or a sent message) previously saved with this key, edited or not. */
  findDraftByKey(thread: ThreadHandle, key: string): Promise<SavedDraft | null>;
  /** Creates a new draft. Never updates or replaces an existing one; never sends. */
  createDraft(req: DraftRequest): Promise<SavedDraft>;
}

export interface AttentionMarker {
  /** Marks (on) or unmarks (off) a thread as needing the owner's reply (label, flag, keyword). Idempotent.
   *  `due` is the reply deadline when known (Graph's flag dueDateTime). */
  setNeedsReply(thread: ThreadHandle, on: boolean, due?: Date | null): Promise<void>;
}

/** A configured mailbox: always readable; drafts and attention only where the backend can. */
export interface Connector {
  /** Configured source name, e.g. `demo`, `personal`. */
  readonly name: string;
  readonly reader: MailReader;
  readonly drafts?: DraftWriter;
  readonly attention?: AttentionMarker;
  close?(): Promise<void>;
}

/** What the app gives every connector it creates. */
export interface ConnectorEnv {
  /** State directory (0700): tokens live in `<stateDir>/tokens`, file drafts in `<stateDir>/drafts/<source>`. */
  stateDir: string;
  clock: Clock;
  /** Human log lines (stderr); never pass secrets. */
  log: (line: string) => void;
  /** Resolves a path from the config relative to the config file. */
  resolvePath: (p: string) => string;
  /** Alert-channel overrides, e.g. the mailbox channel's label name. */
  replyDueLabel?: string;
}

/**
 * One entry per backend, declared in its own folder (`connectors/<type>/index.ts`) and listed once
 * in `connectors/registry.ts`. The config schema, `scan --source`, `auth` and the app all read it.
 */
export interface ConnectorDefinition<C extends { type: string; name: string } = { type: string; name: string }> {
  readonly type: string;
  /** Strict zod object for this source type's config entry (with `type: z.literal(type)`). */
  readonly configSchema: z.ZodType<C>;
  create(config: C, env: ConnectorEnv): Promise<Connector>;
  /** `offerwatch auth <type> --account NAME`; absent for backends with nothing to authorise. */
  authorize?(config: C, env: ConnectorEnv & { print: (line: string) => void; signal?: AbortSignal }): Promise<void>;
  /** `scan --source <type>:<spec>` → a config entry; absent when scan cannot use this type. */
  fromScanSpec?(spec: string, name: string): C;
}
