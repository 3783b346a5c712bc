/**
 * The loopback Gmail API emulator: node:http on 127.0.0.1 (ephemeral port), Gmail's
 * paths and JSON shapes, per-method quota accounting, scriptable faults, an OAuth
 * token endpoint, and a counter of send attempts (always refused with 403).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultPlan, gmailErrorBody, type FaultRule } from './faults.js';
import { Mailbox, type AddMessageOptions } from './mailbox.js';
import { buildRoutes, HttpError } from './routes.js';
import { OAuthState } from './oauth.js';
import { splitMboxrd, stripTakeoutHeaders } from './mbox.js';

/** Google's published per-method costs (the emulator's own copy). */
export const EMULATOR_UNITS: Record<string, number> = {
  getProfile: 1,
  'messages.list': 5,
  'messages.get': 5,
  'messages.send': 100,
  'messages.modify': 5,
  'messages.trash': 5,
  'messages.delete': 10,
  'threads.get': 10,
  'threads.list': 10,
  'threads.modify': 10,
  'threads.trash': 10,
  'threads.delete': 20,
  'history.list': 2,
  'labels.list': 1,
  'labels.get': 1,
  'labels.create': 5,
  'drafts.list': 5,
  'drafts.get': 5,
  'drafts.create': 10,
  'drafts.update': 15,
  'drafts.delete': 10,
  'drafts.send': 100,
};

/** Methods that send mail: counted, refused. */
const SEND_METHODS = new Set(['messages.send', 'drafts.send']);
/** Writes offerwatch must never make: counted, refused. */
const FORBIDDEN_METHODS = new Set(['drafts.update', 'drafts.delete', 'messages.delete', 'messages.trash', 'threads.delete', 'threads.trash', 'messages.modify']);

export interface RequestLogEntry {
  method: string;
  /** Path after /users/{userId}/, e.g. `messages/18c…`. */
  path: string;
  status: number;
  query: Record<string, string | string[]>;
  /** The emulator's clock when the request arrived (ms). */
  at: number;
}

export class Counters {
  calls: Record<string, number> = {};
  units: Record<string, number> = {};
  sendAttempts = 0;
  forbiddenWrites = 0;
  log: RequestLogEntry[] = [];

  count(method: string): void {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
    this.units[method] = (this.units[method] ?? 0) + (EMULATOR_UNITS[method] ?? 0);
  }
  totalCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }
  totalUnits(): number {
    return Object.values(this.units).reduce((a, b) => a + b, 0);
  }
  reset(): void {
    this.calls = {};
    this.units = {};
    this.log = [];
  }
}

export interface EmulatorOptions {
  owner: string;
  /** The emulator's "now" in ms (newer_than:, new message dates). */
  now?: () => number;
  clientId?: string;
  clientSecret?: string;
  /** Check Bearer tokens (default true). */
  requireAuth?: boolean;
  accessTokenSeconds?: number;
}

export interface GmailEmulator {
  /** For `google.gmail({ rootUrl })`, ends with `/`. */
  readonly rootUrl: string;
  readonly tokenUrl: string;
  readonly authUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly mailbox: Mailbox;
  readonly counters: Counters;
  readonly oauth: OAuthState;
  fail(rule: FaultRule): void;
  clearFaults(): void;
  /** Tokens as if the owner had consented before. */
  issueTokens(): { access_token: string; refresh_token: string };
  /** Adds one RFC 5322 message at runtime (bumps historyId, writes messageAdded). */
  addMessage(raw: string | Buffer, opts?: AddMessageOptions): Promise<{ id: string; threadId: string }>;
  /** Loads an mboxrd text (Takeout style) as the pre-existing mailbox: no history records. */
  loadMbox(text: string | Buffer, opts?: { recordHistory?: boolean }): Promise<number>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startGmailEmulator(opts: EmulatorOptions): Promise<GmailEmulator> {
  const clientId = opts.clientId ?? 'emu-client.apps.example';
  const clientSecret = opts.clientSecret ?? 'emu-client-secret';
  const mailbox = new Mailbox({ owner: opts.owner, nowMs: opts.now });
  const counters = new Counters();
  const faults = new FaultPlan();
  const oauth = new OAuthState({ clientId, clientSecret, accessTokenSeconds: opts.accessTokenSeconds });
  const requireAuth = opts.requireAuth ?? true;

  const routes = buildRoutes(mailbox);

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
    res.end(body);
  };

  const handleOAuth = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams((await readBody(req)).toString('utf8'));
      const answer = oauth.token(form);
      send(res, answer.status, JSON.stringify(answer.body));
      return true;
    }
    if (url.pathname === '/o/oauth2/v2/auth' && req.method === 'GET') {
      const r = oauth.consent(url);
      if (r.location) {
        res.writeHead(302, { location: r.location });
        res.end();
      } else send(res, r.status, JSON.stringify({ error: r.error }));
      return true;
    }
    return false;
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (await handleOAuth(req, res, url)) return;
      const m = /^\/(?:upload\/)?gmail\/v1\/users\/([^/]+)\/(.+)$/.exec(url.pathname);
      const verb = req.method ?? 'GET';
      const route = m ? routes.find((r) => r.verb === verb && r.re.test(m[2])) : undefined;
      if (!m || !route) {
        send(res, 404, gmailErrorBody(404, `No route for ${verb} ${url.pathname}`));
        return;
      }
      const method = route.method;
      const rawBody = await readBody(req);
      const query: Record<string, string | string[]> = {};
      for (const k of new Set(url.searchParams.keys())) {
        const all = url.searchParams.getAll(k);
        query[k] = all.length === 1 ? all[0] : all;
      }
      const logEntry: RequestLogEntry = { method, path: m[2], status: 0, query, at: mailbox.now() };
      counters.log.push(logEntry);
      counters.count(method);
      if (SEND_METHODS.has(method)) {
        counters.sendAttempts++;
        logEntry.status = 403;
        send(res, 403, gmailErrorBody(403, 'The emulator refuses to send mail.', 'forbidden'));
        return;
      }
      if (FORBIDDEN_METHODS.has(method)) {
        counters.forbiddenWrites++;
        logEntry.status = 403;
        send(res, 403, gmailErrorBody(403, `The emulator refuses ${method}.`, 'forbidden'));
        return;
      }
      if (requireAuth) {
        const auth = req.headers.authorization ?? '';
        const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
        if (!oauth.accessTokens.has(token)) {
          logEntry.status = 401;
          send(res, 401, gmailErrorBody(401, 'Request had invalid authentication credentials.', 'authError'));
          return;
        }
      }
      if (m[1] !== 'me' && m[1].toLowerCase() !== mailbox.owner) {
        logEntry.status = 403;
        send(res, 403, gmailErrorBody(403, 'Delegation denied', 'forbidden'));
        return;
      }
      const fault = faults.take(method);
      if (fault && (fault.kind ?? 'error') === 'reset') {
        logEntry.status = -1;
        req.socket.destroy();
        return;
      }
      if (fault && (fault.kind ?? 'error') === 'error') {
        const status = fault.status ?? 500;
        logEntry.status = status;
        const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
        send(res, status, gmailErrorBody(status, `Injected fault ${status}`, fault.reason), headers);
        return;
      }
      try {
        const body = rawBody.length ? JSON.parse(rawBody.toString('utf8')) : undefined;
        const params = m[2].match(route.re)!.slice(1).map(decodeURIComponent);
        const result = await route.handle({ params, query: url.searchParams, body });
        if (fault && fault.kind === 'drop-response') {
          logEntry.status = -1;
          req.socket.destroy();
          return;
        }
        logEntry.status = 200;
        send(res, 200, JSON.stringify(result ?? {}));
      } catch (e) {
        const status = e instanceof HttpError ? e.status : 500;
        logEntry.status = status;
        send(res, status, gmailErrorBody(status, e instanceof Error ? e.message : String(e), e instanceof HttpError ? e.reason : undefined));
      }
    })();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  return {
    rootUrl: `${origin}/`,
    tokenUrl: `${origin}/token`,
    authUrl: `${origin}/o/oauth2/v2/auth`,
    clientId,
    clientSecret,
    mailbox,
    counters,
    oauth,
    fail: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    issueTokens: () => oauth.issue(),
    async addMessage(raw, addOpts) {
      const buf = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
      const { body, thrid, labels } = extractTakeout(buf);
      const msg = await mailbox.add(body, {
        ...addOpts,
        threadId: addOpts?.threadId ?? thrid ?? undefined,
        takeoutLabels: addOpts?.takeoutLabels ?? labels ?? undefined,
      });
      return { id: msg.id, threadId: msg.threadId };
    },
    async loadMbox(text, loadOpts) {
      const msgs = splitMboxrd(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
      for (const raw of msgs) {
        const { body, thrid, labels } = extractTakeout(raw);
        await mailbox.add(body, { takeoutLabels: labels ?? undefined, threadId: thrid ?? undefined }, loadOpts?.recordHistory ?? false);
      }
      return msgs.length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Takeout headers become Gmail state (thread id, labels) and leave the raw message. */
function extractTakeout(raw: Buffer): { body: Buffer; thrid: string | null; labels: string | null } {
  const s = raw.toString('latin1');
  const thr = /^X-GM-THRID:[ \t]*(\d+)[ \t]*\r?$/im.exec(s.slice(0, headerEnd(s)));
  const lab = /^X-Gmail-Labels:[ \t]*(.*?)\r?$/im.exec(s.slice(0, headerEnd(s)));
  return {
    body: stripTakeoutHeaders(raw),
    thrid: thr ? BigInt(thr[1]).toString(16) : null,
    labels: lab ? lab[1] : null,
  };
}

function headerEnd(s: string): number {
  const m = /\r?\n\r?\n/.exec(s);
  return m ? m.index : s.length;
}
