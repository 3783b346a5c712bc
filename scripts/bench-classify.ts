/**
 * Benchmark: a whole mailbox through offerwatch, beside the floors it cannot beat, in one run.
 *
 *   npm run bench:classify [-- --mb 200 --seed 1 --profile]
 *
 * On one generated Takeout-style mbox of --mb megabytes (seeded, so every run reads the same bytes):
 *   1. I/O floor: read the file once, as `cat FILE > /dev/null` would;
 *   2. parse floor: split the mbox and parse every message with postal-mime (what any reader must do);
 *   3. offerwatch's full cycle (stream, parse, store, classify, alerts) with fresh state, sampling RSS;
 *   4. an idle cycle on the unchanged file (nothing to read or parse);
 *   5. classification alone on one core (fastest of three passes), beside a keyword classifier of the kind job-tracker
 *      tools use (stage keywords on subject and body, last match wins), on the same threads.
 * Ratios are between figures measured in this run, on this machine, so a busy machine slows both
 * sides alike. With --profile the full cycle runs under the V8 profiler and the self time is split
 * by part (rules, MIME, SQLite, …). The last line is JSON.
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { writeMbox } from './lib/gen-mbox.js';
import { openApp } from '../src/cli/app.js';
import { runCycle } from '../src/pipeline/cycle.js';
import { classifyThread, DEFAULT_DEADLINES } from '../src/classify/classify.js';
import { splitMbox } from '../src/connectors/mbox/split.js';
import { parseMessage } from '../src/mail/normalise.js';
import { fixedClock } from '../src/clock.js';
import type { MailThread } from '../src/model/types.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const mb = arg('mb', 200);
const seed = arg('seed', 1);
const profile = process.argv.includes('--profile');
const dir = mkdtempSync(join(tmpdir(), 'ow-bench-'));
const mbox = join(dir, 'bench.mbox');
const owner = 'sam.owner@example.net';

let peakRss = 0;
const sample = () => { peakRss = Math.max(peakRss, process.memoryUsage().rss); };
const sampler = setInterval(sample, 25);
const seconds = async (fn: () => Promise<unknown> | unknown) => {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
};

/** The keyword baseline: what a simple job tracker does, stage keywords, the last matching message decides. */
const KEYWORDS: [string, RegExp][] = [
  ['rejected', /\b(unfortunately|regret to inform|not moving forward|other candidates)\b/i],
  ['offer', /\b(offer letter|pleased to offer|job offer)\b/i],
  ['interviewing', /\b(interview|phone screen|schedule a call)\b/i],
  ['applied', /\b(application (received|submitted)|thank you for applying|your application)\b/i],
];
function keywordStage(t: MailThread): string {
  let stage = 'none';
  for (const m of t.messages) {
    const hay = `${m.subject}\n${m.text}`;
    for (const [s, re] of KEYWORDS) if (re.test(hay)) { stage = s; break; }
  }
  return stage;
}

/** Self time per part of the program, from a V8 CPU profile. */
function splitProfile(p: { nodes: { id: number; callFrame: { url: string; functionName: string } }[]; samples: number[]; timeDeltas: number[] }): Record<string, number> {
  const part = new Map<number, string>();
  for (const n of p.nodes) {
    const u = n.callFrame.url;
    const f = n.callFrame.functionName;
    part.set(n.id,
      f === '(garbage collector)' ? 'gc'
      : f === '(idle)' || f === '(program)' ? 'idle/program'
      : /src\/rules\//.test(u) ? 'rules'
      : /src\/classify\//.test(u) ? 'classify (extraction)'
      : /postal-mime/.test(u) ? 'MIME parsing (postal-mime)'
      : /html-to-text|htmlparser2|domhandler|selderee/.test(u) ? 'HTML to text'
      : /src\/mail\//.test(u) ? 'mail normalising'
      : /better-sqlite3|src\/store\//.test(u) ? 'SQLite and stores'
      : /src\/connectors\//.test(u) ? 'mbox reading'
      : u === '' ? 'native (JSON, regex, crypto, …)'
      : 'other JS');
  }
  const ms = new Map<string, number>();
  p.samples.forEach((id, i) => ms.set(part.get(id)!, (ms.get(part.get(id)!) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  const total = [...ms.values()].reduce((a, b) => a + b, 0);
  return Object.fromEntries([...ms].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, +((100 * v) / total).toFixed(1)]));
}

try {
  const gen = await writeMbox(mbox, { seed, messages: Infinity, targetBytes: mb * 1024 * 1024, owner: `Sam Owner <${owner}>` });
  const bytes = statSync(mbox).size;

  // 1. I/O floor.
  const catS = await seconds(() => new Promise<void>((resolve, reject) => {
    createReadStream(mbox, { highWaterMark: 1 << 20 }).on('data', () => {}).on('end', resolve).on('error', reject);
  }));

  // 2. Parse floor: split and parse every message, keep nothing.
  let parsed = 0;
  const parseS = await seconds(async () => {
    for await (const item of splitMbox(mbox)) if ('raw' in item && item.raw) { await parseMessage(item.raw); parsed++; }
  });

  // 3. The full cycle, fresh state.
  global.gc?.();
  sample();
  const rssBefore = process.memoryUsage().rss;
  peakRss = rssBefore;
  const clock = fixedClock('2026-06-01T00:00:00Z');
  const app = await openApp(
    {
      owner: { name: 'Sam Owner', addresses: [owner], signature: null },
      sources: [{ type: 'mbox', name: 'bench', path: mbox }],
      stateDir: join(dir, 'state'),
      deadlines: DEFAULT_DEADLINES,
      ruleSources: [],
      disabledRules: [],
      responses: [],
      channels: [],
      autoSave: false,
      resolvePath: (p) => p,
    },
    { clock, log: () => {}, write: () => {} },
  );
  let cycleReport: Awaited<ReturnType<typeof runCycle>> | null = null;
  let profileSplit: Record<string, number> | null = null;
  const session = profile ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
  }
  const cycleS = await seconds(async () => { cycleReport = await runCycle(app.ctx); });
  if (session) {
    const { profile: p } = await session.post('Profiler.stop');
    profileSplit = splitProfile(p as Parameters<typeof splitProfile>[0]);
    session.disconnect();
  }
  sample();
  const cyclePeakRss = peakRss;

  // 4. Idle: the same file again.
  const idleS = await seconds(() => runCycle(app.ctx));

  // 5. Classification alone, one core: offerwatch's rules beside the keyword baseline, on the same threads.
  const refs = app.store.db.prepare('SELECT source, id FROM threads').all() as { source: string; id: string }[];
  const threads = refs.map((r) => app.store.messages.loadThread(r.source, r.id, app.ctx.owner)!);
  // Each side runs three passes and keeps its fastest, so neither is judged on its warm-up (a
  // big mailbox's scan is nearly all steady state) nor on one pass a busy machine slowed.
  const fastest = async (fn: () => void) => Math.min(...[await seconds(fn), await seconds(fn), await seconds(fn)]);
  let tracked = 0;
  const classifyS = await fastest(() => {
    tracked = 0;
    for (const t of threads) if (classifyThread(t, app.ctx.rules, DEFAULT_DEADLINES, clock.now()).tracked) tracked++;
  });
  let keywordTracked = 0;
  const keywordS = await fastest(() => {
    keywordTracked = 0;
    for (const t of threads) if (keywordStage(t) !== 'none') keywordTracked++;
  });
  await app.close();
  clearInterval(sampler);

  const added = (cycleReport as Awaited<ReturnType<typeof runCycle>> | null)?.sources[0]?.added ?? 0;
  const res = {
    fileMB: +(bytes / 1048576).toFixed(1),
    messages: gen.messages,
    threads: threads.length,
    trackedThreads: tracked,
    keywordBaselineTrackedThreads: keywordTracked,
    catSeconds: +catS.toFixed(2),
    parseOnlySeconds: +parseS.toFixed(1),
    cycleSeconds: +cycleS.toFixed(1),
    idleCycleSeconds: +idleS.toFixed(3),
    cycleMessagesPerSecond: Math.round(added / cycleS),
    threadsPerSecond: Math.round(threads.length / classifyS),
    keywordBaselineThreadsPerSecond: Math.round(threads.length / keywordS),
    peakRssMB: Math.round(cyclePeakRss / 1048576),
    rssBeforeCycleMB: Math.round(rssBefore / 1048576),
    ratioCycleToParseOnly: +(cycleS / parseS).toFixed(2),
    ratioCycleToCat: +(cycleS / catS).toFixed(1),
    ratioThreadsPerSecondToKeywordBaseline: +(keywordS / classifyS).toFixed(2),
    ratioPeakRssToFileSize: +(cyclePeakRss / bytes).toFixed(2),
    ...(profileSplit ? { profileSelfTimePercent: profileSplit } : {}),
  };
  console.log(`mailbox: ${res.fileMB} MB, ${res.messages} messages, ${res.threads} threads (${res.trackedThreads} about the job search; the keyword baseline tracks ${res.keywordBaselineTrackedThreads})`);
  console.log(`I/O floor (read the file): ${res.catSeconds} s`);
  console.log(`parse floor (split + postal-mime every message, ${parsed} parsed): ${res.parseOnlySeconds} s`);
  console.log(`full cycle (stream, parse, store, classify): ${res.cycleSeconds} s, ${res.cycleMessagesPerSecond} messages/s — ${res.ratioCycleToParseOnly}× the parse floor (goal ≤ 3), ${res.ratioCycleToCat}× the I/O floor`);
  console.log(`idle cycle on the unchanged file: ${res.idleCycleSeconds} s`);
  console.log(`classification alone, one core: ${res.threadsPerSecond} threads/s (goal ≥ 20000); keyword baseline ${res.keywordBaselineThreadsPerSecond} threads/s (offerwatch at ${res.ratioThreadsPerSecondToKeywordBaseline}× its speed)`);
  console.log(`peak RSS during the cycle: ${res.peakRssMB} MB for a ${res.fileMB} MB file (${res.rssBeforeCycleMB} MB before it; goal < 200 MB at 1 GB)`);
  if (profileSplit) console.log(`profile of the full cycle, self time %: ${Object.entries(profileSplit).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(JSON.stringify(res));
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
