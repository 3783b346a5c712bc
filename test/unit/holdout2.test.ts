/**
 * The second blind hold-out corpus must stay exactly what its generator writes. This test checks
 * only that (bytes, determinism, labels ↔ threads); it never runs the classifier on it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderHoldout2Files } from '../../scripts/fixtures/outputs.js';

// mailparser (dev dependency, no bundled types) decodes the subjects independently of our generator.
const { simpleParser } = createRequire(import.meta.url)('mailparser') as {
  simpleParser: (raw: Buffer) => Promise<{ subject?: string }>;
};
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MBOX = 'test/fixtures/holdout2/holdout2.mbox';
const LABELS = 'test/fixtures/holdout2/labels.json';
const files = renderHoldout2Files();

/** Split mboxrd bytes into messages, undoing the `>From ` escaping. */
function splitMbox(buf: Buffer): Buffer[] {
  return buf
    .toString('latin1')
    .split(/^From \S+ \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n/m)
    .slice(1)
    .map((m) => Buffer.from(m.replace(/^>(>*From )/gm, '$1'), 'latin1'));
}

describe('second hold-out corpus files', () => {
  it('generates the mbox, the labels and the README', () => {
    expect(files.map((f) => f.path)).toEqual([MBOX, LABELS, 'test/fixtures/holdout2/README.md']);
  });

  it.each(files.map((f) => [f.path, f.bytes] as const))('%s matches the generator byte for byte', (path, bytes) => {
    const onDisk = readFileSync(join(ROOT, path));
    expect(onDisk.equals(bytes), `${path} is out of date: run npx tsx scripts/fixtures/build.ts`).toBe(true);
  });

  it('renders the same bytes twice (deterministic)', () => {
    const again = renderHoldout2Files();
    again.forEach((f, i) => expect(f.bytes.equals(files[i].bytes), f.path).toBe(true));
  });

  it('has one labels row per thread, and each row names its thread first subject', async () => {
    const labels = JSON.parse(readFileSync(join(ROOT, LABELS), 'utf8')) as Array<{ thread: string; subject: string }>;
    const firstSubject = new Map<string, string>();
    for (const raw of splitMbox(readFileSync(join(ROOT, MBOX)))) {
      const thrid = /^X-GM-THRID: (\d{19})$/m.exec(raw.toString('latin1'))?.[1];
      expect(thrid, 'message without a 19-digit X-GM-THRID').toBeDefined();
      if (!firstSubject.has(thrid!)) firstSubject.set(thrid!, (await simpleParser(raw)).subject ?? '');
    }
    expect(new Set(labels.map((l) => l.thread)).size).toBe(labels.length);
    expect([...firstSubject.keys()].sort()).toEqual(labels.map((l) => l.thread).sort());
    for (const l of labels) expect(firstSubject.get(l.thread), l.thread).toBe(l.subject);
  });
});
