import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderFixtureFiles } from '../../scripts/fixtures/outputs.js';
import { simpleParser } from '../helpers/mailparser.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const files = renderFixtureFiles();
/** Blind hold-outs: only their files are checked here; the classifier is never run on them in tests. */
const HOLDOUTS = ['holdout', 'holdout2', 'holdout3', 'holdout4', 'holdout5'];

/** Split mboxrd bytes into messages, undoing the `>From ` escaping. */
function splitMbox(buf: Buffer): Buffer[] {
  const text = buf.toString('latin1');
  return text
    .split(/^From \S+ \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n/m)
    .slice(1)
    .map((m) => Buffer.from(m.replace(/^>(>*From )/gm, '$1'), 'latin1'));
}

interface Label {
  thread: string;
  subject: string;
}

describe('generated fixture files', () => {
  it.each(files.map((f) => [f.path, f.bytes] as const))('%s matches the generator byte for byte', (path, bytes) => {
    const onDisk = readFileSync(join(ROOT, path));
    expect(onDisk.equals(bytes), `${path} is out of date: run npx tsx scripts/fixtures/build.ts`).toBe(true);
  });

  it('renders the same bytes twice (deterministic)', () => {
    const again = renderFixtureFiles();
    expect(again.map((f) => f.path)).toEqual(files.map((f) => f.path));
    again.forEach((f, i) => expect(f.bytes.equals(files[i].bytes), f.path).toBe(true));
  });

  it.each(HOLDOUTS)('generates the mbox, the labels and the README of %s', (name) => {
    const paths = files.map((f) => f.path);
    for (const file of [`${name}.mbox`, 'labels.json', 'README.md']) expect(paths).toContain(`test/fixtures/${name}/${file}`);
  });

  it.each([
    ['test/fixtures/voices/voices.mbox', 'test/fixtures/voices/labels.json'],
    ['demo/demo.mbox', 'demo/labels.json'],
    ...HOLDOUTS.map((n) => [`test/fixtures/${n}/${n}.mbox`, `test/fixtures/${n}/labels.json`]),
  ])('%s: every labels row has its thread, every thread a row, subjects decode', async (mboxPath, labelsPath) => {
    const labels = JSON.parse(readFileSync(join(ROOT, labelsPath), 'utf8')) as Label[];
    const messages = splitMbox(readFileSync(join(ROOT, mboxPath)));
    const firstSubject = new Map<string, string>();
    for (const raw of messages) {
      const thrid = /^X-GM-THRID: (\d{19})$/m.exec(raw.toString('latin1'))?.[1];
      expect(thrid, 'message without a 19-digit X-GM-THRID').toBeDefined();
      if (!firstSubject.has(thrid!)) firstSubject.set(thrid!, (await simpleParser(raw)).subject ?? '');
    }
    expect(new Set(labels.map((l) => l.thread)).size).toBe(labels.length);
    expect([...firstSubject.keys()].sort()).toEqual(labels.map((l) => l.thread).sort());
    for (const l of labels) expect(firstSubject.get(l.thread), l.thread).toBe(l.subject);
  });
});
