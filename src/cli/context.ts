/**
 * What every command needs: the config, the service over the whole app or over the state alone,
 * and how to show things. The app's modules are imported when a command runs, not when the
 * program is built, so that `--help` loads only the command line.
 */
import type { Command } from 'commander';
import { OfferwatchError } from '../errors.js';
import type { LoadedConfig } from '../config/load.js';
import type { AppSpec, ProposalData, Service } from '../app/index.js';
import type { RenderOptions } from './render.js';
import { systemTimeZone, timeFormat } from '../util/time.js';
import { terminalProgress } from '../util/progress.js';
import { systemClock } from '../clock.js';
import { clockFrom, type GlobalOptions, type Io } from './main.js';

export type Cmd = Command;

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

/** The config file, read and checked. */
export async function loadConfigFile(file: string): Promise<LoadedConfig> {
  const { loadConfig } = await import('../config/load.js');
  return loadConfig(file);
}

export async function specFromConfig(loaded: LoadedConfig): Promise<AppSpec> {
  const { ruleSourcesFromFiles } = await import('./app.js');
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
    templateDirs: loaded.templateDirs.slice(1),
    resolvePath: loaded.resolvePath,
  };
}

/** Progress of every sync on a terminal (stderr); nothing on a pipe or in CI. */
export function progress(io: Io) {
  return terminalProgress(io.err, Boolean(io.errIsTTY) && !io.env.CI, systemClock);
}

/** How times and colour are shown: the owner's zone (config `timezone`, else the system's), colour only on a terminal without NO_COLOR. */
export function viewOptions(io: Io, loaded?: LoadedConfig): Required<RenderOptions> {
  const zone = loaded?.config.timezone ?? systemTimeZone(io.env);
  const noColor = 'NO_COLOR' in io.env && io.env.NO_COLOR !== '';
  return { time: timeFormat(zone), color: Boolean(io.isTTY) && !noColor && io.env.TERM !== 'dumb' };
}

/** What a command running the whole app gets besides the service. */
export interface Session {
  loaded: LoadedConfig;
  view: Required<RenderOptions>;
  /** Ends the terminal progress line, if one is drawn (before printing anything else). */
  endProgress(): void;
}

/**
 * Runs `fn` with the service over the whole app (connectors, rules, templates, channels).
 * With `--json`, stdout holds only JSON: the terminal alert channel writes to stderr.
 */
export async function withApp<T>(cmd: Command, io: Io, fn: (service: Service, loaded: LoadedConfig, session: Session) => Promise<T>): Promise<T> {
  const { openService } = await import('../app/index.js');
  const g = globals(cmd);
  const loaded = await loadConfigFile(g.config);
  const clock = clockFrom(g.now);
  const view = viewOptions(io, loaded);
  const json = Boolean((cmd.opts() as { json?: boolean }).json);
  const bar = progress(io);
  const opened = await openService(
    { time: view.time, ...(await specFromConfig(loaded)) },
    { clock, log: (l) => io.err(`${l}\n`), write: (l) => (json ? io.err : io.out)(`${l}\n`), onProgress: bar?.update },
  );
  try {
    return await fn(opened.service, loaded, { loaded, view, endProgress: () => bar?.end() });
  } finally {
    await opened.close();
  }
}

/** The service over the state file alone (no connectors opened): reads and local edits. */
export async function withStore<T>(cmd: Command, fn: (service: Service, loaded: LoadedConfig) => T | Promise<T>): Promise<T> {
  const { openStateService } = await import('../app/index.js');
  const g = globals(cmd);
  const loaded = await loadConfigFile(g.config);
  const opened = openStateService(loaded.stateDir, clockFrom(g.now));
  try {
    return await fn(opened.service, loaded);
  } finally {
    opened.close();
  }
}

export function proposalId(s: string): number {
  const n = Number(s.replace(/^#/, ''));
  if (!Number.isInteger(n) || n <= 0) throw new OfferwatchError('EUSAGE', `cannot find draft ${s}: expected a number such as 12`);
  return n;
}

/** One line per source (and per draft saved by `drafts.autoSave`), on stderr. */
export function printReport(io: Io, r: { sources: { name: string; added: number; failures: number; error: string | null }[]; saved: Pick<ProposalData, 'id' | 'templateId' | 'source' | 'threadId' | 'draftLocation'>[] }): void {
  for (const s of r.sources) {
    io.err(`${s.name}: ${s.added} new message(s)${s.failures ? `, ${s.failures} unreadable (recorded)` : ''}${s.error ? ` — ${s.error}` : ''}\n`);
  }
  for (const p of r.saved) io.err(`Saved draft #${p.id} (${p.templateId}, ${p.source}:${p.threadId}) → ${p.draftLocation}. Nothing was sent.\n`);
}
