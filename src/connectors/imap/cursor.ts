/**
 * The IMAP sync cursor (opaque to the core, stored with the batch it covers): per mailbox
 * UIDVALIDITY, the highest UID looked at and HIGHESTMODSEQ; the candidate messages still to
 * fetch (so a killed backfill resumes where it stopped); and short hashes of the Message-IDs
 * and subject keys of the job threads fetched so far, so that a reply in one of them is
 * fetched even when its own headers say nothing about a job.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { decodeJsonCursor } from '../cursor.js';

const boxSchema = z.strictObject({
  path: z.string(),
  uidValidity: z.string().regex(/^\d+$/),
  /** Every UID up to this one has been looked at. */
  lastUid: z.number().int().nonnegative(),
  modseq: z.string().regex(/^\d+$/).nullable(),
});

const cursorSchema = z.strictObject({
  v: z.literal(1),
  boxes: z.array(boxSchema),
  /** Candidate UIDs not fetched yet, per mailbox (compact sets such as `3:9,12`). */
  pending: z.array(z.strictObject({ path: z.string(), uidValidity: z.string(), uids: z.string() })),
  known: z.array(z.string()),
  subjects: z.array(z.string()),
});

export type BoxCursor = z.infer<typeof boxSchema>;
export type ImapCursor = z.infer<typeof cursorSchema>;

/** Bound on the remembered hashes (oldest forgotten first). */
export const MAX_KNOWN = 50_000;

export function decodeCursor(s: string | null): ImapCursor | null | 'invalid' {
  return decodeJsonCursor(cursorSchema, s);
}

export function encodeCursor(c: ImapCursor): string {
  return JSON.stringify({
    v: 1,
    boxes: c.boxes,
    pending: c.pending.filter((p) => p.uids !== ''),
    known: c.known.slice(-MAX_KNOWN),
    subjects: c.subjects.slice(-MAX_KNOWN),
  });
}

export const shortHash = (s: string): string => createHash('sha256').update(s).digest('base64url').slice(0, 12);

/** `[1,2,3,7,9,10]` → `1:3,7,9:10`. */
export function compactUids(uids: Iterable<number>): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function expandUids(set: string): number[] {
  const out: number[] = [];
  for (const part of set.split(',')) {
    if (!part) continue;
    const [a, b] = part.split(':').map(Number);
    if (b === undefined) out.push(a!);
    else for (let u = a!; u <= b; u++) out.push(u);
  }
  return out;
}
