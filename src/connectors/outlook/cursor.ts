/**
 * The Outlook sync cursor, opaque to the rest of offerwatch: per folder (Inbox, Sent Items)
 * the Graph link to continue from — a `@odata.nextLink` while a delta round is being paged
 * (so a killed run resumes at its page), the `@odata.deltaLink` once the round is complete —
 * plus the well-known folder ids (so an idle poll needs nothing else).
 */
import { z } from 'zod';
import { MAILBOX_ROLES } from '../port.js';
import { decodeJsonCursor } from '../cursor.js';

export const SYNC_FOLDERS = ['inbox', 'sentitems'] as const;
export type SyncFolder = (typeof SYNC_FOLDERS)[number];

const folderState = z.strictObject({
  /** `initial`: not started; `paging`: `link` is a nextLink; `delta`: `link` is a deltaLink. */
  phase: z.enum(['initial', 'paging', 'delta']),
  link: z.string().nullable(),
});

const cursorSchema = z.strictObject({
  v: z.literal(1),
  folders: z.strictObject({ inbox: folderState, sentitems: folderState }),
  /** Graph folder id → mailbox role. */
  folderRoles: z.record(z.string(), z.enum(MAILBOX_ROLES)),
  /** First-run window start (ISO), kept so a resumed backfill asks for the same window. */
  since: z.string(),
});

export type FolderState = z.infer<typeof folderState>;
export type OutlookCursor = z.infer<typeof cursorSchema>;

export function encodeCursor(c: OutlookCursor): string {
  return JSON.stringify(c);
}

export function decodeCursor(s: string | null): OutlookCursor | null | 'invalid' {
  return decodeJsonCursor(cursorSchema, s);
}
