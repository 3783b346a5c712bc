/**
 * Deterministic synthetic mailbox generator for benchmarks and emulators.
 *
 * Produces a Takeout-style mboxrd stream of realistic variety: plain 7bit and
 * quoted-printable text, base64 bodies, HTML-only newsletters with tracking pixels,
 * multipart/alternative, small PDF attachments, quoted replies, X-GM-THRID threads of
 * 1–5 messages, and a small share of job-search mail in several voices. The same seed
 * always gives the same bytes. Every name, address and company is invented; all
 * domains end in `.example`.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { seededRandom } from '../../src/util/random.js';

export interface GenerateOptions {
  seed: number;
  /** How many messages; may be Infinity when a byte target bounds the output instead. */
  messages: number;
  /** Share of job-search messages (default 0.035). */
  jobShare?: number;
  /** The mailbox owner: `Name <addr>` or a bare address. */
  owner: string;
}

/** One generated message with its ground truth. */
export interface GeneratedMail {
  /** mbox envelope line, without line ending. */
  envelope: string;
  /** RFC 5322 message (LF line endings), not mboxrd-quoted. */
  raw: string;
  messageId: string;
  threadId: string;
  labels: string[];
  /** ISO UTC. */
  date: string;
  /** What kind of mail this is: `job:<voice>`, `newsletter`, `receipt`, `personal`, `notice`. */
  kind: string;
  /** True for job-search mail. */
  job: boolean;
  /** True when the owner wrote it. */
  fromOwner: boolean;
}

/** mulberry32, the project's one seeded PRNG. */
export const mulberry32 = seededRandom;

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.next() * 16)];
    return s;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(this.next() * 10));
    return s;
  }
}

// ---------------------------------------------------------------------------
// Vocabulary (invented).

const FIRST = ['Avery', 'Bram', 'Cleo', 'Dara', 'Emil', 'Fenna', 'Gus', 'Hollis', 'Ines', 'Joss', 'Kit', 'Lior', 'Maren', 'Noor', 'Odile', 'Pax', 'Quin', 'Rhea', 'Soren', 'Tova', 'Ugo', 'Vida', 'Wren', 'Xavi', 'Yara', 'Zeno', 'Renée', 'Tomás', 'Zoë', 'Björn'];
const LAST = ['Ashgrove', 'Brindle', 'Coldwell', 'Dunmore', 'Elderby', 'Fallow', 'Glenrock', 'Hartwell', 'Ivers', 'Juniper', 'Kestley', 'Larkspur', 'Mossley', 'Northcott', 'Oakridge', 'Pellham', 'Quarry', 'Rookwood', 'Stillwater', 'Thornbury', 'Underhill', 'Vale', 'Whitlock', 'Yarrow'];
const COMPANIES = ['Bramblecone', 'Cobaltfern', 'Dewpoint Labs', 'Embervale', 'Foxhollow Data', 'Glimmerstone', 'Hazelgrid', 'Ironbark Analytics', 'Juniper Loop', 'Kiteline', 'Lanternfish', 'Mistral Works', 'Nettlebrook', 'Orchard Lane', 'Pinecrest AI', 'Quillfeather', 'Riverstone', 'Saltmarsh', 'Tidewater Systems', 'Umberlight'];
const ROLES = ['Data Scientist', 'Senior Data Scientist', 'Analytics Engineer', 'Machine Learning Engineer', 'Data Analyst', 'Staff Data Scientist', 'Product Analyst'];
const SHOPS = ['Copperkettle Goods', 'Lindenleaf Books', 'Marigold Market', 'Northwind Outfitters', 'Pebble & Pine', 'Sparrow Supply', 'Tallgrass Tea'];
const NEWSLETTERS = ['The Weekly Ledger', 'Data Digest', 'Garden Notes', 'City Cycling News', 'Recipe Roundup', 'Film Club Bulletin', 'Neighbourhood Update'];
const TOPICS = ['the new bike lanes', 'a sourdough starter', 'the book club pick', 'weekend plans', 'the photos from the trip', 'the spare keys', 'the birthday dinner', 'the concert tickets', 'the garden plot', 'the moving boxes'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
const WEEKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Person {
  name: string;
  address: string;
}

function slug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

function person(r: Rng, domain?: string): Person {
  const first = r.pick(FIRST);
  const last = r.pick(LAST);
  const d = domain ?? r.pick(['mailbox.example', 'postbox.example', 'inkwell.example', 'lanterns.example']);
  return { name: `${first} ${last}`, address: `${slug(first)}.${slug(last)}@${d}` };
}

function parseOwner(owner: string): Person {
  const m = /^\s*(.*?)\s*<([^<>\s]+)>\s*$/.exec(owner);
  if (m) return { name: m[1].replace(/^"|"$/g, '') || m[2], address: m[2].toLowerCase() };
  const address = owner.trim().toLowerCase();
  const local = address.split('@')[0] ?? address;
  const name = local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
  return { name, address };
}

// ---------------------------------------------------------------------------
// MIME helpers.

function isAscii(s: string): boolean {
  return /^[\x00-\x7f]*$/.test(s);
}

function encodeWord(s: string): string {
  if (isAscii(s)) return s;
  return `=?utf-8?b?${Buffer.from(s, 'utf8').toString('base64')}?=`;
}

function addr(p: Person): string {
  if (isAscii(p.name)) return /[,;:"<>()@]/.test(p.name) ? `"${p.name}" <${p.address}>` : `${p.name} <${p.address}>`;
  return `${encodeWord(p.name)} <${p.address}>`;
}

function rfcDate(t: number): string {
  const d = new Date(t);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${WEEKDAY[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTH[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

function asctime(t: number): string {
  const d = new Date(t);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${WEEKDAY[d.getUTCDay()]} ${MONTH[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

function wrap76(b64: string): string {
  return (b64.match(/.{1,76}/g) ?? []).join('\n');
}

/** Quoted-printable for UTF-8 text, soft line breaks at 76 columns. */
function qp(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let enc = '';
    const bytes = Buffer.from(line, 'utf8');
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      const last = i === bytes.length - 1;
      if ((b >= 33 && b <= 126 && b !== 61) || (b === 32 && !last)) enc += String.fromCharCode(b);
      else enc += `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    let rest = enc;
    while (rest.length > 75) {
      let cut = 75;
      // Do not split an =XX escape.
      const eq = rest.lastIndexOf('=', cut);
      if (eq > cut - 3) cut = eq;
      out.push(`${rest.slice(0, cut)}=`);
      rest = rest.slice(cut);
    }
    out.push(rest);
  }
  return out.join('\n');
}

type BodyStyle = 'plain' | 'qp' | 'base64' | 'alt' | 'html';

interface Part {
  headers: string[];
  body: string;
}

function textPart(text: string, style: 'plain' | 'qp' | 'base64'): Part {
  if (style === 'base64') {
    return {
      headers: ['Content-Type: text/plain; charset="utf-8"', 'Content-Transfer-Encoding: base64'],
      body: wrap76(Buffer.from(text, 'utf8').toString('base64')),
    };
  }
  if (style === 'qp' || !isAscii(text) || text.split('\n').some((l) => l.length > 998)) {
    return { headers: ['Content-Type: text/plain; charset="utf-8"', 'Content-Transfer-Encoding: quoted-printable'], body: qp(text) };
  }
  return { headers: ['Content-Type: text/plain; charset="utf-8"', 'Content-Transfer-Encoding: 7bit'], body: text };
}

function htmlPart(html: string): Part {
  return { headers: ['Content-Type: text/html; charset="utf-8"', 'Content-Transfer-Encoding: quoted-printable'], body: qp(html) };
}

function multipart(subtype: string, boundary: string, parts: Part[]): Part {
  const lines: string[] = [];
  for (const p of parts) {
    lines.push(`--${boundary}`, ...p.headers, '', p.body);
  }
  lines.push(`--${boundary}--`);
  return { headers: [`Content-Type: multipart/${subtype}; boundary="${boundary}"`], body: lines.join('\n') };
}

function pdfBytes(r: Rng, title: string, kb: number): Buffer {
  const head = `%PDF-1.4\n% ${title}\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n`;
  const filler = Buffer.alloc(kb * 1024);
  for (let i = 0; i < filler.length; i++) filler[i] = Math.floor(r.next() * 256);
  return Buffer.concat([Buffer.from(head), filler, Buffer.from('\ntrailer<</Root 1 0 R>>\n%%EOF\n')]);
}

function attachmentPart(name: string, data: Buffer): Part {
  return {
    headers: [`Content-Type: application/pdf; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64'],
    body: wrap76(data.toString('base64')),
  };
}

function htmlFromText(text: string, pixel: string | null): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const paras = text
    .split(/\n{2,}/)
    .map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  const img = pixel ? `\n<img src="${pixel}" width="1" height="1" alt="" style="display:none">` : '';
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><style>p{font-family:sans-serif}</style></head><body>\n${paras}${img}\n</body></html>`;
}

// ---------------------------------------------------------------------------
// Threads.

interface Step {
  from: Person;
  to: Person[];
  text: string;
  subject?: string;
  style: BodyStyle;
  pdf?: { name: string; kb: number };
  labels: string[];
  extraHeaders?: string[];
  fromOwner: boolean;
}

interface ThreadPlan {
  kind: string;
  job: boolean;
  subject: string;
  threadId: string;
  steps: Step[];
  /** Minutes between messages (min, max). */
  gap: [number, number];
}

interface SentMessage {
  messageId: string;
  from: Person;
  date: number;
  text: string;
}

const RECEIVED_PERSONAL = ['Inbox', 'Category Personal', 'Opened'];
const RECEIVED_UPDATES = ['Inbox', 'Category Updates', 'Opened'];
const RECEIVED_PROMO = ['Category Promotions'];

function jobThread(r: Rng, owner: Person, threadId: string): ThreadPlan {
  const company = r.pick(COMPANIES);
  const domain = `${slug(company)}.example`;
  const role = r.pick(ROLES);
  const recruiter = person(r, domain);
  const rFirst = recruiter.name.split(' ')[0];
  const oFirst = owner.name.split(' ')[0];
  const ats: Person = { name: `${company} Recruiting`, address: `no-reply@${slug(company)}.ats-mail.example` };
  const day = r.pick(DAYS);
  const hour = r.int(9, 16);
  const voice = r.pick(['ack', 'invite', 'agency', 'rejection', 'offer', 'scheduling'] as const);
  const jobLabels = r.chance(0.4) ? ['Jobs'] : [];
  const inbox = (l: string[]): string[] => [...l, ...jobLabels];
  const sent = ['Sent', ...jobLabels];
  const steps: Step[] = [];
  let subject: string;
  switch (voice) {
    case 'ack':
      subject = `${company} | Application received`;
      steps.push({
        from: ats,
        to: [owner],
        text: `Hello ${oFirst},\n\nThank you for applying for the ${role} role at ${company}. Our team reviews every application by hand and will be in touch within two weeks if there is a match.\n\nBest regards,\n${company} Recruiting`,
        style: r.pick(['plain', 'qp', 'alt', 'html'] as const),
        labels: inbox(RECEIVED_UPDATES),
        fromOwner: false,
      });
      if (r.chance(0.5)) {
        steps.push({
          from: ats,
          to: [owner],
          text: `Hi ${oFirst},\n\nThank you for your interest in ${company}. After careful review, we have decided to move forward with other candidates for the ${role} position.\n\nWe wish you the best in your search.\n\n${company} Recruiting`,
          subject: `Your application to ${company}`,
          style: r.pick(['plain', 'alt'] as const),
          labels: inbox(RECEIVED_UPDATES),
          fromOwner: false,
        });
      }
      break;
    case 'invite':
    case 'scheduling':
      subject = voice === 'invite' ? `${company} - ${role} conversation` : `Interview scheduling: ${role} at ${company}`;
      steps.push({
        from: recruiter,
        to: [owner],
        text: `Hi ${oFirst},\n\nI'm ${rFirst}, a recruiter at ${company}. Your background stood out for our ${role} opening and I'd love to set up a 30-minute call. Would ${day} at ${hour}:00 work for you?\n\nBest,\n${rFirst}`,
        style: r.pick(['plain', 'qp', 'alt'] as const),
        labels: inbox(RECEIVED_PERSONAL),
        fromOwner: false,
      });
      if (r.chance(0.8)) {
        steps.push({
          from: owner,
          to: [recruiter],
          text: `Hi ${rFirst},\n\nThanks for reaching out! ${day} at ${hour}:00 works well for me.\n\nBest,\n${oFirst}`,
          style: 'plain',
          labels: sent,
          fromOwner: true,
        });
        steps.push({
          from: recruiter,
          to: [owner],
          text: `Great, you'll get a calendar invitation shortly. Talk on ${day}!\n\n${rFirst}`,
          style: 'plain',
          labels: inbox(RECEIVED_PERSONAL),
          fromOwner: false,
        });
      }
      if (r.chance(0.4)) {
        steps.push({
          from: recruiter,
          to: [owner],
          text: `Hi ${oFirst},\n\nThanks again for your time. The team enjoyed the conversation and would like to invite you to a panel interview next week. Could you send me a few times that work?\n\n${rFirst}`,
          style: 'plain',
          labels: inbox(RECEIVED_PERSONAL),
          fromOwner: false,
        });
      }
      break;
    case 'agency': {
      const agent = person(r, `${slug(r.pick(LAST))}talent.example`);
      const aFirst = agent.name.split(' ')[0];
      subject = `${role} opportunity with a client of ours`;
      steps.push({
        from: agent,
        to: [owner],
        text: `Hi ${oFirst},\n\nI'm working with ${company} on a ${role} search (hybrid, strong comp). I think your profile is a great fit. Are you open to a quick chat this week?\n\nCheers,\n${aFirst}\n\n-- \n${agent.name}\nSenior Recruiter`,
        style: 'plain',
        labels: inbox(RECEIVED_PERSONAL),
        fromOwner: false,
      });
      if (r.chance(0.6)) {
        steps.push({
          from: owner,
          to: [agent],
          text: `Hi ${aFirst},\n\nThanks for thinking of me. I'm happy where I am for now, so I'll pass on this one.\n\nBest,\n${oFirst}`,
          style: 'plain',
          labels: sent,
          fromOwner: true,
        });
      }
      break;
    }
    case 'rejection':
      subject = `Update on your ${role} application`;
      steps.push({
        from: recruiter,
        to: [owner],
        text: `Dear ${oFirst},\n\nThank you for taking the time to interview with ${company}. Unfortunately, we will not be moving forward with your candidacy for the ${role} role. It was a close decision and we appreciated meeting you.\n\nKind regards,\n${recruiter.name}`,
        style: r.pick(['plain', 'qp', 'base64'] as const),
        labels: inbox(RECEIVED_PERSONAL),
        fromOwner: false,
      });
      break;
    case 'offer':
    default: {
      subject = `Offer: ${role} at ${company}`;
      const base = r.int(120, 210) * 1000;
      steps.push({
        from: recruiter,
        to: [owner],
        text: `Hi ${oFirst},\n\nI'm delighted to share that we'd like to offer you the ${role} position: $${base.toLocaleString('en-US')} base plus equity. The offer letter is attached. Could you let us know your decision by ${day}?\n\nWarmly,\n${rFirst}`,
        style: r.pick(['plain', 'alt'] as const),
        pdf: { name: `${slug(company)}-offer-letter.pdf`, kb: r.int(2, 6) },
        labels: inbox(RECEIVED_PERSONAL),
        fromOwner: false,
      });
      if (r.chance(0.7)) {
        const accept = r.chance(0.5);
        steps.push({
          from: owner,
          to: [recruiter],
          text: accept
            ? `Hi ${rFirst},\n\nThank you so much! I'm happy to accept the offer and will sign the letter today.\n\nBest,\n${oFirst}`
            : `Hi ${rFirst},\n\nThank you for the offer and for your time. After careful thought I've decided to decline; I've accepted a role elsewhere.\n\nAll the best,\n${oFirst}`,
          style: 'plain',
          labels: sent,
          fromOwner: true,
        });
      }
      break;
    }
  }
  return { kind: `job:${voice}`, job: true, subject, threadId, steps: steps.slice(0, 5), gap: [60, 60 * 48] };
}

function otherThread(r: Rng, owner: Person, threadId: string): ThreadPlan {
  const oFirst = owner.name.split(' ')[0];
  const roll = r.next();
  if (roll < 0.4) {
    const name = r.pick(NEWSLETTERS);
    const domain = `${slug(name)}.example`;
    const sender: Person = { name, address: `news@${domain}` };
    const issue = r.int(10, 400);
    const paras = Array.from({ length: r.int(3, 7) }, () => `This week: ${r.pick(TOPICS)}, ${r.pick(TOPICS)} and a short note on ${r.pick(TOPICS)}. Read the full story on our site.`);
    const withFrom = r.chance(0.05) ? ['From the editor: thanks for reading, as always.'] : [];
    return {
      kind: 'newsletter',
      job: false,
      subject: `${name} #${issue}${r.chance(0.2) ? ' — ✨ special edition' : ''}`,
      threadId,
      gap: [1, 1],
      steps: [
        {
          from: sender,
          to: [owner],
          text: [`Hello ${oFirst},`, ...withFrom, ...paras, `You are receiving this because you subscribed to ${name}.`].join('\n\n'),
          style: r.pick(['html', 'html', 'alt'] as const),
          labels: RECEIVED_PROMO,
          extraHeaders: [`List-Id: ${name} <list.${domain}>`, `List-Unsubscribe: <https://${domain}/unsubscribe?u=${r.hex(12)}>`, 'Precedence: bulk'],
          fromOwner: false,
        },
      ],
    };
  }
  if (roll < 0.7) {
    const shop = r.pick(SHOPS);
    const domain = `${slug(shop)}.example`;
    const order = r.digits(6);
    const total = (r.int(500, 25000) / 100).toFixed(2);
    const steps: Step[] = [
      {
        from: { name: shop, address: `orders@${domain}` },
        to: [owner],
        text: `Hi ${oFirst},\n\nThanks for your order #${order}. Total charged: $${total}.\n\nItems will ship within 2 business days. Your receipt is attached.\n\n${shop}`,
        style: r.pick(['plain', 'qp', 'base64', 'alt'] as const),
        pdf: r.chance(0.5) ? { name: `receipt-${order}.pdf`, kb: r.int(2, 5) } : undefined,
        labels: RECEIVED_UPDATES,
        fromOwner: false,
      },
    ];
    if (r.chance(0.5)) {
      steps.push({
        from: { name: shop, address: `shipping@${domain}` },
        to: [owner],
        text: `Good news! Order #${order} has shipped and should arrive by ${r.pick(DAYS)}.\n\nTrack it in your account.`,
        style: 'html',
        labels: RECEIVED_UPDATES,
        fromOwner: false,
      });
    }
    return { kind: 'receipt', job: false, subject: `Your ${shop} order #${order}`, threadId, steps, gap: [60, 60 * 24] };
  }
  if (roll < 0.93) {
    const friend = person(r);
    const fFirst = friend.name.split(' ')[0];
    const topic = r.pick(TOPICS);
    const n = r.int(1, 5);
    const steps: Step[] = [];
    for (let i = 0; i < n; i++) {
      const mine = i % 2 === 1;
      const longLine = r.chance(0.3) ? ` ${'Also, '.repeat(1)}I keep meaning to tell you about ${r.pick(TOPICS)} and ${r.pick(TOPICS)}, which turned out to be a much longer story than I expected when I started it.` : '';
      steps.push({
        from: mine ? owner : friend,
        to: [mine ? friend : owner],
        text: mine
          ? `Hi ${fFirst},\n\nSounds good to me. ${r.pick(DAYS)} works.${longLine}\n\n${r.chance(0.5) ? 'Cheers,' : 'Best,'}\n${oFirst}${r.chance(0.2) ? '\n\nSent from my phone' : ''}`
          : `Hey ${oFirst},\n\nAbout ${topic}: are you free on ${r.pick(DAYS)}?${longLine}${r.chance(0.05) ? '\n\nFrom what I remember, it starts at seven.' : ''}\n\n${fFirst}`,
        style: r.pick(['plain', 'plain', 'qp', 'alt'] as const),
        labels: mine ? ['Sent'] : RECEIVED_PERSONAL,
        fromOwner: mine,
      });
    }
    return { kind: 'personal', job: false, subject: `${topic[0].toUpperCase()}${topic.slice(1)}`, threadId, steps, gap: [20, 60 * 30] };
  }
  const service = r.pick(['Cloudnest', 'Tinbox Bank', 'Meadow Mobile', 'Harbor Utilities']);
  const domain = `${slug(service)}.example`;
  return {
    kind: 'notice',
    job: false,
    subject: `${service}: your statement is ready`,
    threadId,
    gap: [1, 1],
    steps: [
      {
        from: { name: service, address: `no-reply@${domain}` },
        to: [owner],
        text: `Hello ${owner.name},\n\nYour monthly statement is ready. Sign in to view it.\n\nThis is an automated message; replies are not monitored.`,
        style: r.pick(['plain', 'html', 'base64'] as const),
        labels: RECEIVED_UPDATES,
        extraHeaders: ['Auto-Submitted: auto-generated'],
        fromOwner: false,
      },
    ],
  };
}

function quoteOf(prev: SentMessage): string {
  const d = new Date(prev.date);
  const when = `${WEEKDAY[d.getUTCDay()]}, ${MONTH[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
  const quoted = prev.text
    .split('\n')
    .map((l) => (l === '' ? '>' : `> ${l}`))
    .join('\n');
  return `On ${when}, ${prev.from.name} <${prev.from.address}> wrote:\n${quoted}`;
}

function renderMessage(
  r: Rng,
  plan: ThreadPlan,
  step: Step,
  index: number,
  date: number,
  history: SentMessage[],
): { raw: string; messageId: string; text: string } {
  const domain = step.from.address.split('@')[1] ?? 'mail.example';
  const messageId = `<${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}@${domain}>`;
  const baseSubject = step.subject ?? plan.subject;
  const subject = index > 0 && !step.subject ? `Re: ${baseSubject}` : baseSubject;
  const prev = history[history.length - 1];
  let text = step.text;
  if (prev && index > 0 && step.style !== 'html' && r.chance(0.7)) text = `${text}\n\n${quoteOf(prev)}`;

  const headers = [
    `X-GM-THRID: ${plan.threadId}`,
    `X-Gmail-Labels: ${step.labels.join(',')}`,
    `MIME-Version: 1.0`,
    `Date: ${rfcDate(date)}`,
    `Message-ID: ${messageId}`,
    `Subject: ${encodeWord(subject)}`,
    `From: ${addr(step.from)}`,
    `To: ${step.to.map(addr).join(', ')}`,
  ];
  if (prev && index > 0) {
    headers.push(`In-Reply-To: ${prev.messageId}`, `References: ${history.map((h) => h.messageId).join('\n ')}`);
  }
  headers.push(...(step.extraHeaders ?? []));

  const pixel = `https://t.${domain}/o/${r.hex(16)}.gif`;
  let body: Part;
  switch (step.style) {
    case 'html':
      body = htmlPart(htmlFromText(text, pixel));
      break;
    case 'alt':
      body = multipart('alternative', `=_alt_${r.hex(16)}`, [textPart(text, 'qp'), htmlPart(htmlFromText(text, r.chance(0.5) ? pixel : null))]);
      break;
    default:
      body = textPart(text, step.style);
  }
  if (step.pdf) {
    body = multipart('mixed', `=_mix_${r.hex(16)}`, [body, attachmentPart(step.pdf.name, pdfBytes(r, step.pdf.name, step.pdf.kb))]);
  }
  const raw = `${[...headers, ...body.headers].join('\n')}\n\n${body.body}\n`;
  return { raw, messageId, text: step.text };
}

/** mboxrd quoting: every line matching /^>*From / gets one more `>`. */
export function mboxrdQuote(raw: string): string {
  return raw.replace(/^(>*From )/gm, '>$1');
}

interface ActiveThread {
  plan: ThreadPlan;
  next: number;
  history: SentMessage[];
  dueAt: number;
}

/** Yields generated messages with their ground truth, in chronological order. */
export function* generateMailItems(opts: GenerateOptions): Generator<GeneratedMail> {
  const r = new Rng(opts.seed);
  const owner = parseOwner(opts.owner);
  const jobShare = opts.jobShare ?? 0.035;
  // Job threads average ~1.95 messages, others ~1.6: pick thread kinds so that the share of messages matches.
  const jobThreadShare = (jobShare * 1.6) / (jobShare * 1.6 + (1 - jobShare) * 1.95);
  let clock = Date.UTC(2026, 0, 5, 8, 0, 0);
  const active: ActiveThread[] = [];
  let produced = 0;
  let threadSeq = 0;
  const newThread = (): ActiveThread => {
    const threadId = `18${String(threadSeq++).padStart(6, '0')}${r.digits(11)}`;
    const plan = r.chance(jobThreadShare) ? jobThread(r, owner, threadId) : otherThread(r, owner, threadId);
    return { plan, next: 0, history: [], dueAt: clock };
  };
  while (produced < opts.messages) {
    while (active.length < 6) active.push(newThread());
    // The thread whose next message is due first goes next (ties: lowest index).
    let k = 0;
    for (let i = 1; i < active.length; i++) if (active[i].dueAt < active[k].dueAt) k = i;
    const t = active[k];
    clock = Math.max(clock + r.int(1, 40) * 60_000 + r.int(0, 59) * 1000, t.dueAt);
    const step = t.plan.steps[t.next];
    const { raw, messageId, text } = renderMessage(r, t.plan, step, t.next, clock, t.history);
    t.history.push({ messageId, from: step.from, date: clock, text });
    t.next++;
    if (t.next >= t.plan.steps.length) active.splice(k, 1);
    else t.dueAt = clock + r.int(t.plan.gap[0], t.plan.gap[1]) * 60_000;
    produced++;
    yield {
      envelope: `From ${step.fromOwner ? owner.address : step.from.address} ${asctime(clock)}`,
      raw,
      messageId,
      threadId: t.plan.threadId,
      labels: step.labels,
      date: new Date(clock).toISOString(),
      kind: t.plan.kind,
      job: t.plan.job,
      fromOwner: step.fromOwner,
    };
  }
}

/** Yields one mboxrd chunk per message: envelope line, quoted message, blank separator line. */
export function* generateMbox(opts: GenerateOptions): Generator<string> {
  for (const m of generateMailItems(opts)) {
    yield `${m.envelope}\n${mboxrdQuote(m.raw)}\n`;
  }
}

export interface WriteMboxResult {
  messages: number;
  bytes: number;
  jobMessages: number;
  threads: number;
}

/**
 * Streams a generated mbox to `path`. With `targetBytes`, stops at the first message
 * boundary at or past that size (pass `messages: Infinity` to let the size decide).
 */
export async function writeMbox(path: string, opts: GenerateOptions & { targetBytes?: number }): Promise<WriteMboxResult> {
  const out = createWriteStream(path, { highWaterMark: 1024 * 1024 });
  const threads = new Set<string>();
  let bytes = 0;
  let messages = 0;
  let jobMessages = 0;
  try {
    for (const m of generateMailItems(opts)) {
      if (opts.targetBytes !== undefined && bytes >= opts.targetBytes) break;
      const chunk = Buffer.from(`${m.envelope}\n${mboxrdQuote(m.raw)}\n`, 'utf8');
      bytes += chunk.length;
      messages++;
      if (m.job) jobMessages++;
      threads.add(m.threadId);
      if (!out.write(chunk)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return { messages, bytes, jobMessages, threads: threads.size };
}
