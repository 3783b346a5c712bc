/**
 * Graph failures → OfferwatchError, and the small retry loop the connector uses until the
 * shared retry helper lands (kept in this one file so it is easy to swap).
 * Retried: 429, 503 and 504 (waiting `Retry-After` when given), other 5xx and lost answers
 * with exponential backoff and jitter. Writes that are not idempotent are never retried here;
 * their callers look the result up first.
 */
import { OfferwatchError, type ErrorCode } from '../../errors.js';

/** What we keep of a failed request: no headers, no body text beyond the error code. */
export interface GraphFailure {
  status: number | null;
  /** Graph's `error.code`, e.g. `SyncStateNotFound`, `ErrorItemNotFound`, `ApplicationThrottled`. */
  graphCode: string | null;
}

export class GraphCallError extends OfferwatchError {
  readonly status: number | null;
  readonly graphCode: string | null;
  constructor(code: ErrorCode, message: string, f: GraphFailure, retryAfter?: number) {
    super(code, message, { retryAfter });
    this.name = 'GraphCallError';
    this.status = f.status;
    this.graphCode = f.graphCode;
  }
}

const EXPIRED_CODES = new Set(['syncstatenotfound', 'resyncrequired', 'syncstateinvalid', 'invaliddeltatoken']);

export function retryAfterSeconds(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** One failure, from its status, Graph error code and Retry-After header. */
export function classify(f: GraphFailure, retryAfter: number | undefined, ctx: { action: string; reauth: string }): GraphCallError {
  const what = `graph answered ${f.status ?? 'nothing'}${f.graphCode ? ` (${f.graphCode})` : ''}`;
  const make = (code: ErrorCode, msg: string) => new GraphCallError(code, `cannot ${ctx.action}: ${msg}`, f, retryAfter);
  const lower = (f.graphCode ?? '').toLowerCase();
  if (f.status === null) return make('ETRANSIENT', `${what} (network failure)`);
  if (f.status === 410 || EXPIRED_CODES.has(lower)) return make('ECURSOR', 'the stored delta token has expired; a resync is needed');
  if (f.status === 429) return make('ERATELIMIT', what);
  if (f.status === 401) return make('EAUTH', `${what}; run \`${ctx.reauth}\``);
  if (f.status === 403 && lower === 'erroraccessdenied') return make('EAUTH', `${what}; the granted permissions are not enough, run \`${ctx.reauth}\``);
  if (f.status === 404) return make('ENOTFOUND', what);
  if (f.status >= 500) return make('ETRANSIENT', what);
  return make('EPROVIDER', what);
}

export function isRetryable(e: unknown): e is GraphCallError {
  return e instanceof GraphCallError && (e.code === 'ERATELIMIT' || e.code === 'ETRANSIENT');
}

export interface RetryOptions {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  log: (line: string) => void;
  /** Source name for log lines. */
  name: string;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited out: the error goes up. Default 120 s. */
  maxRetryAfterMs?: number;
}

export class Retry {
  readonly maxAttempts: number;
  retries = 0;
  constructor(private readonly o: RetryOptions) {
    this.maxAttempts = o.maxAttempts ?? 5;
  }

  /** Whether failure `e` of attempt `attempt` (1-based) may be retried. */
  canRetry(e: unknown, attempt: number): e is GraphCallError {
    if (!isRetryable(e) || attempt >= this.maxAttempts) return false;
    return e.retryAfter === undefined || e.retryAfter * 1000 <= (this.o.maxRetryAfterMs ?? 120_000);
  }

  /** Retry-After when given, else 2^(n-1)·base with equal jitter. */
  delayFor(attempt: number, e: GraphCallError): number {
    if (e.retryAfter !== undefined) return e.retryAfter * 1000;
    const exp = Math.min(this.o.maxDelayMs ?? 32_000, (this.o.baseDelayMs ?? 1000) * 2 ** (attempt - 1));
    return Math.round(exp / 2 + this.o.random() * (exp / 2));
  }

  async wait(attempt: number, e: GraphCallError, what: string): Promise<void> {
    const ms = this.delayFor(attempt, e);
    this.retries++;
    this.o.log(`outlook ${this.o.name}: ${what} answered ${e.status ?? 'nothing'}${e.graphCode ? ` (${e.graphCode})` : ''}; retry ${attempt}/${this.maxAttempts - 1} in ${ms} ms`);
    await this.o.sleep(ms);
  }

  /** Runs an idempotent call, retrying rate limits and transient failures. */
  async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!this.canRetry(e, attempt)) throw e;
        await this.wait(attempt, e, what);
      }
    }
  }
}
