/**
 * Test harness: a Graph emulator with a mailbox from the repo's demo mbox, a temp state dir
 * whose MSAL token cache was made by the real device-code sign-in against the emulator, and
 * an Outlook connector wired to it with an injected clock and a sleep that only records and
 * moves the clock (no real waiting).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectorEnv, SyncOptions } from '../../../src/connectors/port.js';
import { outlookConnector, outlookSourceSchema, type OutlookSourceConfig, type OutlookSourceInput } from '../../../src/connectors/outlook/index.js';
import { createOutlookConnector, type OutlookConnector } from '../../../src/connectors/outlook/connector.js';
import { seededRandom } from '../../../src/util/random.js';
import { MovableClock, simpleFilter } from '../gmail/harness.js';
import { REPO_ROOT } from '../gmail/mbox.js';
import { startGraphEmulator, type EmulatorOptions, type GraphEmulator } from './server.js';

export const DEMO_MBOX = join(REPO_ROOT, 'demo', 'demo.mbox');
export const DEMO_OWNER = 'jordan@example.com';
export const DEMO_NOW = new Date('2026-11-20T09:00:00Z');

export interface GraphHarness {
  emu: GraphEmulator;
  cfg: OutlookSourceConfig;
  connector: OutlookConnector;
  env: ConnectorEnv;
  stateDir: string;
  clock: MovableClock;
  logs: string[];
  sleeps: number[];
  reconnect(): Promise<OutlookConnector>;
  options(extra?: Partial<SyncOptions>): SyncOptions;
  close(): Promise<void>;
}

export interface GraphHarnessOptions {
  demo?: boolean;
  cfg?: Partial<OutlookSourceInput>;
  emulator?: Partial<EmulatorOptions>;
  pageSize?: number;
  /** Skip the sign-in (no token cache). */
  signIn?: boolean;
}

export function outlookSource(emu: GraphEmulator, extra: Partial<OutlookSourceInput> = {}): OutlookSourceConfig {
  return outlookSourceSchema.parse({ type: 'outlook', name: 'work', clientId: emu.clientId, tenant: 'consumers', baseUrl: emu.baseUrl, caFile: emu.caFile, ...extra });
}

export async function startGraphHarness(opts: GraphHarnessOptions = {}): Promise<GraphHarness> {
  const clock = new MovableClock(DEMO_NOW.getTime());
  const emu = await startGraphEmulator({ owner: DEMO_OWNER, ownerName: 'Jordan Okafor', ...opts.emulator });
  if (opts.demo ?? true) await emu.loadMbox(readFileSync(DEMO_MBOX));
  const stateDir = mkdtempSync(join(tmpdir(), 'ow-outlook-'));
  const cfg = outlookSource(emu, opts.cfg);
  const logs: string[] = [];
  const sleeps: number[] = [];
  const env: ConnectorEnv = { stateDir, clock, log: (l) => logs.push(l), resolvePath: (p) => p };
  if (opts.signIn ?? true) await outlookConnector.authorize!(cfg, { ...env, print: (l) => logs.push(l) });
  const make = () =>
    createOutlookConnector(cfg, env, {
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
      random: seededRandom(7),
      pageSize: opts.pageSize,
    });
  const connector = await make();
  return {
    emu,
    cfg,
    connector,
    env,
    stateDir,
    clock,
    logs,
    sleeps,
    reconnect: make,
    options: (extra) => ({ now: clock.now(), filter: { ...simpleFilter(), lookbackDays: 180 }, trackedThreadIds: new Set(), ...extra }),
    async close() {
      await connector.close?.();
      await emu.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
