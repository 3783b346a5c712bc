/**
 * Benchmark: a whole mailbox through offerwatch, beside the floors it cannot beat, in one run.
 *
 *   npm run build && npm run bench:classify [-- --mb 200 --seed 1 --profile]
 *
 * On one generated Takeout-style mbox of --mb megabytes (seeded, so every run reads the same bytes;
 * streamed to disk, so 1000 MB needs no more memory than 50):
 *   1. I/O floor: read the file once, as `cat FILE > /dev/null` would;
 *   2. parse floor: split the mbox and parse every message with postal-mime (what any reader must do);
 *   3. offerwatch's full cycle (stream, parse, store, classify, alerts) with fresh state, run by the
 *      built CLI (`offerwatch once`) in a child process of its own, so that its peak RSS is the
 *      cycle's alone: the kernel's count (ru_maxrss), reported by the child as it exits;
 *   4. an idle cycle on the unchanged file (nothing to read or parse);
 *   5. classification alone on one core, beside a keyword classifier of the kind job-tracker
 *      tools use (stage keywords on subject and body, last match wins), on the same threads.
 * Ratios are between figures measured in this run, on this machine, so a busy machine slows both
 * sides alike; seconds per MB and peak RSS per file size, compared across --mb 50, 200 and 1000,
 * show whether time is linear and memory flat. With --profile the child runs under the V8
 * profiler and the self time is split by part (rules, MIME, SQLite, …). The last line is JSON.
 */
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeMbox } from './lib/gen-mbox.js';
import { openApp } from '../src/cli/app.js';
import { loadConfigFile, specFromConfig } from '../src/cli/context.js';
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
const NOW = '2026-06-01T00:00:00Z';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'offerwatch.js');
const PEAK_RSS = join(ROOT, 'scripts', 'lib', 'peak-rss.mjs');

const seconds = async (fn: () => Promise<unknown> | unknown) => {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
};

/** Newest modification time under a folder, in ms. */
function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newest(join(path, n))));
}

/** The cycle as a user runs it: the built CLI in a process of its own; its peak RSS as the kernel counted it. */
async function childCycle(config: string): Promise<{ seconds: number; maxRssBytes: number; heapTotalBytes: number; profile: string | null }> {
  const peakFile = join(dir, 'peak.json');
  const profDir = join(dir, 'prof');
  const args = [
    ...(profile ? ['--cpu-prof', '--cpu-prof-interval', '500', '--cpu-prof-dir', profDir] : []),
    '--import', PEAK_RSS, BIN, '--config', config, '--now', NOW, 'once', '--json',
  ];
  let stderr = '';
  const t = performance.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OFFERWATCH_PEAK_RSS_FILE: peakFile } });
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    child.on('error', reject);
    child.on('close', resolve);
  });
  const s = (performance.now() - t) / 1000;
  if (code !== 0) throw new Error(`offerwatch once exited with ${code}: ${stderr}`);
  const peak = JSON.parse(readFileSync(peakFile, 'utf8')) as { maxRssBytes: number; heapTotalBytes: number };
  const prof = profile ? readdirSync(profDir).find((n) => n.endsWith('.cpuprofile')) : undefined;
  return { seconds: s, ...peak, profile: prof ? readFileSync(join(profDir, prof), 'utf8') : null };
}

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
      : /(src|dist)\/rules\//.test(u) ? 'rules'
      : /(src|dist)\/classify\//.test(u) ? 'classify (extraction)'
      : /postal-mime/.test(u) ? 'MIME parsing (postal-mime)'
      : /html-to-text|htmlparser2|domhandler|selderee/.test(u) ? 'HTML to text'
      : /(src|dist)\/mail\//.test(u) ? 'mail normalising'
      : /better-sqlite3|(src|dist)\/store\//.test(u) ? 'SQLite and stores'
      : /(src|dist)\/connectors\//.test(u) ? 'mbox reading'
      : u === '' ? 'native (JSON, regex, crypto, …)'
      : 'other JS');
  }
  const ms = new Map<string, number>();
  p.samples.forEach((id, i) => ms.set(part.get(id)!, (ms.get(part.get(id)!) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  const total = [...ms.values()].reduce((a, b) => a + b, 0);
  return Object.fromEntries([...ms].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, +((100 * v) / total).toFixed(1)]));
}

if (newest(join(ROOT, 'src')) > newest(join(ROOT, 'dist'))) {
  console.error('bench:classify runs the built CLI and dist/ is older than src/: run `npm run build` first');
  process.exit(2);
}

try {
  const gen = await writeMbox(mbox, { seed, messages: Infinity, targetBytes: mb * 1024 * 1024, owner: `Sam Owner <${owner}>` });
  const bytes = statSync(mbox).size;
  const fileMB = bytes / 1048576;

  // 1. I/O floor.
  const catS = await seconds(() => new Promise<void>((resolve, reject) => {
    createReadStream(mbox, { highWaterMark: 1 << 20 }).on('data', () => {}).on('end', resolve).on('error', reject);
  }));

  // 2. Parse floor: split and parse every message, keep nothing.
  let parsed = 0;
  const parseS = await seconds(async () => {
    for await (const item of splitMbox(mbox)) if ('raw' in item && item.raw) { await parseMessage(item.raw); parsed++; }
  });

  // 3. The full cycle, fresh state, in a child process: `offerwatch once` with a config of its own.
  const config = join(dir, 'config.yaml');
  writeFileSync(config, [
    'version: 1',
    `owner: { name: Sam Owner, addresses: [${owner}] }`,
    `sources: [{ type: mbox, name: bench, path: ${JSON.stringify(mbox)} }]`,
    `state: { dir: ${JSON.stringify(join(dir, 'state'))} }`,
    'alerts: { channels: [] }',
    '',
  ].join('\n'));
  const cycle = await childCycle(config);
  const cycleS = cycle.seconds;
  const profileSplit = cycle.profile ? splitProfile(JSON.parse(cycle.profile) as Parameters<typeof splitProfile>[0]) : null;

  // 4. Idle: the same file again, on the state the child left (same config, so the same fingerprint).
  const clock = fixedClock(NOW);
  const app = await openApp(await specFromConfig(await loadConfigFile(config)), { clock, log: () => {}, write: () => {} });
  const added = app.store.messages.countMessages();
  const idleS = await seconds(() => runCycle(app.ctx));

  // 5. Classification alone, one core: offerwatch's rules beside the keyword baseline, on the same
  //    threads, read from the state a page at a time (only the classifying is timed).
  const refs = app.store.db.prepare('SELECT source, id FROM threads').all() as { source: string; id: string }[];
  let tracked = 0;
  let keywordTracked = 0;
  let classifyS = 0;
  let keywordS = 0;
  for (let i = 0; i < refs.length; i += 1000) {
    const threads: MailThread[] = refs.slice(i, i + 1000).map((r) => app.store.messages.loadThread(r.source, r.id, app.ctx.owner)!);
    classifyS += await seconds(() => {
      for (const t of threads) if (classifyThread(t, app.ctx.rules, DEFAULT_DEADLINES, clock.now()).tracked) tracked++;
    });
    keywordS += await seconds(() => {
      for (const t of threads) if (keywordStage(t) !== 'none') keywordTracked++;
    });
  }
  await app.close();

  const res = {
    fileMB: +fileMB.toFixed(1),
    messages: gen.messages,
    threads: refs.length,
    trackedThreads: tracked,
    keywordBaselineTrackedThreads: keywordTracked,
    catSeconds: +catS.toFixed(2),
    parseOnlySeconds: +parseS.toFixed(1),
    cycleSeconds: +cycleS.toFixed(1),
    cycleSecondsPerMB: +(cycleS / fileMB).toFixed(3),
    idleCycleSeconds: +idleS.toFixed(3),
    cycleMessagesPerSecond: Math.round(added / cycleS),
    threadsPerSecond: Math.round(refs.length / classifyS),
    keywordBaselineThreadsPerSecond: Math.round(refs.length / keywordS),
    peakRssMB: Math.round(cycle.maxRssBytes / 1048576),
    peakV8HeapMB: Math.round(cycle.heapTotalBytes / 1048576),
    ratioCycleToParseOnly: +(cycleS / parseS).toFixed(2),
    ratioCycleToCat: +(cycleS / catS).toFixed(1),
    ratioThreadsPerSecondToKeywordBaseline: +(keywordS / classifyS).toFixed(2),
    ratioPeakRssToFileSize: +(cycle.maxRssBytes / bytes).toFixed(2),
    ...(profileSplit ? { profileSelfTimePercent: profileSplit } : {}),
  };
  console.log(`mailbox: ${res.fileMB} MB, ${res.messages} messages, ${res.threads} threads (${res.trackedThreads} about the job search; the keyword baseline tracks ${res.keywordBaselineTrackedThreads})`);
  console.log(`I/O floor (read the file): ${res.catSeconds} s`);
  console.log(`parse floor (split + postal-mime every message, ${parsed} parsed): ${res.parseOnlySeconds} s`);
  console.log(`full cycle (offerwatch once in a child process: stream, parse, store, classify): ${res.cycleSeconds} s, ${res.cycleSecondsPerMB} s/MB, ${res.cycleMessagesPerSecond} messages/s — ${res.ratioCycleToParseOnly}× the parse floor (goal ≤ 3), ${res.ratioCycleToCat}× the I/O floor`);
  console.log(`idle cycle on the unchanged file: ${res.idleCycleSeconds} s`);
  console.log(`classification alone, one core: ${res.threadsPerSecond} threads/s (goal ≥ 20000); keyword baseline ${res.keywordBaselineThreadsPerSecond} threads/s (offerwatch at ${res.ratioThreadsPerSecondToKeywordBaseline}× its speed)`);
  console.log(`peak RSS of the cycle's process: ${res.peakRssMB} MB for a ${res.fileMB} MB file (${res.ratioPeakRssToFileSize}× the file; largest V8 heap sampled ${res.peakV8HeapMB} MB; goal < 200 MB at 1 GB)`);
  if (profileSplit) console.log(`profile of the full cycle, self time %: ${Object.entries(profileSplit).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(JSON.stringify(res));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
