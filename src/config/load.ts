/** Finding, reading and resolving the config file. */
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { readYamlFile, type LocatedValue } from '../yaml/load.js';
import { ConfigError } from '../errors.js';
import { configSchema, type Config } from './schema.js';
import type { Owner, Stage } from '../model/types.js';
import { parseDuration, type RuleFile } from '../rules/schema.js';
import { DEFAULT_DEADLINES, type DeadlinePolicy } from '../classify/classify.js';
import type { RuleSource } from '../rules/load.js';
import { loadTemplateDirs, type TemplateSet } from '../drafts/templates.js';
import { validateResponseRules } from '../respond/fit.js';
import { TEMPLATES_DIR } from '../paths.js';
import { defaultStateDir } from './location.js';

export { defaultConfigPath } from './location.js';

export interface LoadedConfig {
  file: string;
  config: Config;
  located: LocatedValue<Config>;
  stateDir: string;
  owner: Owner;
  deadlines: DeadlinePolicy;
  /** Personal rules written in the config, as a rule source. */
  personalRules: RuleSource;
  /** Extra rule files named in the config (absolute paths). */
  ruleFiles: string[];
  /** Template folders: the built-in one, then `templates.dir` when set. */
  templateDirs: string[];
  /** The templates of those folders, checked. */
  templates: TemplateSet;
  /** Resolves a path written in the config: `~` and paths relative to the config file. */
  resolvePath(p: string): string;
}

export function loadConfig(file: string): LoadedConfig {
  const abs = resolve(file);
  if (!existsSync(abs)) {
    throw new ConfigError({ file: abs }, 'cannot read config: the file does not exist (copy config.example.yaml there, or pass --config)');
  }
  const located = readYamlFile(abs, configSchema);
  const config = located.value;
  const resolvePath = (p: string) => {
    const expanded = p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
    return isAbsolute(expanded) ? expanded : resolve(dirname(abs), expanded);
  };
  const names = new Set<string>();
  config.sources.forEach((s, i) => {
    if (names.has(s.name)) throw new ConfigError({ file: abs, ...located.locate(['sources', i, 'name']), key: `sources[${i}].name` }, `duplicate source name "${s.name}"`);
    names.add(s.name);
  });
  const deadlines: DeadlinePolicy = { ...DEFAULT_DEADLINES };
  for (const [k, v] of Object.entries(config.deadlines)) if (v) (deadlines as Record<string, number>)[k as Stage | 'default'] = parseDuration(v);
  const owner: Owner = { name: config.owner.name ?? null, addresses: config.owner.addresses.map((a) => a.toLowerCase()) };
  const templateDirs = [TEMPLATES_DIR, ...(config.templates.dir ? [resolvePath(config.templates.dir)] : [])];
  const templates = loadTemplateDirs(templateDirs);
  validateResponseRules(config.responses, templates, (path) => ({ file: abs, ...located.locate(path) }));
  const personal: LocatedValue<RuleFile> = {
    value: { version: 1, rules: config.rules.personal, tests: config.rules.tests },
    locate: (path) => {
      const [head, ...rest] = path;
      return located.locate(['rules', head === 'rules' ? 'personal' : String(head), ...rest]);
    },
  };
  return {
    file: abs,
    config,
    located,
    stateDir: resolvePath(config.state.dir ?? defaultStateDir()),
    owner,
    deadlines,
    personalRules: { file: abs, parsed: personal, personal: true },
    ruleFiles: config.rules.files.map(resolvePath),
    templateDirs,
    templates,
    resolvePath,
  };
}
