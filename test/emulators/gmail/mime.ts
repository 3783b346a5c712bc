/**
 * Just enough MIME for the emulator: the header block (decoded, in order), the
 * parsed From/To, a plain-text body for search, and a Gmail-style snippet.
 * Uses postal-mime so the emulator does not share parsing code with the connector.
 */
import PostalMime, { addressParser, decodeWords } from 'postal-mime';

export interface EmuHeader {
  name: string;
  value: string;
}

export interface EmuAddress {
  name: string;
  address: string;
}

export interface IndexedMessage {
  headers: EmuHeader[];
  from: EmuAddress | null;
  /** Every To/Cc address, lower-cased, with display names. */
  recipients: EmuAddress[];
  subject: string;
  /** Date header in ms, or null when absent or unreadable. */
  dateMs: number | null;
  messageIdHeader: string | null;
  /** Plain text of the body (HTML stripped), for full-text search. */
  text: string;
  /** Gmail-style snippet: collapsed, about 200 characters, HTML-escaped. */
  snippet: string;
  attachmentNames: string[];
}

/** Splits the raw header block off the message and unfolds it. */
export function readHeaderBlock(raw: Buffer): EmuHeader[] {
  const str = raw.toString('latin1');
  const m = /\r?\n\r?\n/.exec(str);
  const block = m ? str.slice(0, m.index) : str;
  const lines = block.split(/\r?\n/);
  const out: EmuHeader[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && out.length > 0) {
      out[out.length - 1].value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  // Header bytes are usually ASCII; re-read 8-bit values as UTF-8 and decode encoded words.
  return out.map((h) => ({ name: h.name, value: decodeWords(Buffer.from(h.value, 'latin1').toString('utf8')) }));
}

export function headerValue(headers: EmuHeader[], name: string): string | null {
  const lower = name.toLowerCase();
  const h = headers.find((x) => x.name.toLowerCase() === lower);
  return h ? h.value : null;
}

function firstMailbox(value: string | null): EmuAddress | null {
  if (!value) return null;
  const list = addressParser(value, { flatten: true });
  const first = list[0];
  if (!first || first.group) return null;
  return { name: first.name ?? '', address: (first.address ?? '').toLowerCase() };
}

function allMailboxes(value: string | null): EmuAddress[] {
  if (!value) return [];
  return addressParser(value, { flatten: true })
    .filter((a) => !a.group)
    .map((a) => ({ name: a.name ?? '', address: (a.address ?? '').toLowerCase() }));
}

function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<br\s*\/?>|<\/p>|<\/div>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}

/** Gmail escapes HTML specials in snippets; the connector must undo it. */
export function gmailSnippet(text: string): string {
  const collapsed = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return collapsed
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export async function indexRaw(raw: Buffer): Promise<IndexedMessage> {
  const headers = readHeaderBlock(raw);
  let text = '';
  let attachmentNames: string[] = [];
  try {
    const email = await PostalMime.parse(raw);
    text = email.text ?? (email.html ? htmlToText(email.html) : '');
    attachmentNames = email.attachments.map((a) => a.filename ?? '').filter(Boolean);
  } catch {
    text = '';
  }
  const dateHeader = headerValue(headers, 'Date');
  const parsedDate = dateHeader ? Date.parse(dateHeader) : NaN;
  return {
    headers,
    from: firstMailbox(headerValue(headers, 'From')),
    recipients: [...allMailboxes(headerValue(headers, 'To')), ...allMailboxes(headerValue(headers, 'Cc'))],
    subject: headerValue(headers, 'Subject') ?? '',
    dateMs: Number.isNaN(parsedDate) ? null : parsedDate,
    messageIdHeader: headerValue(headers, 'Message-ID'),
    text,
    snippet: gmailSnippet(text),
    attachmentNames,
  };
}
