/**
 * Issue 11, items 5–9, 21, 22: exit codes and output that scripts can trust.
 * One table (src/errors.ts, README): 0 ok, 1 failure, 2 usage/config, 3 source failed, 4 not found, 70 internal.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { writeMailbox, type Spec } from '../helpers/mailbox.js';
import { EXIT } from '../../src/errors.js';

const ME = 'sam.ilves@example.org';
const offer: Spec = {
  from: 'Noor Haddad <noor@larchwood.example>', to: ME, date: '2026-04-01T09:00:00Z', subject: 'Larchwood - your offer', id: 'lw-1@larchwood.example', thread: '2000000000000000001',
  body: 'Hi Sam,\n\nWe are happy to offer you the Data Engineer position: 70,000 GBP base salary, starting in June.\nPlease let me know your decision by Friday.\n\nNoor',
};
const NOW = '2026-04-10T09:00:00Z';

function setup(lines: string[] = [], sources = ['  - { type: mbox, name: mail, path: mail.mbox }']): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ow-exit-'));
  writeMailbox(join(dir, 'mail.mbox'), [offer]);
  const config = join(dir, 'config.yaml');
  writeFileSync(config, ['version: 1', `owner: { name: Sam Ilves, addresses: [${ME}] }`, 'sources:', ...sources, 'state: { dir: state }', ...lines, ''].join('\n'));
  return { dir, config };
}

describe('exit codes (one table)', () => {
  it('the table has distinct codes', () => {
    expect(EXIT).toMatchObject({ OK: 0, FAILURE: 1, USAGE: 2, CONFIG: 2, SOURCE: 3, NOT_FOUND: 4, INTERNAL: 70 });
  });

  it('item 5: once with a missing source exits SOURCE, prints the error once, and still runs the healthy source', async () => {
    const { config } = setup([], ['  - { type: mbox, name: mail, path: mail.mbox }', '  - { type: mbox, name: gone, path: missing.mbox }']);
    const r = await cli(['--config', config, '--now', NOW, 'once']);
    expect(r.code, r.err).toBe(EXIT.SOURCE);
    expect(r.err.match(/missing\.mbox/g) ?? []).toHaveLength(1);
    expect(r.out).toMatch(/1 tracked thread/);
  });

  it('item 5: a source that is a directory fails the same way', async () => {
    const { dir, config } = setup([], ['  - { type: mbox, name: mail, path: mail.mbox }', '  - { type: mbox, name: folder, path: folder }']);
    mkdirSync(join(dir, 'folder'));
    const r = await cli(['--config', config, '--now', NOW, 'once']);
    expect(r.code, r.err).toBe(EXIT.SOURCE);
    expect(r.err.split('\n').filter((l) => /folder/.test(l))).toHaveLength(1);
  });

  it('item 6: rules test exits non-zero when a rule test fails', async () => {
    const { config } = setup([
      'rules:',
      '  tests:',
      '    - name: this one is wrong on purpose',
      '      messages: [{ from: Lena Park <lena@studio.example>, text: "We are delighted to offer you the role." }]',
      '      expect: { stage: rejected }',
    ]);
    const r = await cli(['--config', config, 'rules', 'test']);
    expect(r.out).toMatch(/FAIL\s+this one is wrong on purpose/);
    expect(r.code).toBe(EXIT.FAILURE);
  });

  it('item 7: once --json keeps stdout pure JSON; alert lines go to stderr', async () => {
    const { config } = setup();
    const r = await cli(['--config', config, '--now', NOW, 'once', '--json']);
    expect(r.code, r.err).toBe(0);
    expect(() => JSON.parse(r.out)).not.toThrow();
    expect(r.err).toMatch(/Offer from Larchwood/);
  });

  it('item 8: a state.dir that is a file ends in one line "cannot open state", exit 2, no stack', async () => {
    const { dir, config } = setup();
    writeFileSync(join(dir, 'state'), 'not a directory');
    const r = await cli(['--config', config, '--now', NOW, 'status']);
    expect(r.code).toBe(EXIT.CONFIG);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^offerwatch: cannot open state: /);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('item 8: an unwritable state dir is the same one line', async () => {
    if (process.getuid?.() === 0) return; // root writes anywhere
    const { dir, config } = setup();
    mkdirSync(join(dir, 'state'), { mode: 0o500 });
    chmodSync(join(dir, 'state'), 0o500);
    const r = await cli(['--config', config, '--now', NOW, 'once']);
    chmodSync(join(dir, 'state'), 0o700);
    expect(r.code).toBe(EXIT.CONFIG);
    expect(r.err).toMatch(/^offerwatch: cannot open state: /);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('item 8: any unmapped error is one line with exit INTERNAL; --debug adds the stack', async () => {
    const { dir, config } = setup();
    mkdirSync(join(dir, 'state'), { recursive: true });
    writeFileSync(join(dir, 'state', 'offerwatch.db'), 'this is not a database at all, just text that is long enough to be a header........................................');
    const r = await cli(['--config', config, '--now', NOW, 'status']);
    expect([EXIT.CONFIG, EXIT.INTERNAL]).toContain(r.code);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    const d = await cli(['--config', config, '--now', NOW, '--debug', 'status']);
    expect(d.err).toMatch(/\n\s+at /);
  });

  it('item 9: not found is NOT_FOUND everywhere; ambiguity and bad schemes are USAGE', async () => {
    const { dir, config } = setup();
    await cli(['--config', config, '--now', NOW, 'once']);
    expect((await cli(['--config', config, 'explain', 'nope'])).code).toBe(EXIT.NOT_FOUND);
    expect((await cli(['--config', config, 'drafts', 'show', '99'])).code).toBe(EXIT.NOT_FOUND);
    expect((await cli(['scan', '--source', `mbox:${join(dir, 'missing.mbox')}`, '--me', ME])).code).toBe(EXIT.NOT_FOUND);
    expect((await cli(['scan', '--source', 'imap:x', '--me', ME])).code).toBe(EXIT.USAGE);
    expect((await cli(['--config', config, 'explain', ''])).code).toBe(EXIT.USAGE);
  });

  it('item 21: --now accepts only valid ISO 8601 instants', async () => {
    const { config } = setup();
    for (const bad of ['2026-02-30T00:00:00Z', '1', 'Nov 20 2026', '2026-11-20', '2026-11-20T25:00:00Z', '2026-11-20T12:00:00']) {
      const r = await cli(['--config', config, '--now', bad, 'status']);
      expect(r.code, bad).toBe(EXIT.USAGE);
      expect(r.err, bad).toMatch(/--now/);
    }
    for (const good of ['2026-11-20T12:00:00Z', '2026-11-20T12:00Z', '2026-11-20T12:00:00.5+02:00']) {
      const r = await cli(['--config', config, '--now', good, 'status']);
      expect(r.code, `${good}: ${r.err}`).toBe(0);
    }
  });

  it('item 22: durations are positive, and a number shows the duration hint', async () => {
    for (const [value, col] of [['0h', 10], ['48', 10], ['0d', 10]] as const) {
      const { config } = setup(['deadlines:', `  offer: ${value}`]);
      const r = await cli(['--config', config, 'status']);
      expect(r.code, value).toBe(EXIT.CONFIG);
      expect(r.err, value).toMatch(/deadlines\.offer: expected a (positive )?duration such as 90m, 24h, 2d or 1w/);
      expect(r.err).not.toMatch(/received number/);
      void col;
    }
  });
});
