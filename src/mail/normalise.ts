/**
 * Raw RFC 5322 bytes → MailMessage. The one place where MIME is decoded: charsets,
 * transfer encodings and RFC 2047 encoded words are left to postal-mime; HTML-only
 * bodies become plain text through html-to-text. Input that is not a mail at all is
 * refused with EPARSE so that a connector can record it as a failure and go on.
 */
import { createHash } from 'node:crypto';
import PostalMime, { decodeWords } from 'postal-mime';
import type { Address as PmAddress, Email } from 'postal-mime';
import type { Address, MailMessage } from '../model/types.js';

/**
 * What the bytes alone say. Where the message lives (its thread id at the provider, its
 * mailbox role, its labels) is the connector's to add: the parser knows no provider.
 */
export type ParsedMail = Omit<MailMessage, 'threadId' | 'role' | 'labels'>;
import { OfferwatchError } from '../errors.js';
import { compile } from 'html-to-text';
import { extractNewText } from './newtext.js';
import { fixC1, repairMojibake, transcodeLegacyHeaders } from './charset.js';

/** Messages larger than this are not parsed (recorded as failures by the caller). */
export const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
/** Default bound on `MailMessage.text`, in UTF-16 code units. */
export const DEFAULT_MAX_TEXT_CHARS = 200_000;

/** The only headers kept in `MailMessage.headers` (lower-cased names). */
export const KEPT_HEADERS = [
  'list-unsubscribe',
  'list-id',
  'precedence',
  'auto-submitted',
  'x-autoreply',
  'x-auto-response-suppress',
  'reply-to',
  'x-unsent',
  'x-offerwatch-draft-key',
  'message-id',
  'in-reply-to',
  'references',
] as const;
const KEPT = new Set<string>(KEPT_HEADERS);
/** A kept header value longer than this is cut (References chains can grow without bound). */
const MAX_HEADER_VALUE_CHARS = 16_384;
/** HTML beyond this many characters is not converted (markup-heavy mail is mostly styling). */
const MAX_HTML_CHARS = 4_000_000;
/** How far into the input we look for the end of the header block. */
const MAX_HEADER_BLOCK_BYTES = 2 * 1024 * 1024;

export interface ParseOptions {
  /** ISO date (or anything Date can parse) used when the Date header is missing or invalid. */
  fallbackDate?: string;
  /** Id to use when the message has no Message-ID (instead of `sha256:<hash>`). */
  fallbackId?: string;
  /** Bound on the decoded text (default 200 000 characters). */
  maxTextChars?: number;
}

function fail(reason: string, cause?: unknown): OfferwatchError {
  return new OfferwatchError('EPARSE', `cannot parse message: ${reason}`, cause === undefined ? undefined : { cause });
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Parses one raw message. Throws OfferwatchError('EPARSE') for input that is not a mail. */
export async function parseMessage(raw: Uint8Array, opts: ParseOptions = {}): Promise<ParsedMail> {
  if (!(raw instanceof Uint8Array)) throw fail('input is not a byte array');
  if (raw.byteLength > MAX_MESSAGE_BYTES) {
    throw fail(`message is ${raw.byteLength} bytes, over the ${MAX_MESSAGE_BYTES}-byte limit`);
  }
  const contentHash = sha256Hex(raw);
  const stripped = stripEnvelopeLine(raw);
  checkHeaderBlock(stripped);
  const body = transcodeLegacyHeaders(stripped, MAX_HEADER_BLOCK_BYTES);

  let email: Email;
  try {
    email = await PostalMime.parse(body, { attachmentEncoding: 'arraybuffer', maxRfc822NestingDepth: 3 });
  } catch (e) {
    throw fail(e instanceof Error ? e.message : String(e), e);
  }

  const first = firstHeaderValues(email);
  if (!first.has('from') && !first.has('date') && !first.has('subject')) {
    throw fail('no From, Date or Subject header');
  }

  const messageId = firstAngleToken(first.get('message-id') ?? '') ?? bareId(first.get('message-id'));
  const inReplyTo = firstAngleToken(first.get('in-reply-to') ?? '');
  const references = angleTokens(first.get('references') ?? '');

  const maxText = opts.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS;
  // Bounded before cleaning too, so that a huge body never goes through the regexes whole.
  const text = boundText(cleanText(boundText(bodyText(email), maxText * 2 + 1024)), maxText);

  const headers: Record<string, string> = {};
  for (const [k, v] of first) {
    if (KEPT.has(k)) headers[k] = boundText(decodeHeader(v), MAX_HEADER_VALUE_CHARS);
  }

  return {
    id: messageId ?? opts.fallbackId ?? `sha256:${contentHash}`,
    messageId,
    inReplyTo,
    references,
    date: pickDate(email.date, first.get('date'), opts.fallbackDate),
    from: mailboxes(email.from ? [email.from] : [])[0] ?? null,
    replyTo: mailboxes(email.replyTo ?? []),
    to: mailboxes(email.to ?? []),
    cc: mailboxes(email.cc ?? []),
    subject: repairText(email.subject ?? '').replace(/\s+/g, ' ').trim(),
    text,
    newText: extractNewText(text),
    headers,
    attachments: attachmentNames(email),
    contentHash,
  };
}

/**
 * An .eml saved out of an mbox may still carry its `From sender date` envelope line;
 * some exporters also leave blank lines before the headers. Both are skipped.
 */
function stripEnvelopeLine(raw: Uint8Array): Uint8Array {
  let out = raw;
  // "From " (with a space): an envelope line, not a "From:" header.
  if (out.length > 5 && out[0] === 0x46 && out[1] === 0x72 && out[2] === 0x6f && out[3] === 0x6d && out[4] === 0x20) {
    const nl = out.indexOf(0x0a);
    out = nl < 0 ? new Uint8Array(0) : out.subarray(nl + 1);
  }
  let i = 0;
  while (i < out.length && (out[i] === 0x0a || out[i] === 0x0d)) i++;
  return i === 0 ? out : out.subarray(i);
}

const HEADER_LINE = /^[!-9;-~]+[ \t]*:/;

/**
 * Cheap sanity check before the MIME parser (which accepts anything): the input must
 * open with a header field, carry no NUL or stray control bytes in its header block,
 * and most of its header lines must be fields or continuations.
 */
function checkHeaderBlock(raw: Uint8Array): void {
  if (raw.length === 0) throw fail('empty input');
  const limit = Math.min(raw.length, MAX_HEADER_BLOCK_BYTES);
  let lines = 0;
  let bad = 0;
  let lineStart = 0;
  let firstLine = true;
  for (let p = 0; p <= limit; p++) {
    const b = p < limit ? raw[p] : 0x0a;
    if (b === 0x00) throw fail('binary data in header block');
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) {
      bad++;
      continue;
    }
    if (b !== 0x0a) continue;
    let end = p;
    if (end > lineStart && raw[end - 1] === 0x0d) end--;
    if (end === lineStart) break; // blank line: end of header block
    const c0 = raw[lineStart];
    const isContinuation = c0 === 0x20 || c0 === 0x09;
    if (!isContinuation) {
      const head = Buffer.from(raw.buffer, raw.byteOffset + lineStart, Math.min(end - lineStart, 200)).toString('latin1');
      const ok = HEADER_LINE.test(head);
      if (firstLine && !ok) throw fail('no header block');
      if (!ok) bad++;
    } else if (firstLine) {
      throw fail('no header block');
    }
    firstLine = false;
    lines++;
    lineStart = p + 1;
  }
  if (lines === 0) throw fail('no header block');
  if (bad > 0 && bad * 2 > lines) throw fail('header block is mostly not header fields');
}

/** First occurrence of every header, raw (unfolded, encoded words not decoded). */
function firstHeaderValues(email: Email): Map<string, string> {
  const m = new Map<string, string>();
  for (const h of email.headers) {
    if (!m.has(h.key)) m.set(h.key, h.value);
  }
  return m;
}

/** Undoes charset accidents the MIME layer leaves behind (see charset.ts). */
function repairText(s: string): string {
  return fixC1(repairMojibake(s));
}

function decodeHeader(v: string): string {
  let out: string;
  try {
    out = decodeWords(v);
  } catch {
    out = v;
  }
  return repairText(out).replace(/[\r\n]+[ \t]*/g, ' ').replace(/\0/g, '').trim();
}

function angleTokens(v: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const m of v.matchAll(/<([^<>\s]+)>/g)) {
    const id = `<${m[1]}>`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  }
  return out;
}

function firstAngleToken(v: string): string | null {
  const m = /<([^<>\s]+)>/.exec(v);
  return m ? `<${m[1]}>` : null;
}

/** A Message-ID written without brackets (it happens) is kept, bracketed. */
function bareId(v: string | undefined): string | null {
  const t = (v ?? '').trim();
  if (!t || /\s/.test(t) || !t.includes('@')) return null;
  return `<${t.replace(/^<|>$/g, '')}>`;
}

function pickDate(parsed: string | undefined, rawHeader: string | undefined, fallback: string | undefined): string {
  for (const candidate of [parsed, rawHeader]) {
    if (!candidate) continue;
    const t = Date.parse(candidate);
    if (Number.isFinite(t)) return new Date(t).toISOString();
  }
  if (fallback !== undefined) {
    const t = Date.parse(fallback);
    if (Number.isFinite(t)) return new Date(t).toISOString();
  }
  throw fail(rawHeader ? `invalid Date header "${rawHeader.slice(0, 80)}" and no fallback date` : 'no Date header and no fallback date');
}

function mailboxes(list: PmAddress[]): Address[] {
  const out: Address[] = [];
  for (const a of list) {
    if (a.group) {
      for (const m of a.group) out.push(toAddress(m.name, m.address));
    } else {
      out.push(toAddress(a.name, a.address ?? ''));
    }
  }
  return out.filter((a) => a.address !== '' || a.name !== null);
}

function toAddress(name: string | undefined, address: string | undefined): Address {
  let n = repairText(name ?? '');
  let a = (address ?? '').trim();
  // A broken header ("Unclosed quote <x@y>) can leave the whole mailbox in `address`.
  if (/[\s<>"]/.test(a)) {
    const m = /<([^<>\s"]+@[^<>\s"]+)>/.exec(a) ?? /([^\s<>"]+@[^\s<>"]+)/.exec(a);
    if (m) {
      if (n.trim() === '') n = a.replace(m[0], '').replace(/["<>]/g, ' ');
      a = m[1];
    }
  }
  n = n.replace(/\s+/g, ' ').trim();
  return { name: n === '' ? null : n, address: a.toLowerCase() };
}

function attachmentNames(email: Email): string[] {
  const out: string[] = [];
  for (const a of email.attachments) {
    if (a.related) continue; // inline images referenced from the HTML
    const name = (a.filename ?? '').replace(/[\r\n\0]/g, '').trim();
    if (name) out.push(name);
  }
  return out;
}

function bodyText(email: Email): string {
  const text = email.text ?? '';
  if (text.trim() !== '') return repairText(text);
  if (email.html && email.html.trim() !== '') return htmlToPlainText(repairText(email.html.slice(0, MAX_HTML_CHARS)));
  return text;
}

function cleanText(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .replace(/\0/g, '')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function boundText(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = Math.max(0, max);
  // Do not split a surrogate pair.
  const c = s.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  return s.slice(0, cut);
}

const htmlConverter = compile({
  wordwrap: false,
  preserveNewlines: false,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'head', format: 'skip' },
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'table', format: 'block' },
    { selector: 'tr', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'td', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'th', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'h5', options: { uppercase: false } },
    { selector: 'h6', options: { uppercase: false } },
  ],
});

/** HTML body → plain text: images (tracking pixels) dropped, link text kept without the URL, no wrapping. */
export function htmlToPlainText(html: string): string {
  try {
    return htmlConverter(html);
  } catch {
    return html.replace(/<[^>]*>/g, ' ');
  }
}
