/**
 * The Gmail connector: reader (history-based sync), drafts (create only, never send)
 * and attention (reply-due label), over the real googleapis client. Gmail SDK types
 * stay in this folder; what leaves it is the port's types plus our own counters.
 */
import { createHash } from 'node:crypto';
import { gmail } from 'googleapis/build/src/apis/gmail/index.js';
import type { Clock } from '../../clock.js';
import type { Connector } from '../port.js';
import { type GmailSourceConfig } from './config.js';
import { loadAuthorizedClient, type GmailAuthClient } from './auth.js';
import { GmailHttp } from './http.js';
import { QuotaMeter, type GmailMethod, type QuotaCounters } from './quota.js';
import { LabelCache } from './labels.js';
import { GmailReader } from './reader.js';
import { GmailDrafts } from './drafts.js';
import { GmailAttention } from './attention.js';
import { realSleep, seededRandom } from '../../net/retry.js';

export { seededRandom };

export { gmailSourceSchema, type GmailSourceConfig, type GmailSourceInput } from './config.js';
export { gmailConnector } from './index.js';
export { authorizeGmail, GMAIL_SCOPES, type GmailAuthClient } from './auth.js';
export { GMAIL_METHOD_UNITS, type GmailMethod, type QuotaCounters } from './quota.js';
export { tokenFileOf } from './tokens.js';

export interface GmailConnectorDeps {
  stateDir: string;
  log: (line: string) => void;
  clock: Clock;
  /** Waits between retries and when the quota bucket is empty (default: setTimeout). */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1) (default: seeded from the source name). */
  random?: () => number;
  /** An authorised OAuth client; default: one built from the stored token file. */
  authClient?: GmailAuthClient;
  /** Quota costs to account with (default GMAIL_METHOD_UNITS). */
  units?: Readonly<Record<GmailMethod, number>>;
  /** Results per list page (default 500, Gmail's maximum); tests use small pages. */
  pageSize?: number;
}

export interface GmailConnector extends Connector {
  /** Requests and quota units spent so far, per method. */
  readonly counters: QuotaCounters;
}



export async function createGmailConnector(cfg: GmailSourceConfig, deps: GmailConnectorDeps): Promise<GmailConnector> {
  const sleep = deps.sleep ?? realSleep;
  const random = deps.random ?? seededRandom(createHash('sha256').update(cfg.name).digest().readUInt32BE(0));
  const auth = deps.authClient ?? loadAuthorizedClient({ cfg, stateDir: deps.stateDir, log: deps.log, clock: deps.clock });
  // Our own retry layer decides; the SDK's built-in retry would sleep on real timers.
  const api = gmail({ version: 'v1', auth, rootUrl: cfg.rootUrl, retry: false });
  const quota = new QuotaMeter({ unitsPerMinute: cfg.quotaUnitsPerMinute, clock: deps.clock, sleep, units: deps.units });
  const http = new GmailHttp({
    name: cfg.name,
    quota,
    clock: deps.clock,
    sleep,
    random,
    log: deps.log,
    refreshAuth: async () => {
      await auth.refreshAccessToken();
    },
  });
  const labels = new LabelCache(api, http, `read labels of gmail account ${cfg.name}`);
  return {
    name: cfg.name,
    reader: new GmailReader({ api, http, labels, cfg, log: deps.log, pageSize: deps.pageSize }),
    drafts: new GmailDrafts({ api, http, cfg, log: deps.log, pageSize: deps.pageSize }),
    attention: new GmailAttention({ api, http, labels, cfg }),
    counters: quota.counters,
  };
}
