/** One registry of source types: the config schema, `scan --source`, `auth` and the app all read it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECTORS, SOURCE_TYPES, connectorDefinition } from '../../src/connectors/registry.js';
import { sourceSchema } from '../../src/config/schema.js';
import { cli } from '../helpers/cli.js';

describe('connector registry', () => {
  it('lists each source type once, each with a strict config schema whose type is its own', () => {
    expect(SOURCE_TYPES).toEqual(['mbox', 'gmail']);
    for (const d of CONNECTORS) {
      expect(connectorDefinition(d.type)).toBe(d);
      const r = d.configSchema.safeParse({ type: d.type, name: 'x', unknownKey: 1 });
      expect(r.success).toBe(false);
    }
    expect(connectorDefinition('outlook-not-yet')).toBeUndefined();
  });

  it('the config union is built from the registry', () => {
    expect(sourceSchema.safeParse({ type: 'mbox', name: 'demo', path: 'a.mbox' }).success).toBe(true);
    expect(sourceSchema.safeParse({ type: 'gmail', name: 'p', clientId: 'i', clientSecret: 's' }).success).toBe(true);
    const bad = sourceSchema.safeParse({ type: 'nope', name: 'x' });
    expect(bad.success).toBe(false);
  });

  it('scan --source and auth dispatch through it, with a clear refusal for what a type cannot do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ow-reg-'));
    const scan = await cli(['scan', '--source', 'gmail:personal', '--me', 'a@b.example']);
    expect(scan.code).not.toBe(0);
    expect(scan.err).toContain('cannot scan gmail:personal: scan reads mbox:…');
    const missing = await cli(['scan', '--source', `mbox:${join(dir, 'none.mbox')}`, '--me', 'a@b.example']);
    expect(missing.err).toContain('the file does not exist');
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'version: 1\nowner: { addresses: [a@b.example] }\nsources:\n  - { type: mbox, name: m, path: m.mbox }\n');
    const auth = await cli(['--config', config, 'auth', 'mbox']);
    expect(auth.code).not.toBe(0);
    expect(auth.err).toContain('cannot authorise mbox: offerwatch authorises gmail');
    const none = await cli(['--config', config, 'auth', 'gmail']);
    expect(none.err).toContain(`no gmail source in ${config}`);
  });
});
