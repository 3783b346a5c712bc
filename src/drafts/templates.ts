/**
 * Reply templates: one `.hbs` file per situation, YAML front matter between `---` lines,
 * then a plain-text Handlebars body.
 *
 * Loading checks, statically and before anything is rendered, that a template only uses
 * plain `{{name}}` lookups and `{{#if}}` / `{{#unless}}` blocks over variables it declares,
 * and that every optional variable is only printed inside an `{{#if thatVariable}}` block.
 * Together with the placeholder rule for required variables this means a rendered draft
 * never has a silent gap (an empty company, "Hi ,", "undefined").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { ConfigError, OfferwatchError } from '../errors.js';
import { STAGES, type Stage, type StageOrNone } from '../model/types.js';

import { DECISIONS, type Decision } from '../model/types.js';
export { DECISIONS, type Decision };

export interface Template {
  /** Equals the file name without `.hbs`, e.g. `decline-offer`. */
  readonly id: string;
  readonly title: string;
  readonly decision: Decision;
  /** Reasons this template is written for; empty for the decision's default. Lower case. */
  readonly reasons: readonly string[];
  /** Stages of a thread this template fits. */
  readonly stages: readonly Stage[];
  readonly variables: { readonly required: readonly string[]; readonly optional: readonly string[] };
  /** Path of the file it was loaded from (for messages). */
  readonly file: string;
  /** The Handlebars body (front matter removed, LF line ends). */
  readonly source: string;
  /** 1-based line of the file on which `source` starts. */
  readonly bodyLine: number;
}

export interface TemplateSet {
  get(id: string): Template | null;
  /** All templates, sorted by id. */
  list(): Template[];
  /**
   * The template for `decision`: among those that fit `stage` (when given), the most specific
   * one listing `reason` (fewest reasons wins, then id), else the decision's default
   * (`reasons: []`), else null.
   */
  choose(decision: Decision, reason?: string, stage?: StageOrNone): Template | null;
}

export interface RenderedDraft {
  body: string;
  /** Required variables that were missing and are shown as `[… — needs your edit]` placeholders. */
  needsEdit: string[];
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const VAR_NAME = /^[a-z][A-Za-z0-9]*$/;

const variableName = z.string().regex(VAR_NAME, 'must be a camelCase name such as contactFirstName');

const FrontMatter = z.strictObject({
  id: z.string().regex(SLUG, 'must be lower-case words joined by dashes'),
  title: z.string().trim().min(1, 'must not be empty'),
  decision: z.enum(DECISIONS),
  reasons: z.array(z.string().regex(SLUG, 'must be lower-case words joined by dashes')),
  stages: z.array(z.enum(STAGES)).min(1, 'must list at least one stage'),
  variables: z.strictObject({
    required: z.array(variableName),
    optional: z.array(variableName),
  }),
});

/** Labels used in placeholders; other names are spelled out from camelCase. */
const PLACEHOLDER_LABELS: Record<string, string> = {
  contactFirstName: "CONTACT'S FIRST NAME",
  ownerName: 'YOUR NAME',
  ownerFirstName: 'YOUR FIRST NAME',
  signature: 'YOUR SIGNATURE',
};

/** The visible text a missing required variable renders as, e.g. `[COMPANY — needs your edit]`. */
export function placeholderFor(variable: string): string {
  const label = PLACEHOLDER_LABELS[variable] ?? variable.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toUpperCase();
  return `[${label} — needs your edit]`;
}

// ---------------------------------------------------------------------------------------------
// Loading

/** Reads every `*.hbs` in `dir`. Throws ConfigError (file:line key) on the first problem. */
export function loadTemplates(dir: string): TemplateSet {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.hbs')).sort();
  } catch (e) {
    throw new ConfigError({ file: dir }, `cannot read template folder: ${(e as Error).message}`, { cause: e });
  }
  const templates = names.map((n) => parseTemplateFile(join(dir, n), readTemplateFile(join(dir, n))));
  return makeTemplateSet(templates);
}

/**
 * The built-in templates and the owner's own folders, in order: a template in a later folder
 * with the same id replaces the earlier one; new ids add templates (and their reasons).
 */
export function loadTemplateDirs(dirs: readonly string[]): TemplateSet {
  const byId = new Map<string, Template>();
  for (const dir of dirs) for (const t of loadTemplates(dir).list()) byId.set(t.id, t);
  return makeTemplateSet([...byId.values()]);
}

function readTemplateFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError({ file }, `cannot read template: ${(e as Error).message}`, { cause: e });
  }
}

/** Parses one template file's text. Exported for tests and tools; `file` is used in messages. */
export function parseTemplateFile(file: string, text: string): Template {
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (src.includes('\0')) throw new ConfigError({ file }, 'template contains a NUL character');
  const lines = src.split('\n');
  if (lines[0]?.trimEnd() !== '---') {
    throw new ConfigError({ file, line: 1 }, 'template must start with a --- line opening its front matter');
  }
  const close = lines.findIndex((l, i) => i > 0 && l.trimEnd() === '---');
  if (close < 0) throw new ConfigError({ file, line: 1 }, 'front matter has no closing --- line');

  const fmText = lines.slice(1, close).join('\n');
  const fmFirstLine = 2;
  const lineCounter = new LineCounter();
  const doc = parseDocument(fmText, { lineCounter, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0]?.line;
    throw new ConfigError(
      { file, line: line === undefined ? fmFirstLine : line + fmFirstLine - 1 },
      `invalid front matter: ${yamlError.message.split('\n')[0]}`,
    );
  }
  const parsed = FrontMatter.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') path.push(issue.keys[0]!);
    const line = lineOf(doc, lineCounter, path);
    const message = issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message;
    throw new ConfigError(
      { file, line: line === undefined ? 1 : line + fmFirstLine - 1, key: path.join('.') || undefined },
      message,
    );
  }
  const fm = parsed.data;
  const at = (key: string): number => {
    const l = lineOf(doc, lineCounter, key.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k)));
    return l === undefined ? 1 : l + fmFirstLine - 1;
  };

  const expectedId = basename(file).replace(/\.hbs$/, '');
  if (fm.id !== expectedId) {
    throw new ConfigError({ file, line: at('id'), key: 'id' }, `id must equal the file name (${expectedId})`);
  }
  for (const key of ['reasons', 'stages', 'variables.required', 'variables.optional'] as const) {
    const list: readonly string[] =
      key === 'reasons' ? fm.reasons : key === 'stages' ? fm.stages : key === 'variables.required' ? fm.variables.required : fm.variables.optional;
    const dup = list.findIndex((v, i) => list.indexOf(v) !== i);
    if (dup >= 0) throw new ConfigError({ file, line: at(`${key}.${dup}`), key: `${key}.${dup}` }, `"${list[dup]}" is listed twice`);
  }
  const both = fm.variables.optional.findIndex((v) => fm.variables.required.includes(v));
  if (both >= 0) {
    throw new ConfigError(
      { file, line: at(`variables.optional.${both}`), key: `variables.optional.${both}` },
      `"${fm.variables.optional[both]}" is declared both required and optional`,
    );
  }

  const template: Template = Object.freeze({
    id: fm.id,
    title: fm.title,
    decision: fm.decision,
    reasons: Object.freeze([...fm.reasons]),
    stages: Object.freeze([...fm.stages]),
    variables: Object.freeze({
      required: Object.freeze([...fm.variables.required]),
      optional: Object.freeze([...fm.variables.optional]),
    }),
    file,
    source: lines.slice(close + 1).join('\n'),
    bodyLine: close + 2,
  });

  const problem = checkBody(template);
  if (problem) {
    throw new ConfigError({ file, line: problem.line, key: problem.key }, problem.message);
  }
  const unused = [...template.variables.required, ...template.variables.optional].find(
    (v) => !usedVariables(template).has(v),
  );
  if (unused !== undefined) {
    const list = template.variables.required.includes(unused) ? 'variables.required' : 'variables.optional';
    throw new ConfigError({ file, line: at(list), key: list }, `"${unused}" is declared but the template never uses it`);
  }
  return template;
}

function lineOf(doc: Document, counter: LineCounter, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const head = path.slice(0, n);
    const last = head.at(-1);
    // For a key, point at the key itself (works for missing values and for unknown keys).
    if (typeof last === 'string') {
      const parent = head.length === 1 ? doc.contents : doc.getIn(head.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
        const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
        if (range) return counter.linePos(range[0]).line;
      }
      continue;
    }
    const node = head.length === 0 ? doc.contents : doc.getIn(head, true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return counter.linePos(range[0]).line;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Static checks of the Handlebars body

interface BodyProblem {
  line: number;
  key: string;
  message: string;
}

type AstNode = hbs.AST.Node;

/** Our own Handlebars environment: no helpers or partials registered beyond the built-ins. */
const hb = Handlebars.create();

function parseBody(t: Template): hbs.AST.Program {
  try {
    return hb.parse(t.source);
  } catch (e) {
    const m = /line (\d+)/.exec((e as Error).message);
    throw new ConfigError(
      { file: t.file, line: m ? Number(m[1]) + t.bodyLine - 1 : t.bodyLine },
      `invalid template: ${(e as Error).message.split('\n')[0]}`,
      { cause: e },
    );
  }
}

function simpleName(e: AstNode | undefined): string | null {
  if (!e || e.type !== 'PathExpression') return null;
  const p = e as hbs.AST.PathExpression;
  if (p.data || p.depth !== 0 || p.parts.length !== 1 || p.original !== p.parts[0]) return null;
  return p.parts[0]!;
}

function checkBody(t: Template): BodyProblem | null {
  const required = new Set(t.variables.required);
  const optional = new Set(t.variables.optional);
  const lineOfNode = (n: AstNode): number => (n.loc?.start.line ?? 1) + t.bodyLine - 1;

  const useOf = (n: AstNode, e: AstNode | undefined, guards: ReadonlySet<string>, printed: boolean): BodyProblem | null => {
    const name = simpleName(e);
    if (name === null) {
      return { line: lineOfNode(n), key: 'body', message: 'only plain {{name}} lookups are allowed (no paths, this, @data or literals)' };
    }
    if (!required.has(name) && !optional.has(name)) {
      return { line: lineOfNode(n), key: 'variables', message: `template uses "${name}" but the front matter does not declare it` };
    }
    if (printed && optional.has(name) && !guards.has(name)) {
      return {
        line: lineOfNode(n),
        key: 'variables.optional',
        message: `optional "${name}" is printed outside {{#if ${name}}}…{{/if}}; guard it or declare it required`,
      };
    }
    return null;
  };

  const walk = (program: hbs.AST.Program | undefined, guards: ReadonlySet<string>): BodyProblem | null => {
    for (const stmt of program?.body ?? []) {
      switch (stmt.type) {
        case 'ContentStatement':
        case 'CommentStatement':
          break;
        case 'MustacheStatement': {
          const m = stmt as hbs.AST.MustacheStatement;
          if (m.params.length > 0 || m.hash) {
            return { line: lineOfNode(m), key: 'body', message: 'helpers are not allowed; use plain {{name}} lookups' };
          }
          const p = useOf(m, m.path, guards, true);
          if (p) return p;
          break;
        }
        case 'BlockStatement': {
          const b = stmt as hbs.AST.BlockStatement;
          const helper = b.path.original;
          if ((helper !== 'if' && helper !== 'unless') || b.params.length !== 1 || b.hash) {
            return { line: lineOfNode(b), key: 'body', message: 'only {{#if name}} and {{#unless name}} blocks are allowed' };
          }
          const p = useOf(b, b.params[0], guards, false);
          if (p) return p;
          const name = simpleName(b.params[0])!;
          const withName = new Set(guards).add(name);
          const inner = walk(b.program, helper === 'if' ? withName : guards) ?? walk(b.inverse, helper === 'unless' ? withName : guards);
          if (inner) return inner;
          break;
        }
        default:
          return { line: lineOfNode(stmt), key: 'body', message: `${stmt.type} is not allowed in a reply template` };
      }
    }
    return null;
  };
  return walk(parseBody(t), new Set());
}

const usedCache = new WeakMap<Template, Set<string>>();
function usedVariables(t: Template): Set<string> {
  let used = usedCache.get(t);
  if (used) return used;
  used = new Set();
  const found = used;
  const walk = (program: hbs.AST.Program | undefined): void => {
    for (const stmt of program?.body ?? []) {
      if (stmt.type === 'MustacheStatement') {
        const n = simpleName((stmt as hbs.AST.MustacheStatement).path);
        if (n) found.add(n);
      } else if (stmt.type === 'BlockStatement') {
        const b = stmt as hbs.AST.BlockStatement;
        const n = simpleName(b.params[0]);
        if (n) found.add(n);
        walk(b.program);
        walk(b.inverse);
      }
    }
  };
  walk(parseBody(t));
  usedCache.set(t, used);
  return used;
}

// ---------------------------------------------------------------------------------------------
// Choosing

function makeTemplateSet(templates: Template[]): TemplateSet {
  const byId = new Map<string, Template>();
  for (const t of templates) byId.set(t.id, t);
  const sorted = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    get: (id) => byId.get(id) ?? null,
    list: () => [...sorted],
    choose(decision, reason, stage) {
      const fits = sorted.filter(
        (t) => t.decision === decision && (stage === undefined || (stage !== 'none' && t.stages.includes(stage))),
      );
      const wanted = reason?.trim().toLowerCase();
      if (wanted) {
        const matching = fits.filter((t) => t.reasons.includes(wanted));
        matching.sort((a, b) => a.reasons.length - b.reasons.length);
        if (matching[0]) return matching[0];
      }
      return fits.find((t) => t.reasons.length === 0) ?? null;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering

const compiled = new WeakMap<Template, HandlebarsTemplateDelegate>();

function compiledOf(t: Template): HandlebarsTemplateDelegate {
  let fn = compiled.get(t);
  if (!fn) {
    const problem = checkBody(t);
    if (problem) {
      throw new OfferwatchError('ETEMPLATE', `cannot render template ${t.id}: line ${problem.line}: ${problem.message}`);
    }
    fn = hb.compile(t.source, {
      strict: true,
      knownHelpersOnly: true,
      knownHelpers: { if: true, unless: true },
      noEscape: true,
      data: false,
    });
    compiled.set(t, fn);
  }
  return fn;
}

/**
 * Renders `t` as plain text. Values are trimmed and their line ends normalised to LF; a value
 * with a NUL is refused (EUNSAFE). A missing, empty or blank required variable renders as its
 * placeholder and is listed in `needsEdit`; a missing optional one takes the template's own
 * fallback (the loader guarantees it is only printed inside `{{#if}}`).
 */
export function renderTemplate(t: Template, vars: Record<string, string | null | undefined>): RenderedDraft {
  const fn = compiledOf(t);
  const context: Record<string, string> = Object.create(null) as Record<string, string>;
  const placeholders = new Map<string, string>();
  for (const name of [...t.variables.required, ...t.variables.optional]) {
    const raw = Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : undefined;
    let value = '';
    if (typeof raw === 'string') {
      if (raw.includes('\0')) {
        throw new OfferwatchError('EUNSAFE', `cannot render template ${t.id}: ${name} contains a NUL character`);
      }
      value = raw.replace(/\r\n?/g, '\n').trim();
    }
    if (value === '' && t.variables.required.includes(name)) {
      value = placeholderFor(name);
      placeholders.set(name, value);
    }
    context[name] = value;
  }
  let out: string;
  try {
    out = fn(context, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
  } catch (e) {
    throw new OfferwatchError('ETEMPLATE', `cannot render template ${t.id}: ${(e as Error).message}`, { cause: e });
  }
  const body = `${out.replace(/^\n+/, '').replace(/\s+$/, '')}\n`;
  const needsEdit = [...placeholders].filter(([, text]) => body.includes(text)).map(([name]) => name);
  return { body, needsEdit };
}
