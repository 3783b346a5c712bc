/**
 * Test harness: an emulator serving the repository's demo mailbox (or one the test gives), a temp state dir holding
 * tokens the emulator issued, and a Gmail connector wired to it with an injected clock
 * and a sleep that only records and moves the clock (no real waiting).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../../src/clock.js';
import type { CandidateFilter, MailReader, MessageMeta, SyncBatch, SyncOptions } from '../../../src/connectors/port.js';
import type { MailMessage, MessageFailure } from '../../../src/model/types.js';
import { domainMatches } from '../../../src/mail/addresses.js';
import { createGmailConnector, gmailSourceSchema, seededRandom, type GmailConnector, type GmailSourceConfig, type GmailSourceInput } from '../../../src/connectors/gmail/connector.js';
import { saveTokens, tokenFileOf } from '../../../src/connectors/gmail/tokens.js';
import { startGmailEmulator, type GmailEmulator } from './server.js';
import { DEMO_MBOX, DEMO_OWNER } from './mbox.js';

/** The demo mailbox's reference time (demo/demo.json). */
export const DEMO_NOW = new Date(JSON.parse(readFileSync(new URL('../../../demo/demo.json', import.meta.url), 'utf8')).now as string);

export class MovableClock implements Clock {
  constructor(private t: number) {}
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(d: Date): void {
    this.t = d.getTime();
  }
}

export const ATS_DOMAINS = [
  'greenhouse-mail.io',
  'greenhouse.io',
  'lever.co',
  'hire.lever.co',
  'myworkday.com',
  'ashbyhq.com',
  'smartrecruiters.com',
  'icims.com',
  'bamboohr.com',
  'hellosign.com',
  'docusign.net',
  'zcal.co',
  'calendly.com',
];

export const JOB_PHRASES = [
  'your application',
  'application received',
  'offer letter',
  'offer',
  'interview',
  'recruiter',
  'phone screen',
  'onsite',
  'final round',
  'take-home',
  'role',
  'position',
  'candidate',
  'hiring',
  'withdraw',
  'withdrawing',
  'technical round',
  "offre d'emploi",
];

/** A simple generic filter for tests and the benchmark (the real one comes from the rules). */
export function simpleFilter(domains = ATS_DOMAINS, phrases = JOB_PHRASES): CandidateFilter {
  return {
    senderDomains: domains,
    phrases,
    lookbackDays: 180,
    isCandidate(meta: MessageMeta): boolean {
      const d = meta.from?.address.split('@')[1] ?? '';
      if (domains.some((base) => domainMatches(d, base))) return true;
      const text = ` ${`${meta.subject} ${meta.snippet}`.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
      return phrases.some((p) => text.includes(` ${p.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `));
    },
  };
}

export interface Harness {
  emu: GmailEmulator;
  cfg: GmailSourceConfig;
  connector: GmailConnector;
  stateDir: string;
  tokenFile: string;
  clock: MovableClock;
  logs: string[];
  sleeps: number[];
  tokens: { access_token: string; refresh_token: string };
  /** A fresh connector over the same state (as after a restart). */
  reconnect(): Promise<GmailConnector>;
  options(extra?: Partial<SyncOptions>): SyncOptions;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Load a mailbox (default true): `mbox`, else the repository's demo mailbox. */
  sample?: boolean;
  mbox?: string;
  cfg?: Partial<GmailSourceInput>;
  /** Expiry of the stored access token (ms epoch); default far in the future. */
  expiryDate?: number;
  accessTokenSeconds?: number;
  pageSize?: number;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const clock = new MovableClock(DEMO_NOW.getTime());
  const emu = await startGmailEmulator({ owner: DEMO_OWNER, now: () => clock.now().getTime(), accessTokenSeconds: opts.accessTokenSeconds });
  if (opts.sample ?? true) await emu.loadMbox(readFileSync(opts.mbox ?? DEMO_MBOX));
  const stateDir = mkdtempSync(join(tmpdir(), 'ow-gmail-'));
  const cfg = gmailSourceSchema.parse({
    type: 'gmail',
    name: 'personal',
    clientId: emu.clientId,
    clientSecret: emu.clientSecret,
    rootUrl: emu.rootUrl,
    ...opts.cfg,
  });
  const tokens = emu.issueTokens();
  const tokenFile = tokenFileOf(cfg, stateDir);
  saveTokens(tokenFile, { ...tokens, expiry_date: opts.expiryDate ?? Date.now() + 3_600_000, token_type: 'Bearer' });
  const logs: string[] = [];
  const sleeps: number[] = [];
  const make = () =>
    createGmailConnector(cfg, {
      stateDir,
      clock,
      log: (l) => logs.push(l),
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
      random: seededRandom(7),
      pageSize: opts.pageSize,
    });
  const connector = await make();
  return {
    emu,
    cfg,
    connector,
    stateDir,
    tokenFile,
    clock,
    logs,
    sleeps,
    tokens,
    reconnect: make,
    options: (extra) => ({ now: clock.now(), filter: simpleFilter(), trackedThreadIds: new Set(), ...extra }),
    async close() {
      await emu.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export interface Drained {
  batches: SyncBatch[];
  messages: MailMessage[];
  failures: MessageFailure[];
  cursor: string | null;
}

/** Runs a sync to its end (or for `limit` batches) and gathers everything. */
export async function drain(reader: MailReader, cursor: string | null, opts: SyncOptions, limit = Infinity): Promise<Drained> {
  const out: Drained = { batches: [], messages: [], failures: [], cursor };
  for await (const b of reader.sync(cursor, opts)) {
    out.batches.push(b);
    out.messages.push(...b.messages);
    out.failures.push(...b.failures);
    out.cursor = b.cursor;
    if (out.batches.length >= limit) break;
  }
  return out;
}

/** Takeout's decimal X-GM-THRID → Gmail's hex thread id. */
export function hexThread(thrid: string): string {
  return BigInt(thrid).toString(16);
}

/** A plain text message as RFC 5322 text. */
export function rfc822(h: { from: string; to?: string; subject: string; date: Date; messageId: string; inReplyTo?: string; body: string; extra?: string[] }): string {
  const lines = [
    `From: ${h.from}`,
    `To: ${h.to ?? 'Sam Lee <sam.lee@example.net>'}`,
    `Subject: ${h.subject}`,
    `Date: ${h.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${h.messageId}`,
    ...(h.inReplyTo ? [`In-Reply-To: ${h.inReplyTo}`, `References: ${h.inReplyTo}`] : []),
    ...(h.extra ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    h.body,
    '',
  ];
  return lines.join('\r\n');
}
