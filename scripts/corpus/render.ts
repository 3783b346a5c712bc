/**
 * Deterministic renderer: corpus definition (threads of messages + labels) →
 * Google-Takeout-style mboxrd bytes and labels.json in the shared corpus format.
 *
 * Every id, boundary, second and IP is derived from a SHA-256 of the thread key,
 * so rendering the same definition always yields the same bytes.
 */
import { buildBody } from './body.js';
import {
  addressHeader, asctimeUtc, type Charset, type Cte, foldText, isAscii, isoUtc,
  parseAddressList, parseZoned, rfc5322Date, sha, subjectHeader, type ZonedDate,
} from './mime.js';
import { gmailHtml, htmlToPlain, outlookHtml, type QuotedMessage, quoteBlock } from './quote.js';
import {
  type Category, type CorpusDef, LABEL_STAGES, type LabelRow, type Mailer, type MessageDef,
  type RenderedCorpus, type ThreadDef,
} from './types.js';

export type { CorpusDef, LabelRow, MessageDef, RenderedCorpus, ThreadDef } from './types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const ROBOT_HINT = /^(no-?reply|do-?not-?reply|donotreply|notifications?|notify|alerts?|jobalerts|jobalerts-noreply|jobs-noreply|mailer|news|newsletter|digest|updates|hello|offers|deals|info|calendar|scheduling|team|careers|jobs|recruiting|bookings|dse|speakers|cfp|appointments|lettings|mortgages|admissions|marketing|editor)$/;

/** One thing wrong with a thread: its key, where in the thread file (a key path), what. */
export interface Problem {
  key: string;
  path: (string | number)[];
  message: string;
}

export class CorpusError extends Error {
  constructor(readonly problems: Problem[], format: (p: Problem) => string = (p) => `${p.key}: ${p.message}`) {
    super(`cannot render corpus: ${problems.length} problem(s)\n${problems.map(format).join('\n')}`);
    this.name = 'CorpusError';
  }
}

interface Rendered {
  utc: Date;
  sender: string;
  raw: Buffer;
}

interface MsgState {
  from: string;
  to: string;
  subject: string;
  date: ZonedDate;
  plain: string;
  msgid: string;
}

const REPLY_PREFIX = /^(re|aw|sv|antw|r|rv)\s*:/i;

export class CorpusRenderer {
  readonly problems: Problem[] = [];
  private readonly ownerAddrs: Set<string>;
  private readonly now: Date;

  constructor(private readonly def: CorpusDef) {
    this.ownerAddrs = new Set([def.owner.address, ...def.aliases].map((a) => a.toLowerCase()));
    this.now = new Date(def.now);
  }

  render(): RenderedCorpus {
    const out: Rendered[] = [];
    const labels: LabelRow[] = [];
    const ids = new Set<string>();
    const subjects = new Map<string, string>();
    for (const t of this.def.threads) {
      const row = this.renderThread(t, out);
      if (!row) continue;
      if (ids.has(row.thread)) this.problem(t.key, 'duplicate thread id', ['messages', 0, 'date']);
      ids.add(row.thread);
      const prev = subjects.get(row.subject);
      if (prev) this.problem(t.key, `first subject duplicates thread ${prev}`, ['messages', 0, 'subject']);
      subjects.set(row.subject, t.key);
      labels.push(row);
    }
    if (this.problems.length) throw new CorpusError(this.problems);
    labels.sort((a, b) => (a.thread < b.thread ? -1 : a.thread > b.thread ? 1 : 0));
    return { mbox: writeMbox(out), labels, labelsJson: `${JSON.stringify(labels, null, 2)}\n`, messageCount: out.length };
  }

  private problem(key: string, message: string, path: (string | number)[] = []): void {
    this.problems.push({ key, path, message });
  }

  private isOwner(addrField: string): boolean {
    const a = parseAddressList(addrField)[0];
    return !!a && this.ownerAddrs.has(a.address.toLowerCase());
  }

  private resolve(who: string): string {
    if (who === 'me') return `${this.def.owner.name} <${this.def.owner.address}>`;
    if (who === 'me2') return `${this.def.owner.name} <${this.def.aliases[0]}>`;
    return who;
  }

  private renderThread(t: ThreadDef, out: Rendered[]): LabelRow | null {
    const key = t.key;
    if (!LABEL_STAGES.includes(t.stage)) this.problem(key, `bad stage ${t.stage}`, ['labels', 'stage']);
    if (t.stage === 'none' && (t.company || t.role || t.contact)) this.problem(key, 'none threads carry no company/role/contactFirstName', ['labels']);
    if (t.msgs.length === 0) {
      this.problem(key, 'thread has no messages');
      return null;
    }
    const windowStart = new Date(this.def.windowStart);
    const dates = t.msgs.map((m, i) => parseZoned(m.date, parseInt(sha(key, i, 'sec').slice(0, 4), 16) % 60));
    dates.forEach((d, i) => {
      if (d.utc < windowStart || d.utc > this.now) this.problem(key, `${isoUtc(d.utc)} is outside the corpus window (windowStart..now)`, ['messages', i, 'date']);
      if (i > 0 && d.utc < dates[i - 1].utc) this.problem(key, 'older than the message before it', ['messages', i, 'date']);
    });
    const thrid = ((BigInt(dates[0].utc.getTime()) << 20n) | BigInt(parseInt(sha(key, 'thrid').slice(0, 5), 16))).toString();
    if (thrid.length !== 19) this.problem(key, `thread id ${thrid} is not 19 digits`, ['messages', 0, 'date']);

    const states: MsgState[] = [];
    let subject = '';
    t.msgs.forEach((m, i) => {
      const from = this.resolve(m.from);
      // An unquoted comma in a display name makes two addresses (and a broken envelope line).
      if (parseAddressList(from).length !== 1) this.problem(key, 'from must be one address: quote a display name that holds a comma ("Acme, Inc." <jobs@acme.example>)', ['messages', i, 'from']);
      const fromOwner = this.isOwner(from);
      let to: string;
      if (m.to) to = this.resolve(m.to);
      else if (fromOwner) {
        // The owner answers the last counterparty; writing first, they write to the one who answers.
        const other = (p: MessageDef) => !this.isOwner(this.resolve(p.from));
        const last = [...t.msgs.slice(0, i)].reverse().find(other) ?? t.msgs.slice(i + 1).find(other);
        if (!last) this.problem(key, 'nobody else writes in this thread: give the owner\'s message an explicit to', ['messages', i, 'from']);
        to = last ? last.replyTo ?? this.resolve(last.from) : 'unknown@example.invalid';
      } else to = `${this.def.owner.name} <${this.def.owner.address}>`;
      if (m.subject !== undefined) subject = m.subject;
      else if (i === 0) this.problem(key, 'the first message needs a subject', ['messages', 0]);
      else if (!REPLY_PREFIX.test(subject)) subject = `${m.rePrefix ?? 'Re: '}${subject}`;

      const qi = m.quoteIdx ?? i - 1;
      const quoted: QuotedMessage | null = m.quote && i > 0 ? states[qi] : null;
      const own = m.text !== undefined ? (m.wrap ? hardWrap(m.text, m.wrap) : m.text).replace(/^\n+|\n+$/g, '') : null;
      let text = own !== null ? `${own}\n${quoted && m.quote ? quoteBlock(m.quote, quoted, dates[i].offsetMinutes) : ''}` : null;
      let html = m.html ?? null;
      if (html === null && own !== null && m.autoHtml === 'gmail') html = gmailHtml(own, quoted, dates[i].offsetMinutes);
      if (html === null && own !== null && m.autoHtml === 'outlook') {
        html = outlookHtml(own, quoted, dates[i].offsetMinutes);
        text = null;
      }
      const plain = text ?? htmlToPlain(html ?? '');
      const msgid = this.messageId(key, i, from, m, fromOwner);
      states.push({ from, to, subject, date: dates[i], plain, msgid });
      try {
        const raw = this.renderMessage(t, i, m, { from, to, subject, date: dates[i], plain, msgid }, text, html, states, thrid, fromOwner);
        out.push({ utc: dates[i].utc, sender: parseAddressList(from)[0].address, raw });
      } catch (e) {
        this.problem(key, (e as Error).message, ['messages', i]);
      }
    });

    const mentions = (s: MsgState, m: MessageDef) => [s.from, s.to, s.plain, m.cc ?? '', m.replyTo ?? ''].some((f) => f.includes(t.contact!));
    if (t.contact && !states.some((s, i) => mentions(s, t.msgs[i]!))) {
      this.problem(key, `${t.contact} does not appear in the thread`, ['labels', 'contactFirstName']);
    }
    const last = states[states.length - 1];
    const age = this.now.getTime() - last.date.utc.getTime();
    let stale: boolean | null = null;
    if (t.awaiting === true) {
      if (this.isOwner(last.from)) this.problem(key, 'true but the owner wrote the last message', ['labels', 'awaitingReply']);
      if (this.def.strictAwaitingGap && age > 2 * HOUR && age < 7 * DAY) this.problem(key, `the awaited thread ends ${(age / HOUR).toFixed(1)} h before now: must be >= 7 days or <= 2 hours (strictAwaitingGap)`, ['labels', 'awaitingReply']);
      stale = age >= 7 * DAY;
    } else if (t.awaiting === false) stale = false;
    return {
      thread: thrid,
      subject: states[0].subject,
      stage: t.stage,
      awaitingReply: t.awaiting,
      stale,
      company: t.company,
      role: t.role,
      contactFirstName: t.contact,
      note: t.note,
    };
  }

  private messageId(key: string, i: number, from: string, m: MessageDef, fromOwner: boolean): string {
    const h = sha(key, i, 'msgid');
    if (fromOwner && !m.msgidDomain) {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
      let n = BigInt(`0x${h}`);
      let s = '';
      for (let k = 0; k < 44; k++) {
        s += alphabet[Number(n % 62n)];
        n /= 62n;
      }
      const prefix = ['CAH', 'CAF', 'CAJ', 'CAK', 'CAM'][parseInt(h.slice(0, 2), 16) % 5];
      return `<${prefix}${s.slice(0, 26)}+${s.slice(26, 34)}_${s.slice(34, 42)}@mail.gmail.com>`;
    }
    const domain = m.msgidDomain ?? parseAddressList(from)[0].address.split('@')[1];
    switch (parseInt(h.slice(0, 2), 16) % 3) {
      case 0:
        return `<${h.slice(2, 18)}.${h.slice(18, 26)}@${domain}>`;
      case 1:
        return `<${h.slice(2, 10)}-${h.slice(10, 14)}-${h.slice(14, 18)}-${h.slice(18, 22)}-${h.slice(22, 34)}@${domain}>`;
      default:
        return `<${h.slice(2, 14).toUpperCase()}$${h.slice(14, 22)}@${domain}>`;
    }
  }

  private mailerFor(key: string, i: number, m: MessageDef, fromOwner: boolean): Mailer {
    if (m.mailer) return m.mailer;
    if (fromOwner) return 'gmail';
    const pool: Mailer[] = ['gmail', 'outlook', 'javamail', 'generic'];
    return pool[parseInt(sha(key, i, 'mailer').slice(0, 2), 16) % pool.length];
  }

  private ctes(key: string, i: number, m: MessageDef, text: string | null, html: string | null, charset: Charset, fromOwner: boolean): { textCte: Cte; htmlCte: Cte } {
    const roll = parseInt(sha(key, i, 'cte').slice(0, 2), 16) % 100;
    const pick = (body: string | null, explicit: Cte | undefined, isHtml: boolean): Cte => {
      if (explicit) return explicit;
      if (body === null) return '7bit';
      const maxLine = Math.max(...body.split('\n').map((l) => l.length));
      const ascii = isAscii(body);
      if (ascii && maxLine <= 76) return '7bit';
      if (fromOwner) return 'quoted-printable';
      if (isHtml) return roll < 25 ? 'base64' : 'quoted-printable';
      if (ascii && maxLine < 990 && roll < 45) return '7bit';
      if (!ascii && charset === 'utf-8' && roll < 30 && maxLine < 990) return '8bit';
      return 'quoted-printable';
    };
    return { textCte: pick(text, m.cte, false), htmlCte: pick(html, m.htmlCte ?? (m.cte === 'base64' ? 'base64' : undefined), true) };
  }

  private defaultLabels(t: ThreadDef, m: MessageDef, st: MsgState, fromOwner: boolean): string {
    if (fromOwner) {
      if (this.isOwner(st.to)) return 'Inbox,Important,Opened,Category Personal';
      return 'Sent';
    }
    const unread = this.now.getTime() - st.date.utc.getTime() <= 6 * HOUR;
    const state = unread ? 'Unread' : 'Opened';
    const local = parseAddressList(st.from)[0].address.split('@')[0].toLowerCase();
    const cat: Category = m.cat ?? (ROBOT_HINT.test(local) ? 'updates' : 'personal');
    switch (cat) {
      case 'spam':
        return `Spam,${state}`;
      case 'promo':
        return `Inbox,Category Promotions,${state}`;
      case 'social':
        return `Inbox,Category Social,${state}`;
      case 'forums':
        return `Inbox,Category Forums,${state}`;
      case 'updates':
        return `Inbox,Category Updates,${state}`;
      case 'personal':
        return `Inbox,Important,${state},Category Personal`;
    }
  }

  private renderMessage(t: ThreadDef, i: number, m: MessageDef, st: MsgState, text: string | null, html: string | null, states: MsgState[], thrid: string, fromOwner: boolean): Buffer {
    const key = t.key;
    const charset = m.charset ?? 'utf-8';
    const mailer = this.mailerFor(key, i, m, fromOwner);
    const { textCte, htmlCte } = this.ctes(key, i, m, text, html, charset, fromOwner);
    const body = buildBody({ seed: `${key}/${i}`, mailer, text, html, charset, textCte, htmlCte, attach: m.attach ?? [] });

    let gl = m.labels ?? this.defaultLabels(t, m, st, fromOwner);
    if (t.tag && !gl.split(',').includes(t.tag)) gl = `${gl},${t.tag}`;
    const H: string[] = [`X-GM-THRID: ${thrid}`, `X-Gmail-Labels: ${gl}`];
    const toAddr = parseAddressList(st.to)[0]?.address.toLowerCase() ?? '';
    if (!fromOwner || this.ownerAddrs.has(toAddr)) {
      const rcpt = this.ownerAddrs.has(toAddr) ? toAddr : this.def.owner.address;
      const senderAddr = parseAddressList(st.from)[0].address;
      const senderDom = senderAddr.split('@')[1];
      const ip = (parseInt(sha(key, i, 'ip').slice(0, 2), 16) % 250) + 2;
      H.push('Delivered-To: ' + rcpt);
      H.push(`Received: from mail-out.${senderDom} (mail-out.${senderDom}. [198.51.100.${ip}])\n        by mx.google.com with ESMTPS id ${sha(key, i, 'rid').slice(0, 20)}\n        for <${rcpt}>;\n        ${rfc5322Date({ utc: st.date.utc, offsetMinutes: 0 })}`);
      H.push(`Return-Path: <${senderAddr}>`);
    }
    H.push('MIME-Version: 1.0');
    H.push(`Date: ${rfc5322Date(st.date, m.dateStyle ?? 'rfc')}`);
    H.push(`Message-ID: ${st.msgid}`);
    if (i > 0 && !m.noRefs) {
      const qi = m.quoteIdx ?? i - 1;
      H.push(`In-Reply-To: ${states[qi].msgid}`);
      H.push(`References: ${states.slice(0, qi + 1).map((s) => s.msgid).join('\n ')}`);
    }
    H.push(subjectHeader(st.subject, charset, m.subjectMode ?? 'auto'));
    H.push(addressHeader('From', st.from, charset));
    H.push(addressHeader('To', st.to, charset));
    if (m.cc) H.push(addressHeader('Cc', m.cc, charset));
    if (m.replyTo) H.push(addressHeader('Reply-To', m.replyTo, charset));
    if (mailer === 'outlook') {
      H.push('X-Mailer: Microsoft Outlook 16.0');
      const topic = st.subject.replace(REPLY_PREFIX, '').trim();
      if (isAscii(topic)) H.push(foldText('Thread-Topic', topic));
    }
    for (const [hk, hv] of Object.entries(m.headers ?? {})) H.push(foldText(hk, hv));
    const head = Buffer.from(`${[...H, ...body.headers].join('\n')}\n\n`, 'utf8');
    const raw = Buffer.concat([head, body.body]);
    return raw.toString('latin1').endsWith('\n') ? raw : Buffer.concat([raw, Buffer.from('\n')]);
  }
}

/** Hard-wrap long prose lines at `width` (quotes, indented lines and URLs are left alone). */
export function hardWrap(text: string, width: number): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.length <= width || /^(>| |\t|\||http)/.test(line)) {
      out.push(line);
      continue;
    }
    const lead = /^([-*] |\d+\. )?/.exec(line)![0];
    let cur = '';
    for (const word of line.split(' ')) {
      if (cur && cur.length + 1 + word.length > width) {
        out.push(cur);
        cur = ' '.repeat(lead.length) + word;
      } else cur = cur ? `${cur} ${word}` : word;
    }
    out.push(cur);
  }
  return out.join('\n');
}

const FROM_LINE = /^(>*From )/gm;

/** mboxrd: chronological, `From ` separators, `>`-escaping of `^>*From ` lines. */
export function writeMbox(msgs: Array<{ utc: Date; sender: string; raw: Buffer }>): Buffer {
  const sorted = [...msgs].sort((a, b) => a.utc.getTime() - b.utc.getTime() || Buffer.compare(a.raw, b.raw));
  const chunks: Buffer[] = [];
  for (const m of sorted) {
    chunks.push(Buffer.from(`From ${m.sender || 'MAILER-DAEMON'} ${asctimeUtc(m.utc)}\n`, 'ascii'));
    chunks.push(Buffer.from(m.raw.toString('latin1').replace(FROM_LINE, '>$1'), 'latin1'));
    chunks.push(Buffer.from('\n'));
  }
  return Buffer.concat(chunks);
}

/** Render a corpus definition; throws CorpusError listing every problem found. */
export function renderCorpus(def: CorpusDef): RenderedCorpus {
  return new CorpusRenderer(def).render();
}

/** Counts for READMEs: threads per stage and per awaitingReply/stale pair. */
export function countLabels(labels: LabelRow[]): { stages: Record<string, number>; awaiting: Record<string, number> } {
  const stages: Record<string, number> = Object.fromEntries(LABEL_STAGES.map((s) => [s, 0]));
  const awaiting: Record<string, number> = {};
  for (const l of labels) {
    stages[l.stage] += 1;
    const k = `${l.awaitingReply}/${l.stale}`;
    awaiting[k] = (awaiting[k] ?? 0) + 1;
  }
  return { stages, awaiting };
}
