/**
 * Every Gmail request goes through here: the quota bucket, retries with exponential
 * backoff and jitter (seeded random, injected sleep, Retry-After honoured), and the
 * one place where provider failures become OfferwatchError codes — from the HTTP
 * status and the JSON error `reason`, never from message text. Causes attached to
 * our errors are plain summaries: the SDK's error carries request headers (tokens).
 */
import { OfferwatchError, type ErrorCode } from '../../errors.js';
import type { Clock } from '../../clock.js';
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

/** What we keep of a failed request: no headers, no body text. */
export interface FailureSummary {
  method: GmailMethod;
  status: number | null;
  reason: string | null;
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

function retryAfterSeconds(value: string | null, clock: Clock): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - clock.now().getTime()) / 1000));
}

export function reauthMessage(name: string): string {
  return `cannot sync gmail account ${name}: the authorisation was revoked or has expired; run \`offerwatch auth gmail --account ${name}\``;
}

/**
 * Turns any failure of a Gmail call (or of the token refresh inside it) into an
 * OfferwatchError. Errors that are neither HTTP nor network failures are returned
 * unchanged: they are bugs, not provider behaviour.
 */
export function classifyGmailError(e: unknown, ctx: { method: GmailMethod; action: string; name: string; clock: Clock }): unknown {
  if (e instanceof OfferwatchError) return e;
  const h = asHttpish(e);
  if (!h) return e;
  const status = typeof h.response?.status === 'number' ? h.response.status : null;
  const { reason, oauthError } = reasonOf(h.response?.data);
  const summary: FailureSummary = { method: ctx.method, status, reason: reason ?? oauthError };
  const make = (code: ErrorCode, message: string, retryAfter?: number) => new OfferwatchError(code, message, { cause: summary, retryAfter });
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
  if (status === 403 && reason === 'dailyLimitExceeded') return make('ERATELIMIT', `cannot ${ctx.action}: ${answered}; the daily quota is spent`, retryAfter);
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

/** Rate limits and transient failures, except a spent daily quota. */
export function retryable(e: unknown): e is OfferwatchError {
  return e instanceof OfferwatchError && (e.code === 'ERATELIMIT' || e.code === 'ETRANSIENT') && !(e.cause as FailureSummary | undefined)?.reason?.startsWith('daily');
}

export class GmailHttp {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;

  constructor(private readonly opts: GmailHttpOptions) {
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.baseDelayMs = opts.baseDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 32_000;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 60_000;
  }

  /** Whether failure `e` of attempt number `attempt` may be retried. */
  canRetry(e: unknown, attempt: number): e is OfferwatchError {
    if (!retryable(e) || attempt >= this.maxAttempts) return false;
    return e.retryAfter === undefined || e.retryAfter * 1000 <= this.maxRetryAfterMs;
  }

  /** Backoff before retry number `n` (1-based): Retry-After when given, else 2^(n-1)·base with equal jitter. */
  delayFor(n: number, e: OfferwatchError): number {
    if (e.retryAfter !== undefined) return e.retryAfter * 1000;
    const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (n - 1));
    return Math.round(exp / 2 + this.opts.random() * (exp / 2));
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

  /** Retries rate limits and transient failures unless `retry: false` (used for non-idempotent writes). */
  async call<T>(method: GmailMethod, action: string, run: () => Promise<{ data: T }>, opts: CallOptions = {}): Promise<T> {
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(method, action, run);
      } catch (e) {
        if (!refreshed && this.opts.refreshAuth && e instanceof OfferwatchError && (e.cause as FailureSummary | undefined)?.status === 401) {
          refreshed = true;
          attempt--;
          try {
            await this.opts.refreshAuth();
          } catch (re) {
            throw classifyGmailError(re, { method, action, name: this.opts.name, clock: this.opts.clock });
          }
          continue;
        }
        if (opts.retry === false || !this.canRetry(e, attempt)) throw e;
        const wait = this.delayFor(attempt, e);
        const summary = e.cause as FailureSummary;
        this.opts.log(
          `gmail ${this.opts.name}: ${method} answered ${summary.status ?? 'nothing'}${summary.reason ? ` (${summary.reason})` : ''}; retry ${attempt}/${this.maxAttempts - 1} in ${wait} ms`,
        );
        this.opts.quota.counters.retries += 1;
        await this.opts.sleep(wait);
      }
    }
  }
}
