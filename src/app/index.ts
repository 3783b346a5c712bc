/**
 * Opening the service: with the whole app (connectors, rules, templates, channels) for
 * operations that need them, or over the state file alone for quick reads.
 */
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { Store } from '../store/index.js';
import { openApp, type App, type AppSpec } from '../cli/app.js';
import { Service } from './service.js';

export { Service, CycleBusyError, threadJson, CYCLE_LOCK, CYCLE_LOCK_TTL_MS, GAP_BELOW, MAX_NON_NEGOTIABLE } from './service.js';
export type { BoardFilter } from './service.js';
export * from './schemas.js';
export { DECISIONS, type Decision } from '../store/proposals.js';
export type { AppSpec } from '../cli/app.js';

export interface OpenService {
  service: Service;
  app: App;
  close(): Promise<void>;
}

export async function openService(spec: AppSpec, deps: { clock: Clock; log: (line: string) => void; write: (line: string) => void; onProgress?: App['ctx']['onProgress'] }): Promise<OpenService> {
  const app = await openApp(spec, deps);
  app.ctx.onProgress = deps.onProgress;
  return { service: new Service({ store: app.store, clock: deps.clock, ctx: app.ctx }), app, close: () => app.close() };
}

/** The service over the state file only: reads, drafts edit/discard, offers. */
export function openStateService(stateDir: string, clock: Clock): { service: Service; close(): void } {
  const store = Store.open(join(stateDir, 'offerwatch.db'));
  return { service: new Service({ store, clock }), close: () => store.close() };
}
