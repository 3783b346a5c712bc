/**
 * `offerwatch run`: cycles on the configured schedule, one at a time, and stops cleanly on
 * SIGTERM. Also: unreadable mail is recorded and skipped while the cycle goes on, and
 * autoSave puts proposals into the mailbox as drafts (never sent).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { appendMessage, writeMailbox, type Spec } from '../helpers/mailbox.js';
import { REPO } from '../helpers/paths.js';

const ME = 'ash.morgan@example.org';
const offer: Spec = {
  from: 'Noor Haddad <noor@larchwood.example>', to: ME, date: '2026-04-01T09:00:00Z', subject: 'Larchwood - your offer', id: 'lw-1@larchwood.example', thread: '2000000000000000001',
  body: 'Hi Ash,\n\nWe are happy to offer you the Data Engineer position: 70,000 GBP base salary, starting in June.\nPlease let me know your decision by Friday.\n\nNoor',
};

function setup(extra: string[] = []): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ow-daemon-'));
  const mbox = join(dir, 'mail.mbox');
  writeMailbox(mbox, [offer]);
  // A message that is not mail at all: recorded with its reason, the rest goes on.
  appendFileSync(mbox, 'From junk@example Thu Apr  2 10:00:00 2026\n\u0000\u0001\u0002 binary junk \u0000\n\n');
  const config = join(dir, 'config.yaml');
  writeFileSync(config, [
    'version: 1',
    `owner: { name: Ash Morgan, addresses: [${ME}] }`,
    'sources: [{ type: mbox, name: mail, path: mail.mbox }]',
    'state: { dir: state }',
    'schedule: "* * * * * *"',
    ...extra,
    '',
  ].join('\n'));
  return { dir, config };
}

describe('the daemon and the cycle around it', () => {
  it('runs cycles on schedule and stops cleanly on SIGTERM', async () => {
    const { config } = setup();
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/helpers/run-cli.ts'), '--config', config, '--now', '2026-04-10T09:00:00Z', 'run'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    // Waits on the child's output (an event), not on the clock: the first cycle runs at start.
    await new Promise<void>((resolve, reject) => {
      const check = () => { if (/mail: 1 new message/.test(out)) resolve(); };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      child.on('exit', (c) => reject(new Error(`exited with ${c} before a cycle:\n${out}`)));
    });
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
      child.kill('SIGTERM');
    });
    expect(code, out).toBe(0);
    expect(out).toContain('stopping');
    expect(out).toMatch(/Offer from Larchwood .* has waited 9 days/);
    // every line of ours carries a timestamp; nothing of node-cron's leaks unfiltered
    for (const l of out.split('\n').filter(Boolean)) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /);
    expect(out).not.toMatch(/NODE-CRON|\u001b\[/);
  }, 180_000);

  it('records an unreadable message with its reason and goes on', async () => {
    const { config } = setup();
    const r = await cli(['--config', config, '--now', '2026-04-10T09:00:00Z', 'once']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/mail: 1 new message\(s\), 1 unreadable \(recorded\)/);
    expect(r.out).toMatch(/1 message\(s\) could not be read and were skipped/);
    const f = await cli(['--config', config, 'status', '--failures']);
    expect(f.out).toMatch(/^mail\.mbox@\d+: cannot parse message: /m);
  });

  it('an unsent draft in the mailbox does not count as a reply', async () => {
    const { dir, config } = setup();
    appendMessage(join(dir, 'mail.mbox'), {
      from: `Ash Morgan <${ME}>`, to: 'Noor Haddad <noor@larchwood.example>', date: '2026-04-02T11:00:00Z', subject: 'Re: Larchwood - your offer',
      id: 'draft-1@example.org', thread: '2000000000000000001', inReplyTo: 'lw-1@larchwood.example', headers: { 'X-Gmail-Labels': 'Drafts' },
      body: 'Hi Noor, thank you - I am still thinking it over.',
    });
    const r = await cli(['--config', config, '--now', '2026-04-10T09:00:00Z', 'once', '--json']);
    const board = JSON.parse(r.out) as { awaitingReply: boolean; stale: boolean }[];
    expect(board).toHaveLength(1);
    expect(board[0]!.awaitingReply).toBe(true);
  });

  it('autoSave saves the proposal as a draft right away, and edit works through $EDITOR first', async () => {
    const { dir, config } = setup([
      'responses: [{ name: decline-larchwood, when: { stage: offer }, propose: { decision: decline } }]',
      'drafts: { autoSave: true }',
    ]);
    const r = await cli(['--config', config, '--now', '2026-04-10T09:00:00Z', 'once']);
    expect(r.code, r.err).toBe(0);
    const files = readdirSync(join(dir, 'state', 'drafts', 'mail'));
    expect(files).toHaveLength(1);
    const again = await cli(['--config', config, '--now', '2026-04-10T09:00:00Z', 'once']);
    expect(again.code).toBe(0);
    expect(readdirSync(join(dir, 'state', 'drafts', 'mail'))).toHaveLength(1);
  });

  it('drafts edit runs $EDITOR on the draft and keeps the change', async () => {
    const { config } = setup(['responses: [{ name: decline-larchwood, when: { stage: offer }, propose: { decision: decline } }]']);
    await cli(['--config', config, '--now', '2026-04-10T09:00:00Z', 'once']);
    const e = await cli(['--config', config, 'drafts', 'edit', '1'], { EDITOR: "sed -i 's/^Hi Noor,/Dear Noor,/'" });
    expect(e.code, e.err).toBe(0);
    const show = await cli(['--config', config, 'drafts', 'show', '1']);
    expect(show.out).toContain('Dear Noor,');
    expect(show.out).toContain('To: Noor Haddad <noor@larchwood.example>');
  });
});
