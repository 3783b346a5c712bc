import type { MailboxRole } from '../connectors/port.js';

export type { MailboxRole };

/**
 * The normalised mail model every part of offerwatch speaks.
 * Connectors turn their provider's shapes into these; nothing provider-specific
 * travels past a connector's folder.
 */

export const STAGES = ['applied', 'interviewing', 'offer', 'accepted', 'declined', 'withdrawn', 'rejected'] as const;
export type Stage = (typeof STAGES)[number];
/** `none` means: not about the owner's own job search (not tracked). */
export type StageOrNone = Stage | 'none';
export const STAGES_OR_NONE: readonly StageOrNone[] = ['none', ...STAGES];

export interface Address {
  /** Display name as written, decoded; null when absent. */
  name: string | null;
  /** Lower-cased address, e.g. `gwen@example.com`. May be empty for group syntax. */
  address: string;
}

/** One message as the rest of the program sees it, before it knows who the owner is. */
export interface MailMessage {
  /** Stable id inside its source (Gmail message id, or the RFC Message-ID for mbox, or a content hash). */
  id: string;
  /** Provider thread id when the source knows it (Gmail thread id, Takeout X-GM-THRID); null otherwise. */
  threadId: string | null;
  /** RFC 5322 Message-ID including angle brackets, or null. */
  messageId: string | null;
  inReplyTo: string | null;
  /** Message-IDs from References, oldest first, with angle brackets. */
  references: string[];
  /** ISO 8601 UTC. */
  date: string;
  from: Address | null;
  replyTo: Address[];
  to: Address[];
  cc: Address[];
  /** Decoded subject ('' when absent). */
  subject: string;
  /** Whole body as plain text (HTML converted), decoded. Bounded in size by the parser. */
  text: string;
  /** Only what this message adds: quoted history, "On … wrote:" blocks and signatures removed. */
  newText: string;
  /** Lower-cased header names → decoded value, for the few headers rules and drafts use. */
  headers: Record<string, string>;
  /** Where the message lives in its mailbox (set by its connector): the core knows Sent and Drafts only by this. */
  role: MailboxRole;
  /** The owner's own labels, categories or keywords (never provider system labels such as INBOX or SENT). */
  labels: string[];
  attachments: string[];
  /** sha256 hex of the raw message bytes. */
  contentHash: string;
}

/** A message the parser could not turn into a MailMessage. Recorded, never silently dropped. */
export interface MessageFailure {
  /** Where it came from, e.g. `sample.mbox@123456` or a Gmail message id. */
  ref: string;
  reason: string;
  contentHash: string | null;
}

export type Direction = 'in' | 'out';

/** A message placed in its thread, with its direction known. */
export interface ThreadMessage extends MailMessage {
  direction: Direction;
}

export interface MailThread {
  /** Thread id unique inside its source. */
  id: string;
  /** Configured source name, e.g. `demo` or `gmail:work`. */
  source: string;
  /** Chronological, oldest first. */
  messages: ThreadMessage[];
}

/** Who the owner is: their name (for signatures) and every address they send from. */
export interface Owner {
  name: string | null;
  addresses: string[];
}

/** What the owner can decide on a thread; each decision has reply templates. */
export const DECISIONS = ['decline', 'withdraw', 'rescind', 'negotiate', 'confirm'] as const;
export type Decision = (typeof DECISIONS)[number];
