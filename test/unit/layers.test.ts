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
