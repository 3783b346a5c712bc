/**
 * The Outlook connector (Outlook.com and Microsoft 365 over Microsoft Graph): reader (delta
 * sync of Inbox and Sent Items), drafts (createReply + PATCH, never sent) and attention
 * (follow-up flag + category), over one HTTPS transport (4 requests in flight per mailbox).
 * Loaded only when an Outlook source is opened or authorised (see index.ts).
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Connector, ConnectorEnv } from '../port.js';
import { OfferwatchError } from '../../errors.js';
import { seededRandom } from '../../util/random.js';
import { authCommand, tokenFileOf, type OutlookSourceConfig } from './config.js';
import { HttpsTransport, type TransportCounters } from './https.js';
import { authorizeOutlook, MsalTokens } from './auth.js';
import { GraphApi, type TokenSource } from './graph.js';
import { Retry } from './retry.js';
import { OutlookReader } from './reader.js';
import { OutlookDrafts } from './drafts.js';
import { OutlookAttention } from './attention.js';


export interface OutlookDeps {
  /** Waits between retries (default: setTimeout). */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1) (default: seeded from the source name). */
  random?: () => number;
  /** Messages per delta page (default 200). */
  pageSize?: number;
  /** Tokens from elsewhere (the benchmark's reference poller); default: the MSAL cache. */
  tokens?: TokenSource;
}

export interface OutlookConnector extends Connector {
  /** HTTP requests and bytes so far, and the most requests in flight at once. */
  readonly counters: TransportCounters;
  /** Retries made so far. */
  readonly retries: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function caOf(cfg: OutlookSourceConfig, env: Pick<ConnectorEnv, 'resolvePath'>): string | undefined {
  if (!cfg.caFile) return undefined;
  const file = env.resolvePath(cfg.caFile);
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new OfferwatchError('ECONFIG', `cannot read caFile ${file} of outlook source ${cfg.name} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export async function createOutlookConnector(cfg: OutlookSourceConfig, env: ConnectorEnv, deps: OutlookDeps = {}): Promise<OutlookConnector> {
  const transport = new HttpsTransport({ maxConcurrent: 4, ca: caOf(cfg, env) });
  const tokens = deps.tokens ?? new MsalTokens(cfg, tokenFileOf(cfg, env.stateDir), transport.msalNetwork());
  const retry = new Retry({
    sleep: deps.sleep ?? realSleep,
    random: deps.random ?? seededRandom(createHash('sha256').update(cfg.name).digest().readUInt32BE(0)),
    log: env.log,
    name: cfg.name,
  });
  const graph = new GraphApi({ baseUrl: cfg.baseUrl, transport, tokens, retry, name: cfg.name, reauth: authCommand(cfg), now: () => env.clock.now(), log: env.log });
  const category = env.replyDueLabel ?? cfg.replyDueCategory;
  return {
    name: cfg.name,
    reader: new OutlookReader({ graph, cfg, log: env.log, pageSize: deps.pageSize, bytes: () => transport.counters.bytesReceived, ownCategories: [category] }),
    drafts: new OutlookDrafts({ graph, retry, cfg, log: env.log }),
    attention: new OutlookAttention({ graph, cfg, clock: env.clock, category }),
    counters: transport.counters,
    retries: () => retry.retries,
    async close() {
      transport.close();
    },
  };
}

/** `offerwatch auth outlook --account NAME`: the device-code sign-in over the same transport. */
export async function authorizeOutlookSource(cfg: OutlookSourceConfig, env: Pick<ConnectorEnv, 'stateDir' | 'resolvePath'> & { print: (line: string) => void; signal?: AbortSignal }): Promise<void> {
  const transport = new HttpsTransport({ maxConcurrent: 4, ca: caOf(cfg, env) });
  try {
    await authorizeOutlook({ cfg, stateDir: env.stateDir, network: transport.msalNetwork(), print: env.print, signal: env.signal });
  } finally {
    transport.close();
  }
}
