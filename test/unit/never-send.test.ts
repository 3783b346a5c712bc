/**
 * offerwatch never sends mail. Besides the emulators counting send calls, no source file may
 * even name a send endpoint or a mail transport.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const FORBIDDEN = [
  /messages\.send\b/,
  /drafts\.send\b/,
  /\/send['"`]/,
  /sendMail\b/,
  /createTransport\b/,
  /smtp/i,
];

describe('no send path', () => {
  it('no file in src/ names a send endpoint or a mail transport', () => {
    const hits: string[] = [];
    for (const f of files(join(REPO, 'src'))) {
      readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        if (/^\s*(\*|\/\/)/.test(line)) return; // comments may say that we never send
        for (const re of FORBIDDEN) if (re.test(line)) hits.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });
});
