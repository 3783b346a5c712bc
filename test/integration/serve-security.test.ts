/**
 * The security of `offerwatch serve`, over real HTTP: the token and cookie, the Host check
 * (DNS rebinding), same-origin and CSRF on posts, the CSP, escaping of mail (a subject holding
 * <script>, an HTML-only body), a password when one is set, and refusing a non-loopback host.
 */
/// <reference lib="dom" />
import { request } from 'node:http';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { render, writeMailbox, type Spec } from '../helpers/mailbox.js';
import { CHROMIUM_ARGS, findChromium, serve, type Served } from '../helpers/serve.js';
import { REPO } from '../helpers/paths.js';

const ME = 'alex.moreau@example.org';
const NOW = '2026-06-10T12:00:00Z';
const EVIL = '<script>alert(1)</script> Offer';
const mail: Spec[] = [
  { from: 'Ola Berg <ola.berg@northwind.example>', to: ME, date: '2026-06-05T09:00:00Z', subject: EVIL, id: 'x-1@northwind.example', thread: '3000000000000000001', body: 'Hi Alex,\n\nWe are delighted to offer you the Platform Engineer role at Northwind Analytics: 95,000 EUR base salary.\n\nCould you let us know your decision by Friday? <img src=x onerror=alert(2)>\n\nOla Berg' },
];
const html = [
  'From kai@brightfield.example Sat Jun 06 09:00:00 2026',
  'From: Kai Lund <kai@brightfield.example>',
  `To: ${ME}`,
  'Date: Sat, 06 Jun 2026 09:00:00 +0000',
  'Subject: Brightfield - technical interview',
  'Message-ID: <x-2@brightfield.example>',
  'X-GM-THRID: 3000000000000000002',
  'MIME-Version: 1.0',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<html><body><p>Hi Alex,</p><p>Thanks for your application for the <b>SRE position</b>. Could you do a technical interview on Tuesday? Which time suits you?</p><script>alert(3)</script><p>Kai</p></body></html>',
  '',
].join('\n');

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

function http(s: Served, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, path, method: opts.method ?? 'GET', headers: { Host: `127.0.0.1:${s.port}`, ...opts.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

let dir: string;
let config: string;
let served: Served;
let cookie: string;
let csrf: string;
let threadId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ow-serve-sec-'));
  writeMailbox(join(dir, 'mail.mbox'), mail);
  writeFileSync(join(dir, 'mail.mbox'), `${mail.map(render).join('')}${html}\n`);
  config = join(dir, 'config.yaml');
  writeFileSync(config, ['version: 1', `owner: { name: Alex Moreau, addresses: [${ME}] }`, 'sources:', '  - { type: mbox, name: mail, path: mail.mbox }', 'state: { dir: state }', ''].join('\n'));
  const r = await cli(['--config', config, '--now', NOW, 'once']);
  expect(r.code, r.err).toBe(0);
  served = await serve(config, NOW);
  const token = new URL(served.url).searchParams.get('token')!;
  const first = await http(served, `/?token=${token}`);
  expect(first.status).toBe(303);
  const set = String(first.headers['set-cookie']);
  expect(set).toMatch(/HttpOnly/);
  expect(set).toMatch(/SameSite=Strict/);
  cookie = set.split(';')[0]!;
  const board = await http(served, '/', { headers: { Cookie: cookie } });
  expect(board.status).toBe(200);
  csrf = /name="csrf" value="([^"]+)"/.exec(board.body)![1]!;
  threadId = 'mail:3000000000000000001';
}, 120_000);

afterAll(async () => {
  await served?.stop();
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('the token and the cookie', () => {
  it('refuses a missing or wrong token, and a wrong cookie, with 403', async () => {
    expect((await http(served, '/')).status).toBe(403);
    expect((await http(served, '/?token=not-the-token')).status).toBe(403);
    expect((await http(served, '/', { headers: { Cookie: `${cookie.split('=')[0]}=forged` } })).status).toBe(403);
    expect((await http(served, '/api/board')).status).toBe(403);
    expect((await http(served, '/events')).status).toBe(403);
  });

  it('serves a strict Content-Security-Policy without inline scripts', async () => {
    const r = await http(served, '/', { headers: { Cookie: cookie } });
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect([...r.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual(['<script src="/static/app.js" defer>']);
  });
});

describe('the Host header', () => {
  it('answers 421 to a foreign Host (DNS rebinding), and to another port', async () => {
    expect((await http(served, '/', { headers: { Host: 'evil.example', Cookie: cookie } })).status).toBe(421);
    expect((await http(served, '/', { headers: { Host: `evil.example:${served.port}`, Cookie: cookie } })).status).toBe(421);
    expect((await http(served, '/', { headers: { Host: `127.0.0.1:${served.port + 1}`, Cookie: cookie } })).status).toBe(421);
    expect((await http(served, '/', { headers: { Host: `localhost:${served.port}`, Cookie: cookie } })).status).toBe(200);
  });
});

describe('state-changing requests', () => {
  const post = (headers: Record<string, string>, fields: Record<string, string>) =>
    http(served, '/snooze', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: form(fields) });

  it('refuses a cross-origin post, a post without Origin, and one without the CSRF token, with 403', async () => {
    const fields = { csrf, thread: threadId, when: '2d' };
    expect((await post({ Origin: 'http://evil.example' }, fields)).status).toBe(403);
    expect((await post({ Origin: `http://127.0.0.1:${served.port + 1}` }, fields)).status).toBe(403);
    expect((await post({}, fields)).status).toBe(403);
    expect((await post({ Origin: served.origin }, { thread: threadId, when: '2d' })).status).toBe(403);
    expect((await post({ Origin: served.origin }, { ...fields, csrf: 'forged' })).status).toBe(403);
    const status = JSON.parse((await cli(['--config', config, '--now', NOW, 'status', '--json'])).out) as unknown[];
    expect(status.length).toBeGreaterThan(0);
    const t = await http(served, `/api/thread?id=${encodeURIComponent(threadId)}`, { headers: { Cookie: cookie } });
    expect((JSON.parse(t.body) as { card: { snoozedUntil: string | null } }).card.snoozedUntil).toBeNull();
  });

  it('accepts a same-origin post with the CSRF token', async () => {
    const r = await post({ Origin: served.origin }, { csrf, thread: threadId, when: '2d' });
    expect(r.status).toBe(303);
    const t = await http(served, `/api/thread?id=${encodeURIComponent(threadId)}`, { headers: { Cookie: cookie } });
    expect((JSON.parse(t.body) as { card: { snoozedUntil: string | null } }).card.snoozedUntil).toBe('2026-06-12T12:00:00.000Z');
  });
});

describe('mail is text', () => {
  it('escapes a subject holding <script> on the board and the thread page', async () => {
    const board = await http(served, '/', { headers: { Cookie: cookie } });
    expect(board.body).not.toContain('<script>alert');
    const search = await http(served, `/?q=${encodeURIComponent('<script>')}`, { headers: { Cookie: cookie } });
    expect(search.body).toContain('value="&lt;script&gt;"'); // the search box echoes it escaped
    expect(search.body).not.toContain('<script>"');
    const page = await http(served, `/thread?id=${encodeURIComponent(threadId)}`, { headers: { Cookie: cookie } });
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Offer');
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('&lt;img src=x onerror=alert(2)&gt;');
  });

  it('shows an HTML-only mail as text', async () => {
    const page = await http(served, `/thread?id=${encodeURIComponent('mail:3000000000000000002')}`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/Thanks for your application for the SRE position/);
    expect(page.body).not.toMatch(/<b>SRE|alert\(3\)/);
  });

  it.skipIf(!findChromium())('renders the <script> subject as text in a real browser, running nothing', async () => {
    const { chromium } = await import('playwright-core');
    const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'ow-chromium-')), { executablePath: findChromium()!, headless: true, args: CHROMIUM_ARGS });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const dialogs: string[] = [];
      page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
      await page.goto(served.url);
      expect(await page.locator('.card h3').allTextContents()).toContain('Northwind Analytics');
      await page.goto(`${served.origin}/thread?id=${encodeURIComponent(threadId)}`);
      expect(await page.locator('.message .subject').first().textContent()).toBe(EVIL);
      expect(await page.evaluate(() => document.scripts.length)).toBe(1);
      expect(dialogs).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('a refusal the owner may override', () => {
  const post = (path: string, fields: Record<string, string>, accept = 'text/html') =>
    http(served, path, { method: 'POST', headers: { Cookie: cookie, Origin: served.origin, Accept: accept, 'Content-Type': 'application/x-www-form-urlencoded' }, body: form(fields) });

  it('names no CLI flag, and offers to go ahead anyway with the same request', async () => {
    // Rescinding an acceptance on an offer that was never accepted does not fit the stage.
    const refused = await post('/decide', { csrf, thread: threadId, decision: 'rescind', reason: '' });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatch(/stage offer/);
    expect(refused.body).not.toMatch(/--force/);
    const again = /<form method="post" action="\/decide"[\s\S]*?<\/form>/.exec(refused.body)?.[0] ?? '';
    expect(again).toContain('name="force" value="1"');
    expect(again).toContain('name="decision" value="rescind"');
    expect(again).toContain('Propose it anyway');
    const json = await post('/decide', { csrf, thread: threadId, decision: 'rescind' }, 'application/json');
    expect(JSON.parse(json.body)).toMatchObject({ overridable: true });

    const fields = Object.fromEntries([...again.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const forced = await post('/decide', fields);
    expect(forced.status, forced.body).toBe(303);
    const t = JSON.parse((await http(served, `/api/thread?id=${encodeURIComponent(threadId)}`, { headers: { Cookie: cookie } })).body) as { proposals: { decision: string; status: string }[] };
    expect(t.proposals.filter((p) => p.status === 'pending').map((p) => p.decision)).toEqual(['rescind']);
    await post('/drafts/discard', { csrf, id: String((t.proposals as unknown as { id: number }[]).at(-1)!.id) });
  });
});

describe('cycles from the page', () => {
  it('are single-flight with other processes: 409 while another holds the lock, 202 after it is killed', async () => {
    const holder = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/helpers/hold-lock.ts'), join(dir, 'state', 'offerwatch.db')], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.once('data', (d: Buffer) => (String(d).startsWith('held') ? resolve() : reject(new Error(String(d)))));
    });
    const start = () => http(served, '/cycle', { method: 'POST', headers: { Cookie: cookie, Origin: served.origin, Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' }, body: form({ csrf }) });
    try {
      const busy = await start();
      expect(busy.status).toBe(409);
      expect(JSON.parse(busy.body)).toEqual({ busy: 'test holder' });
    } finally {
      holder.kill('SIGKILL');
      await once(holder, 'exit');
    }
    expect((await start()).status).toBe(202);
  });
});

describe('binding', () => {
  it('refuses a non-loopback host without --allow-remote, and without a password', async () => {
    const a = await cli(['--config', config, 'serve', '--host', '0.0.0.0']);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/not a loopback address; pass --allow-remote/);
    const b = await cli(['--config', config, 'serve', '--host', '0.0.0.0', '--allow-remote']);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/needs a password in OFFERWATCH_PASSWORD/);
  });

  it('asks for the password when one is set, even on loopback', async () => {
    const s = await serve(config, NOW, [], { OFFERWATCH_PASSWORD: 'correct horse' });
    try {
      const token = new URL(s.url).searchParams.get('token')!;
      expect((await http(s, `/?token=${token}`)).status).toBe(401);
      const auth = `Basic ${Buffer.from('me:correct horse').toString('base64')}`;
      expect((await http(s, `/?token=${token}`, { headers: { Authorization: `Basic ${Buffer.from('me:wrong').toString('base64')}` } })).status).toBe(401);
      expect((await http(s, `/?token=${token}`, { headers: { Authorization: auth } })).status).toBe(303);
    } finally {
      await s.stop();
    }
  });
});
