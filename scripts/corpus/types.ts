/** Shapes of a corpus as the renderer takes it (input) and of labels.json (output). */
import type { MessageDef } from './schema.js';

export type { AttachmentDef, MessageDef } from './schema.js';

export type LabelStage = 'applied' | 'interviewing' | 'offer' | 'accepted' | 'declined' | 'withdrawn' | 'rejected' | 'none';
export const LABEL_STAGES: readonly LabelStage[] = ['applied', 'interviewing', 'offer', 'accepted', 'declined', 'withdrawn', 'rejected', 'none'];

/** Gmail inbox category used for the default X-Gmail-Labels of received mail. */
export type Category = 'personal' | 'updates' | 'promo' | 'social' | 'forums' | 'spam';

/** Which kind of client wrote the MIME: shapes boundaries, charset spelling, X-Mailer. */
export type Mailer = 'gmail' | 'outlook' | 'javamail' | 'generic';

export interface ThreadDef {
  /** Unique internal key; seeds every derived id. Never written out. */
  key: string;
  stage: LabelStage;
  awaiting: boolean | null;
  company: string | null;
  role: string | null;
  contact: string | null;
  note: string | null;
  /** Owner's own Gmail label added to every message of the thread. */
  tag?: string;
  msgs: MessageDef[];
}

export interface CorpusDef {
  owner: { name: string; address: string };
  aliases: string[];
  /** Reference time, ISO 8601 UTC. */
  now: string;
  /** Earliest allowed message time, ISO 8601 UTC. */
  windowStart: string;
  /**
   * Enforce the scoring rule that awaited threads end either at least 7 days or at most
   * 2 hours before NOW. The demo turns this off to show "overdue after N days" alerts.
   */
  strictAwaitingGap: boolean;
  threads: ThreadDef[];
}

/** One row of labels.json, exactly the shared corpus format. */
export interface LabelRow {
  thread: string;
  subject: string;
  stage: LabelStage;
  awaitingReply: boolean | null;
  stale: boolean | null;
  company: string | null;
  role: string | null;
  contactFirstName: string | null;
  note: string | null;
}

export interface RenderedCorpus {
  mbox: Buffer;
  labels: LabelRow[];
  /** labels.json text: rows sorted by thread id, 2-space indent, trailing newline. */
  labelsJson: string;
  messageCount: number;
}
