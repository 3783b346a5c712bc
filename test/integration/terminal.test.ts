/** Issue 11, items 26–29: local time with its zone, progress on a terminal, the board, `init`, templates.dir. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { writeMailbox, type Spec } from '../helpers/mailbox.js';
import { EXIT } from '../../src/errors.js';

const ME = 'sam.ilves@example.org';
const NOW = '2026-04-10T09:00:00Z';
const O = 'mail:2000000000000000001';
const offer: Spec = { from: 'Noor Haddad <noor@larchwood.example>', to: ME, date: '2026-04-01T09:00:00Z', subject: 'Larchwood - your offer', id: 'lw-1@larchwood.example', thread: '2000000000000000001', body: 'Hi Sam,\n\nWe are happy to offer you the Data Engineer position at Larchwood: 70,000 GBP base salary, starting in June.\nPlease let me know your decision by Friday.\n\nNoor' };
const applied: Spec = { from: 'Quillon Careers <no-reply@quillon.greenhouse-mail.io>', to: ME, date: '2026-03-01T10:00:00Z', subject: 'Quillon | Application received', id: 'qu-1@quillon.example', thread: '2000000000000000005', body: 'Hi Sam,\n\nThank you for applying for the Analyst role at Quillon. We will review your application soon.\n\nQuillon Talent' };

function setup(lines: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'ow-term-'));
  writeMailbox(join(dir, 'mail.mbox'), [offer, applied]);
  const config = join(dir, 'config.yaml');
  writeFileSync(config, ['version: 1', `owner: { name: Sam Ilves, addresses: [${ME}] }`, 'sources: [{ type: mbox, name: mail, path: mail.mbox }]', 'state: { dir: state }', ...lines, ''].join('\n'));
  const run = (args: string[], env: NodeJS.ProcessEnv = {}, tty = false) => cli(['--config', config, '--now', NOW, ...args], env, { tty });
  return { dir, config, run };
}

describe('item 26: local time with the zone', () => {
  it('shows times in the configured zone, with its name; JSON stays ISO UTC', async () => {
    const { run } = setup(['timezone: Europe/Berlin']);
    await run(['once']);
    const st = await run(['status']);
    expect(st.out).toMatch(/2026-04-01 11:00 (CEST|GMT\+2)/);
    expect(st.out).not.toMatch(/09:00(?! )/);
    const ex = await run(['explain', O]);
    expect(ex.out).toMatch(/11:00 (CEST|GMT\+2)/);
    const j = JSON.parse((await run(['status', '--json'])).out) as { waitingSince: string }[];
    expect(j.map((t) => t.waitingSince)).toContain('2026-04-01T09:00:00.000Z');
    const sn = await run(['snooze', O, '1d']);
    expect(sn.out).toMatch(/until 2026-04-11 11:00 (CEST|GMT\+2)/);
  });

  it('defaults to the system zone (TZ), and refuses an unknown zone', async () => {
    const { run } = setup();
    await run(['once']);
    const st = await run(['status'], { TZ: 'America/New_York' });
    expect(st.out).toMatch(/2026-04-01 05:00 (EDT|GMT-4)/);
    const bad = setup(['timezone: Mars/Olympus']);
    const r = await bad.run(['status']);
    expect(r.code).toBe(EXIT.CONFIG);
    expect(r.err).toMatch(/timezone/);
  });
});

describe('item 27: progress on a terminal only', () => {
  it('every sync shows messages, bytes and rate on a TTY; nothing on a pipe', async () => {
    const { dir, run } = setup();
    const tty = await run(['once'], {}, true);
    expect(tty.err).toMatch(/\rmail: 2 messages · [\d.]+ k?B/);
    const pipe = await run(['once']);
    expect(pipe.err).not.toMatch(/\r/);
    const scan = await cli(['--now', NOW, 'scan', '--source', `mbox:${join(dir, 'mail.mbox')}`, '--me', ME], {}, { tty: true });
    expect(scan.err).toMatch(/\rmbox: 2 messages/);
  });
});

describe('item 28: the board', () => {
  it('has a legend, per-card markers (draft, snooze, gone quiet), colour only on a TTY without NO_COLOR', async () => {
    const { run } = setup();
    await run(['once']);
    await run(['decide', O, 'decline']);
    await run(['snooze', O, '1d']);
    const st = await run(['status']);
    expect(st.out).toMatch(/legend: ! overdue · \* waiting on you/);
    expect(st.out).toMatch(/draft #1 pending/);
    expect(st.out).toMatch(/snoozed until/);
    expect(st.out).toMatch(/quiet for 5 weeks/);
    // eslint-disable-next-line no-control-regex
    expect(st.out).not.toMatch(/\u001b\[/);
    const color = await run(['status'], {}, true);
    // eslint-disable-next-line no-control-regex
    expect(color.out).toMatch(/\u001b\[/);
    const nocolor = await run(['status'], { NO_COLOR: '1' }, true);
    // eslint-disable-next-line no-control-regex
    expect(nocolor.out).not.toMatch(/\u001b\[/);
  });
});

describe('item 29: init and templates.dir', () => {
  it('init writes a minimal config from flags that loads, 0600, and will not overwrite it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ow-init-'));
    const config = join(dir, 'offerwatch', 'config.yaml');
    writeMailbox(join(dir, 'mail.mbox'), [offer]);
    const r = await cli(['--config', config, 'init', '--name', 'Sam Ilves', '--address', ME, '--address', 'sam@elsewhere.example', '--mbox', join(dir, 'mail.mbox')]);
    expect(r.code, r.err).toBe(0);
    const text = readFileSync(config, 'utf8');
    expect(text).not.toMatch(/Northwind|Lakeview|jordan@example\.com/);
    expect(text).toContain(ME);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'offerwatch', 'templates'))).toBe(true);
    const again = await cli(['--config', config, 'init', '--address', ME]);
    expect(again.code).toBe(EXIT.USAGE);
    expect(again.err).toMatch(/exists/);
    const bad = await cli(['--config', join(dir, 'other.yaml'), 'init', '--address', 'nope']);
    expect(bad.code).toBe(EXIT.USAGE);
    // the config init writes uses the default state dir: keep it inside this test's temp dir
    const saved = process.env.XDG_STATE_HOME;
    process.env.XDG_STATE_HOME = join(dir, 'xdg-state');
    try {
      const once = await cli(['--config', config, '--now', NOW, 'once']);
      expect(once.code, once.err).toBe(0);
      expect(existsSync(join(dir, 'xdg-state', 'offerwatch', 'offerwatch.db'))).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.XDG_STATE_HOME;
      else process.env.XDG_STATE_HOME = saved;
    }
  });

  it('init asks on a terminal when flags are missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ow-init-'));
    const config = join(dir, 'config.yaml');
    const r = await cli(['--config', config, 'init'], {}, { tty: true, answers: ['Sam Ilves', `${ME}, sam@elsewhere.example`, ''] });
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(config, 'utf8')).toMatch(/sam@elsewhere\.example/);
    const noTty = await cli(['--config', join(dir, 'b.yaml'), 'init']);
    expect(noTty.code).toBe(EXIT.USAGE);
    expect(noTty.err).toMatch(/--address/);
  });

  it('templates.dir adds and overrides templates', async () => {
    const { dir, run } = setup(['templates: { dir: mine }']);
    mkdirSync(join(dir, 'mine'));
    writeFileSync(join(dir, 'mine', 'decline-offer.hbs'), readFileSync(join(import.meta.dirname, '..', '..', 'templates', 'decline-offer.hbs'), 'utf8').replace('After careful consideration', 'Having slept on it'));
    await run(['once']);
    const d = await run(['decide', O, 'decline']);
    expect(d.code, d.err).toBe(0);
    expect(d.out).toMatch(/Having slept on it/);
  });
});
