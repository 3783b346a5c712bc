/**
 * Benchmark: how long the board page takes to load for a state of 500 tracked threads.
 *
 *   npm run bench:serve [-- --threads 500 --runs 20]
 *
 * 1. Writes a seeded mailbox of --threads job-search threads (applications, interview requests,
 *    offers, rejections; a third of them waiting on the owner) and runs one real cycle into state.
 * 2. Starts `serve` in-process on 127.0.0.1 and times the board over HTTP (--runs requests:
 *    median and slowest, bytes), then, when Chromium is installed, the page's load event in a
 *    headless browser (median of 5 fresh loads).
 * Figures only, never asserted by tests. The last line is JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { writeMailbox, type Spec } from '../test/helpers/mailbox.js';
import { CHROMIUM_ARGS, findChromium } from '../test/helpers/serve.js';
import { openService } from '../src/app/index.js';
import { startServer } from '../src/web/server.js';
import { DEFAULT_DEADLINES } from '../src/classify/classify.js';
import { fixedClock } from '../src/clock.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('threads', 500);
const RUNS = arg('runs', 20);
const ME = 'sam.owner@example.net';
const NOW = '2026-06-01T12:00:00Z';

let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
const COMPANIES = ['Northwind', 'Brightfield', 'Kestrel', 'Tidewater', 'Arclight', 'Fernhill', 'Copperline', 'Lumen', 'Quarry', 'Saltmarsh', 'Marigold', 'Harbor'];
const ROLES = ['Platform Engineer', 'Data Engineer', 'Frontend Engineer', 'SRE', 'Product Designer', 'Backend Engineer'];
const FIRST = ['Ola', 'Kai', 'Mia', 'Ines', 'Tariq', 'Sofia', 'Hamish', 'Mei'];

function threads(): Spec[] {
  const out: Spec[] = [];
  for (let i = 0; i < N; i++) {
    const company = `${pick(COMPANIES)} ${i}`;
    const role = pick(ROLES);
    const who = pick(FIRST);
    const dom = `c${i}.example`;
    const thread = String(4000000000000000000n + BigInt(i));
    const day = 1 + Math.floor(rand() * 28);
    const date = (d: number, h: number) => new Date(Date.UTC(2026, 4, Math.min(d, 31), h)).toISOString();
    out.push({ from: `${company} Careers <no-reply@${dom}>`, to: ME, date: date(day, 9), subject: `${company} | Application received`, id: `a${i}@${dom}`, thread, body: `Hi Sam,\n\nThank you for applying for the ${role} role at ${company}. We will review your application soon.\n\n${company} Talent` });
    const kind = i % 4;
    if (kind === 1) out.push({ from: `${who} <${who.toLowerCase()}@${dom}>`, to: ME, date: date(day + 1, 10), subject: `${company} - interview`, id: `b${i}@${dom}`, thread, inReplyTo: `a${i}@${dom}`, body: `Hi Sam,\n\nThanks for your application for the ${role} position. Could you do a 45-minute interview on Tuesday or Wednesday? Which day suits you?\n\n${who}` });
    if (kind === 2) out.push({ from: `${who} <${who.toLowerCase()}@${dom}>`, to: ME, date: date(day + 2, 11), subject: `${company} - your offer`, id: `c${i}@${dom}`, thread, inReplyTo: `a${i}@${dom}`, body: `Hi Sam,\n\nWe are delighted to offer you the ${role} role at ${company}: 90,000 EUR base salary.\n\nCould you let us know your decision by Friday?\n\n${who}` });
    if (kind === 3) out.push({ from: `${who} <${who.toLowerCase()}@${dom}>`, to: ME, date: date(day + 1, 12), subject: `${company} - your application`, id: `d${i}@${dom}`, thread, inReplyTo: `a${i}@${dom}`, body: `Hi Sam,\n\nThank you for your interest in the ${role} role. Unfortunately we have decided to move forward with other candidates.\n\n${who}` });
  }
  return out;
}

function get(port: number, path: string, cookie: string): Promise<{ status: number; bytes: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: `127.0.0.1:${port}`, Cookie: cookie } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => { bytes += c.length; });
      res.on('end', () => resolve({ status: res.statusCode!, bytes, ms: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const dir = mkdtempSync(join(tmpdir(), 'ow-bench-serve-'));
try {
  const mbox = join(dir, 'bench.mbox');
  writeMailbox(mbox, threads());
  const clock = fixedClock(NOW);
  const opened = await openService({
    owner: { name: 'Sam Owner', addresses: [ME], signature: null },
    sources: [{ type: 'mbox', name: 'bench', path: mbox }],
    stateDir: join(dir, 'state'),
    deadlines: DEFAULT_DEADLINES,
    ruleSources: [],
    disabledRules: [],
    responses: [{ name: 'decline-offers', when: { stage: ['offer'] }, propose: { decision: 'decline' } }] as never,
    channels: [],
    autoSave: false,
    resolvePath: (p) => p,
  }, { clock, log: () => {}, write: () => {} });
  await opened.service.cycle({ holder: 'bench' });
  const board = opened.service.board();
  const server = await startServer(opened.service, { host: '127.0.0.1', port: 0, timeZone: 'Europe/Berlin' });
  const cookie = `offerwatch-${server.port}=${server.token}`;
  await get(server.port, '/', cookie); // warm-up
  const http: number[] = [];
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = await get(server.port, '/', cookie);
    if (r.status !== 200) throw new Error(`board answered ${r.status}`);
    http.push(r.ms);
    bytes = r.bytes;
  }
  let browser: number[] = [];
  const chromium = findChromium();
  if (chromium) {
    const { chromium: pw } = await import('playwright-core');
    const ctx = await pw.launchPersistentContext(mkdtempSync(join(dir, 'chromium-')), { executablePath: chromium, headless: true, args: CHROMIUM_ARGS });
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(server.url);
    for (let i = 0; i < 5; i++) {
      await page.goto(`http://127.0.0.1:${server.port}/`, { waitUntil: 'load' });
      browser.push(await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        return nav.loadEventEnd - nav.startTime;
      }));
    }
    await ctx.close();
  }
  await server.close();
  await opened.close();
  const result = {
    threads: board.threads.length,
    httpMedianMs: Math.round(median(http) * 10) / 10,
    httpMaxMs: Math.round(Math.max(...http) * 10) / 10,
    bytes,
    browserLoadMedianMs: browser.length ? Math.round(median(browser)) : null,
  };
  console.log(`board of ${result.threads} tracked threads: HTTP ${result.httpMedianMs} ms median, ${result.httpMaxMs} ms slowest (${RUNS} requests, ${Math.round(bytes / 1024)} KiB)`);
  console.log(result.browserLoadMedianMs === null ? 'browser load: skipped (no chromium)' : `browser load event: ${result.browserLoadMedianMs} ms median of 5 (headless Chromium)`);
  console.log(JSON.stringify(result));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
