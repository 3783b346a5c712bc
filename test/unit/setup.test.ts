/** Issue 11, items 3 and 4: npm start only runs (the build happens at install); the README is honest about the native build. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.js';

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const readme = readFileSync(join(REPO, 'README.md'), 'utf8');

describe('set-up', () => {
  it('item 3: npm start does not compile; prepare builds once at install', () => {
    expect(pkg.scripts.prestart).toBeUndefined();
    expect(pkg.scripts.start).not.toMatch(/tsc|build/);
    expect(pkg.scripts.prepare).toMatch(/build/);
  });

  it('item 4: the README says what the native SQLite build needs and how long it takes', () => {
    expect(readme).not.toMatch(/about a minute/);
    expect(readme).toMatch(/C\+\+ (compiler|toolchain)/);
    expect(readme).toMatch(/python3/);
    expect(readme).toMatch(/several minutes/);
  });

  it('item 9: the README documents the exit-code table', () => {
    for (const row of [/\| 0 \|/, /\| 1 \|/, /\| 2 \|/, /\| 3 \|/, /\| 4 \|/, /\| 70 \|/]) expect(readme).toMatch(row);
  });
});
