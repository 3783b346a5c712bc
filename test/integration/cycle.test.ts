/**
 * End to end through the CLI on a mailbox file: once → alerts (once per deadline, through a
 * real webhook on loopback and the mailbox marker) → decide → drafts approve → the .eml
 * threads correctly; approving again, or after a simulated crash, never makes a second draft.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from '../helpers/mailparser.js';
import { cli } from '../helpers/cli.js';
import { appendMessage, writeMailbox, type Spec } from '../helpers/mailbox.js';
import { Store } from '../../src/store/index.js';

const ME = 'robin.hale@example.org';
const T0 = '2026-03-10T12:00:00Z';

const threads: Spec[] = [
  { from: 'Northwind Careers <no-reply@northwind.greenhouse-mail.io>', to: ME, date: '2026-02-20T10:00:00Z', subject: 'Northwind | Application received', id: 'nw-1@northwind.example', thread: '1000000000000000001', body: 'Hi Robin,\n\nThank you for applying for the Platform Engineer role at Northwind Analytics. We will review your application soon.\n\nNorthwind Talent' },
  { from: 'Ola Berg <ola.berg@northwindanalytics.example>', to: ME, date: '2026-03-05T09:00:00Z', subject: 'Northwind Analytics - your offer', id: 'nw-2@northwind.example', thread: '1000000000000000001', inReplyTo: 'nw-1@northwind.example', body: 'Hi Robin,\n\nWe are delighted to offer you the Platform Engineer role at Northwind Analytics: 95,000 EUR base salary, start date 1 May.\n\nCould you let us know your decision by Friday?\n\nOla Berg\nHead of Platform, Northwind Analytics' },
  { from: 'Kai Lund <kai@brightfield.example>', to: ME, date: '2026-03-06T15:00:00Z', subject: 'Brightfield - technical interview', id: 'bf-1@brightfield.example', thread: '1000000000000000002', body: 'Hi Robin,\n\nThanks for your application for the SRE position. Could you do a 60-minute technical interview on Tuesday or Wednesday? Which day suits you?\n\nKai' },
  { from: 'Deals <deals@shop.example>', to: ME, date: '2026-03-07T08:00:00Z', subject: 'A special offer just for you', id: 'shop-1@shop.example', thread: '1000000000000000003', headers: { 'List-Unsubscribe': '<https://shop.example/u>' }, body: 'Take 25% off everything this weekend. Shop now!' },
];

let dir: string;
let mbox: string;
let config: string;
let server: Server;
const posts: { text: string }[] = [];

async function run(args: string[], now = T0) {
  return cli(['--config', config, '--now', now, ...args]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ow-e2e-'));
  mbox = join(dir, 'mail.mbox');
  writeMailbox(mbox, threads);
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      posts.push(JSON.parse(body) as { text: string });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  config = join(dir, 'config.yaml');
  writeFileSync(config, [
    'version: 1',
    'owner: { name: Robin Hale, addresses: [robin.hale@example.org] }',
    'sources:',
    '  - { type: mbox, name: mail, path: mail.mbox }',
    'state: { dir: state }',
    'responses:',
    '  - name: decline-northwind',
    '    when: { stage: offer, company: [Northwind Analytics] }',
    '    propose: { decision: decline, reason: accepted-elsewhere }',
    'alerts:',
    '  channels:',
    '    - { type: terminal }',
    `    - { type: webhook, url: "http://127.0.0.1:${port}/hook?token=secret" }`,
    '    - { type: mailbox }',
    '',
  ].join('\n'));
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('a cycle on a mailbox file, through the CLI', () => {
  it('tracks the job threads, raises one alert per overdue thread and proposes the decline', async () => {
    const r = await run(['once', '--json']);
    expect(r.code, r.err).toBe(0);
    const board = JSON.parse(r.out) as { subject: string; stage: string; stale: boolean; company: string }[];
    expect(board.map((t) => [t.stage, t.stale]).sort()).toEqual([['interviewing', true], ['offer', true]]);
    expect(posts).toHaveLength(2);
    expect(posts.map((p) => p.text).join('\n')).toMatch(/Offer from Northwind Analytics \(Platform Engineer\) has waited 5 days for your reply; proposed draft: decline-accepted-elsewhere #1/);
    const store = Store.open(join(dir, 'state', 'offerwatch.db'));
    expect(store.alerts.attention('mail')).toHaveLength(2);
    expect(store.proposals.list('pending')).toHaveLength(1);
    store.close();
  });

  it('does not alert again on the next cycle', async () => {
    const r = await run(['once']);
    expect(r.code, r.err).toBe(0);
    expect(posts).toHaveLength(2);
    const alerts = await run(['alerts']);
    expect(alerts.out.trim().split('\n')).toHaveLength(2);
  });

  it('explains a stage with the rule and the sentence', async () => {
    const r = await run(['explain', '1000000000000000001']);
    expect(r.out).toMatch(/applied → offer {2}by rule offer-extended/);
    expect(r.out).toContain('We are delighted to offer you the Platform Engineer role');
  });

  it('decide proposes a withdrawal, and approve saves one threaded .eml draft, exactly once', async () => {
    const d = await run(['decide', '1000000000000000002', 'withdraw']);
    expect(d.code, d.err).toBe(0);
    expect(d.out).toMatch(/Proposed:/);
    const id = /Draft #(\d+)/.exec(d.out)![1]!;
    const a1 = await run(['drafts', 'approve', id]);
    expect(a1.code, a1.err).toBe(0);
    expect(a1.out).toMatch(/^Saved: .*Nothing was sent/);
    const draftsDir = join(dir, 'state', 'drafts', 'mail');
    const files = readdirSync(draftsDir);
    expect(files).toHaveLength(1);
    const file = join(draftsDir, files[0]!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const parsed = await simpleParser(readFileSync(file));
    expect(parsed.subject).toBe('Re: Brightfield - technical interview');
    expect(parsed.inReplyTo).toBe('<bf-1@brightfield.example>');
    expect(parsed.to?.value[0]?.address).toBe('kai@brightfield.example');
    expect(parsed.headers.get('x-offerwatch-draft-key')).toMatch(/^ow-/);
    expect(parsed.headers.get('x-unsent')).toBe('1');
    expect(parsed.text).toContain('Brightfield');

    // The owner edits the draft in their mail program; approving again changes nothing.
    writeFileSync(file, readFileSync(file, 'utf8').replace('Hi Kai', 'Hello Kai'));
    const a2 = await run(['drafts', 'approve', id]);
    expect(a2.out).toMatch(/^Already saved/);
    // A crash after the draft was written but before state recorded it: the key finds it.
    const store = Store.open(join(dir, 'state', 'offerwatch.db'));
    store.db.prepare("UPDATE proposals SET status = 'pending', draft_id = NULL WHERE id = ?").run(Number(id));
    store.close();
    const a3 = await run(['drafts', 'approve', id]);
    expect(a3.out).toMatch(/^Found the draft already saved/);
    expect(readdirSync(draftsDir)).toHaveLength(1);
    expect(readFileSync(file, 'utf8')).toContain('Hello Kai');
  });

  it('a reply from the owner clears the alert and the mark; snooze silences the other until it ends', async () => {
    appendMessage(mbox, { from: `Robin Hale <${ME}>`, to: 'Kai Lund <kai@brightfield.example>', date: '2026-03-10T13:00:00Z', subject: 'Re: Brightfield - technical interview', id: 'bf-2@example.org', thread: '1000000000000000002', inReplyTo: 'bf-1@brightfield.example', body: 'Hi Kai, Wednesday works.\n\nRobin' });
    const later = '2026-03-10T14:00:00Z';
    await run(['once'], later);
    let alerts = await run(['alerts'], later);
    expect(alerts.out).not.toContain('Brightfield');
    expect(alerts.out).toContain('Northwind');
    const s = await run(['snooze', '1000000000000000001', '2d'], later);
    expect(s.code, s.err).toBe(0);
    alerts = await run(['alerts'], later);
    expect(alerts.out.trim()).toBe('No open alerts.');
    const store = Store.open(join(dir, 'state', 'offerwatch.db'));
    expect(store.alerts.attention('mail')).toEqual([]);
    store.close();
    await run(['once'], '2026-03-11T14:00:00Z');
    expect(posts).toHaveLength(2);
    await run(['once'], '2026-03-13T15:00:00Z');
    expect(posts).toHaveLength(3);
    expect(posts[2]!.text).toContain('Northwind');
  });

  it('status shows the board grouped by stage, overdue first', async () => {
    const r = await run(['status'], '2026-03-13T15:00:00Z');
    expect(r.out).toMatch(/OFFER \(1\)\n ![ ?✓][ zdDq]{3} mail:1000000000000000001 {2}Northwind Analytics — Platform Engineer/);
    expect(r.out).not.toContain('special offer');
  });
});
