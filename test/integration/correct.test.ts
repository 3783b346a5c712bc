/**
 * The owner's corrections, through the CLI: `correct` fixes a verdict in one command, status and
 * explain say "corrected by you", a new message that does not change the rules' stage keeps the
 * correction, one that does ends it, and `correct --export` turns corrections into rule tests
 * that `rules test` runs.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli } from '../helpers/cli.js';
import { appendMessage, writeMailbox, type Spec } from '../helpers/mailbox.js';

const ME = 'robin.hale@example.org';
const T0 = '2026-03-10T12:00:00Z';
const OFFER_THREAD = '2000000000000000001';
const SHOP_THREAD = '2000000000000000003';
const INTERVIEW_THREAD = '2000000000000000002';

const threads: Spec[] = [
  // An offer written so plainly that the rules only see an interview thread.
  { from: 'Ola Berg <ola.berg@northwindanalytics.example>', to: ME, date: '2026-03-02T09:00:00Z', subject: 'Northwind Analytics - next steps', id: 'nw-1@northwind.example', thread: OFFER_THREAD, body: 'Hi Robin,\n\nThanks for the interviews last week. Could you do a final interview on Thursday?\n\nOla Berg\nNorthwind Analytics' },
  { from: ME, to: 'Ola Berg <ola.berg@northwindanalytics.example>', date: '2026-03-02T12:00:00Z', subject: 'Re: Northwind Analytics - next steps', id: 'nw-2@example.org', thread: OFFER_THREAD, inReplyTo: 'nw-1@northwind.example', body: 'Thursday works, thank you.\n\nRobin' },
  { from: 'Ola Berg <ola.berg@northwindanalytics.example>', to: ME, date: '2026-03-06T09:00:00Z', subject: 'Re: Northwind Analytics - next steps', id: 'nw-3@northwind.example', thread: OFFER_THREAD, inReplyTo: 'nw-2@example.org', body: 'Hi Robin,\n\nGood news: the team wants you on board, 95,000 EUR, starting in May. Paperwork follows.\n\nOla' },
  { from: 'Kai Lund <kai@brightfield.example>', to: ME, date: '2026-03-06T15:00:00Z', subject: 'Brightfield - technical interview', id: 'bf-1@brightfield.example', thread: INTERVIEW_THREAD, body: 'Hi Robin,\n\nThanks for your application for the SRE position. Could you do a 60-minute technical interview on Tuesday or Wednesday? Which day suits you?\n\nKai' },
  { from: 'Careers Club <news@careers-club.example>', to: ME, date: '2026-03-07T08:00:00Z', subject: 'Your application for the spring mentoring programme', id: 'cc-1@careers-club.example', thread: SHOP_THREAD, body: 'Thank you for applying to the spring mentoring programme. We will review your application and be in touch.\n\nCareers Club' },
];

let dir: string;
let mbox: string;
let config: string;

const run = (args: string[], now = T0) => cli(['--config', config, '--now', now, ...args]);

async function board(now = T0): Promise<Record<string, { stage: string; awaitingReply: boolean; corrected: unknown; uncertain: boolean }>> {
  const r = await run(['status', '--json'], now);
  expect(r.code, r.err).toBe(0);
  return Object.fromEntries((JSON.parse(r.out) as { threadId: string; stage: string; awaitingReply: boolean; corrected: unknown; uncertain: boolean }[]).map((v) => [v.threadId, v]));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ow-correct-'));
  mbox = join(dir, 'mail.mbox');
  writeMailbox(mbox, threads);
  config = join(dir, 'config.yaml');
  writeFileSync(config, ['version: 1', `owner: { name: Robin Hale, addresses: [${ME}] }`, 'sources:', '  - { type: mbox, name: mail, path: mail.mbox }', 'state: { dir: state }', 'alerts: { channels: [] }', ''].join('\n'));
  const r = await run(['once']);
  expect(r.code, r.err).toBe(0);
});

describe('offerwatch correct', () => {
  it('refuses a correction that says nothing, or contradicts itself', async () => {
    expect((await run(['correct', `mail:${OFFER_THREAD}`])).code).toBe(2);
    expect((await run(['correct', `mail:${OFFER_THREAD}`, '--stage', 'offer', '--not-job-search'])).code).toBe(2);
    const bad = await run(['correct', `mail:${OFFER_THREAD}`, '--stage', 'hired']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/offer/);
  });

  it('sets the stage at once; status and explain say it was corrected by the owner', async () => {
    const before = (await board())[OFFER_THREAD]!;
    expect(before.stage).not.toBe('offer');
    const r = await run(['correct', `mail:${OFFER_THREAD}`, '--stage', 'offer']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/stage offer \(the rules said interviewing\)/);
    const after = (await board())[OFFER_THREAD]!;
    expect(after.stage).toBe('offer');
    expect(after.corrected).toMatchObject({ stage: 'offer', rulesStage: before.stage, noReplyNeeded: false });
    const text = await run(['status']);
    expect(text.out).toMatch(new RegExp(`✓[ zdDq]{3} mail:${OFFER_THREAD}`));
    expect(text.out).toMatch(/✓ corrected by you/);
    const ex = await run(['explain', OFFER_THREAD]);
    expect(ex.out).toMatch(/interviewing → offer {2}corrected by you/);
    expect(ex.out).toMatch(/corrected by you on 2026-03-10 12:00 UTC: stage offer \(the rules say interviewing\)/);
  });

  it('stops tracking a look-alike with --not-job-search', async () => {
    expect((await board())[SHOP_THREAD]).toBeDefined();
    const r = await run(['correct', `mail:${SHOP_THREAD}`, '--not-job-search']);
    expect(r.code, r.err).toBe(0);
    expect((await board())[SHOP_THREAD]).toBeUndefined();
  });

  it('clears "waiting on you" with --no-reply-needed, until a new message asks again', async () => {
    expect((await board())[INTERVIEW_THREAD]!.awaitingReply).toBe(true);
    const r = await run(['correct', `mail:${INTERVIEW_THREAD}`, '--no-reply-needed']);
    expect(r.code, r.err).toBe(0);
    const v = (await board())[INTERVIEW_THREAD]!;
    expect(v.awaitingReply).toBe(false);
    expect(v.corrected).toMatchObject({ stage: null, noReplyNeeded: true });
    const alerts = await run(['alerts']);
    expect(alerts.out).not.toMatch(/Brightfield/);
  });

  it('keeps a stage correction across a new message that does not change the stage by the rules, and re-anchors it', async () => {
    appendMessage(mbox, { from: 'Ola Berg <ola.berg@northwindanalytics.example>', to: ME, date: '2026-03-11T09:00:00Z', subject: 'Re: Northwind Analytics - next steps', id: 'nw-4@northwind.example', thread: OFFER_THREAD, inReplyTo: 'nw-3@northwind.example', body: 'Hi Robin,\n\nJust checking you saw my note. Happy to talk it through.\n\nOla' });
    appendMessage(mbox, { from: 'Kai Lund <kai@brightfield.example>', to: ME, date: '2026-03-11T10:00:00Z', subject: 'Re: Brightfield - technical interview', id: 'bf-2@brightfield.example', thread: INTERVIEW_THREAD, inReplyTo: 'bf-1@brightfield.example', body: 'Hi Robin,\n\nCould you tell me which day suits you for the interview, Tuesday or Wednesday?\n\nKai' });
    const r = await run(['once'], '2026-03-11T12:00:00Z');
    expect(r.code, r.err).toBe(0);
    const b = await board('2026-03-11T12:00:00Z');
    expect(b[OFFER_THREAD]!.stage).toBe('offer');
    expect(b[OFFER_THREAD]!.corrected).not.toBeNull();
    // "No reply needed" was about the message it was said of: the new question is waiting on the owner again.
    expect(b[INTERVIEW_THREAD]!.awaitingReply).toBe(true);
    expect(b[INTERVIEW_THREAD]!.corrected).toBeNull();
  });

  it('ends a stage correction when a new message changes what the rules say', async () => {
    appendMessage(mbox, { from: 'Ola Berg <ola.berg@northwindanalytics.example>', to: ME, date: '2026-03-12T09:00:00Z', subject: 'Re: Northwind Analytics - next steps', id: 'nw-5@northwind.example', thread: OFFER_THREAD, inReplyTo: 'nw-4@northwind.example', body: 'Hi Robin,\n\nUnfortunately we have decided not to move forward and the position has been filled. We wish you all the best in your search.\n\nOla' });
    const r = await run(['once'], '2026-03-12T12:00:00Z');
    expect(r.code, r.err).toBe(0);
    const v = (await board('2026-03-12T12:00:00Z'))[OFFER_THREAD]!;
    expect(v.stage).toBe('rejected');
    expect(v.corrected).toBeNull();
    const list = await run(['correct', '--list'], '2026-03-12T12:00:00Z');
    expect(list.out).toMatch(new RegExp(`mail:${OFFER_THREAD}  stage offer .* ended 2026-03-12`));
  });

  it('--clear goes back to the rules', async () => {
    const r = await run(['correct', `mail:${SHOP_THREAD}`, '--clear']);
    expect(r.code, r.err).toBe(0);
    expect((await board())[SHOP_THREAD]).toBeDefined();
    await run(['correct', `mail:${SHOP_THREAD}`, '--not-job-search']);
  });

  it('exports every correction as a rule test, and rules test runs them', async () => {
    const file = join(dir, 'my-corrections.yaml');
    const r = await run(['correct', '--export', file]);
    expect(r.code, r.err).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const doc = parse(readFileSync(file, 'utf8')) as { version: number; tests: { name: string; messages: { from: string }[]; expect: { stage: string; awaitingReply?: boolean } }[] };
    expect(doc.version).toBe(1);
    const expects = doc.tests.map((t) => t.expect);
    expect(expects).toContainEqual({ stage: 'offer' });
    expect(expects).toContainEqual({ stage: 'none' });
    expect(expects).toContainEqual({ stage: 'interviewing', awaitingReply: false });
    // The offer correction holds the thread up to the last message it covered (re-anchored on the
    // nudge, ended by the rejection): four messages, the owner's as `me`.
    const offer = doc.tests.find((t) => t.expect.stage === 'offer')!;
    const ola = 'Ola Berg <ola.berg@northwindanalytics.example>';
    expect(offer.messages.map((m) => m.from)).toEqual([ola, 'me', ola, ola]);
    // As a rule file the export is valid, and its tests run: they fail until the owner's rules agree…
    const t = await cli(['--config', join(dir, 'missing.yaml'), 'rules', 'test', '--file', file]);
    expect(t.out).toMatch(/FAIL {2}corrected: Northwind Analytics - next steps is stage offer/);
    expect(t.out).toMatch(/FAIL {2}corrected: Your application for the spring mentoring programme is not about my job search/);
    // …and a personal rule makes the correction's test pass.
    const fix = join(dir, 'fix.yaml');
    writeFileSync(fix, 'version: 1\nrules:\n  - name: mentoring-club-is-not-a-job\n    when: { from: careers-club.example }\n    then: { ignore: true }\n');
    const t2 = await cli(['--config', join(dir, 'missing.yaml'), 'rules', 'test', '--file', fix, file]);
    expect(t2.out).toMatch(/ok {4}corrected: Your application for the spring mentoring programme is not about my job search/);
  });
});
