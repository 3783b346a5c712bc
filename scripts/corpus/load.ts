/**
 * Finds and reads labelled corpora: every folder under test/corpora/ holding a corpus.yaml is one
 * corpus (nothing else to wire). Errors name the file, line and key, one line each.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatLocated, isOfferwatchError } from '../../src/errors.js';
import { formatPath, readYamlFile, type LocatedValue } from '../../src/yaml/load.js';
import { CorpusError, type Problem, renderCorpus } from './render.js';
import { type CorpusYaml, corpusSchema, type MessageDef, THREAD_FILE, type ThreadYaml, threadSchema } from './schema.js';
import type { CorpusDef, RenderedCorpus, ThreadDef } from './types.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CORPORA_DIR = join(REPO_ROOT, 'test', 'corpora');

export interface Corpus {
  name: string;
  /** Absolute path of the corpus folder. */
  dir: string;
  meta: CorpusYaml;
  def: CorpusDef;
  /** The owner's addresses, primary first (what `scan --me` takes). */
  me: string[];
  /** Where the rendered files go, absolute. */
  mboxPath: string;
  labelsPath: string;
  metaPath: string | null;
}

/** One error for a whole corpus: every problem found, one `file:line: key: message` line each. */
export class CorpusLoadError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'CorpusLoadError';
  }
}

/** Every corpus folder under `root`, sorted by name. */
export function discoverCorpora(root = CORPORA_DIR): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, e.name, 'corpus.yaml')))
    .map((e) => join(root, e.name))
    .sort();
}

/** A path as errors show it: relative to the working directory when inside it. */
function rel(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
}

function located<T>(read: () => LocatedValue<T>, errors: string[]): LocatedValue<T> | null {
  try {
    return read();
  } catch (e) {
    if (isOfferwatchError(e)) {
      errors.push(e.message);
      return null;
    }
    throw e;
  }
}

/** Drop null values: in the YAML `null` means "not given". */
function message(m: ThreadYaml['messages'][number]): MessageDef {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== null && v !== undefined)) as MessageDef;
}

function threadDef(key: string, t: ThreadYaml): ThreadDef {
  const l = t.labels;
  return {
    key,
    stage: l.stage,
    awaiting: l.awaitingReply,
    company: l.company,
    role: l.role,
    contact: l.contactFirstName,
    note: l.note,
    ...(t.tag ? { tag: t.tag } : {}),
    msgs: t.messages.map(message),
  };
}

interface Loaded {
  corpus: Corpus;
  locators: Map<string, { file: string; locate: LocatedValue<unknown>['locate'] }>;
}

function load(dir: string): Loaded {
  const abs = resolve(dir);
  const errors: string[] = [];
  const corpusFile = join(abs, 'corpus.yaml');
  const meta = located(() => readYamlFile(rel(corpusFile), corpusSchema), errors);
  const threadsDir = join(abs, 'threads');
  const names = existsSync(threadsDir) ? readdirSync(threadsDir).filter((f) => f.endsWith('.yaml')).sort() : [];
  if (names.length === 0) errors.push(`${rel(threadsDir)}: no thread files (threads/<key>.yaml)`);
  const threads: ThreadDef[] = [];
  const locators: Loaded['locators'] = new Map();
  for (const name of names) {
    const file = rel(join(threadsDir, name));
    if (!THREAD_FILE.test(name)) {
      errors.push(`${file}: the file name must be lower-case words and dashes (it is the thread key)`);
      continue;
    }
    const t = located(() => readYamlFile(file, threadSchema), errors);
    if (!t) continue;
    const key = name.slice(0, -'.yaml'.length);
    locators.set(key, { file, locate: t.locate });
    threads.push(threadDef(key, t.value));
  }
  if (!meta || errors.length) throw new CorpusLoadError(errors);
  const m = meta.value;
  const outDir = m.output ? resolve(REPO_ROOT, m.output.dir) : abs;
  const corpus: Corpus = {
    name: abs.split(/[\\/]/).pop()!,
    dir: abs,
    meta: m,
    def: { owner: m.owner, aliases: m.aliases, now: m.now, windowStart: m.windowStart, strictAwaitingGap: m.strictAwaitingGap, threads },
    me: [m.owner.address, ...m.aliases],
    mboxPath: join(outDir, m.output?.mbox ?? 'mailbox.mbox'),
    labelsPath: join(outDir, 'labels.json'),
    metaPath: m.output?.meta ? join(outDir, m.output.meta) : null,
  };
  return { corpus, locators };
}

/** Reads and validates a corpus folder; throws CorpusLoadError naming every bad file, line and key. */
export function loadCorpus(dir: string): Corpus {
  return load(dir).corpus;
}

export interface RenderedFile {
  /** Absolute path. */
  path: string;
  bytes: Buffer;
}

/** Loads and renders a corpus: the mbox, labels.json and (if asked for) the owner/now JSON. */
export function renderCorpusFiles(dir: string): { corpus: Corpus; rendered: RenderedCorpus; files: RenderedFile[] } {
  const { corpus, locators } = load(dir);
  let rendered: RenderedCorpus;
  try {
    rendered = renderCorpus(corpus.def);
  } catch (e) {
    if (!(e instanceof CorpusError)) throw e;
    const where = (p: Problem) => {
      const loc = locators.get(p.key);
      if (!loc) return `${p.key}: ${p.message}`;
      return formatLocated({ file: loc.file, ...loc.locate(p.path), key: formatPath(p.path) || undefined }, p.message);
    };
    throw new CorpusLoadError(e.problems.map(where));
  }
  const files: RenderedFile[] = [
    { path: corpus.mboxPath, bytes: rendered.mbox },
    { path: corpus.labelsPath, bytes: Buffer.from(rendered.labelsJson, 'utf8') },
  ];
  if (corpus.metaPath) {
    const json = { owner: corpus.def.owner.name, me: corpus.me, now: corpus.def.now };
    files.push({ path: corpus.metaPath, bytes: Buffer.from(`${JSON.stringify(json, null, 2)}\n`, 'utf8') });
  }
  return { corpus, rendered, files };
}

/** A corpus argument: a folder, or the name of one under test/corpora/. */
export function corpusDirs(args: string[]): string[] {
  if (args.length === 0) return discoverCorpora();
  return args.map((a) => (existsSync(join(a, 'corpus.yaml')) ? a : join(CORPORA_DIR, a)));
}

/** Files whose bytes differ from what the corpus renders to (repository-relative paths). */
export function staleFiles(dir: string): string[] {
  return renderCorpusFiles(dir)
    .files.filter((f) => !(existsSync(f.path) && readFileSync(f.path).equals(f.bytes)))
    .map((f) => relative(REPO_ROOT, f.path));
}
