/**
 * The shapes alert delivery speaks. Deciding when to alert and storing alerts
 * happen elsewhere; a channel only delivers what it is given.
 */
import type { Stage } from '../model/types.js';

export interface Alert {
  /** Alert id in state. */
  id: number;
  threadId: string;
  source: string;
  stage: Stage;
  company: string | null;
  role: string | null;
  contactFirstName: string | null;
  subject: string;
  /** ISO 8601: when the owner's reply became owed. */
  waitingSince: string;
  /** ISO 8601: when the reply is due. */
  dueAt: string;
  /** A draft waiting for the owner's review, if any. */
  proposal: { id: number; templateId: string } | null;
  /** Set when the alert is being cleared: why, and for a snooze until when. */
  cleared?: { reason: string; snoozedUntil?: string | null };
}

export interface AlertChannel {
  readonly name: string;
  /** Deliver a newly raised alert. Throws OfferwatchError on permanent failure. */
  raise(alert: Alert, now: Date): Promise<void>;
  /** Optional: the alert was cleared (answered, snoozed, stage changed). */
  clear?(alert: Alert, now: Date): Promise<void>;
}

/** A channel that can also carry free text, such as the daily digest. */
export interface TextSink {
  sendText(text: string): Promise<void>;
}

/** One tracked thread as the daily digest sees it. */
export interface DigestRow {
  threadId: string;
  stage: Stage;
  company: string | null;
  role: string | null;
  subject: string;
  /** Used in place of the company when the company is unknown. */
  contactFirstName?: string | null;
  /** True when the owner owes a reply. */
  awaitingReply: boolean;
  /** ISO 8601, or null when no reply is owed. */
  waitingSince: string | null;
  /** ISO 8601, or null when no reply is owed or no deadline is known. */
  dueAt: string | null;
  /** True when the thread has gone quiet for long; listed, but after the live ones. */
  stale: boolean;
}

export function hasSendText<T extends AlertChannel>(ch: T): ch is T & TextSink {
  return typeof (ch as Partial<TextSink>).sendText === 'function';
}
