/** Loads rule files (built-in and personal) into one ordered, compiled rule set. */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { readYamlFile, type LocatedValue } from '../yaml/load.js';
import { compileCondition, ConditionError, type Predicate } from './conditions.js';
import { ruleFileSchema, parseDuration, type Action, type RuleDef, type RuleFile, type RuleTest } from './schema.js';

export interface CompiledRule {
  name: string;
  description?: string;
  test: Predicate;
  then: Action;
  deadlineMs?: number;
  /** Where the rule is written, `file:line`. */
  origin: string;
  personal: boolean;
}

export interface LocatedTest extends RuleTest {
  origin: string;
}

export interface RuleSet {
  rules: CompiledRule[];
  tests: LocatedTest[];
  /** Every sender domain named in a rule's `from` (for provider search queries). */
  senderDomains: string[];
}

export interface RuleSource {
  file: string;
  parsed: LocatedValue<RuleFile>;
  personal: boolean;
}

/** Built-in rule files: every `*.yaml` in the directory, in name order. */
export function readRuleDir(dir: string): RuleSource[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
  } catch {
    throw new ConfigError({ file: dir }, 'cannot read rules directory');
  }
  return names.map((n) => readRuleFile(join(dir, n), false));
}

export function readRuleFile(file: string, personal: boolean): RuleSource {
  return { file: resolve(file), parsed: readYamlFile(file, ruleFileSchema), personal };
}

/**
 * Personal rules come first and replace built-in rules of the same name; `disabled` names
 * drop built-in rules. Within each layer the file order is kept: the first matching rule wins.
 */
export function buildRuleSet(sources: RuleSource[], disabled: string[] = []): RuleSet {
  const personal = sources.filter((s) => s.personal);
  const builtin = sources.filter((s) => !s.personal);
  const seen = new Map<string, string>();
  const rules: CompiledRule[] = [];
  const tests: LocatedTest[] = [];
  const overridden = new Set<string>();
  const domains = new Set<string>();

  for (const src of [...personal, ...builtin]) {
    const { value, locate } = src.parsed;
    value.rules.forEach((r: RuleDef, i: number) => {
      const at = locate(['rules', i]);
      const origin = `${src.file}:${at.line ?? '?'}`;
      const prior = seen.get(r.name);
      if (prior && src.personal) throw new ConfigError({ file: src.file, ...at, key: `rules[${i}].name` }, `duplicate rule name "${r.name}" (also at ${prior})`);
      if (prior && !src.personal && !overridden.has(r.name)) throw new ConfigError({ file: src.file, ...at, key: `rules[${i}].name` }, `duplicate rule name "${r.name}" (also at ${prior})`);
      if (src.personal) overridden.add(r.name);
      else if (overridden.has(r.name) || disabled.includes(r.name)) return;
      seen.set(r.name, origin);
      let test: Predicate;
      try {
        test = compileCondition(r.when, ['rules', i, 'when']);
      } catch (e) {
        if (e instanceof ConditionError) {
          const path = e.path.length ? e.path : ['rules', i, 'when'];
          throw new ConfigError({ file: src.file, ...locate(path), key: fmt(path) }, e.message);
        }
        throw e;
      }
      collectDomains(r.when, domains);
      rules.push({
        name: r.name,
        description: r.description,
        test,
        then: r.then,
        deadlineMs: r.then.deadline ? parseDuration(r.then.deadline) : undefined,
        origin,
        personal: src.personal,
      });
    });
    value.tests.forEach((t: RuleTest, i: number) => {
      const at = locate(['tests', i]);
      tests.push({ ...t, origin: `${src.file}:${at.line ?? '?'}` });
    });
  }
  for (const d of disabled) {
    if (!seen.has(d) && !builtin.some((s) => s.parsed.value.rules.some((r) => r.name === d))) {
      throw new ConfigError({ file: 'config', key: 'rules.disable' }, `no built-in rule named "${d}"`);
    }
  }
  return { rules, tests, senderDomains: [...domains].sort() };
}

function fmt(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');
}

function collectDomains(c: RuleDef['when'], out: Set<string>): void {
  for (const f of c.from ?? []) if (!f.includes('@') && !f.includes('*')) out.add(f.toLowerCase());
  for (const s of [...(c.any ?? []), ...(c.all ?? [])]) collectDomains(s, out);
}
