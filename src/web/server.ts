/**
 * `offerwatch serve`: a local web page over the service layer (node:http, server-rendered).
 *
 * Security: binds a loopback address unless told otherwise (and then only with a password);
 * a random token per start in the printed address, exchanged for an HttpOnly SameSite=Strict
 * cookie; the Host header must name the bound address (DNS rebinding); every state-changing
 * request needs the CSRF token and a same-origin Origin; a strict Content-Security-Policy
 * without inline scripts; mail is escaped text everywhere.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { CycleBusyError, DECISIONS, type CycleEvent, type Decision, type Service } from '../app/index.js';
import { isOfferwatchError } from '../errors.js';
import { STAGES_OR_NONE, type StageOrNone } from '../model/types.js';
import { PACKAGE_ROOT } from '../paths.js';
import { Times } from './html.js';
import { boardPage, messagePage, offersPage, refusalPage, threadPage, type PageContext } from './pages.js';

export const WEB_DIR = join(PACKAGE_ROOT, 'web');
const MAX_BODY = 1 << 20;

export interface ServeOptions {
  host: string;
  port: number;
  timeZone: string;
  /** Required for a non-loopback host (with allowRemote); checked with HTTP Basic auth on every request. */
  password?: string | null;
  allowRemote?: boolean;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new HttpError(415, 'expected a form (application/x-www-form-urlencoded)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'the form is too large');
    chunks.push(c as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startServer(service: Service, opts: ServeOptions): Promise<RunningServer> {
  const log = opts.log ?? (() => {});
  if (!isLoopback(opts.host)) {
    if (!opts.allowRemote) throw new HttpError(0, `cannot serve on ${opts.host}: it is not a loopback address; pass --allow-remote and set a password to allow it`);
    if (!opts.password) throw new HttpError(0, `cannot serve on ${opts.host}: a non-loopback address needs a password (OFFERWATCH_PASSWORD)`);
  }
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const times = new Times(opts.timeZone);
  const staticFiles = new Map<string, { type: string; body: Buffer }>([
    ['/static/app.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(join(WEB_DIR, 'app.js')) }],
    ['/static/app.css', { type: 'text/css; charset=utf-8', body: readFileSync(join(WEB_DIR, 'app.css')) }],
  ]);
  let allowedHosts = new Set<string>();
  let cookieName = 'offerwatch';
  let origin = '';
  const listeners = new Set<ServerResponse>();
  let running: Promise<unknown> | null = null;
  let lastEvents: CycleEvent[] = [];

  const broadcast = (e: CycleEvent) => {
    lastEvents.push(e);
    const line = `data: ${JSON.stringify(e)}\n\n`;
    for (const l of listeners) l.write(line);
  };

  const pageCtx = (): PageContext => ({ csrf, times, now: service.now(), cycleHolder: running ? 'started from this page' : service.cycleHolder() });

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
    res.end(body);
  };
  const sendHtml = (res: ServerResponse, status: number, body: string) => send(res, status, 'text/html; charset=utf-8', body);
  const sendJson = (res: ServerResponse, status: number, value: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
  const redirect = (res: ServerResponse, to: string, extra: Record<string, string> = {}) => {
    res.writeHead(303, { Location: to, 'Content-Length': 0, ...extra });
    res.end();
  };
  const plain = (res: ServerResponse, status: number, text: string) => send(res, status, 'text/plain; charset=utf-8', `${text}\n`);

  function startCycle(): Promise<unknown> {
    lastEvents = [];
    const p = service
      .cycle({ holder: 'offerwatch serve', onEvent: broadcast })
      .catch((e: unknown) => {
        if (e instanceof CycleBusyError) broadcast({ type: 'busy', holder: e.holder });
        else broadcast({ type: 'error', message: isOfferwatchError(e) ? e.message : `cycle failed: ${(e as Error).message}` });
      })
      .finally(() => { running = null; });
    running = p;
    return p;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on its own form posts.
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');

    // DNS rebinding: the browser must have asked for the address we bound.
    const host = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts.has(host)) return plain(res, 421, 'Misdirected request: this server answers only to the address it printed.');

    if (opts.password) {
      const m = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
      const given = m ? Buffer.from(m[1]!, 'base64').toString('utf8').replace(/^[^:]*:/, '') : '';
      if (!same(given, opts.password)) return send(res, 401, 'text/plain; charset=utf-8', 'Password required.\n', { 'WWW-Authenticate': 'Basic realm="offerwatch", charset="UTF-8"' });
    }

    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';

    // The token from the printed address becomes a cookie, then leaves the address bar.
    const qToken = url.searchParams.get('token');
    if (qToken !== null && method === 'GET') {
      if (!same(qToken, token)) return plain(res, 403, 'Forbidden: the token is wrong. Open the address offerwatch serve printed.');
      url.searchParams.delete('token');
      return redirect(res, `${url.pathname}${url.search}`, {
        'Set-Cookie': `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      });
    }
    const cookie = cookies(req).get(cookieName);
    if (!cookie || !same(cookie, token)) return plain(res, 403, 'Forbidden: open the address offerwatch serve printed (it holds a token).');

    if (method === 'GET' || method === 'HEAD') return get(url, res);
    if (method !== 'POST') return plain(res, 405, 'Method not allowed.');

    // State-changing requests: same origin and the CSRF token.
    if (req.headers.origin !== `http://${host}`) return plain(res, 403, 'Forbidden: cross-origin request.');
    const form = await readForm(req);
    const sent = form.get('csrf') ?? (req.headers['x-csrf-token'] as string | undefined) ?? '';
    if (!same(sent, csrf)) return plain(res, 403, 'Forbidden: the form is out of date (CSRF token). Reload the page.');
    return post(url.pathname, form, req, res);
  }

  async function get(url: URL, res: ServerResponse): Promise<void> {
    const p = url.pathname;
    const stat = staticFiles.get(p);
    if (stat) return send(res, 200, stat.type, stat.body);
    if (p === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (p === '/') {
      const filter = { source: url.searchParams.get('source') || undefined, q: url.searchParams.get('q') || undefined };
      return sendHtml(res, 200, boardPage(pageCtx(), service.board({ source: filter.source, text: filter.q }), filter));
    }
    if (p === '/thread') {
      const id = url.searchParams.get('id') ?? '';
      const t = service.thread(id);
      const mails = new Map<number, string | null>();
      for (const pr of t.proposals) mails.set(pr.id, await service.draftMail(pr.id));
      return sendHtml(res, 200, threadPage(pageCtx(), t, { templates: service.templates(), mails, decision: url.searchParams.get('decision') ?? undefined, reason: url.searchParams.get('reason') ?? undefined }));
    }
    if (p === '/offers') return sendHtml(res, 200, offersPage(pageCtx(), service.offers()));
    if (p === '/api/board') return sendJson(res, 200, service.board({ source: url.searchParams.get('source') || undefined, text: url.searchParams.get('q') || undefined }));
    if (p === '/api/offers') return sendJson(res, 200, service.offers());
    if (p === '/api/thread') return sendJson(res, 200, service.thread(url.searchParams.get('id') ?? ''));
    if (p === '/api/preview') {
      const decision = decisionOf(url.searchParams.get('decision'));
      return sendJson(res, 200, service.preview(url.searchParams.get('thread') ?? '', decision, { reason: url.searchParams.get('reason') || null, template: url.searchParams.get('template') || undefined }));
    }
    if (p === '/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
      res.write(': offerwatch cycle events\n\n');
      if (running) for (const e of lastEvents) res.write(`data: ${JSON.stringify(e)}\n\n`);
      listeners.add(res);
      res.on('close', () => listeners.delete(res));
      return;
    }
    return sendHtml(res, 404, messagePage(pageCtx(), 'Not found', 'There is no such page.'));
  }

  async function post(path: string, form: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const wantsJson = (req.headers.accept ?? '').includes('application/json');
    const back = (thread: string, hash = '') => `/thread?id=${encodeURIComponent(thread)}${hash}`;
    const thread = form.get('thread') ?? '';
    const forced = form.get('force') === '1';
    /** Runs an action the owner may force; a refusal they may override is answered with a button that repeats it forced. */
    async function orAnyway<T>(label: string, backTo: string, fn: () => T | Promise<T>): Promise<T | null> {
      try {
        return await fn();
      } catch (e) {
        if (!isOfferwatchError(e) || !e.overridable || forced) throw e;
        if (wantsJson) sendJson(res, 400, { error: e.message, overridable: true });
        else sendHtml(res, 400, refusalPage(pageCtx(), e.message, path, form, label, backTo));
        return null;
      }
    }
    switch (path) {
      case '/decide': {
        const decided = await orAnyway('Propose it anyway', back(thread, '#decide'), () =>
          service.decide(thread, decisionOf(form.get('decision')), { reason: form.get('reason') || null, template: form.get('template') || undefined, force: forced }),
        );
        if (decided) redirect(res, back(thread, '#drafts'));
        return;
      }
      case '/snooze':
        await service.snooze(thread, (form.get('when') ?? '').trim().split(/\s+/).filter(Boolean));
        return redirect(res, back(thread));
      case '/correct': {
        const stage = form.get('stage') || undefined;
        if (stage !== undefined && !(STAGES_OR_NONE as readonly string[]).includes(stage)) throw new HttpError(400, 'unknown stage');
        const clear = form.get('clear') === '1';
        const noReplyNeeded = form.get('noReplyNeeded') === '1';
        if (!clear && stage === undefined && !noReplyNeeded) throw new HttpError(400, 'say what is wrong: a stage, or that you owe no reply');
        const r = await service.correct(thread, { stage: stage as StageOrNone | undefined, noReplyNeeded, clear });
        // A thread corrected to "not about my job search" leaves the board; its page still exists.
        return redirect(res, back(`${r.source}:${r.threadId}`, '#correct'));
      }
      case '/unsnooze':
        await service.unsnooze(thread);
        return redirect(res, back(thread));
      case '/drafts/edit': {
        const { proposal: p } = service.editDraft(draftId(form.get('id')), { to: form.get('to') ?? '', body: form.get('body') ?? '' });
        return redirect(res, back(`${p.source}:${p.threadId}`, '#drafts'));
      }
      case '/drafts/approve': {
        const r = await orAnyway('Save it anyway', req.headers.referer ?? '/', () => service.approve(draftId(form.get('id')), { force: forced }));
        if (r) redirect(res, back(`${r.proposal.source}:${r.proposal.threadId}`, '#drafts'));
        return;
      }
      case '/drafts/discard': {
        const { proposal: p } = await service.discard(draftId(form.get('id')));
        return redirect(res, back(`${p.source}:${p.threadId}`, '#drafts'));
      }
      case '/offers/priorities': {
        const current = service.offers().priorities;
        // Unmark first, so that moving a non-negotiable never trips the limit halfway.
        for (const p of current) if (form.get(`nn:${p.id}`) !== '1' && p.nonNegotiable) service.setPriority(p.name, { nonNegotiable: false });
        for (const p of current) {
          if (form.get(`remove:${p.id}`) === '1') {
            service.removePriority(String(p.id));
            continue;
          }
          const w = form.get(`weight:${p.id}`);
          service.setPriority(p.name, { weight: w === null || w === '' ? undefined : Number(w), nonNegotiable: form.get(`nn:${p.id}`) === '1' });
        }
        const name = (form.get('new-name') ?? '').trim();
        if (name) service.setPriority(name, { weight: Number(form.get('new-weight') || 1), nonNegotiable: form.get('new-nn') === '1' });
        return redirect(res, '/offers');
      }
      case '/offers/scores': {
        for (const [key, value] of form) {
          const m = /^score:(\d+):(.+)$/.exec(key);
          if (!m) continue;
          service.score(m[2]!, m[1]!, value.trim() === '' ? null : Number(value));
        }
        return redirect(res, '/offers');
      }
      case '/cycle': {
        if (running || service.cycleHolder()) {
          const holder = running ? 'started from this page' : service.cycleHolder()!;
          return wantsJson ? sendJson(res, 409, { busy: holder }) : sendHtml(res, 409, messagePage(pageCtx(), 'A cycle is running', `A cycle is already running (${holder}); try again when it ends.`));
        }
        const p = startCycle();
        if (wantsJson) return sendJson(res, 202, { started: true });
        await p;
        return redirect(res, '/');
      }
      default:
        return sendHtml(res, 404, messagePage(pageCtx(), 'Not found', 'There is no such action.'));
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) return res.end();
      if (e instanceof HttpError) return plain(res, e.status, e.message);
      if (isOfferwatchError(e)) {
        const status = e.code === 'ENOTFOUND' ? 404 : 400;
        if ((req.headers.accept ?? '').includes('application/json')) return sendJson(res, status, { error: e.message });
        return sendHtml(res, status, messagePage(pageCtx(), 'That did not work', e.message, req.headers.referer ?? '/'));
      }
      log(`serve: ${(e as Error).message}`);
      return plain(res, 500, 'Internal error; the terminal running offerwatch serve has the details.');
    });
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const bare = opts.host.replace(/^\[|\]$/g, '');
  const hostPart = isIP(bare) === 6 ? `[${bare}]` : bare;
  origin = `http://${hostPart}:${port}`;
  allowedHosts = new Set([`${hostPart}:${port}`.toLowerCase()]);
  if (bare === '127.0.0.1' || bare === '::1') allowedHosts.add(`localhost:${port}`);
  cookieName = `offerwatch-${port}`;
  const heartbeat = setInterval(() => { for (const l of listeners) l.write(': keep-alive\n\n'); }, 15_000);
  heartbeat.unref();
  return {
    url: `${origin}/?token=${token}`,
    port,
    token,
    server,
    async close() {
      clearInterval(heartbeat);
      for (const l of listeners) l.end();
      await Promise.resolve(running);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

function decisionOf(s: string | null): Decision {
  if (!s || !(DECISIONS as readonly string[]).includes(s)) throw new HttpError(400, `unknown decision "${String(s).slice(0, 20)}": one of ${DECISIONS.join(', ')}`);
  return s as Decision;
}

function draftId(s: string | null): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, 'expected a draft number');
  return n;
}

export { HttpError };
