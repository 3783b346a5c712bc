/**
 * Reads an mbox file (read-only) as sync batches. The cursor remembers how far the
 * file was read and a hash of its first 64 KiB: an append-only file resumes where it
 * left off; a file that was replaced or shrank is read again from the start (the store
 * dedups by message id).
 *
 * The candidate filter is not applied here: a local file is read whole anyway (reading is the
 * cost, not fetching), so every message goes to the rules, which decide what is the job search.
 * Neither is the look-back window: an export is often months old, and `scan` of an old Takeout
 * must give the same board as before.
 */
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import type { MailReader, SyncBatch, SyncOptions } from '../port.js';
import type { MailMessage, MessageFailure } from '../../model/types.js';
import { OfferwatchError } from '../../errors.js';
import { MAX_MESSAGE_BYTES, sha256Hex } from '../../mail/normalise.js';
import { parseMboxMessage } from './takeout.js';
import { envelopeDate, splitMbox } from './split.js';

export const HEAD_BYTES = 64 * 1024;
export const DEFAULT_BATCH_SIZE = 250;

const CursorSchema = z.strictObject({
  v: z.literal(1),
  offset: z.number().int().nonnegative(),
  size: z.number().int().nonnegative(),
  head: z.string().regex(/^[0-9a-f]{64}$/),
});
export type MboxCursor = z.infer<typeof CursorSchema>;

/** The cursor as a value, or null when it is absent or not one of ours. */
export function decodeMboxCursor(cursor: string | null): MboxCursor | null {
  if (cursor === null) return null;
  try {
    const r = CursorSchema.safeParse(JSON.parse(cursor));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

export function encodeMboxCursor(c: MboxCursor): string {
  return JSON.stringify({ v: 1, offset: c.offset, size: c.size, head: c.head });
}

/** sha256 hex of the first 64 KiB of the file (all of it when smaller). */
export async function headHash(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    let got = 0;
    while (got < HEAD_BYTES) {
      const { bytesRead } = await fh.read(buf, got, HEAD_BYTES - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return sha256Hex(buf.subarray(0, got));
  } finally {
    await fh.close();
  }
}

export interface MboxReaderOptions {
  /** Messages (parsed or failed) per batch; default 250. */
  batchSize?: number;
  /** Messages larger than this are recorded as failures unread (default MAX_MESSAGE_BYTES). */
  maxMessageBytes?: number;
}

export class MboxReader implements MailReader {
  readonly path: string;
  private readonly batchSize: number;
  private readonly maxMessageBytes: number;

  constructor(path: string, opts: MboxReaderOptions = {}) {
    this.path = path;
    this.batchSize = Math.max(1, Math.floor(opts.batchSize ?? DEFAULT_BATCH_SIZE));
    this.maxMessageBytes = opts.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  }

  async *sync(cursor: string | null, opts: SyncOptions): AsyncIterable<SyncBatch> {
    let size: number;
    try {
      const st = await stat(this.path);
      if (!st.isFile()) throw new OfferwatchError('ENOTFOUND', `cannot read mbox: ${this.path} is not a file`);
      size = st.size;
    } catch (e) {
      if (e instanceof OfferwatchError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new OfferwatchError('ENOTFOUND', `cannot read mbox: ${this.path} does not exist`, { cause: e });
      throw new OfferwatchError('EPROVIDER', `cannot read mbox: ${this.path}: ${(e as Error).message}`, { cause: e });
    }
    const head = await headHash(this.path);
    const prev = decodeMboxCursor(cursor);
    const resume = prev !== null && prev.head === head && size >= prev.size && prev.offset <= size;
    const start = resume ? prev.offset : 0;
    const ref = basename(this.path);

    let messages: MailMessage[] = [];
    let failures: MessageFailure[] = [];
    let done = 0;
    let yielded = false;
    const cursorAt = (offset: number): string => encodeMboxCursor({ v: 1, offset, size, head });

    for await (const item of splitMbox(this.path, {
      start,
      endAt: size,
      maxMessageBytes: this.maxMessageBytes,
      signal: opts.signal,
    })) {
      if (item.oversized) {
        failures.push({
          ref: `${ref}@${item.offset}`,
          reason: `cannot parse message: ${item.size} bytes, over the ${this.maxMessageBytes}-byte limit`,
          contentHash: null,
        });
      } else {
        try {
          const fallbackDate = envelopeDate(item.fromLine) ?? undefined;
          messages.push(await parseMboxMessage(item.raw, { fallbackDate }));
        } catch (e) {
          failures.push({
            ref: `${ref}@${item.offset}`,
            reason: e instanceof Error ? e.message : String(e),
            contentHash: sha256Hex(item.raw),
          });
        }
      }
      done++;
      if (messages.length + failures.length >= this.batchSize) {
        yield { messages, failures, cursor: cursorAt(item.end) };
        yielded = true;
        opts.onProgress?.({ done, total: null, bytes: item.end - start, totalBytes: size - start });
        messages = [];
        failures = [];
      }
    }
    const finalCursor = cursorAt(size);
    if (messages.length + failures.length > 0 || (!yielded && finalCursor !== cursor)) {
      yield { messages, failures, cursor: finalCursor };
      opts.onProgress?.({ done, total: null, bytes: size - start, totalBytes: size - start });
    }
  }
}
