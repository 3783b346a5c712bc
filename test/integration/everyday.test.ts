/**
 * Issue 11, items 10, 18, 20, 23, 24, 30: everyday use through the real CLI on a real mbox,
 * with a real webhook server on loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { appendMessage, writeMailbox, type Spec } from '../helpers/mailbox.js';
import { EXIT } from '../../src/errors.js';

const ME = 'sam.ilves@example.org';
const NOW = '2026-04-10T09:00:00Z';
const O = 'mail:2000000000000000001';
const offer: Spec = { from: 'Noor Haddad <noor@larchwood.example>', to: ME, date: '2026-04-01T09:00:00Z', subject: 'Larchwood - your offer', id: 'lw-1@larchwood.example', thread: '2000000000000000001', body: 'Hi Sam,\n\nWe are happy to offer you the Data Engineer position at Larchwood: 70,000 GBP base salary, starting in June.\nPlease let me know your decision by Friday.\n\nNoor' };
const interview: Spec = { from: 'Kai Lund <kai@brightfield.example>', to: ME, date: '2026-04-06T15:00:00Z', subject: 'Brightfield - technical interview', id: 'bf-1@brightfield.example', thread: '2000000000000000002', body: 'Hi Sam,\n\nThanks for your application for the SRE position at Brightfield. Could you do a 60-minute technical interview on Tuesday or Wednesday? Which day suits you?\n\nKai' };

function setup(lines: string[] = [], specs: Spec[] = [offer, interview], owner = ME) {
  const dir = mkdtempSync(join(tmpdir(), 'ow-everyday-'));
  const mbox = join(dir, 'mail.mbox');
  writeMailbox(mbox, specs);
  const config = join(dir, 'config.yaml');
  const write = (extra: string[]) => writeFileSync(config, ['version: 1', `owner: { name: Sam Ilves, addresses: [${owner}] }`, 'sources: [{ type: mbox, name: mail, path: mail.mbox }]', 'state: { dir: state }', ...extra, ''].join('\n'));
  write(lines);
  const run = (args: string[], now = NOW) => cli(['--config', config, '--now', now, ...args]);
  return { dir, mbox, config, run, write };
}

let server: Server;
let port = 0;
const posts: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      if (req.url !== '/hook') { res.writeHead(404).end('no'); return; }
      posts.push((JSON.parse(body) as { text: string }).text);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('item 10: alerts and hints', () => {
  it('alerts shows thread ids and has --json; a fresh state suggests once', async () => {
    const { run } = setup();
    const fresh = await run(['status']);
    expect(fresh.out).toMatch(/offerwatch once/);
    const ex = await run(['explain', 'nope']);
    expect(ex.code).toBe(EXIT.NOT_FOUND);
    expect(ex.err).toMatch(/offerwatch once/);
    await run(['once']);
    const a = await run(['alerts']);
    expect(a.out).toContain(O);
    const j = await run(['alerts', '--json']);
    const rows = JSON.parse(j.out) as { threadId: string; source: string; text: string; dueAt: string }[];
    expect(rows.map((r) => `${r.source}:${r.threadId}`)).toContain(O);
    expect(rows[0]!.dueAt).toMatch(/Z$/);
  });
});

describe('item 18: autoSave reports every saved draft', () => {
  it('once says which draft was saved and where', async () => {
    const { run } = setup(['responses: [{ name: decline-larchwood, when: { stage: offer }, propose: { decision: decline } }]', 'drafts: { autoSave: true }']);
    const r = await run(['once']);
    expect(r.code, r.err).toBe(0);
    expect(`${r.out}${r.err}`).toMatch(/Saved draft #1 .*drafts[/\\]mail[/\\].*\.eml.*Nothing was sent/);
  });
});

describe('item 20: the owner addresses', () => {
  it('owner.addresses and --me must be addresses', async () => {
    const { config, run } = setup([], [offer], 'not-an-address');
    const r = await run(['status']);
    expect(r.code).toBe(EXIT.CONFIG);
    expect(r.err).toMatch(/config\.yaml:2:\d+: owner\.addresses\[0\]: .*not-an-address/);
    void config;
    const s = await cli(['scan', '--source', 'mbox:/nonexistent.mbox', '--me', 'jordan,not an address']);
    expect(s.code).toBe(EXIT.USAGE);
    expect(s.err).toMatch(/--me/);
  });

  it('warns once, naming the Sent address, when no Sent mail is from the owner', async () => {
    const sent = (i: number): Spec => ({ from: 'Sam Ilves <sam@elsewhere.example>', to: 'Noor Haddad <noor@larchwood.example>', date: `2026-04-0${i + 2}T10:00:00Z`, subject: 'Re: Larchwood - your offer', id: `s${i}@elsewhere.example`, thread: '2000000000000000001', inReplyTo: 'lw-1@larchwood.example', headers: { 'X-Gmail-Labels': 'Sent' }, body: 'Thanks, I will think about it.' });
    const { run } = setup([], [offer, sent(1), sent(2)], 'jordan@example.com');
    const r = await run(['once']);
    const warnings = r.err.split('\n').filter((l) => /sam@elsewhere\.example/.test(l));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/owner\.addresses/);
    const fine = setup([], [offer, sent(1)], 'sam@elsewhere.example');
    expect((await fine.run(['once'])).err).not.toMatch(/owner\.addresses/);
  });
});

describe('item 23: undelivered alerts are retried per channel', () => {
  it('after the webhook URL is fixed, the next cycle delivers the open alerts once; failures are one line per channel', async () => {
    posts.length = 0;
    const { run, write } = setup(['alerts:', '  channels:', '    - { type: terminal }', `    - { type: webhook, url: "http://127.0.0.1:${port}/wrong" }`]);
    const first = await run(['once']);
    expect(first.out).toMatch(/Offer from Larchwood/);
    const failLines = first.err.split('\n').filter((l) => /webhook/.test(l));
    expect(failLines, first.err).toHaveLength(1);
    expect(failLines[0]).toMatch(/2 alert/);
    expect(posts).toHaveLength(0);
    write(['alerts:', '  channels:', '    - { type: terminal }', `    - { type: webhook, url: "http://127.0.0.1:${port}/hook" }`]);
    const second = await run(['once']);
    expect(posts).toHaveLength(2);
    expect(second.out).not.toMatch(/Offer from Larchwood .* has waited/); // the terminal had it already
    await run(['once']);
    expect(posts).toHaveLength(2);
  });
});

describe('item 24: snooze says what it does, shows on the board, and can be undone', () => {
  it('snooze, status, --json, unsnooze', async () => {
    const { run, mbox } = setup();
    await run(['once']);
    const s = await run(['snooze', O, '2d']);
    expect(s.code, s.err).toBe(0);
    expect(`${s.out}${s.err}`).not.toMatch(/No longer waiting/);
    expect(s.out).toMatch(/Snoozed .* until .*; a new message or your reply ends the snooze/);
    const st = await run(['status']);
    expect(st.out).toMatch(/snoozed until/);
    const j = JSON.parse((await run(['status', '--json'])).out) as { threadId: string; snoozedUntil: string | null }[];
    expect(j.find((t) => t.threadId === '2000000000000000001')!.snoozedUntil).toBe('2026-04-12T09:00:00.000Z');
    const u = await run(['unsnooze', O]);
    expect(u.code, u.err).toBe(0);
    expect(u.out).toMatch(/Offer from Larchwood/); // the alert is back
    const j2 = JSON.parse((await run(['status', '--json'])).out) as { threadId: string; snoozedUntil: string | null }[];
    expect(j2.find((t) => t.threadId === '2000000000000000001')!.snoozedUntil).toBeNull();
    // a new message ends a snooze
    await run(['snooze', O, '3d']);
    appendMessage(mbox, { ...offer, id: 'lw-2@larchwood.example', date: '2026-04-10T10:00:00Z', subject: 'Re: Larchwood - your offer', inReplyTo: 'lw-1@larchwood.example', body: 'Hi Sam, just checking in: could you let me know your decision by Monday?\n\nNoor' });
    await run(['once'], '2026-04-10T11:00:00Z');
    const j3 = JSON.parse((await run(['status', '--json'], '2026-04-10T11:00:00Z')).out) as { threadId: string; snoozedUntil: string | null }[];
    expect(j3.find((t) => t.threadId === '2000000000000000001')!.snoozedUntil).toBeNull();
  });
});

describe('item 30: mail text is sanitised on the terminal', () => {
  it('status and explain strip control characters and escape sequences', async () => {
    const encoded = `=?UTF-8?B?${Buffer.from('Larchwood \u001b[31mRED\u001b[0m \u0007offer\u001b]0;title\u0007').toString('base64')}?=`;
    const evil: Spec = { ...offer, subject: encoded, body: 'Hi Sam,\n\nWe are happy to offer you the Data Engineer position at Larchwood \u001b[2J: 70,000 GBP base salary.\nPlease let me know your decision by Friday.\n\nNoor' };
    const { run } = setup([], [evil]);
    await run(['once']);
    expect((await run(['status', '--json'])).out).toContain('\\u001b[31mRED'); // it did reach state
    for (const args of [['status'], ['explain', O]]) {
      const r = await run(args);
      // eslint-disable-next-line no-control-regex
      expect(r.out, args.join(' ')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    }
  });
});
