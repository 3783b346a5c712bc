import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { runRuleTests } from '../../src/rules/selftest.js';
import { loadRules, ruleSourcesFromFiles } from '../../src/cli/app.js';
import { cli } from '../helpers/cli.js';
import { REPO } from '../helpers/paths.js';

function configFile(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'ow-config-')), 'config.yaml');
  writeFileSync(f, text);
  return f;
}

describe('config', () => {
  it('config.example.yaml is valid, and its rule tests pass', () => {
    const loaded = loadConfig(join(REPO, 'config.example.yaml'));
    expect(loaded.owner.addresses).toContain('jordan@example.com');
    expect(loaded.deadlines.offer).toBe(48 * 3_600_000);
    const results = runRuleTests(loadRules([loaded.personalRules, ...ruleSourcesFromFiles(loaded.ruleFiles)]));
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });

  it('an unknown key is an error naming file, line, column and key', () => {
    const f = configFile('version: 1\nowner:\n  addresses: [me@example.com]\n  nickname: jo\nsources:\n  - { type: mbox, name: a, path: x.mbox }\n');
    expect(() => loadConfig(f)).toThrowError(`${f}:4:3: owner.nickname: unknown key "nickname"`);
  });

  it('a bad duration names its key', () => {
    const f = configFile('version: 1\nowner: { addresses: me@example.com }\nsources:\n  - { type: mbox, name: a, path: x.mbox }\ndeadlines:\n  offer: two days\n');
    expect(() => loadConfig(f)).toThrowError(/config\.yaml:6:3: deadlines\.offer: expected a duration/);
  });

  it('the CLI prints a one-line error and exits 2 for a broken or missing config', async () => {
    const f = configFile('version: 2\nowner: { addresses: me@example.com }\nsources: []\n');
    const r = await cli(['--config', f, 'status']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(`${f}:1:1: version:`);
    const missing = await cli(['--config', join(tmpdir(), 'nope', 'config.yaml'), 'status']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/does not exist/);
  });
});
