/**
 * YAML files validated by a zod schema, with errors that name file, line, column and key.
 * Used for the config file, rule files and template front matter.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, isPair, isScalar, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';

export interface LocatedValue<T> {
  value: T;
  /** Finds the line/column of a key path inside the source, for errors found after validation. */
  locate(path: (string | number)[]): { line?: number; col?: number };
}

export function readYamlFile<S extends z.ZodType>(file: string, schema: S): LocatedValue<z.output<S>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError({ file }, code === 'ENOENT' ? 'cannot read file: it does not exist' : `cannot read file: ${code ?? String(e)}`);
  }
  return parseYaml(text, file, schema);
}

export function parseYaml<S extends z.ZodType>(text: string, file: string, schema: S, lineOffset = 0): LocatedValue<z.output<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const shift = (p: { line?: number; col?: number }) => (p.line === undefined ? p : { ...p, line: p.line + lineOffset });
  const firstError = doc.errors[0];
  if (firstError) {
    const pos = lineCounter.linePos(firstError.pos[0]);
    throw new ConfigError({ file, ...shift({ line: pos?.line, col: pos?.col }) }, `invalid YAML: ${firstError.message.split('\n')[0]}`);
  }
  const raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const locate = (path: (string | number)[]) => shift(locateInDoc(doc.contents as Node | null, path, lineCounter));
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    let path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as (string | number)[];
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      const key = (issue as { keys: string[] }).keys[0]!;
      path = [...path, key];
      message = `unknown key "${key}"`;
    }
    throw new ConfigError({ file, ...locate(path), key: formatPath(path) || undefined }, message);
  }
  return { value: result.data, locate };
}

export function formatPath(path: (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

function locateInDoc(root: Node | null, path: (string | number)[], lc: LineCounter): { line?: number; col?: number } {
  let node: unknown = root;
  let best: { line?: number; col?: number } = {};
  const mark = (n: unknown) => {
    const range = (n as { range?: [number, number, number] } | null)?.range;
    if (range) best = lc.linePos(range[0]);
  };
  mark(node);
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg));
      if (!pair) break;
      // Point at the key: "where did I write that" is what the reader looks for.
      mark(pair.key);
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (!node) break;
      mark(node);
    } else break;
  }
  return best;
}
