/**
 * Benchmark: classification throughput and memory while streaming a large mailbox.
 *
 *   npm run bench:classify [-- --mb 200 --seed 1]
 *
 * 1. Generates a Takeout-style mbox of --mb megabytes (default 200) with the seeded generator.
 * 2. Runs one real cycle over it (stream, parse, store, classify) and samples RSS throughout.
 * 3. Re-classifies the stored threads on one core to measure threads classified per second.
 * Prints the figures and their ratio to the baseline recorded in scripts/bench-baseline.json
 * (figures measured on the reference machine: 2 cores, Node 20). Last line is JSON.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMbox } from './lib/gen-mbox.js';
import { openApp } from '../src/cli/app.js';
import { runCycle } from '../src/pipeline/cycle.js';
import { classifyThread, DEFAULT_DEADLINES } from '../src/classify/classify.js';
import { fixedClock } from '../src/clock.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const mb = arg('mb', 200);
const seed = arg('seed', 1);
const dir = mkdtempSync(join(tmpdir(), 'ow-bench-'));
const mbox = join(dir, 'bench.mbox');
const owner = 'sam.owner@example.net';

let peakRss = 0;
const sample = () => { peakRss = Math.max(peakRss, process.memoryUsage().rss); };
const sampler = setInterval(sample, 50);

try {
  const t0 = performance.now();
  const gen = await writeMbox(mbox, { seed, messages: Infinity, targetBytes: mb * 1024 * 1024, owner: `Sam Owner <${owner}>` });
  const genMs = performance.now() - t0;
  const bytes = statSync(mbox).size;
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
  const t1 = performance.now();
  const report = await runCycle(app.ctx);
  const cycleMs = performance.now() - t1;
  sample();
  const cyclePeakRss = peakRss;

  // Classification alone, on one core: every stored thread, loaded once, classified in a loop.
  const refs = app.store.db.prepare('SELECT source, id FROM threads').all() as { source: string; id: string }[];
  let tracked = 0;
  let classifyMs = 0;
  for (const r of refs) {
    const t = app.store.messages.loadThread(r.source, r.id, app.ctx.owner)!;
    const t2 = performance.now();
    if (classifyThread(t, app.ctx.rules, DEFAULT_DEADLINES, clock.now()).tracked) tracked++;
    classifyMs += performance.now() - t2;
  }
  const threads = refs;
  await app.close();
  clearInterval(sampler);
  sample();

  const perSec = threads.length / (classifyMs / 1000);
  const msgsPerSec = report.sources[0]!.added / (cycleMs / 1000);
  const baseline = JSON.parse(readFileSync(new URL('./bench-baseline.json', import.meta.url), 'utf8')) as { threadsPerSecond: number; cycleMessagesPerSecond: number; peakRssMB: number };
  const res = {
    fileMB: +(bytes / 1048576).toFixed(1),
    messages: gen.messages,
    threads: threads.length,
    trackedThreads: tracked,
    generateSeconds: +(genMs / 1000).toFixed(1),
    cycleSeconds: +(cycleMs / 1000).toFixed(1),
    cycleMessagesPerSecond: Math.round(msgsPerSec),
    threadsPerSecond: Math.round(perSec),
    peakRssMB: Math.round(cyclePeakRss / 1048576),
    rssBeforeCycleMB: Math.round(rssBefore / 1048576),
    ratioThreadsPerSecondToBaseline: +(perSec / baseline.threadsPerSecond).toFixed(2),
    ratioCycleRateToBaseline: +(msgsPerSec / baseline.cycleMessagesPerSecond).toFixed(2),
    ratioPeakRssToBaseline: +(cyclePeakRss / 1048576 / baseline.peakRssMB).toFixed(2),
  };
  console.log(`mailbox: ${res.fileMB} MB, ${res.messages} messages, ${res.threads} threads (${res.trackedThreads} about the job search)`);
  console.log(`full cycle (stream, parse, store, classify): ${res.cycleSeconds} s, ${res.cycleMessagesPerSecond} messages/s (baseline ${baseline.cycleMessagesPerSecond}, ratio ${res.ratioCycleRateToBaseline})`);
  console.log(`classification alone, one core: ${res.threadsPerSecond} threads/s (baseline ${baseline.threadsPerSecond}, ratio ${res.ratioThreadsPerSecondToBaseline})`);
  console.log(`peak RSS during the streaming cycle: ${res.peakRssMB} MB for a ${res.fileMB} MB file (before the cycle: ${res.rssBeforeCycleMB} MB; baseline ${baseline.peakRssMB} MB, ratio ${res.ratioPeakRssToBaseline})`);
  console.log(JSON.stringify(res));
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
