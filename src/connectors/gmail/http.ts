/**
 * Every Gmail request goes through here: the quota bucket, retries with exponential
 * backoff and jitter (seeded random, injected sleep, Retry-After honoured), and the
 * one place where provider failures become ProviderErrors — code, status, reason and
 * retryAfter from the HTTP status and the JSON error `reason`, never from message text.
 * No cause is attached: the SDK's error carries request headers (tokens).
 */
import { OfferwatchError, ProviderError, type ErrorCode } from '../../errors.js';
import type { Clock } from '../../clock.js';
import { DEFAULT_RETRY, parseRetryAfter, retryDelay, withRetry, type RetryPolicy } from '../../net/retry.js';
import type { GmailMethod, QuotaMeter } from './quota.js';

export interface GmailHttpOptions {
  /** Source name, for messages. */
  name: string;
  quota: QuotaMeter;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  log: (line: string) => void;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited out inside a sync: the error goes up. Default 60 s. */
  maxRetryAfterMs?: number;
  /**
   * Called once per request after a 401: refresh the access token (which may have been
   * revoked before its expiry) so the request can be tried again.
   */
  refreshAuth?: () => Promise<void>;
}

export interface CallOptions {
  /** Retry rate limits and transient failures (reads and idempotent writes). Default true. */
  retry?: boolean;
}

const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);
const AUTH_REASONS = new Set(['authError', 'insufficientPermissions', 'ACCESS_TOKEN_SCOPE_INSUFFICIENT']);

interface HttpishError {
  response?: { status?: number; data?: unknown; headers?: unknown };
  config?: unknown;
  code?: unknown;
}

function asHttpish(e: unknown): HttpishError | null {
  if (typeof e !== 'object' || e === null) return null;
  if ('response' in e || 'config' in e) return e as HttpishError;
  return null;
}

function headerOf(headers: unknown, name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as Headers).get(name);
  const v = (headers as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : null;
}

function reasonOf(data: unknown): { reason: string | null; oauthError: string | null } {
  if (typeof data !== 'object' || data === null) return { reason: null, oauthError: null };
  const err = (data as { error?: unknown }).error;
  // OAuth token endpoint: { "error": "invalid_grant", "error_description": "…" }
  if (typeof err === 'string') return { reason: null, oauthError: err };
  if (typeof err === 'object' && err !== null) {
    const errors = (err as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const r = (errors[0] as { reason?: unknown }).reason;
      if (typeof r === 'string') return { reason: r, oauthError: null };
    }
    const details = (err as { details?: unknown }).details;
    if (Array.isArray(details)) {
      for (const d of details) {
        const r = (d as { reason?: unknown }).reason;
        if (typeof r === 'string') return { reason: r, oauthError: null };
      }
    }
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'string') return { reason: status, oauthError: null };
  }
  return { reason: null, oauthError: null };
}

/** Retry-After in whole seconds (an HTTP date measured against the injected clock). */
function retryAfterSeconds(value: string | null, clock: Clock): number | undefined {
  const ms = parseRetryAfter(value, null, clock.now().getTime());
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
}

export function reauthMessage(name: string): string {
  return `cannot sync gmail account ${name}: the authorisation was revoked or has expired; run \`offerwatch auth gmail --account ${name}\``;
}

/**
 * Turns any failure of a Gmail call (or of the token refresh inside it) into a ProviderError
 * (status, reason, retryAfter as fields). Errors that are neither HTTP nor network failures are
 * returned unchanged: they are bugs, not provider behaviour. Nothing of the SDK's error (it
 * carries request headers, i.e. tokens) is attached.
 */
export function classifyGmailError(e: unknown, ctx: { method: GmailMethod; action: string; name: string; clock: Clock }): unknown {
  if (e instanceof OfferwatchError) return e;
  const h = asHttpish(e);
  if (!h) return e;
  const status = typeof h.response?.status === 'number' ? h.response.status : null;
  const { reason, oauthError } = reasonOf(h.response?.data);
  const why = reason ?? oauthError;
  const make = (code: ErrorCode, message: string, retryAfter?: number, retryable?: boolean) => new ProviderError(code, message, { status, reason: why, retryAfter, retryable });
  const answered = `gmail ${ctx.method} answered ${status ?? 'nothing'}${reason ? ` (${reason})` : ''}`;

  if (status === null) return make('ETRANSIENT', `cannot ${ctx.action}: ${answered} (network failure)`);
  if (oauthError !== null) {
    if (oauthError === 'invalid_grant') return make('EAUTH', reauthMessage(ctx.name));
    if (oauthError === 'invalid_client' || oauthError === 'unauthorized_client') {
      return make('EAUTH', `cannot ${ctx.action}: Google rejected the OAuth client (${oauthError}); check clientId and clientSecret of source ${ctx.name}`);
    }
    if (status >= 500) return make('ETRANSIENT', `cannot ${ctx.action}: the token endpoint answered ${status}`);
    return make('EAUTH', `cannot ${ctx.action}: the token endpoint answered ${status} (${oauthError}); run \`offerwatch auth gmail --account ${ctx.name}\``);
  }
  const retryAfter = retryAfterSeconds(headerOf(h.response?.headers, 'retry-after'), ctx.clock);
  if (status === 429) return make('ERATELIMIT', `cannot ${ctx.action}: ${answered}`, retryAfter);
  if (status === 403 && reason !== null && RATE_REASONS.has(reason)) return make('ERATELIMIT', `cannot ${ctx.action}: ${answered}`, retryAfter);
  // A spent daily quota is a rate limit that no retry inside this cycle can get past.
  if (status === 403 && reason === 'dailyLimitExceeded') return make('ERATELIMIT', `cannot ${ctx.action}: ${answered}; the daily quota is spent`, retryAfter, false);
  if (status === 401) return make('EAUTH', reauthMessage(ctx.name));
  if (status === 403 && reason !== null && AUTH_REASONS.has(reason)) {
    return make('EAUTH', `cannot ${ctx.action}: ${answered}; the granted scopes are not enough, run \`offerwatch auth gmail --account ${ctx.name}\``);
  }
  if (status === 404 && ctx.method === 'history.list') {
    return make('ECURSOR', `cannot ${ctx.action}: gmail no longer keeps history from the stored point; a resync is needed`);
  }
  if (status === 404) return make('ENOTFOUND', `cannot ${ctx.action}: ${answered}`);
  if (status >= 500) return make('ETRANSIENT', `cannot ${ctx.action}: ${answered}`, retryAfter);
  return make('EPROVIDER', `cannot ${ctx.action}: ${answered}`);
}


export class GmailHttp {
  readonly policy: RetryPolicy;

  constructor(private readonly opts: GmailHttpOptions) {
    this.policy = {
      maxAttempts: opts.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
      baseDelayMs: opts.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
      maxDelayMs: opts.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
      maxRetryAfterMs: opts.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs,
    };
  }

  /** Sleep and jitter for net/retry helpers used by this account's writers. */
  get deps(): { sleep: (ms: number) => Promise<void>; random: () => number } {
    return { sleep: this.opts.sleep, random: this.opts.random };
  }

  /** One log line and one counted retry, the same for reads and writes. */
  noteRetry(method: GmailMethod, e: ProviderError, attempt: number, wait: number, what = 'retry'): void {
    this.opts.log(
      `gmail ${this.opts.name}: ${method} answered ${e.status ?? 'nothing'}${e.reason ? ` (${e.reason})` : ''}; ${what} ${attempt}/${this.policy.maxAttempts - 1} in ${wait} ms`,
    );
    this.opts.quota.counters.retries += 1;
  }

  /** The wait before retrying failure `e` of attempt `attempt`, or null when it must go up. */
  delayFor(e: unknown, attempt: number): number | null {
    return retryDelay(e, attempt, this.policy, this.opts.random);
  }

  /** One attempt: quota, request, classification. */
  async once<T>(method: GmailMethod, action: string, run: () => Promise<{ data: T }>): Promise<T> {
    await this.opts.quota.take(method);
    try {
      return (await run()).data;
    } catch (e) {
      throw classifyGmailError(e, { method, action, name: this.opts.name, clock: this.opts.clock });
    }
  }

  /** One attempt, after refreshing the access token once on a 401 (it may have been revoked before its expiry). */
  private async onceWithRefresh<T>(method: GmailMethod, action: string, run: () => Promise<{ data: T }>): Promise<T> {
    try {
      return await this.once(method, action, run);
    } catch (e) {
      if (!this.opts.refreshAuth || !(e instanceof ProviderError) || e.status !== 401) throw e;
      try {
        await this.opts.refreshAuth();
      } catch (re) {
        throw classifyGmailError(re, { method, action, name: this.opts.name, clock: this.opts.clock });
      }
      return this.once(method, action, run);
    }
  }

  /** Retries rate limits and transient failures (net/retry) unless `retry: false` (non-idempotent writes). */
  async call<T>(method: GmailMethod, action: string, run: () => Promise<{ data: T }>, opts: CallOptions = {}): Promise<T> {
    if (opts.retry === false) return this.onceWithRefresh(method, action, run);
    return withRetry(() => this.onceWithRefresh(method, action, run), {
      policy: this.policy,
      deps: this.deps,
      onRetry: (e, attempt, wait) => this.noteRetry(method, e, attempt, wait),
    });
  }
}
