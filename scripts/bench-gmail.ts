/**
 * Gmail connector cost benchmark (npm run bench:gmail).
 *
 * A generated mailbox of 10,000 threads (about 2% job-related) is served by the loopback
 * emulator in this process; the real googleapis client talks to it over HTTP. We count
 * requests and quota units for the first backfill, an idle poll, and a poll after 100 new
 * messages of which 2 are job-related, and compare with a reference poller that does
 * what common automation triggers do: messages.list `after:<last poll>`, then
 * messages.get for every new message. The last line is machine-readable JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { gmail } from 'googleapis/build/src/apis/gmail/index.js';
import { generateMailItems, mboxrdQuote, type GeneratedMail } from './lib/gen-mbox.js';
import { createGmailConnector, gmailSourceSchema, seededRandom } from '../src/connectors/gmail/connector.js';
import { saveTokens, tokenFileOf } from '../src/connectors/gmail/tokens.js';
import type { MailReader, SyncOptions } from '../src/connectors/port.js';
import { startGmailEmulator, type GmailEmulator } from '../test/emulators/gmail/server.js';
import { MovableClock } from '../test/emulators/gmail/harness.js';
import { candidateFilter } from '../src/rules/filter.js';
import { buildRuleSet, readRuleDir } from '../src/rules/load.js';
import { BUILTIN_RULES_DIR } from '../src/paths.js';

const OWNER = 'Sam Lee <sam.lee@example.net>';
const THREADS = Number(process.env.BENCH_THREADS ?? 10_000);
const JOB_THREAD_SHARE = 0.02;
// The generator's share is per message; job threads are a little longer than others.
const JOB_MESSAGE_SHARE = (1.95 * JOB_THREAD_SHARE) / (1.6 + 0.35 * JOB_THREAD_SHARE);
const NEW_MESSAGES = 100;
const NEW_JOB_MESSAGES = 2;

const hexThread = (decimal: string) => BigInt(decimal).toString(16);

function mailboxItems(): GeneratedMail[] {
  const out: GeneratedMail[] = [];
  const threads = new Set<string>();
  for (const m of generateMailItems({ seed: 2026, messages: Infinity, jobShare: JOB_MESSAGE_SHARE, owner: OWNER })) {
    if (!threads.has(m.threadId)) {
      if (threads.size >= THREADS) break;
      threads.add(m.threadId);
    }
    out.push(m);
  }
  return out;
}

/** First messages of fresh threads from another seed: `jobs` job-related, the rest not. */
function newArrivals(total: number, jobs: number): GeneratedMail[] {
  const job: GeneratedMail[] = [];
  const other: GeneratedMail[] = [];
  const seen = new Set<string>();
  for (const m of generateMailItems({ seed: 77, messages: Infinity, jobShare: 0.2, owner: OWNER })) {
    if (seen.has(m.threadId)) continue;
    seen.add(m.threadId);
    if (m.fromOwner) continue;
    if (m.job && job.length < jobs) job.push(m);
    if (!m.job && other.length < total - jobs) other.push(m);
    if (job.length === jobs && other.length === total - jobs) break;
  }
  // Interleave the job messages among the others.
  const out = [...other];
  job.forEach((m, i) => out.splice(Math.floor(((i + 1) * out.length) / (jobs + 1)), 0, m));
  return out;
}

async function drain(reader: MailReader, cursor: string | null, opts: SyncOptions) {
  let messages = 0;
  let last = cursor;
  const threads = new Set<string>();
  for await (const b of reader.sync(cursor, opts)) {
    messages += b.messages.length;
    for (const m of b.messages) if (m.threadId) threads.add(m.threadId);
    last = b.cursor;
  }
  return { messages, threads, cursor: last };
}

function snapshot(emu: GmailEmulator) {
  return { requests: emu.counters.totalCalls(), units: emu.counters.totalUnits(), byMethod: { ...emu.counters.calls } };
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const items = mailboxItems();
  const jobThreads = new Set(items.filter((m) => m.job).map((m) => hexThread(m.threadId)));
  const lastDate = Date.parse(items[items.length - 1].date);
  const clock = new MovableClock(lastDate + 3_600_000);
  const emu = await startGmailEmulator({ owner: 'sam.lee@example.net', now: () => clock.now().getTime() });
  await emu.loadMbox(items.map((m) => `${m.envelope}\n${mboxrdQuote(m.raw)}\n`).join(''));
  const loadMs = Date.now() - t0;

  const stateDir = mkdtempSync(join(tmpdir(), 'ow-bench-gmail-'));
  try {
    const cfg = gmailSourceSchema.parse({ type: 'gmail', name: 'bench', clientId: emu.clientId, clientSecret: emu.clientSecret, rootUrl: emu.rootUrl });
    const tokens = emu.issueTokens();
    saveTokens(tokenFileOf(cfg, stateDir), { ...tokens, expiry_date: Date.now() + 3_600_000 });
    let throttledVirtualMs = 0;
    const connector = await createGmailConnector(cfg, {
      stateDir,
      clock,
      log: () => {},
      // Virtual time: the quota bucket's waits move the clock instead of blocking.
      sleep: async (ms) => {
        throttledVirtualMs += ms;
        clock.advance(ms);
      },
      random: seededRandom(1),
    });
    // The product's own filter, built from the built-in rules (search words + metadata check).
    const filter = candidateFilter(buildRuleSet(readRuleDir(BUILTIN_RULES_DIR)));
    const opts = (tracked: Set<string>): SyncOptions => ({ now: clock.now(), filter, trackedThreadIds: tracked });

    // 1. First run: backfill within the lookback.
    emu.counters.reset();
    const startedAt = clock.now().getTime();
    let t = Date.now();
    const backfill = await drain(connector.reader, null, opts(new Set()));
    const backfillMs = Date.now() - t;
    const backfillCost = snapshot(emu);
    const tracked = new Set([...backfill.threads].filter((id) => jobThreads.has(id)));
    const windowStart = startedAt - Math.min(filter.lookbackDays, cfg.lookbackDays ?? Infinity) * 86_400_000;
    const jobInWindow = new Set(items.filter((m) => m.job && Date.parse(m.date) >= windowStart).map((m) => hexThread(m.threadId)));
    const missed = [...jobInWindow].filter((id) => !tracked.has(id));
    if (process.env.BENCH_DEBUG) for (const id of missed) console.log('missed', id, items.filter((m) => hexThread(m.threadId) === id).map((m) => `${m.kind} ${m.date} ${m.raw.split('\n').find((l) => l.startsWith('Subject:'))}`));

    // 2. Idle poll.
    clock.advance(300_000);
    emu.counters.reset();
    const idle = await drain(connector.reader, backfill.cursor, opts(tracked));
    const idleCost = snapshot(emu);

    // The reference poller remembers when it last looked.
    const api = gmail({ version: 'v1', auth: authFor(emu, tokens), rootUrl: emu.rootUrl, retry: false });
    let referenceLast = Math.floor(clock.now().getTime() / 1000);
    emu.counters.reset();
    await referencePoll(api, referenceLast);
    const referenceIdle = snapshot(emu);

    // 3. 100 new messages, 2 of them job-related.
    clock.advance(300_000);
    const arrivals = newArrivals(NEW_MESSAGES, NEW_JOB_MESSAGES);
    for (const [i, m] of arrivals.entries()) {
      await emu.addMessage(m.raw, { internalDate: clock.now().getTime() + i * 1000 });
    }
    clock.advance(NEW_MESSAGES * 1000 + 60_000);

    emu.counters.reset();
    const busy = await drain(connector.reader, idle.cursor, opts(tracked));
    const busyCost = snapshot(emu);

    emu.counters.reset();
    const refFetched = await referencePoll(api, referenceLast);
    referenceLast = Math.floor(clock.now().getTime() / 1000);
    const referenceBusy = snapshot(emu);

    const ratio = referenceBusy.units / busyCost.units;
    const rows: [string, string, string, string][] = [
      ['backfill (first run)', fmt(backfillCost.requests), fmt(backfillCost.units), `${fmt(backfill.messages)} messages in ${fmt(backfill.threads.size)} threads`],
      ['idle poll', fmt(idleCost.requests), fmt(idleCost.units), `${idle.messages} messages`],
      ['busy poll (100 new, 2 job)', fmt(busyCost.requests), fmt(busyCost.units), `${busy.messages} messages fetched`],
      ['reference idle poll', fmt(referenceIdle.requests), fmt(referenceIdle.units), 'messages.list after:'],
      ['reference busy poll', fmt(referenceBusy.requests), fmt(referenceBusy.units), `${refFetched} messages fetched`],
    ];
    console.log(`Gmail connector benchmark: ${fmt(THREADS)} threads, ${fmt(items.length)} messages, ${fmt(jobThreads.size)} job threads (${((100 * jobThreads.size) / THREADS).toFixed(1)}%)`);
    console.log(`mailbox built and loaded in ${fmt(loadMs)} ms; backfill ran in ${fmt(backfillMs)} ms wall, ${fmt(Math.round(throttledVirtualMs / 1000))} s of virtual quota waits at ${fmt(cfg.quotaUnitsPerMinute)} units/min`);
    console.log('');
    console.log(`${'phase'.padEnd(30)}${'requests'.padStart(10)}${'units'.padStart(10)}  notes`);
    for (const [a, b, c, d] of rows) console.log(`${a.padEnd(30)}${b.padStart(10)}${c.padStart(10)}  ${d}`);
    console.log('');
    console.log(`backfill by method: ${JSON.stringify(backfillCost.byMethod)}`);
    console.log(`busy poll by method: ${JSON.stringify(busyCost.byMethod)}`);
    console.log(`backfill recall: ${fmt(jobInWindow.size - missed.length)} of the ${fmt(jobInWindow.size)} job threads with mail inside the ${Math.min(filter.lookbackDays, cfg.lookbackDays ?? Infinity)}-day lookback; ${fmt(backfill.threads.size - tracked.size)} non-job threads fetched`);
    console.log(`busy poll: reference spends ${ratio.toFixed(1)}x the quota units (goal: >= 10x); idle poll: ${idleCost.requests} request`);
    if (emu.counters.sendAttempts !== 0) throw new Error('a send endpoint was called');
    console.log(
      JSON.stringify({
        threads: THREADS,
        messages: items.length,
        jobThreads: jobThreads.size,
        backfillRequests: backfillCost.requests,
        backfillUnits: backfillCost.units,
        backfillMessages: backfill.messages,
        backfillJobThreadsFound: jobInWindow.size - missed.length,
        backfillJobThreadsInWindow: jobInWindow.size,
        idleRequests: idleCost.requests,
        idleUnits: idleCost.units,
        busyRequests: busyCost.requests,
        busyUnits: busyCost.units,
        busyMessages: busy.messages,
        referenceIdleUnits: referenceIdle.units,
        referenceBusyRequests: referenceBusy.requests,
        referenceBusyUnits: referenceBusy.units,
        ratio: Number(ratio.toFixed(2)),
        sendAttempts: emu.counters.sendAttempts,
      }),
    );
  } finally {
    await emu.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function authFor(emu: GmailEmulator, tokens: { access_token: string; refresh_token: string }): OAuth2Client {
  const auth = new OAuth2Client({ clientId: emu.clientId, clientSecret: emu.clientSecret, endpoints: { oauth2TokenUrl: emu.tokenUrl } });
  auth.setCredentials({ ...tokens, expiry_date: Date.now() + 3_600_000 });
  return auth;
}

/** The common trigger: list what arrived after the last poll, then get every message. */
async function referencePoll(api: ReturnType<typeof gmail>, afterSeconds: number): Promise<number> {
  let fetched = 0;
  let pageToken: string | undefined;
  do {
    const page = await api.users.messages.list({ userId: 'me', q: `after:${afterSeconds}`, pageToken });
    for (const m of page.data.messages ?? []) {
      await api.users.messages.get({ userId: 'me', id: m.id!, format: 'full' });
      fetched++;
    }
    pageToken = page.data.nextPageToken ?? undefined;
  } while (pageToken);
  return fetched;
}

await main();
