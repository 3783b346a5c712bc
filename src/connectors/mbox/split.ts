/**
 * Streaming mboxrd splitter. Reads the file in ~1 MiB chunks and yields one message
 * at a time, so memory holds at most one message plus one chunk whatever the file's
 * size. A message starts at a line beginning `From ` that follows a blank line (or the
 * start of the file / the resume point). mboxrd quoting is undone (`>From ` → `From `,
 * `>>From ` → `>From `). The blank line the mbox writer adds after each message is
 * not part of the message. A message over the size limit is never buffered whole: it
 * is reported as `{ oversized: true }` with its byte range.
 */
import { createReadStream } from 'node:fs';
import { MAX_MESSAGE_BYTES } from '../../mail/normalise.js';

export interface MboxMessage {
  oversized?: false;
  /** The message as RFC 5322 bytes: envelope line removed, mboxrd quoting undone. */
  raw: Buffer;
  /** Byte offset of the message's `From ` line in the file. */
  offset: number;
  /** Byte offset just past the message (where the next `From ` line, or the end of the file, is). */
  end: number;
  /** The envelope line without its line ending, e.g. `From a@b.example Tue Jun  9 20:15:45 2026`. */
  fromLine: string;
}

export interface MboxOversized {
  oversized: true;
  offset: number;
  end: number;
  /** Bytes the message takes in the file (end - offset). */
  size: number;
  fromLine: string;
}

export type MboxItem = MboxMessage | MboxOversized;

export interface SplitOptions {
  /** Byte offset to start at: 0, or the `end` of a message yielded earlier. */
  start?: number;
  /** Stop reading at this byte offset (exclusive), e.g. the file size seen when a sync began. */
  endAt?: number;
  /** Bodies larger than this are reported as oversized (default MAX_MESSAGE_BYTES). */
  maxMessageBytes?: number;
  /** Read chunk size (default 1 MiB). */
  highWaterMark?: number;
  signal?: AbortSignal;
}

/** A partial line longer than this is classified on its prefix and flushed instead of carried. */
const MAX_CARRY = 64 * 1024;

function startsWithFrom(b: Buffer, at = 0): boolean {
  return b.length >= at + 5 && b[at] === 0x46 && b[at + 1] === 0x72 && b[at + 2] === 0x6f && b[at + 3] === 0x6d && b[at + 4] === 0x20;
}

/** Bytes of mboxrd quoting to drop at the start of a line: 1 for `>+From `, else 0. */
function quoteToDrop(line: Buffer): number {
  let i = 0;
  while (i < line.length && line[i] === 0x3e) i++;
  return i > 0 && startsWithFrom(line, i) ? 1 : 0;
}

function isBlank(line: Buffer): boolean {
  return (line.length === 1 && line[0] === 0x0a) || (line.length === 2 && line[0] === 0x0d && line[1] === 0x0a);
}

function envelopeText(line: Buffer): string {
  return line.subarray(0, Math.min(line.length, 1000)).toString('latin1').replace(/\r?\n$/, '');
}

export async function* splitMbox(path: string, opts: SplitOptions = {}): AsyncGenerator<MboxItem> {
  const start = opts.start ?? 0;
  const max = opts.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  if (opts.endAt !== undefined && opts.endAt <= start) return;
  const stream = createReadStream(path, {
    start,
    end: opts.endAt === undefined ? undefined : opts.endAt - 1,
    highWaterMark: opts.highWaterMark ?? 1024 * 1024,
  });

  // Current message.
  let msgOffset = -1;
  let fromLine = '';
  let parts: Buffer[] = [];
  let size = 0;
  let oversized = false;
  /** The last line was blank and is held back: it belongs to the message only if more lines follow. */
  let heldBlank: Buffer | null = null;
  // Line state.
  let prevBlank = true; // the start (or resume point) counts as following a blank line
  let carry: Buffer[] = [];
  let carryLen = 0;
  let carryOffset = 0;
  /** A long line whose head was already classified and flushed; the rest is plain content. */
  let midLine = false;
  const ready: MboxItem[] = [];

  const append = (b: Buffer): void => {
    if (msgOffset < 0) return;
    size += b.length;
    if (oversized) return;
    if (size > max) {
      oversized = true;
      parts = [];
      return;
    }
    parts.push(b);
  };

  const finish = (end: number): void => {
    if (msgOffset < 0) return;
    if (oversized) {
      ready.push({ oversized: true, offset: msgOffset, end, size: end - msgOffset, fromLine });
    } else {
      ready.push({ raw: Buffer.concat(parts, size), offset: msgOffset, end, fromLine });
    }
    msgOffset = -1;
    parts = [];
    size = 0;
    oversized = false;
    heldBlank = null;
  };

  /** A content line (not an envelope); `line` may be the head of a longer line. */
  const contentLine = (line: Buffer): void => {
    if (heldBlank) {
      append(heldBlank);
      heldBlank = null;
    }
    const drop = quoteToDrop(line);
    append(drop ? line.subarray(drop) : line);
  };

  const completeLine = (line: Buffer, lineOffset: number): void => {
    if (midLine) {
      midLine = false;
      append(line);
      prevBlank = false;
      return;
    }
    if (prevBlank && startsWithFrom(line)) {
      finish(lineOffset);
      msgOffset = lineOffset;
      fromLine = envelopeText(line);
      prevBlank = false;
      return;
    }
    const blank = isBlank(line);
    if (blank && msgOffset >= 0) {
      if (heldBlank) append(heldBlank);
      heldBlank = Buffer.from(line);
    } else if (!blank) {
      contentLine(line);
    }
    prevBlank = blank;
  };

  let base = start;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      opts.signal?.throwIfAborted();
      let i = 0;
      while (i < chunk.length) {
        const nl = chunk.indexOf(0x0a, i);
        if (nl < 0) {
          if (carryLen === 0) carryOffset = base + i;
          const rest = chunk.subarray(i);
          if (midLine) append(rest);
          else {
            carry.push(rest);
            carryLen += rest.length;
            if (carryLen > MAX_CARRY) {
              // A very long line: it cannot be blank; classify it on its head and stream the rest.
              const head = Buffer.concat(carry, carryLen);
              carry = [];
              carryLen = 0;
              if (prevBlank && startsWithFrom(head)) {
                // An absurdly long envelope line: treat it as an envelope all the same.
                finish(carryOffset);
                msgOffset = carryOffset;
                fromLine = envelopeText(head);
              } else {
                contentLine(head);
              }
              prevBlank = false;
              midLine = true;
            }
          }
          break;
        }
        const seg = chunk.subarray(i, nl + 1);
        if (carryLen > 0) {
          carry.push(seg);
          const line = Buffer.concat(carry, carryLen + seg.length);
          carry = [];
          carryLen = 0;
          completeLine(line, carryOffset);
        } else {
          completeLine(seg, base + i);
        }
        i = nl + 1;
      }
      base += chunk.length;
      while (ready.length > 0) yield ready.shift() as MboxItem;
    }
    // A last line without a line ending.
    if (carryLen > 0) {
      completeLine(Buffer.concat(carry, carryLen), carryOffset);
      carry = [];
      carryLen = 0;
    }
    finish(base);
    while (ready.length > 0) yield ready.shift() as MboxItem;
  } finally {
    stream.destroy();
  }
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * The asctime date of an envelope line (`From a@b Tue Jun  9 20:15:45 2026`, or
 * Takeout's `… Mon Feb 19 10:22:33 +0000 2024`) as ISO UTC; null when absent.
 */
export function envelopeDate(fromLine: string): string | null {
  const m = /\b([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:([+-]\d{4}|[A-Z]{1,5})\s+)?(\d{4})\b/.exec(fromLine);
  if (!m) return null;
  const month = MONTHS.indexOf(m[1].toLowerCase());
  if (month < 0) return null;
  let t = Date.UTC(Number(m[7]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5] ?? 0));
  if (!Number.isFinite(t) || new Date(t).getUTCDate() !== Number(m[2])) return null;
  const tz = m[6];
  if (tz && /^[+-]\d{4}$/.test(tz)) {
    const sign = tz[0] === '-' ? -1 : 1;
    t -= sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3, 5))) * 60_000;
  }
  return new Date(t).toISOString();
}
