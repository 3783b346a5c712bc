/**
 * Every hold-out corpus must stay exactly what its generator writes: bytes, determinism, and
 * labels ↔ threads. Nothing here runs the classifier (blind sets are measured by hand).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHoldoutFiles, renderHoldout2Files, renderHoldout3Files, renderHoldout4Files, renderHoldout5Files } from '../../scripts/fixtures/outputs.js';
import { simpleParser } from '../helpers/mailparser.js';
import { REPO } from '../helpers/paths.js';

/** Split mboxrd bytes into messages, undoing the `>From ` escaping. */
function splitMbox(buf: Buffer): Buffer[] {
  return buf
    .toString('latin1')
    .split(/^From \S+ \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n/m)
    .slice(1)
    .map((m) => Buffer.from(m.replace(/^>(>*From )/gm, '$1'), 'latin1'));
}

const CORPORA = [
  ['holdout', renderHoldoutFiles],
  ['holdout2', renderHoldout2Files],
  ['holdout3', renderHoldout3Files],
  ['holdout4', renderHoldout4Files],
  ['holdout5', renderHoldout5Files],
] as const;

describe.each(CORPORA)('hold-out corpus %s', (name, render) => {
  const files = render();
  const mbox = `test/fixtures/${name}/${name}.mbox`;
  const labelsPath = `test/fixtures/${name}/labels.json`;

  it('generates the mbox, the labels and the README', () => {
    expect(files.map((f) => f.path)).toEqual([mbox, labelsPath, `test/fixtures/${name}/README.md`]);
  });

  it('matches the generator byte for byte, and renders the same bytes twice', () => {
    const again = render();
    files.forEach((f, i) => {
      expect(readFileSync(join(REPO, f.path)).equals(f.bytes), `${f.path} is out of date: run npx tsx scripts/fixtures/build.ts`).toBe(true);
      expect(again[i]!.bytes.equals(f.bytes), f.path).toBe(true);
    });
  });

  it('has one labels row per thread, naming its first subject', async () => {
    const labels = JSON.parse(readFileSync(join(REPO, labelsPath), 'utf8')) as Array<{ thread: string; subject: string }>;
    const firstSubject = new Map<string, string>();
    for (const raw of splitMbox(readFileSync(join(REPO, mbox)))) {
      const thrid = /^X-GM-THRID: (\d{19})$/m.exec(raw.toString('latin1'))?.[1];
      expect(thrid, 'message without a 19-digit X-GM-THRID').toBeDefined();
      if (!firstSubject.has(thrid!)) firstSubject.set(thrid!, (await simpleParser(raw)).subject ?? '');
    }
    expect(new Set(labels.map((l) => l.thread)).size).toBe(labels.length);
    expect([...firstSubject.keys()].sort()).toEqual(labels.map((l) => l.thread).sort());
    for (const l of labels) expect(firstSubject.get(l.thread), l.thread).toBe(l.subject);
  });
});
