/**
 * Builds the RFC 5322 reply that is saved as an unsent draft.
 *
 * Every value that reaches a header is checked first: a CR, LF or NUL is refused (EUNSAFE),
 * never stripped, and message ids, addresses and the draft key must have their expected shape.
 * From, To and Subject are encoded here (RFC 2047 encoded words whenever the text is not
 * plain single-spaced ASCII) so that any Unicode name or subject reads back exactly;
 * nodemailer's MailComposer builds everything else (ids, Date, the text/plain UTF-8 body).
 * Lines end in CRLF throughout.
 */
import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { DRAFT_KEY_HEADER } from '../mail/headers.js';
import { OfferwatchError } from '../errors.js';
import type { Address, MailThread, ThreadMessage } from '../model/types.js';
import { asciiMailbox } from './recipients.js';

export interface ReplyInput {
  thread: MailThread;
  /** The owner's sending address. */
  from: Address;
  /** Null: the draft has no To header and the owner adds one. */
  to: Address | null;
  /** Plain text; CRLF and CR become LF, a NUL is refused. */
  body: string;
  /** Idempotency key, 1–200 characters of `A-Z a-z 0-9 . _ - : @ + / =`. */
  key: string;
  date: Date;
}

const MSG_ID = /^<[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.@[\]]+>$/;
const MAX_MSG_ID = 900;
const KEY = /^[A-Za-z0-9._:@+/=-]{1,200}$/;
const DOT_ATOM_KEY = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
const REPLY_PREFIX = /^(?:re|aw|sv|vs|antw|odp|ynt|rif|res|atb|回复|回覆|答复)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]/iu;

/** The Message-ID a draft with this key gets: readable when the key allows, else a digest of it. */
export function draftMessageId(key: string): string {
  const part = key.length <= 64 && DOT_ATOM_KEY.test(key) ? key : createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32);
  return `<offerwatch.${part}@offerwatch.invalid>`;
}

/** `Re: ` + subject, unless the subject already starts with a reply prefix (Re:, RE:, Aw:, Sv: …). */
export function replySubject(subject: string): string {
  const s = subject.trim();
  if (REPLY_PREFIX.test(s)) return s;
  return s === '' ? 'Re:' : `Re: ${s}`;
}

/** Builds the reply's complete MIME message. Throws OfferwatchError EUNSAFE / EUSAGE. */
export async function composeReply(input: ReplyInput): Promise<Buffer> {
  const { thread, from, to, key, date } = input;
  const last = thread.messages.at(-1);
  if (!last) throw new OfferwatchError('EUSAGE', `cannot build draft: thread ${thread.id} has no messages`);
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new OfferwatchError('EUSAGE', 'cannot build draft: the date is not a valid time');
  }

  const subjectSource = [...thread.messages].reverse().find((m) => m.subject.trim() !== '')?.subject ?? '';
  refuseBreaks('Subject', subjectSource);
  const subject = replySubject(subjectSource);

  const fromMailbox = checkAddress('From', from);
  const toMailbox = to === null ? null : checkAddress('To', to);

  refuseBreaks(DRAFT_KEY_HEADER, key);
  if (!KEY.test(key)) {
    throw new OfferwatchError('EUNSAFE', `cannot build draft: ${DRAFT_KEY_HEADER} must be 1–200 characters of A-Z a-z 0-9 . _ - : @ + / =`);
  }

  const { inReplyTo, references } = threading(thread.messages, last);

  if (input.body.includes('\0')) throw new OfferwatchError('EUNSAFE', 'cannot build draft: the body contains a NUL character');
  let body = input.body.replace(/\r\n?/g, '\n');
  if (!body.endsWith('\n')) body += '\n';

  const own = [
    mailboxHeader('From', fromMailbox),
    ...(toMailbox ? [mailboxHeader('To', toMailbox)] : []),
    foldHeader('Subject', textWords(subject)),
  ].join('\r\n');
  if (!/^[\x20-\x7e\r\n]*$/.test(own)) {
    throw new OfferwatchError('EUNSAFE', 'cannot build draft: a formatted header is not plain ASCII');
  }

  // `newline` is honoured by MimeNode but missing from @types/nodemailer's Mail.Options.
  const options: Mail.Options & { newline: 'windows' } = {
    newline: 'windows',
    text: body,
    date,
    messageId: draftMessageId(key),
    ...(inReplyTo ? { inReplyTo } : {}),
    ...(references.length > 0 ? { references } : {}),
    headers: { [DRAFT_KEY_HEADER]: key },
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  const mime = await new MailComposer(options).compile().build();
  return Buffer.concat([Buffer.from(`${own}\r\n`, 'ascii'), mime]);
}

/** The reply as structured fields (for API-built drafts), from the same inputs as composeReply. Call after composeReply: that validates. */
export function replyFields(input: ReplyInput): { from: Address; to: Address[]; subject: string; text: string; inReplyTo: string | null; references: string[] } {
  const last = input.thread.messages.at(-1);
  if (!last) throw new OfferwatchError('EUSAGE', `cannot build draft: thread ${input.thread.id} has no messages`);
  const subjectSource = [...input.thread.messages].reverse().find((m) => m.subject.trim() !== '')?.subject ?? '';
  const { inReplyTo, references } = threading(input.thread.messages, last);
  let text = input.body.replace(/\r\n?/g, '\n');
  if (!text.endsWith('\n')) text += '\n';
  return { from: input.from, to: input.to ? [input.to] : [], subject: replySubject(subjectSource), text, inReplyTo, references };
}

function refuseBreaks(header: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new OfferwatchError('EUNSAFE', `cannot build draft: ${header} contains a line break`);
  if (value.includes('\0')) throw new OfferwatchError('EUNSAFE', `cannot build draft: ${header} contains a NUL character`);
}

function checkAddress(header: 'From' | 'To', a: Address): { name: string | null; address: string } {
  if (a.name !== null) refuseBreaks(`${header} name`, a.name);
  refuseBreaks(`${header} address`, a.address);
  const mailbox = asciiMailbox(a.address);
  if (mailbox === null) {
    throw new OfferwatchError('EUNSAFE', `cannot build draft: ${header} address is not a single valid address`);
  }
  const name = a.name?.trim() ? a.name.trim() : null;
  return { name, address: mailbox };
}

function checkMessageId(header: string, id: string): void {
  refuseBreaks(header, id);
  // `=?` would be read as the start of an RFC 2047 encoded word by some parsers.
  if (id.length > MAX_MSG_ID || !MSG_ID.test(id) || id.includes('=?')) {
    throw new OfferwatchError('EUNSAFE', `cannot build draft: ${header} is not a <…> message id`);
  }
}

/**
 * In-Reply-To is the Message-ID of the last message that has one; References is that
 * message's References plus its Message-ID (duplicates removed, order kept). When no
 * message has an id, the last message's References are carried over alone.
 */
function threading(messages: ThreadMessage[], last: ThreadMessage): { inReplyTo: string | null; references: string[] } {
  const anchor = [...messages].reverse().find((m) => m.messageId !== null && m.messageId !== '');
  const chain = anchor ? [...anchor.references, anchor.messageId!] : [...last.references];
  if (anchor) checkMessageId('In-Reply-To', anchor.messageId!);
  for (const id of chain) checkMessageId('References', id);
  return { inReplyTo: anchor ? anchor.messageId : null, references: [...new Set(chain)] };
}

// ---------------------------------------------------------------------------------------------
// Header text encoding

const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]{1,60}$/;
const PLAIN_WORD = /^[\x21-\x7e]{1,60}$/;
/** Bytes of UTF-8 per encoded word: 39 bytes → 52 base64 chars → a 64-char word. */
const WORD_BYTES = 39;

/** Display name as header words: plain atoms when they are safe as they are, else encoded words. */
function phraseWords(n: string): string[] {
  const words = n.split(' ');
  return !n.includes('=?') && words.every((w) => ATOM.test(w)) ? words : encodedWords(n);
}

/** Unstructured text (Subject) as header words. */
function textWords(text: string): string[] {
  const words = text.split(' ');
  return !text.includes('=?') && words.every((w) => PLAIN_WORD.test(w)) ? words : encodedWords(text);
}

/** RFC 2047 `B` encoded words of UTF-8, split on code point boundaries. */
function encodedWords(text: string): string[] {
  const out: string[] = [];
  let chunk: Buffer[] = [];
  let size = 0;
  const flush = (): void => {
    if (size > 0) out.push(`=?UTF-8?B?${Buffer.concat(chunk).toString('base64')}?=`);
    chunk = [];
    size = 0;
  };
  for (const cp of text) {
    const bytes = Buffer.from(cp, 'utf8');
    if (size + bytes.length > WORD_BYTES) flush();
    chunk.push(bytes);
    size += bytes.length;
  }
  flush();
  return out;
}

function mailboxHeader(header: string, m: { name: string | null; address: string }): string {
  return foldHeader(header, m.name ? [...phraseWords(m.name), `<${m.address}>`] : [m.address]);
}

/** `Name: w1 w2 …` folded before a word that would take the line past 76 characters. */
function foldHeader(name: string, words: string[]): string {
  const lines: string[] = [];
  let line = `${name}:`;
  let first = true;
  for (const w of words) {
    if (!first && line.length + 1 + w.length > 76) {
      lines.push(line);
      line = '';
    }
    line += ` ${w}`;
    first = false;
  }
  lines.push(line);
  return lines.join('\r\n');
}
