/**
 * Issue 11 item 19: the core knows drafts and sent mail only by the mailbox role its connector
 * sets. A message is a draft only when its mailbox says so (Drafts, or X-Unsent: 1); the owner's
 * sent reply that still carries our X-Offerwatch-Draft-Key (some clients keep custom headers
 * when a draft is sent) is a reply like any other, and its proposal becomes "sent by you".
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { appendMessage, writeMailbox, type Spec } from '../helpers/mailbox.js';
import { Store } from '../../src/store/index.js';

const ME = 'robin.hale@example.org';
const T0 = '2026-03-10T12:00:00Z';
const THREAD = '1000000000000000011';

const offer: Spec[] = [
  { from: 'Ola Berg <ola.berg@northwindanalytics.example>', to: ME, date: '2026-03-05T09:00:00Z', subject: 'Northwind Analytics - your offer', id: 'nw-2@northwind.example', thread: THREAD, headers: { 'X-Gmail-Labels': 'Inbox,Job search' }, body: 'Hi Robin,\n\nWe are delighted to offer you the Platform Engineer role at Northwind Analytics: 95,000 EUR base salary, start date 1 May.\n\nCould you let us know your decision by Friday?\n\nOla Berg\nHead of Platform, Northwind Analytics' },
];

let dir: string;
let mbox: string;
let config: string;
const run = (args: string[], now = T0) => cli(['--config', config, '--now', now, ...args]);
const board = async (now: string) => {
  const r = await run(['status', '--json'], now);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as { threadId: string; stage: string; awaitingReply: boolean }[];
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ow-sent-'));
  mbox = join(dir, 'mail.mbox');
  writeMailbox(mbox, offer);
  config = join(dir, 'config.yaml');
  writeFileSync(config, ['version: 1', `owner: { name: Robin Hale, addresses: [${ME}] }`, 'sources:', '  - { type: mbox, name: mail, path: mail.mbox }', 'state: { dir: state }', ''].join('\n'));
});

describe('drafts and sent mail are known by their mailbox role', () => {
  it('an unsent draft in the mailbox (Drafts label) is not a reply, even without our key', async () => {
    expect((await run(['once'])).code).toBe(0);
    appendMessage(mbox, { from: `Robin Hale <${ME}>`, to: 'ola.berg@northwindanalytics.example', date: '2026-03-10T12:30:00Z', subject: 'Re: Northwind Analytics - your offer', id: 'own-draft@example.org', thread: THREAD, inReplyTo: 'nw-2@northwind.example', headers: { 'X-Gmail-Labels': 'Drafts' }, body: 'Hi Ola, I am happy to accept.\n\nRobin' });
    expect((await run(['once'], '2026-03-10T13:00:00Z')).code).toBe(0);
    const t = (await board('2026-03-10T13:00:00Z')).find((v) => v.threadId === THREAD)!;
    expect(t.stage).toBe('offer');
    expect(t.awaitingReply).toBe(true);
  });

  it('the owner sends the saved draft: the sent copy still carries the key, counts as the reply, and the proposal is "sent by you"', async () => {
    const d = await run(['decide', THREAD, 'decline', '--reason', 'accepted-elsewhere'], '2026-03-10T13:00:00Z');
    expect(d.code, d.err).toBe(0);
    const id = /Draft #(\d+)/.exec(d.out)![1]!;
    const a = await run(['drafts', 'approve', id], '2026-03-10T13:00:00Z');
    expect(a.code, a.err).toBe(0);
    const draftsDir = join(dir, 'state', 'drafts', 'mail');
    const eml = readFileSync(join(draftsDir, readdirSync(draftsDir)[0]!), 'utf8');
    const key = /^X-Offerwatch-Draft-Key: (.+)$/m.exec(eml)![1]!.trim();
    const text = eml.slice(eml.search(/\r?\n\r?\n/)).trim();

    // Sent from the mail program: a Sent copy with our key header kept.
    appendMessage(mbox, { from: `Robin Hale <${ME}>`, to: 'Ola Berg <ola.berg@northwindanalytics.example>', date: '2026-03-10T14:00:00Z', subject: 'Re: Northwind Analytics - your offer', id: 'sent-1@example.org', thread: THREAD, inReplyTo: 'nw-2@northwind.example', headers: { 'X-Gmail-Labels': 'Sent', 'X-Offerwatch-Draft-Key': key }, body: text });
    const r = await run(['once'], '2026-03-10T15:00:00Z');
    expect(r.code, r.err).toBe(0);
    const t = (await board('2026-03-10T15:00:00Z')).find((v) => v.threadId === THREAD)!;
    expect(t.stage).toBe('declined');
    expect(t.awaitingReply).toBe(false);

    const store = Store.open(join(dir, 'state', 'offerwatch.db'));
    const p = store.proposals.get(Number(id))!;
    store.close();
    expect(p.status).toBe('sent');
    expect(p.sentAt).toBe('2026-03-10T15:00:00.000Z');
    const list = await run(['drafts', '--all'], '2026-03-10T15:00:00Z');
    expect(list.out).toMatch(new RegExp(`#${id} {2}\\[sent by you\\].*sent by you \\(seen 2026-03-10 15:00 UTC\\)`));
    expect((await run(['drafts'], '2026-03-10T15:00:00Z')).out).toContain('No drafts waiting for review.');
    // Approving it now saves nothing more.
    const again = await run(['drafts', 'approve', id], '2026-03-10T15:00:00Z');
    expect(again.out).toMatch(/already sent by you/);
    expect(readdirSync(draftsDir)).toHaveLength(1);
  });
});
