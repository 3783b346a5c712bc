/**
 * Issue 11, items 11–17: decisions, proposals and drafts that fit the thread.
 * A real mbox, the real CLI; threads: O offer, I interviewing, R rejected, A accepted.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { writeMailbox, type Spec } from '../helpers/mailbox.js';
import { EXIT } from '../../src/errors.js';

const ME = 'sam.ilves@example.org';
const NOW = '2026-04-10T09:00:00Z';
const O = 'mail:2000000000000000001';
const I = 'mail:2000000000000000002';
const R = 'mail:2000000000000000003';
const A = 'mail:2000000000000000004';
const mail: Spec[] = [
  { from: 'Noor Haddad <noor@larchwood.example>', to: ME, date: '2026-04-01T09:00:00Z', subject: 'Larchwood - your offer', id: 'lw-1@larchwood.example', thread: '2000000000000000001', body: 'Hi Sam,\n\nWe are happy to offer you the Data Engineer position at Larchwood: 70,000 GBP base salary, starting in June.\nPlease let me know your decision by Friday.\n\nNoor' },
  { from: 'Kai Lund <kai@brightfield.example>', to: ME, date: '2026-04-06T15:00:00Z', subject: 'Brightfield - technical interview', id: 'bf-1@brightfield.example', thread: '2000000000000000002', body: 'Hi Sam,\n\nThanks for your application for the SRE position at Brightfield. Could you do a 60-minute technical interview on Tuesday or Wednesday? Which day suits you?\n\nKai' },
  { from: 'Mira Tan <mira@quillon.example>', to: ME, date: '2026-04-03T10:00:00Z', subject: 'Your application at Quillon', id: 'qu-1@quillon.example', thread: '2000000000000000003', body: 'Hi Sam,\n\nThank you for interviewing for the Analyst role. Unfortunately we have decided not to move forward with your application.\n\nMira' },
  { from: 'Ola Berg <ola@fernhill.example>', to: ME, date: '2026-03-20T10:00:00Z', subject: 'Fernhill offer', id: 'fh-1@fernhill.example', thread: '2000000000000000004', body: 'Hi Sam,\n\nWe are delighted to offer you the Platform Engineer role at Fernhill: 80,000 EUR base salary.\nCould you let us know your decision by Friday?\n\nOla' },
  { from: `Sam Ilves <${ME}>`, to: 'Ola Berg <ola@fernhill.example>', date: '2026-03-21T10:00:00Z', subject: 'Re: Fernhill offer', id: 'fh-2@example.org', thread: '2000000000000000004', inReplyTo: 'fh-1@fernhill.example', body: "Hi Ola,\n\nThank you! I'm happy to accept the offer. Looking forward to starting.\n\nSam" },
];

async function setup(extra: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'ow-decide-'));
  writeMailbox(join(dir, 'mail.mbox'), mail);
  const config = join(dir, 'config.yaml');
  writeFileSync(config, ['version: 1', `owner: { name: Sam Ilves, addresses: [${ME}] }`, 'sources: [{ type: mbox, name: mail, path: mail.mbox }]', 'state: { dir: state }', ...extra, ''].join('\n'));
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => cli(['--config', config, '--now', NOW, ...args], env);
  const first = await run(['once']);
  expect(first.code, first.err).toBe(0);
  return { dir, config, run };
}

describe('item 11: decisions and templates fit the thread stage', () => {
  it('refuses decisions and templates that do not fit, naming the stage; --force overrides', async () => {
    const { run } = await setup();
    const neg = await run(['decide', I, 'negotiate']);
    expect(neg.code).toBe(EXIT.USAGE);
    expect(neg.err).toMatch(/stage interviewing/);
    expect(neg.err).toMatch(/--force/);
    expect(neg.out).not.toMatch(/Thank you for the offer/);
    const resc = await run(['decide', O, 'rescind']);
    expect(resc.code).toBe(EXIT.USAGE);
    expect(resc.err).toMatch(/stage offer/);
    const wd = await run(['decide', R, 'withdraw']);
    expect(wd.code).toBe(EXIT.USAGE);
    expect(wd.err).toMatch(/stage rejected/);
    const tpl = await run(['decide', I, 'withdraw', '--template', 'decline-offer']);
    expect(tpl.code).toBe(EXIT.USAGE);
    expect(tpl.err).toMatch(/decline-offer/);
    const forced = await run(['decide', I, 'negotiate', '--force']);
    expect(forced.code, forced.err).toBe(0);
    expect(forced.out).toMatch(/Proposed/);
  });

  it('validates response rules at config load, with file:line:col', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ow-resp-'));
    writeMailbox(join(dir, 'mail.mbox'), mail);
    const cases: [string, RegExp][] = [
      ['{ name: r, when: { stage: interviewing }, propose: { decision: decline, template: decline-offer } }', /:7:\d+: responses\[0\]\.propose\.template: .*decline-offer.*interviewing/],
      ['{ name: r, when: { stage: offer }, propose: { decision: decline, template: no-such-template } }', /:7:\d+: responses\[0\]\.propose\.template: .*no-such-template/],
      ['{ name: r, when: { stage: offer }, propose: { decision: negotiate, template: decline-offer } }', /:7:\d+: responses\[0\]\.propose\.template: .*decline/],
      ['{ name: r, when: { stage: offer }, propose: { decision: decline, reason: bored } }', /:7:\d+: responses\[0\]\.propose\.reason: .*bored.*accepted-elsewhere/],
      ['{ name: r, when: { stage: accepted }, propose: { decision: negotiate } }', /:7:\d+: responses\[0\]\.propose\.decision: .*negotiate.*accepted/],
    ];
    for (const [rule, re] of cases) {
      const config = join(dir, 'config.yaml');
      writeFileSync(config, ['version: 1', `owner: { name: Sam Ilves, addresses: [${ME}] }`, 'sources: [{ type: mbox, name: mail, path: mail.mbox }]', 'state: { dir: state }', '', 'responses:', `  - ${rule}`, ''].join('\n'));
      const r = await cli(['--config', config, '--now', NOW, 'status']);
      expect(r.code, rule).toBe(EXIT.CONFIG);
      expect(r.err, rule).toMatch(re);
    }
  });
});

describe('item 12: one live proposal per thread', () => {
  it('a new decision supersedes the pending one and says so; a saved one blocks until discarded', async () => {
    const { run } = await setup();
    const d1 = await run(['decide', I, 'decline']);
    expect(d1.code, d1.err).toBe(0);
    const again = await run(['decide', I, 'withdraw']);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/Already proposed|same draft/i);
    const conf = await run(['decide', I, 'confirm']);
    expect(conf.code, conf.err).toBe(0);
    expect(conf.out).toMatch(/supersedes draft #1/i);
    const list = await run(['drafts']);
    expect(list.out.trim().split('\n')).toHaveLength(1);
    const ap = await run(['drafts', 'approve', '2', '--force']);
    expect(ap.code, ap.err).toBe(0);
    const blocked = await run(['decide', I, 'withdraw']);
    expect(blocked.code).toBe(EXIT.USAGE);
    expect(blocked.err).toMatch(/draft #2 is already saved/);
    expect(blocked.err).toMatch(/drafts discard 2/);
  });

  it('the superseded proposal cannot be approved', async () => {
    const { run } = await setup();
    await run(['decide', O, 'decline']);
    await run(['decide', O, 'negotiate']);
    const ap = await run(['drafts', 'approve', '1', '--force']);
    expect(ap.code).toBe(EXIT.USAGE);
    expect(ap.err).toMatch(/superseded/);
  });
});

describe('item 13: a discarded proposal does not block a new decision', () => {
  it('decide after discard proposes afresh, with the new reason', async () => {
    const { run } = await setup();
    await run(['decide', O, 'decline']);
    expect((await run(['drafts', 'discard', '1'])).code).toBe(0);
    const d = await run(['decide', O, 'decline', '--reason', 'compensation']);
    expect(d.code, d.err).toBe(0);
    expect(d.out).toMatch(/^Proposed/);
    expect(d.out).toMatch(/template decline-compensation/);
    expect(d.out).not.toMatch(/discarded/);
    // and a cycle does not bring the discarded one back
    await run(['drafts', 'discard', '2']);
    await run(['once']);
    expect((await run(['drafts'])).out).toMatch(/No drafts waiting/);
  });
});

describe('item 14: discarding a saved draft', () => {
  it('is refused while the draft is in the mailbox, saying where; allowed once it is deleted there', async () => {
    const { dir, run } = await setup();
    await run(['decide', O, 'decline']);
    expect((await run(['drafts', 'approve', '1', '--force'])).code).toBe(0);
    const d = await run(['drafts', 'discard', '1']);
    expect(d.code).toBe(EXIT.USAGE);
    expect(d.err).toMatch(/saved/);
    expect(d.err).toMatch(/drafts[/\\]mail[/\\]/);
    expect(d.err).toMatch(/delete it in your mail program/);
    const draftsDir = join(dir, 'state', 'drafts', 'mail');
    for (const f of readdirSync(draftsDir)) rmSync(join(draftsDir, f));
    const d2 = await run(['drafts', 'discard', '1']);
    expect(d2.code, d2.err).toBe(0);
    expect(d2.out).toMatch(/discarded/);
  });
});

describe('item 15: reasons are choices', () => {
  it('refuses unknown reasons, listing the known ones, and reasons the decision does not use', async () => {
    const { run } = await setup();
    for (const bad of ['accepted_elsewhere', 'bored']) {
      const r = await run(['decide', O, 'decline', '--reason', bad]);
      expect(r.code, bad).toBe(EXIT.USAGE);
      expect(r.err).toMatch(/accepted-elsewhere/);
      expect(r.err).toMatch(/compensation/);
    }
    const unused = await run(['decide', O, 'negotiate', '--reason', 'visa']);
    expect(unused.code).toBe(EXIT.USAGE);
    expect(unused.err).toMatch(/negotiate/);
    expect(unused.err).toMatch(/visa/);
  });
});

describe('item 16: drafts edit validates at edit time', () => {
  it('refuses an invalid To:, several addresses and an empty body; says unchanged when nothing changed', async () => {
    const { run } = await setup();
    await run(['decide', O, 'decline']);
    const cases: [string, RegExp][] = [
      ["sed -i '1s/.*/To: not-an-address/'", /To:/],
      ["sed -i '1s/.*/To: a@example.com, b@example.com/'", /one address/],
      ["sed -i '3,$d'", /empty/],
    ];
    for (const [editor, re] of cases) {
      const r = await run(['drafts', 'edit', '1'], { EDITOR: editor });
      expect(r.code, editor).toBe(EXIT.USAGE);
      expect(r.err, editor).toMatch(re);
      expect(r.out).not.toMatch(/updated/);
    }
    const show = await run(['drafts', 'show', '1']);
    expect(show.out).toMatch(/To: Noor Haddad <noor@larchwood\.example>/);
    const same = await run(['drafts', 'edit', '1'], { EDITOR: 'true' });
    expect(same.code).toBe(0);
    expect(same.out).toMatch(/unchanged/);
  });
});

describe('item 17: the rescind template says only what offerwatch knows', () => {
  it('mentions a call only with --after-call', async () => {
    const { run } = await setup();
    const plain = await run(['decide', A, 'rescind']);
    expect(plain.code, plain.err).toBe(0);
    expect(plain.out).not.toMatch(/call/);
    expect(plain.out).toMatch(/withdrawing my acceptance/);
    await run(['drafts', 'discard', '1']);
    const call = await run(['decide', A, 'rescind', '--after-call', 'Tuesday']);
    expect(call.code, call.err).toBe(0);
    expect(call.out).toMatch(/As I explained on the call/);
    expect(call.out).toMatch(/on Tuesday/);
  });
});
