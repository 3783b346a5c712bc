/**
 * The Graph client of one mailbox: the real `@microsoft/microsoft-graph-client` with a
 * middleware chain of its AuthenticationHandler (bearer token only to Graph hosts, or the
 * configured emulator host), its TelemetryHandler, and our HTTPS transport (4 in flight).
 * Every call goes through here; failures come out as ProviderError with typed status and
 * Graph error code (`reason`). JSON `$batch` (20 requests per HTTP request) with per-item retries.
 */
import { AuthenticationHandler, Client, GraphError, TelemetryHandler, type AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { OfferwatchError, ProviderError } from '../../errors.js';
import type { HttpsTransport } from './https.js';
import { classify, retryAfterSeconds, type Retry } from './retry.js';

export const GRAPH_ORIGIN = 'https://graph.microsoft.com';
export const GRAPH_VERSION = 'v1.0';
/** Graph's limit of requests in one JSON batch. */
export const BATCH_LIMIT = 20;

export interface SubRequest {
  id: string;
  method: 'GET' | 'PATCH' | 'POST';
  /** Relative to the version root, e.g. `/me/messages/AAMk…?$select=id`. */
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface SubResponse<T = unknown> {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: T;
}

/** Token source that also remembers the last sign-in failure (the SDK wraps errors it did not make). */
export interface TokenSource extends AuthenticationProvider {
  lastError: OfferwatchError | null;
  /** Graph refused the token (401): the next one must be fresh, not MSAL's cached one. */
  invalidate?(): void;
}

export interface GraphDeps {
  baseUrl?: string;
  transport: HttpsTransport;
  tokens: TokenSource;
  retry: Retry;
  /** Source name and the command that re-authorises it, for messages. */
  name: string;
  reauth: string;
  now: () => Date;
  log?: (line: string) => void;
}

export interface CallOpts {
  headers?: Record<string, string>;
  body?: unknown;
  /** OData query options, added through the SDK's own builders. */
  query?: { filter?: string; select?: string[]; expand?: string };
}

function headerRecord(h: Headers | undefined): Headers | undefined {
  return h;
}

export class GraphApi {
  readonly client: Client;
  private readonly origin: string;

  constructor(private readonly d: GraphDeps) {
    this.origin = (d.baseUrl ? new URL(d.baseUrl).origin : GRAPH_ORIGIN).replace(/\/$/, '');
    const auth = new AuthenticationHandler(d.tokens);
    const telemetry = new TelemetryHandler();
    auth.setNext(telemetry);
    telemetry.setNext(d.transport.graphHandler());
    this.client = Client.initWithMiddleware({
      middleware: auth,
      baseUrl: `${this.origin}/`,
      defaultVersion: GRAPH_VERSION,
      ...(d.baseUrl ? { customHosts: new Set([new URL(d.baseUrl).hostname]) } : {}),
    });
  }

  /** An absolute Graph address (nextLink, deltaLink) → the path after `/v1.0`, for $batch. */
  relative(link: string): string {
    const u = new URL(link);
    const prefix = `/${GRAPH_VERSION}`;
    return u.pathname.startsWith(prefix) ? `${u.pathname.slice(prefix.length)}${u.search}` : `${u.pathname}${u.search}`;
  }

  /** Only addresses on our own Graph origin are followed (a nextLink elsewhere would get our token). */
  checkLink(link: string): string {
    let u: URL;
    try {
      u = new URL(link);
    } catch {
      throw new OfferwatchError('EPROVIDER', `cannot sync outlook account ${this.d.name}: graph returned a malformed link`);
    }
    if (u.origin !== this.origin) throw new OfferwatchError('EPROVIDER', `cannot sync outlook account ${this.d.name}: graph returned a link to another host (${u.host})`);
    return link;
  }

  private failure(e: unknown, action: string): unknown {
    if (e instanceof OfferwatchError) return e;
    if (e instanceof GraphError) {
      if (e.code === 'OfferwatchError' || e.code === 'ProviderError') {
        const auth = this.d.tokens.lastError;
        if (auth) return auth;
      }
      const network = e.code === 'NetworkFailure' || e.statusCode === -1 || !e.statusCode;
      const status = network ? null : e.statusCode;
      const retryAfter = retryAfterSeconds(headerRecord(e.headers)?.get('retry-after'), this.d.now());
      return classify({ status, graphCode: network ? null : e.code }, retryAfter, { action, reauth: this.d.reauth });
    }
    return e;
  }

  /** One attempt of one request; a 401 (a token revoked before its expiry) is tried once more with a fresh token. */
  async once<T>(action: string, method: 'GET' | 'POST' | 'PATCH', path: string, opts: CallOpts = {}): Promise<T> {
    try {
      return await this.attempt<T>(action, method, path, opts);
    } catch (e) {
      if (!(e instanceof ProviderError) || e.status !== 401 || !this.d.tokens.invalidate) throw e;
      this.d.tokens.invalidate();
      return await this.attempt<T>(action, method, path, opts);
    }
  }

  private async attempt<T>(action: string, method: 'GET' | 'POST' | 'PATCH', path: string, opts: CallOpts): Promise<T> {
    try {
      const req = this.client.api(path).headers(opts.headers ?? {});
      if (opts.query?.filter) req.filter(opts.query.filter);
      if (opts.query?.select) req.select(opts.query.select);
      if (opts.query?.expand) req.expand(opts.query.expand);
      if (method === 'GET') return (await req.get()) as T;
      if (method === 'PATCH') return (await req.patch(opts.body ?? {})) as T;
      return (await req.post(opts.body ?? {})) as T;
    } catch (e) {
      throw this.failure(e, action);
    }
  }

  /** An idempotent request, retried on rate limits and transient failures. */
  call<T>(action: string, method: 'GET' | 'PATCH', path: string, opts: CallOpts = {}): Promise<T> {
    return this.d.retry.run(action, () => this.once<T>(action, method, path, opts));
  }

  /**
   * Runs the requests in JSON batches of up to 20 (one HTTP request each). Items answered
   * 429/503/504 (or any 5xx) are sent again after their Retry-After; other answers are returned
   * as they are, for the caller to judge. Only idempotent requests belong here.
   */
  async batch<T = unknown>(action: string, requests: SubRequest[]): Promise<Map<string, SubResponse<T>>> {
    const out = new Map<string, SubResponse<T>>();
    let pending = requests;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const retryable: SubRequest[] = [];
      let worst: ProviderError | null = null;
      const chunks: SubRequest[][] = [];
      for (let i = 0; i < pending.length; i += BATCH_LIMIT) chunks.push(pending.slice(i, i + BATCH_LIMIT));
      await Promise.all(
        chunks.map(async (chunk) => {
          const body = { requests: chunk.map((r) => ({ id: r.id, method: r.method, url: r.url, ...(r.headers ? { headers: r.headers } : {}), ...(r.body !== undefined ? { body: r.body, headers: { 'content-type': 'application/json', ...r.headers } } : {}) })) };
          const res = await this.d.retry.run(action, () => this.once<{ responses?: SubResponse<T>[] }>(action, 'POST', '/$batch', { body }));
          const byId = new Map((res.responses ?? []).map((r) => [String(r.id), r]));
          for (const r of chunk) {
            const sub = byId.get(r.id);
            const status = sub?.status ?? 0;
            if (sub && (status < 500 && status !== 429)) {
              out.set(r.id, sub);
              continue;
            }
            const headers = Object.fromEntries(Object.entries(sub?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
            const code = (sub?.body as { error?: { code?: string } } | undefined)?.error?.code ?? null;
            const err = classify({ status: sub ? status : null, graphCode: code }, retryAfterSeconds(headers['retry-after'], this.d.now()), { action, reauth: this.d.reauth });
            if (!worst || (err.retryAfter ?? 0) > (worst.retryAfter ?? 0)) worst = err;
            if (sub) out.set(r.id, sub);
            retryable.push(r);
          }
        }),
      );
      if (retryable.length === 0) break;
      const wait = worst ? this.d.retry.delay(worst, attempt) : null;
      if (wait === null) break; // the last answers stay in `out`
      this.d.retry.retries++;
      this.d.log?.(`outlook ${this.d.name}: ${retryable.length} batch item(s) answered ${worst!.status ?? 'nothing'}${worst!.reason ? ` (${worst!.reason})` : ''}; again in ${wait} ms`);
      await this.d.retry.sleep(wait);
      pending = retryable;
    }
    return out;
  }

  /** A batch item's failure as an error (for callers that need the item to have succeeded). */
  itemError(action: string, sub: SubResponse | undefined): ProviderError {
    const code = (sub?.body as { error?: { code?: string } } | undefined)?.error?.code ?? null;
    const headers = Object.fromEntries(Object.entries(sub?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    return classify({ status: sub ? sub.status : null, graphCode: code }, retryAfterSeconds(headers['retry-after'], this.d.now()), { action, reauth: this.d.reauth });
  }
}
