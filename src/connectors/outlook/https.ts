/**
 * The one HTTPS transport of the Outlook connector, used by both the Graph client (as the
 * last middleware of its chain) and MSAL (as its network module):
 * - at most `maxConcurrent` requests in flight per mailbox (Outlook allows 4);
 * - counters of HTTP requests and bytes, for `bench:outlook` and tests;
 * - an optional extra certificate authority (tests: the emulator's self-signed one).
 * Request and response headers are never logged (they carry bearer tokens).
 */
import { request as httpsRequest, Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

export interface TransportCounters {
  /** HTTP requests sent (a $batch is one). */
  requests: number;
  /** Bytes of request bodies sent and of response bodies received. */
  bytesSent: number;
  bytesReceived: number;
  /** Most requests ever in flight at once. */
  maxInFlight: number;
}

export function newCounters(): TransportCounters {
  return { requests: 0, bytesSent: 0, bytesReceived: 0, maxInFlight: 0 };
}

/** Raised for a request that got no HTTP answer (reset, refused, timed out). */
export class NetworkFailure extends Error {
  constructor(readonly url: URL, readonly code: string) {
    super(`no answer from ${url.host} (${code})`);
    this.name = 'NetworkFailure';
  }
}

class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly max: number, private readonly onActive: (n: number) => void) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    this.onActive(this.active);
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface TransportOptions {
  maxConcurrent?: number;
  /** Extra PEM certificate authority to trust besides the system ones. */
  ca?: string;
  timeoutMs?: number;
}

export class HttpsTransport {
  readonly counters: TransportCounters = newCounters();
  private readonly limiter: Limiter;
  private readonly agent: Agent;
  private readonly timeoutMs: number;

  constructor(opts: TransportOptions = {}) {
    this.limiter = new Limiter(opts.maxConcurrent ?? 4, (n) => {
      if (n > this.counters.maxInFlight) this.counters.maxInFlight = n;
    });
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.maxConcurrent ?? 4, ...(opts.ca ? { ca: [...rootCertificates, opts.ca] } : {}) });
    this.timeoutMs = opts.timeoutMs ?? 120_000;
  }

  send(method: string, url: URL, headers: Record<string, string>, body?: string | Buffer): Promise<RawResponse> {
    if (url.protocol !== 'https:') return Promise.reject(new NetworkFailure(url, 'not https'));
    return this.limiter.run(
      () =>
        new Promise<RawResponse>((resolve, reject) => {
          const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
          const h: Record<string, string> = { ...headers };
          if (data) h['content-length'] = String(data.length);
          this.counters.requests += 1;
          this.counters.bytesSent += data?.length ?? 0;
          const req = httpsRequest(url, { method, headers: h, agent: this.agent, timeout: this.timeoutMs }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', (e: NodeJS.ErrnoException) => reject(new NetworkFailure(url, e.code ?? 'aborted')));
            res.on('aborted', () => reject(new NetworkFailure(url, 'aborted')));
            res.on('end', () => {
              const buf = Buffer.concat(chunks);
              this.counters.bytesReceived += buf.length;
              const out: Record<string, string> = {};
              for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
              resolve({ status: res.statusCode ?? 0, headers: out, body: buf });
            });
          });
          req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
          req.on('error', (e: NodeJS.ErrnoException) => reject(new NetworkFailure(url, e.code ?? 'error')));
          req.end(data);
        }),
    );
  }

  close(): void {
    this.agent.destroy();
  }

  /** The Graph client's last middleware: turns the prepared fetch request into an HTTPS call. */
  graphHandler(): Middleware {
    return {
      execute: async (context: Context): Promise<void> => {
        const req = context.request;
        const url = new URL(typeof req === 'string' ? req : req.url);
        const opts = context.options ?? {};
        const headers: Record<string, string> = {};
        const source = opts.headers ?? (typeof req === 'string' ? undefined : req.headers);
        if (source) new Headers(source as ConstructorParameters<typeof Headers>[0]).forEach((v, k) => (headers[k] = v));
        const body = typeof opts.body === 'string' ? opts.body : opts.body === undefined || opts.body === null ? undefined : String(opts.body);
        const raw = await this.send((opts.method ?? 'GET').toUpperCase(), url, headers, body);
        const nullBody = raw.status === 204 || raw.status === 304 || raw.status < 200;
        context.response = new Response(nullBody ? null : new Uint8Array(raw.body), { status: raw.status, headers: raw.headers });
      },
    };
  }

  /** MSAL's network module: the token and device-code endpoints over the same transport. */
  msalNetwork(): INetworkModule {
    const call = async <T>(method: string, url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
      const raw = await this.send(method, new URL(url), options?.headers ?? {}, options?.body);
      let body: unknown = {};
      try {
        body = raw.body.length ? JSON.parse(raw.body.toString('utf8')) : {};
      } catch {
        body = {};
      }
      return { status: raw.status, headers: raw.headers, body: body as T };
    };
    return {
      sendGetRequestAsync: (url, options) => call('GET', url, options),
      sendPostRequestAsync: (url, options) => call('POST', url, options),
    };
  }
}
