/** The front ends (the CLI and the web page) reach the core only through the service layer, src/app/. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.js';

// src/cli/app.ts is the wiring that builds the app the service runs on; it is no front end.
const WIRING = new Set(['src/cli/app.ts']);

describe('layers', () => {
  it('no front end imports the pipeline or the store directly', () => {
    const offenders: string[] = [];
    for (const dir of ['src/cli', 'src/web']) {
      for (const f of readdirSync(join(REPO, dir)).filter((n) => n.endsWith('.ts'))) {
        const rel = `${dir}/${f}`;
        if (WIRING.has(rel)) continue;
        const text = readFileSync(join(REPO, rel), 'utf8');
        for (const m of text.matchAll(/from '(\.\.\/(?:store|pipeline)\/[^']*)'/g)) offenders.push(`${rel}: ${m[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('--help loads only the command line', () => {
  // Modules that pull in the app (SQLite, connectors and their SDKs, the rules, templates, the web
  // server); the command files import them inside their actions, so building the program for
  // `--help` does not load them.
  const HEAVY = /^\.\.\/(?:app\/(?:index|service|daemon)|config\/(?:load|init|schema)|connectors\/|web\/server|drafts\/(?:templates|edit)|rules\/|classify\/|respond\/)|^\.\/app\.js$|^node-cron$/;

  it('no command file imports the app at module level (type imports and import() inside actions are fine)', () => {
    const offenders: string[] = [];
    for (const f of readdirSync(join(REPO, 'src/cli')).filter((n) => n.endsWith('.ts'))) {
      const rel = `src/cli/${f}`;
      if (WIRING.has(rel)) continue;
      const text = readFileSync(join(REPO, rel), 'utf8');
      for (const m of text.matchAll(/^import (?!type )[^;]*? from '([^']+)'/gm)) if (HEAVY.test(m[1]!)) offenders.push(`${rel}: ${m[1]}`);
    }
    expect(offenders).toEqual([]);
  });

  it('the source types named in the help are the ones the registry declares', async () => {
    const { connectorDefinitions } = await import('../../src/connectors/registry.js');
    const { SCAN_TYPES, AUTH_TYPES } = await import('../../src/cli/commands.js');
    expect(SCAN_TYPES).toEqual(connectorDefinitions().filter((d) => d.fromScanSpec).map((d) => d.type));
    expect(AUTH_TYPES).toEqual(connectorDefinitions().filter((d) => d.authorize).map((d) => d.type));
  });
});
