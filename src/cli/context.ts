/** What every command needs: the config, the app or the store, thread and draft lookup. */
import { Command } from 'commander';
import { join } from 'node:path';
import { OfferwatchError } from '../errors.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { openApp, ruleSourcesFromFiles, type App, type AppSpec } from './app.js';
import { Store, type Proposal, type ThreadRef } from '../store/index.js';
import type { BoardOptions, RenderOptions } from './render.js';
import { systemTimeZone, timeFormat } from '../util/time.js';
import { terminalProgress } from '../util/progress.js';
import { systemClock } from '../clock.js';
import type { CycleReport } from '../pipeline/cycle.js';
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
    templateDirs: loaded.templateDirs.slice(1),
    resolvePath: loaded.resolvePath,
  };
}

/** Progress of every sync on a terminal (stderr); nothing on a pipe or in CI. */
export function progress(io: Io) {
  return terminalProgress(io.err, Boolean(io.errIsTTY) && !io.env.CI, systemClock);
}

export async function withApp<T>(cmd: Command, io: Io, fn: (app: App, loaded: LoadedConfig) => Promise<T>, spec?: (l: LoadedConfig) => AppSpec): Promise<T> {
  const g = globals(cmd);
  const loaded = loadConfig(g.config);
  const clock = clockFrom(g.now);
  // With --json, stdout holds only JSON: the terminal channel's lines go to stderr.
  const json = Boolean((cmd.opts() as { json?: boolean }).json);
  const app = await openApp({ time: viewOptions(io, loaded).time, ...(spec ?? specFromConfig)(loaded) }, { clock, log: (l) => io.err(`${l}\n`), write: (l) => (json ? io.err : io.out)(`${l}\n`) });
  app.progress = progress(io);
  app.ctx.onProgress = app.progress?.update;
  try {
    return await fn(app, loaded);
  } finally {
    await app.close();
  }
}

export function withStore<T>(cmd: Command, fn: (store: Store, now: Date, loaded: LoadedConfig) => T): T {
  const g = globals(cmd);
  const loaded = loadConfig(g.config);
  const store = Store.open(join(loaded.stateDir, 'offerwatch.db'));
  try {
    return fn(store, clockFrom(g.now).now(), loaded);
  } finally {
    store.close();
  }
}

/** How times and colour are shown: the owner's zone (config `timezone`, else the system's), colour only on a terminal without NO_COLOR. */
export function viewOptions(io: Io, loaded?: LoadedConfig): RenderOptions {
  const zone = loaded?.config.timezone ?? systemTimeZone(io.env);
  return { time: timeFormat(zone), color: Boolean(io.isTTY) && !('NO_COLOR' in io.env && io.env.NO_COLOR !== '') && io.env.TERM !== 'dumb' };
}

/** What the board shows beside the verdicts: snoozes, live proposals, unreadable messages, an empty state. */
export function boardExtras(store: Store, now: Date): BoardOptions {
  const proposals = new Map<string, Proposal>();
  for (const p of store.proposals.list()) if (p.status === 'pending' || p.status === 'saving' || p.status === 'saved') proposals.set(`${p.source}\0${p.threadId}`, p);
  return { snoozes: store.alerts.snoozes(now), proposals, skipped: store.messages.failures().length, empty: store.isEmpty() };
}

export function findThread(store: Store, spec: string): ThreadRef {
  if (!spec.trim()) throw new OfferwatchError('EUSAGE', 'cannot find thread: give a thread id (offerwatch status lists them)');
  const hits = store.threads.find(spec);
  if (hits.length === 0) {
    const hint = store.isEmpty() ? 'the state is empty: run offerwatch once first' : 'offerwatch status lists them';
    throw new OfferwatchError('ENOTFOUND', `cannot find thread ${spec}: no such thread in state (${hint})`);
  }
  if (hits.length > 1) throw new OfferwatchError('EUSAGE', `cannot choose thread ${spec}: it matches ${hits.map((h) => `${h.source}:${h.id}`).join(', ')}`);
  return hits[0]!;
}

export function proposalId(s: string): number {
  const n = Number(s.replace(/^#/, ''));
  if (!Number.isInteger(n) || n <= 0) throw new OfferwatchError('EUSAGE', `cannot find draft ${s}: expected a number such as 12`);
  return n;
}

export function printReport(io: Io, r: CycleReport, app?: App): void {
  app?.progress?.end();
  for (const s of r.sources) {
    io.err(`${s.name}: ${s.added} new message(s)${s.failures ? `, ${s.failures} unreadable (recorded)` : ''}${s.error ? ` — ${s.error}` : ''}\n`);
  }
  for (const p of r.saved) io.err(`Saved draft #${p.id} (${p.templateId}, ${p.source}:${p.threadId}) → ${p.draftLocation}. Nothing was sent.\n`);
}

