/**
 * The Gmail sync cursor: an opaque JSON string for the rest of offerwatch.
 * `backfill` cursors let a killed first run resume at the page it was on, skipping
 * threads it already delivered; `incremental` cursors hold the mailbox historyId.
 */
import { z } from 'zod';
import { decodeJsonCursor } from '../cursor.js';

const backfillSchema = z.strictObject({
  v: z.literal(1),
  phase: z.literal('backfill'),
  /** Mailbox historyId taken before the backfill started. */
  historyId: z.string().regex(/^\d+$/),
  queries: z.array(z.string()).min(1),
  qi: z.number().int().min(0),
  /** Page being worked on (null: the query's first page). */
  pageToken: z.string().nullable(),
  /** Threads already delivered in this backfill. */
  fetched: z.array(z.string()),
  /** Sync time the backfill started at, epoch seconds. */
  startedAt: z.number().int(),
});

const incrementalSchema = z.strictObject({
  v: z.literal(1),
  phase: z.literal('incremental'),
  historyId: z.string().regex(/^\d+$/),
  /** Sync time of the last completed run, epoch seconds. */
  checkedAt: z.number().int(),
});

const cursorSchema = z.discriminatedUnion('phase', [backfillSchema, incrementalSchema]);

export type BackfillCursor = z.infer<typeof backfillSchema>;
export type IncrementalCursor = z.infer<typeof incrementalSchema>;
export type GmailCursor = z.infer<typeof cursorSchema>;

export function encodeCursor(c: GmailCursor): string {
  return JSON.stringify(c);
}

/** The cursor, or 'invalid' when the string is not one this version wrote. */
export function decodeCursor(s: string | null): GmailCursor | null | 'invalid' {
  return decodeJsonCursor(cursorSchema, s);
}
