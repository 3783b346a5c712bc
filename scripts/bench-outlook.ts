/**
 * Outlook connector cost benchmark (npm run bench:outlook).
 *
 * A generated mailbox of 10,000 messages (2% job-related) is served by the loopback HTTPS
 * Graph emulator in this process; the real Graph SDK and MSAL talk to it (signed in through
 * the emulated device-code flow). We count HTTP requests and response bytes for the first
 * backfill, an idle poll, and a poll after 100 new messages of which 2 are job-related, and
 * compare with a reference poller that does what common automation triggers do (n8n's
 * Outlook trigger): list Inbox messages by receivedDateTime since the last poll, then get
 * every message. The last line is machine-readable JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMailItems } from './lib/gen-mbox.js';
import { drain, newArrivals } from './lib/bench-mail.js';
import { outlookConnector, outlookSourceSchema, tokenFileOf } from '../src/connectors/outlook/index.js';
import { createOutlookConnector } from '../src/connectors/outlook/connector.js';
import { HttpsTransport } from '../src/connectors/outlook/https.js';
import { MsalTokens } from '../src/connectors/outlook/auth.js';
import { GraphApi } from '../src/connectors/outlook/graph.js';
import { Retry } from '../src/connectors/outlook/retry.js';
import type { CandidateFilter, ConnectorEnv, SyncOptions } from '../src/connectors/port.js';
import { seededRandom } from '../src/util/random.js';
import { startGraphEmulator, type GraphEmulator } from '../test/emulators/graph/server.js';
import { MovableClock } from '../test/emulators/gmail/harness.js';
import { candidateFilter } from '../src/rules/filter.js';
import { buildRuleSet, readRuleDir } from '../src/rules/load.js';
import { BUILTIN_RULES_DIR } from '../src/paths.js';
import { readFileSync } from 'node:fs';

const OWNER_ADDRESS = 'sam.lee@example.net';
const OWNER = `Sam Lee <${OWNER_ADDRESS}>`;
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const JOB_SHARE = 0.02;
const NEW_MESSAGES = 100;
const NEW_JOB_MESSAGES = 2;



function snapshot(emu: GraphEmulator) {
  return { requests: emu.counters.requests, items: emu.counters.batchItems, bytes: emu.counters.bytesOut, byRoute: { ...emu.counters.calls } };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** n8n's way: list Inbox messages received since the last poll (every page), then get each one. */
async function referencePoll(graph: GraphApi, since: string): Promise<number> {
  let fetched = 0;
  let page = await graph.call<{ value?: Array<{ id?: string }>; '@odata.nextLink'?: string }>('reference poll', 'GET', '/me/mailFolders/inbox/messages', {
    query: { filter: `receivedDateTime ge ${since}`, select: ['id'] },
    headers: { Prefer: 'odata.maxpagesize=100' },
  });
  for (;;) {
    for (const m of page.value ?? []) {
      await graph.call('reference get', 'GET', `/me/messages/${encodeURIComponent(m.id!)}`);
      fetched++;
    }
    const next = page['@odata.nextLink'];
    if (!next) break;
    page = await graph.call('reference poll', 'GET', next);
  }
  return fetched;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const items = [...generateMailItems({ seed: 2026, messages: MESSAGES, jobShare: JOB_SHARE, owner: OWNER })];
  const jobThreads = new Set(items.filter((m) => m.job).map((m) => m.threadId));
  const lastDate = Date.parse(items[items.length - 1]!.date);
  const clock = new MovableClock(lastDate + 3_600_000);
  const emu = await startGraphEmulator({ owner: OWNER_ADDRESS, ownerName: 'Sam Lee' });
  for (const m of items) await emu.mailbox.addRaw(m.raw);
  const loadMs = Date.now() - t0;
  const stateDir = mkdtempSync(join(tmpdir(), 'ow-bench-outlook-'));
  try {
    const cfg = outlookSourceSchema.parse({ type: 'outlook', name: 'bench', clientId: emu.clientId, tenant: 'consumers', baseUrl: emu.baseUrl, caFile: emu.caFile });
    const env: ConnectorEnv = { stateDir, clock, log: () => {}, resolvePath: (p) => p };
    await outlookConnector.authorize!(cfg, { ...env, print: () => {} });
    const connector = await createOutlookConnector(cfg, env, { sleep: async (ms) => clock.advance(ms), random: seededRandom(1) });
    const rules = candidateFilter(buildRuleSet(readRuleDir(BUILTIN_RULES_DIR)));
    const filter: CandidateFilter = { ...rules, lookbackDays: 180, isCandidate: (m) => rules.isCandidate(m) };
    const opts = (tracked: Set<string>): SyncOptions => ({ now: clock.now(), filter, trackedThreadIds: tracked });

    // 1. First run: backfill within the look-back window.
    emu.resetCounters();
    let t = Date.now();
    const backfill = await drain(connector.reader, null, opts(new Set()));
    const backfillMs = Date.now() - t;
    const backfillCost = snapshot(emu);
    const tracked = new Set(backfill.threads);
    // Recall: job threads with mail inside the window, as the emulator's conversations.
    const since = clock.now().getTime() - filter.lookbackDays * 86_400_000;
    const convOf = new Map([...emu.mailbox.messages.values()].map((s) => [s.msg.internetMessageId, s.msg.conversationId]));
    const jobInWindow = new Set(items.filter((m) => m.job && Date.parse(m.date) >= since).map((m) => convOf.get(m.messageId)));
    const found = [...jobInWindow].filter((c) => c && tracked.has(c)).length;

    // 2. Idle poll.
    clock.advance(300_000);
    emu.resetCounters();
    const idle = await drain(connector.reader, backfill.cursor, opts(tracked));
    const idleCost = snapshot(emu);

    // The reference poller, with its own token source over the same sign-in.
    const refTransport = new HttpsTransport({ ca: readFileSync(emu.caFile, 'utf8') });
    const refGraph = new GraphApi({
      baseUrl: cfg.baseUrl,
      transport: refTransport,
      tokens: new MsalTokens(cfg, tokenFileOf(cfg, stateDir), refTransport.msalNetwork()),
      retry: new Retry({ sleep: async () => {}, random: seededRandom(2), log: () => {}, name: 'reference' }),
      name: 'reference',
      reauth: '',
      now: () => clock.now(),
    });
    let referenceSince = clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    emu.resetCounters();
    await referencePoll(refGraph, referenceSince);
    const referenceIdle = snapshot(emu);

    // 3. 100 new messages, 2 of them job-related.
    clock.advance(300_000);
    for (const [i, m] of newArrivals(OWNER, NEW_MESSAGES, NEW_JOB_MESSAGES).entries()) {
      const id = await emu.mailbox.addRaw(m.raw);
      const at = new Date(clock.now().getTime() + i * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const s = emu.mailbox.messages.get(id)!;
      s.msg.receivedDateTime = at;
      s.msg.sentDateTime = at;
    }
    clock.advance(NEW_MESSAGES * 1000 + 60_000);
    emu.resetCounters();
    t = Date.now();
    const busy = await drain(connector.reader, idle.cursor, opts(tracked));
    const busyCost = snapshot(emu);
    emu.resetCounters();
    const refFetched = await referencePoll(refGraph, referenceSince);
    referenceSince = clock.now().toISOString();
    const referenceBusy = snapshot(emu);
    refTransport.close();
    await connector.close?.();

    const ratio = referenceBusy.requests / busyCost.requests;
    const rows: [string, string, string, string, string][] = [
      ['backfill (first run)', fmt(backfillCost.requests), fmt(backfillCost.items), fmt(backfillCost.bytes), `${fmt(backfill.messages)} messages in ${fmt(backfill.threads.size)} conversations`],
      ['idle poll', fmt(idleCost.requests), fmt(idleCost.items), fmt(idleCost.bytes), `${idle.messages} messages`],
      ['busy poll (100 new, 2 job)', fmt(busyCost.requests), fmt(busyCost.items), fmt(busyCost.bytes), `${busy.messages} messages fetched`],
      ['reference idle poll', fmt(referenceIdle.requests), '0', fmt(referenceIdle.bytes), 'list by receivedDateTime'],
      ['reference busy poll', fmt(referenceBusy.requests), '0', fmt(referenceBusy.bytes), `${refFetched} messages fetched`],
    ];
    console.log(`Outlook connector benchmark: ${fmt(items.length)} messages, ${fmt(items.filter((m) => m.job).length)} job-related in ${fmt(jobThreads.size)} threads`);
    console.log(`mailbox built and loaded in ${fmt(loadMs)} ms; backfill ran in ${fmt(backfillMs)} ms wall`);
    console.log('');
    console.log(`${'phase'.padEnd(30)}${'HTTP'.padStart(8)}${'in $batch'.padStart(11)}${'bytes'.padStart(13)}  notes`);
    for (const [a, b, c, d, e] of rows) console.log(`${a.padEnd(30)}${b.padStart(8)}${c.padStart(11)}${d.padStart(13)}  ${e}`);
    console.log('');
    console.log(`backfill by route: ${JSON.stringify(backfillCost.byRoute)}`);
    console.log(`busy poll by route: ${JSON.stringify(busyCost.byRoute)}`);
    console.log(`backfill recall: ${fmt(found)} of the ${fmt(jobInWindow.size)} job threads with mail inside the ${filter.lookbackDays}-day look-back; ${fmt(tracked.size - found)} other conversations fetched`);
    console.log(`busy poll: the reference makes ${ratio.toFixed(1)}x the HTTP requests (goal: >= 10x) and moves ${(referenceBusy.bytes / Math.max(1, busyCost.bytes)).toFixed(1)}x the bytes; idle poll: ${idleCost.requests} request`);
    if (emu.counters.sendAttempts !== 0) throw new Error('a send endpoint was called');
    console.log(
      JSON.stringify({
        messages: items.length,
        backfillRequests: backfillCost.requests,
        backfillBytes: backfillCost.bytes,
        backfillMessages: backfill.messages,
        backfillJobThreadsFound: found,
        backfillJobThreadsInWindow: jobInWindow.size,
        idleRequests: idleCost.requests,
        idleBytes: idleCost.bytes,
        busyRequests: busyCost.requests,
        busyBytes: busyCost.bytes,
        busyMessages: busy.messages,
        referenceBusyRequests: referenceBusy.requests,
        referenceBusyBytes: referenceBusy.bytes,
        ratio: Number(ratio.toFixed(2)),
        sendAttempts: emu.counters.sendAttempts,
      }),
    );
  } finally {
    await emu.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

await main();
