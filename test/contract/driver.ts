/**
 * The connector contract: one set of behavioural tests (test/contract/connector.contract.test.ts)
 * runs against every connector through this small driver interface. A driver owns a real mailbox
 * (a file, an emulator, a server) and the connector on it; the suite runs the real core on top
 * (store, rules, alerts, proposals, saving drafts) and asserts only what the port promises.
 *
 * Adding a connector: write `test/contract/<type>.ts` exporting a `ConnectorDriver`, add it to
 * `DRIVERS` in test/contract/drivers.ts. See /work/spec/contract.md.
 */
import type { Connector, MailboxRole, ThreadHandle } from '../../src/connectors/port.js';

/** One message of the fixture mailbox: RFC 5322 text and where it lives. */
export interface FixtureMessage {
  /** Complete RFC 5322 message (CRLF or LF), with Message-ID; replies carry In-Reply-To/References. */
  raw: string;
  /** `inbox` for mail the owner received, `sent` for mail the owner sent. */
  role: Extract<MailboxRole, 'inbox' | 'sent'>;
  /** The owner's own labels/categories/keywords (may be empty). */
  labels: string[];
  /** Message-ID with angle brackets (also inside `raw`). */
  messageId: string;
  /** Message-ID of the first message of its conversation (its own for a first message). */
  conversation: string;
  /** ISO date (also inside `raw`). */
  date: string;
}

export interface MailboxFixture {
  /** The owner's address (the mailbox belongs to it). */
  owner: string;
  ownerName: string;
  /** The reference time: provider clocks and the core's clock start here. */
  now: Date;
  messages: FixtureMessage[];
}

/** A clock the suite and the driver share (the provider's "now" moves with the core's). */
export interface SharedClock {
  now(): Date;
  advance(ms: number): void;
}

export interface DriverEnv {
  clock: SharedClock;
  /** Private state directory (0700) for this run: tokens, file drafts. */
  stateDir: string;
  /** Source name the suite uses for this connector. */
  sourceName: string;
}

export interface ConnectorDriver {
  /** Shown in test names, e.g. `mbox`, `gmail (emulator)`. */
  readonly name: string;
  /** Creates the mailbox holding `fixture` (as pre-existing mail) and returns a session on it. */
  setup(fixture: MailboxFixture, env: DriverEnv): Promise<DriverSession>;
}

export interface DriverSession {
  /** The connector under test, configured as the product would configure it. */
  readonly connector: Connector;
  /** A fresh connector on the same mailbox and state, as after a process restart (crash). */
  reconnect(): Promise<Connector>;
  /** New mail arrives (inbox) or the owner sends mail (sent), after the last sync. */
  deliver(messages: FixtureMessage[]): Promise<void>;
  /**
   * Makes the next sync unable to continue from its stored cursor, the way this provider does it
   * (Gmail: history expired → 404; Graph: delta token 410 / syncStateNotFound; IMAP: UIDVALIDITY
   * changed; mbox: the file was replaced by a new export). The next sync must resync once.
   */
  expireCursor(): Promise<void>;
  /** The next draft-creating write reaches the provider but its answer is lost (connection dropped after the write). */
  dropNextWriteResponse(): Promise<void>;
  /** Idempotency keys of every draft in the mailbox, one entry per provider draft (duplicates show as repeats). */
  draftKeys(): Promise<string[]>;
  /** Whether the mailbox itself marks the thread as needing a reply (label, flag, keyword). Required when `connector.attention` exists. */
  attentionOf?(thread: ThreadHandle): Promise<boolean>;
  /** Send attempts the provider saw (an emulator counts them; a file has none). Must stay 0. */
  sendAttempts(): number;
  teardown(): Promise<void>;
}

// -------------------------------------------------------------------------------------------
// The fixture every driver is given: a small job search, built here (no files outside the repo).

const OWNER = 'robin.hale@example.org';
const OWNER_NAME = 'Robin Hale';
const DAY = 86_400_000;
export const FIXTURE_NOW = new Date('2026-06-10T12:00:00Z');

function rfcDate(iso: string): string {
  return new Date(iso).toUTCString().replace('GMT', '+0000');
}

export function message(m: {
  from: string;
  to: string;
  subject: string;
  date: Date;
  id: string;
  replyTo?: FixtureMessage;
  role?: 'inbox' | 'sent';
  labels?: string[];
  headers?: Record<string, string>;
  body: string;
}): FixtureMessage {
  const messageId = `<${m.id}>`;
  const date = m.date.toISOString();
  const lines = [`From: ${m.from}`, `To: ${m.to}`, `Subject: ${m.subject}`, `Date: ${rfcDate(date)}`, `Message-ID: ${messageId}`];
  if (m.replyTo) lines.push(`In-Reply-To: ${m.replyTo.messageId}`, `References: ${m.replyTo.messageId}`);
  for (const [k, v] of Object.entries(m.headers ?? {})) lines.push(`${k}: ${v}`);
  lines.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', m.body, '');
  return {
    raw: lines.join('\r\n'),
    role: m.role ?? 'inbox',
    labels: m.labels ?? [],
    messageId,
    conversation: m.replyTo?.conversation ?? messageId,
    date,
  };
}

const at = (daysBefore: number) => new Date(FIXTURE_NOW.getTime() - daysBefore * DAY);
const me = `${OWNER_NAME} <${OWNER}>`;

/** Conversations of the fixture, by what the suite checks about them. */
export const offer = message({ from: 'Dana Whitfield <dana.whitfield@northwind.example>', to: me, subject: 'Northwind Analytics - your offer', date: at(3), id: 'nw-offer@northwind.example', labels: ['Job search'], body: 'Hi Robin,\n\nWe are delighted to offer you the Data Engineer role at Northwind Analytics: 95,000 EUR base salary, start date 1 September.\n\nCould you let us know your decision by Friday?\n\nDana Whitfield\nTalent, Northwind Analytics' });
export const interview = message({ from: 'Kai Lund <kai@brightfield.example>', to: me, subject: 'Brightfield - technical interview', date: at(2), id: 'bf-1@brightfield.example', body: 'Hi Robin,\n\nThanks for your application for the SRE position. Could you do a 60-minute technical interview on Tuesday or Wednesday? Which day suits you?\n\nKai' });
export const ack = message({ from: 'Acme Careers <no-reply@acme.greenhouse-mail.io>', to: me, subject: 'Thank you for applying to Acme', date: at(10), id: 'acme-1@acme.example', body: 'Hi Robin,\n\nThank you for applying for the Platform Engineer role at Acme. We will review your application and get back to you.\n\nAcme Talent' });
export const screen = message({ from: 'Lena Park <lena@lakeview.example>', to: me, subject: 'Lakeview - phone screen for the Data Engineer role', date: at(6), id: 'lv-1@lakeview.example', body: 'Hi Robin,\n\nThanks for applying to Lakeview. Could we do a 30-minute phone screen this week? Would Thursday at 10:00 work?\n\nLena' });
export const screenReply = message({ from: me, to: 'Lena Park <lena@lakeview.example>', subject: 'Re: Lakeview - phone screen for the Data Engineer role', date: at(5), id: 'lv-2@example.org', replyTo: screen, role: 'sent', body: 'Hi Lena,\n\nThursday at 10:00 works for me. Talk then.\n\nRobin' });
export const noise = message({ from: 'Deals <deals@shop.example>', to: me, subject: 'Weekly deals on lamps', date: at(1), id: 'shop-1@shop.example', headers: { 'List-Unsubscribe': '<https://shop.example/u>' }, body: 'Take 25% off lamps this weekend.' });

/** Arrive after the first sync. */
export const interviewReply = message({ from: me, to: 'Kai Lund <kai@brightfield.example>', subject: 'Re: Brightfield - technical interview', date: new Date(FIXTURE_NOW.getTime() + 3_600_000), id: 'bf-2@example.org', replyTo: interview, role: 'sent', body: 'Hi Kai,\n\nWednesday works well for me.\n\nRobin' });
export const newApplication = message({ from: 'Orbit Jobs <no-reply@hire.lever.co>', to: me, subject: 'Thanks for applying to Orbit', date: new Date(FIXTURE_NOW.getTime() + 2 * 3_600_000), id: 'orbit-1@orbit.example', body: 'Hi Robin,\n\nThanks for applying for the Data Engineer position at Orbit. Our team will review your application.\n\nOrbit Recruiting' });
export const lateOffer = message({ from: 'Mia Chen <mia@quarry.example>', to: me, subject: 'Quarry - an offer for the Analytics Engineer role', date: new Date(FIXTURE_NOW.getTime() + 26 * 3_600_000), id: 'q-1@quarry.example', body: 'Hi Robin,\n\nWe would love to offer you the Analytics Engineer role at Quarry. Could you let us know by Monday whether you accept?\n\nMia' });

export function jobSearchFixture(): MailboxFixture {
  return { owner: OWNER, ownerName: OWNER_NAME, now: FIXTURE_NOW, messages: [ack, screen, screenReply, offer, interview, noise] };
}
