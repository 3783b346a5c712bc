/** What every command needs: the config, the app or the store, thread and draft lookup. */
import { Command } from 'commander';
import { OfferwatchError } from '../errors.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { ruleSourcesFromFiles } from './app.js';
import { openService, openStateService, type AppSpec, type CycleResult, type Service } from '../app/index.js';
import { clockFrom, type GlobalOptions, type Io } from './main.js';

export type Cmd = Command & { exitCodeValue?: number };

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

export function specFromConfig(loaded: LoadedConfig): AppSpec {
  const c = loaded.config;
  return {
    owner: { ...loaded.owner, signature: c.owner.signature ?? null },
    sources: c.sources,
    stateDir: loaded.stateDir,
    deadlines: loaded.deadlines,
    ruleSources: [loaded.personalRules, ...ruleSourcesFromFiles(loaded.ruleFiles)],
    disabledRules: c.rules.disable,
    responses: c.responses,
    channels: c.alerts.channels,
    autoSave: c.drafts.autoSave,
    resolvePath: loaded.resolvePath,
  };
}

/** A one-line progress counter on a terminal (stderr), nothing elsewhere. */
export function progress(io: Io): ((source: string, done: number, total: number | null) => void) | undefined {
  if (!process.stderr.isTTY || io.env.CI) return undefined;
  return (source, done, total) => io.err(`\r${source}: ${done}${total ? `/${total}` : ''} messages…`);
}

export async function withApp<T>(cmd: Command, io: Io, fn: (service: Service, loaded: LoadedConfig) => Promise<T>, spec?: (l: LoadedConfig) => AppSpec): Promise<T> {
  const g = globals(cmd);
  const loaded = loadConfig(g.config);
  const clock = clockFrom(g.now);
  const opened = await openService((spec ?? specFromConfig)(loaded), { clock, log: (l) => io.err(`${l}\n`), write: (l) => io.out(`${l}\n`), onProgress: progress(io) });
  try {
    return await fn(opened.service, loaded);
  } finally {
    await opened.close();
  }
}

/** The service over the state file alone (no connectors opened): reads and local edits. */
export function withStore<T>(cmd: Command, fn: (service: Service, loaded: LoadedConfig) => T): T {
  const g = globals(cmd);
  const loaded = loadConfig(g.config);
  const opened = openStateService(loaded.stateDir, clockFrom(g.now));
  try {
    return fn(opened.service, loaded);
  } finally {
    opened.close();
  }
}

export function proposalId(s: string): number {
  const n = Number(s.replace(/^#/, ''));
  if (!Number.isInteger(n) || n <= 0) throw new OfferwatchError('EUSAGE', `cannot find draft ${s}: expected a number such as 12`);
  return n;
}

export function printReport(io: Io, r: Pick<CycleResult, 'sources'>): void {
  if (progress(io)) io.err('\n');
  for (const s of r.sources) {
    io.err(`${s.name}: ${s.added} new message(s)${s.failures ? `, ${s.failures} unreadable (recorded)` : ''}${s.error ? ` — ${s.error}` : ''}\n`);
  }
}

