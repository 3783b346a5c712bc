/**
 * IMAP connector cost benchmark (npm run bench:imap).
 *
 * A generated mailbox of 10,000 messages (about 2% job-related; the owner's own in Sent) is
 * APPENDed to a real Dovecot started from a temporary config (test/helpers/dovecot.ts). The
 * connector talks to it through a counting TCP proxy, so round trips (a client write answered
 * by the server) and bytes are measured at the socket, login and logout included. Phases: the
 * first backfill, an idle poll, and a poll after 100 new messages of which 2 are job-related;
 * beside a naive poller that does what simple IMAP automations do: SELECT INBOX, UID SEARCH
 * for UIDs above the last one seen, and one UID FETCH of every new message whole. The last line is JSON.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { generateMailItems, type GeneratedMail } from './lib/gen-mbox.js';
import { newArrivals } from './lib/bench-mail.js';
import { imapSourceSchema } from '../src/connectors/imap/index.js';
import { createImapConnector, type ImapConnector } from '../src/connectors/imap/connector.js';
import type { CandidateFilter, SyncOptions } from '../src/connectors/port.js';
import { candidateFilter } from '../src/rules/filter.js';
import { buildRuleSet, readRuleDir } from '../src/rules/load.js';
import { BUILTIN_RULES_DIR } from '../src/paths.js';
import { fixedClock } from '../src/clock.js';
import { HAS_DOVECOT, NO_DOVECOT_REASON, startDovecot, type Dovecot } from '../test/helpers/dovecot.js';
import { startProxy, type Proxy } from '../test/helpers/tcp-proxy.js';

const OWNER = 'Sam Lee <sam.lee@example.net>';
const OWNER_ADDRESS = 'sam.lee@example.net';
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const JOB_SHARE = 0.02;
const NEW_MESSAGES = 100;
const NEW_JOB_MESSAGES = 2;

function crlf(raw: string): Buffer {
  return Buffer.from(raw.replace(/\r?\n/g, '\r\n'), 'utf8');
}


async function appendAll(dv: Dovecot, items: GeneratedMail[], date?: (m: GeneratedMail, i: number) => Date): Promise<void> {
  const c = new ImapFlow({ host: '127.0.0.1', port: dv.port, secure: false, doSTARTTLS: false, auth: { user: dv.user, pass: dv.password }, logger: false, disableAutoIdle: true });
  c.on('error', () => {});
  await c.connect();
  try {
    for (const [i, m] of items.entries()) {
      await c.append(m.fromOwner ? 'Sent' : 'INBOX', crlf(m.raw), m.fromOwner ? ['\\Seen'] : [], date ? date(m, i) : new Date(m.date));
    }
  } finally {
    await c.logout();
  }
}

interface Cost {
  roundTrips: number;
  bytesDown: number;
  bytesUp: number;
  connections: number;
  commands: Record<string, number>;
}

function snapshot(p: Proxy): Cost {
  return { roundTrips: p.counters.roundTrips, bytesDown: p.counters.bytesDown, bytesUp: p.counters.bytesUp, connections: p.counters.connections, commands: { ...p.counters.commands } };
}

/** Waits until the proxy has seen both sides close (logout bytes are part of the phase). */
async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 100));
}

async function phase(p: Proxy, run: () => Promise<unknown>): Promise<Cost> {
  p.reset();
  await run();
  await settle();
  return snapshot(p);
}

/** The naive poller: SELECT INBOX, UID SEARCH past the last UID, FETCH every new message whole. */
class NaivePoller {
  lastUid = 0;
  fetched = 0;
  constructor(private readonly port: number, private readonly dv: Dovecot) {}
  /** First run: every message within the look-back window, whole. */
  async backfill(since: Date): Promise<void> {
    const c = new ImapFlow({ host: '127.0.0.1', port: this.port, secure: false, doSTARTTLS: false, auth: { user: this.dv.user, pass: this.dv.password }, logger: false, disableAutoIdle: true, qresync: false });
    c.on('error', () => {});
    await c.connect();
    try {
      await c.mailboxOpen('INBOX');
      const uids = (await c.search({ since }, { uid: true })) || [];
      for (let i = 0; i < uids.length; i += 1000) {
        for (const m of await c.fetchAll(uids.slice(i, i + 1000).join(','), { uid: true, source: true }, { uid: true })) {
          this.fetched++;
          this.lastUid = Math.max(this.lastUid, m.uid);
        }
      }
    } finally {
      await c.logout();
    }
  }

  async poll(): Promise<void> {
    const c = new ImapFlow({ host: '127.0.0.1', port: this.port, secure: false, doSTARTTLS: false, auth: { user: this.dv.user, pass: this.dv.password }, logger: false, disableAutoIdle: true, qresync: false });
    c.on('error', () => {});
    await c.connect();
    try {
      await c.mailboxOpen('INBOX');
      const uids = ((await c.search({ uid: `${this.lastUid + 1}:*` }, { uid: true })) || []).filter((u) => u > this.lastUid);
      if (uids.length > 0) {
        // One FETCH for all of them (the kindest naive poller: one round trip).
        for (const m of await c.fetchAll(uids.join(','), { uid: true, source: true }, { uid: true })) {
          this.fetched++;
          this.lastUid = Math.max(this.lastUid, m.uid);
        }
      }
    } finally {
      await c.logout();
    }
  }
}

const fmt = (n: number) => n.toLocaleString('en-US');
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

async function main(): Promise<void> {
  if (!HAS_DOVECOT) {
    console.error(`bench:imap: ${NO_DOVECOT_REASON}`);
    process.exit(2);
  }
  const t0 = Date.now();
  const items = [...generateMailItems({ seed: 2026, messages: MESSAGES, jobShare: JOB_SHARE, owner: OWNER })];
  const jobThreads = new Set(items.filter((m) => m.job).map((m) => m.threadId));
  const jobMessages = items.filter((m) => m.job).length;
  const lastDate = Date.parse(items[items.length - 1]!.date);
  const dv = await startDovecot();
  const dir = mkdtempSync(join(tmpdir(), 'ow-bench-imap-'));
  let connector: ImapConnector | null = null;
  try {
    await appendAll(dv, items);
    const loadMs = Date.now() - t0;
    const proxy = await startProxy({ host: '127.0.0.1', port: dv.port });
    const pw = join(dir, 'password');
    writeFileSync(pw, dv.password, { mode: 0o600 });
    let now = new Date(lastDate + 3_600_000);
    const clock = { now: () => now };
    const cfg = imapSourceSchema.parse({ type: 'imap', name: 'bench', host: '127.0.0.1', port: proxy.port, tls: 'none', user: dv.user, passwordFile: pw });
    connector = await createImapConnector(cfg, { clock, log: () => {}, resolvePath: (p) => p });
    const built = candidateFilter(buildRuleSet(readRuleDir(BUILTIN_RULES_DIR)));
    const filter: CandidateFilter = { ...built, lookbackDays: built.lookbackDays ?? 180 };
    const opts = (): SyncOptions => ({ now: clock.now(), filter, trackedThreadIds: new Set() });
    let cursor: string | null = null;
    const fetchedIds = new Set<string>();
    const drain = async () => {
      let n = 0;
      for await (const b of connector!.reader.sync(cursor, opts())) {
        n += b.messages.length;
        for (const m of b.messages) if (m.messageId) fetchedIds.add(m.messageId);
        cursor = b.cursor;
      }
      await connector!.close!();
      return n;
    };

    // Login and logout alone, for reference.
    const login = await phase(proxy, async () => {
      const c = new ImapFlow({ host: '127.0.0.1', port: proxy.port, secure: false, doSTARTTLS: false, auth: { user: dv.user, pass: dv.password }, logger: false, disableAutoIdle: true, qresync: true });
      c.on('error', () => {});
      await c.connect();
      await c.logout();
    });

    let t = Date.now();
    let backfillMessages = 0;
    const backfill = await phase(proxy, async () => (backfillMessages = await drain()));
    const backfillMs = Date.now() - t;
    const byThread = new Map(items.map((m) => [m.messageId, m.threadId]));
    const foundJobThreads = new Set([...fetchedIds].map((id) => byThread.get(id)).filter((tid): tid is string => !!tid && jobThreads.has(tid)));
    const nonJobFetched = [...fetchedIds].filter((id) => !jobThreads.has(byThread.get(id) ?? '')).length;
    // Job threads with mail inside the look-back window (the backfill's scope, as SEARCH SINCE sees it).
    const windowStart = now.getTime() - ((cfg.lookbackDays ?? filter.lookbackDays) + 1) * 86_400_000;
    const jobInWindow = new Set(items.filter((m) => m.job && Date.parse(m.date) >= windowStart).map((m) => m.threadId));
    const foundInWindow = [...jobInWindow].filter((tid) => foundJobThreads.has(tid)).length;

    now = new Date(now.getTime() + 300_000);
    let idleMessages = 0;
    const idle = await phase(proxy, async () => (idleMessages = await drain()));

    // The naive poller backfills the same window, whole, then polls from there.
    const naive = new NaivePoller(proxy.port, dv);
    const naiveBackfill = await phase(proxy, () => naive.backfill(new Date(windowStart)));
    const naiveBackfillMessages = naive.fetched;
    naive.lastUid = items.filter((m) => !m.fromOwner).length;
    const naiveIdle = await phase(proxy, () => naive.poll());

    const arrivals = newArrivals(OWNER, NEW_MESSAGES, NEW_JOB_MESSAGES);
    await appendAll(dv, arrivals, (_m, i) => new Date(now.getTime() + i * 1000));
    now = new Date(now.getTime() + NEW_MESSAGES * 1000 + 60_000);
    let busyMessages = 0;
    const before = new Set(fetchedIds);
    const busy = await phase(proxy, async () => (busyMessages = await drain()));
    const busyJob = arrivals.filter((m) => m.job && fetchedIds.has(m.messageId) && !before.has(m.messageId)).length;
    naive.fetched = 0;
    const naiveBusy = await phase(proxy, () => naive.poll());

    const bytes = (c: Cost) => c.bytesDown + c.bytesUp;
    const ratio = bytes(naiveBusy) / bytes(busy);
    const rtRatio = naiveBusy.roundTrips / busy.roundTrips;
    const rows: [string, Cost, string][] = [
      ['login + logout only', login, ''],
      ['backfill (first run)', backfill, `${fmt(backfillMessages)} messages fetched whole`],
      ['idle poll', idle, `${idleMessages} messages`],
      ['busy poll (100 new, 2 job)', busy, `${busyMessages} messages fetched (${busyJob} of the 2 job ones)`],
      ['naive backfill', naiveBackfill, `${fmt(naiveBackfillMessages)} INBOX messages fetched whole`],
      ['naive idle poll', naiveIdle, 'SELECT + UID SEARCH'],
      ['naive busy poll', naiveBusy, `${naive.fetched} messages fetched whole`],
    ];
    console.log(`IMAP connector benchmark against Dovecot: ${fmt(items.length)} messages, ${fmt(jobMessages)} job-related (${((100 * jobMessages) / items.length).toFixed(1)}%) in ${fmt(jobThreads.size)} threads`);
    console.log(`mailbox generated and APPENDed in ${fmt(loadMs)} ms; backfill ran in ${fmt(backfillMs)} ms wall`);
    console.log('');
    console.log(`${'phase'.padEnd(30)}${'round trips'.padStart(12)}${'down'.padStart(13)}${'up'.padStart(12)}${'conns'.padStart(7)}  notes`);
    for (const [name, c, note] of rows) console.log(`${name.padEnd(30)}${fmt(c.roundTrips).padStart(12)}${kb(c.bytesDown).padStart(13)}${kb(c.bytesUp).padStart(12)}${String(c.connections).padStart(7)}  ${note}`);
    console.log('');
    console.log(`idle poll commands: ${JSON.stringify(idle.commands)} (login alone: ${JSON.stringify(login.commands)})`);
    console.log(`busy poll commands: ${JSON.stringify(busy.commands)}`);
    console.log(`backfill commands: ${JSON.stringify(backfill.commands)}`);
    console.log(`backfill recall: ${fmt(foundInWindow)} of the ${fmt(jobInWindow.size)} job threads with mail inside the ${cfg.lookbackDays ?? filter.lookbackDays}-day look-back (${fmt(jobThreads.size)} in the whole mailbox); ${fmt(nonJobFetched)} messages of non-job threads fetched whole`);
    console.log(`backfill: the naive poller moves ${(bytes(naiveBackfill) / bytes(backfill)).toFixed(1)}x the bytes`);
    console.log(`busy poll: the naive poller moves ${ratio.toFixed(1)}x the bytes (goal: >= 10x) in ${rtRatio.toFixed(1)}x the round trips; idle poll: ${idle.roundTrips - login.roundTrips} round trip(s) beyond login/logout`);
    console.log(
      JSON.stringify({
        messages: items.length,
        jobMessages,
        jobThreads: jobThreads.size,
        loginRoundTrips: login.roundTrips,
        backfillRoundTrips: backfill.roundTrips,
        backfillBytes: bytes(backfill),
        backfillMessages,
        backfillJobThreadsFound: foundInWindow,
        backfillJobThreadsInWindow: jobInWindow.size,
        idleRoundTrips: idle.roundTrips,
        idleRoundTripsBeyondLogin: idle.roundTrips - login.roundTrips,
        idleBytes: bytes(idle),
        busyRoundTrips: busy.roundTrips,
        busyBytes: bytes(busy),
        busyMessages,
        naiveBackfillBytes: bytes(naiveBackfill),
        backfillRatio: Number((bytes(naiveBackfill) / bytes(backfill)).toFixed(2)),
        naiveIdleRoundTrips: naiveIdle.roundTrips,
        naiveBusyRoundTrips: naiveBusy.roundTrips,
        naiveBusyBytes: bytes(naiveBusy),
        ratio: Number(ratio.toFixed(2)),
        roundTripRatio: Number(rtRatio.toFixed(2)),
      }),
    );
    await proxy.close();
  } finally {
    await connector?.close?.();
    await dv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
