/**
 * Graph failures → ProviderError (typed `status` and Graph's `error.code` as `reason`), and the
 * connector's use of the shared retry helper (src/net/retry.ts): 429, 503 and 504 wait out
 * `Retry-After` (up to two minutes), other 5xx and lost answers back off with seeded jitter.
 * Writes that are not idempotent go through `createOnce`, which looks the result up first.
 */
import { ProviderError, type ErrorCode } from '../../errors.js';
import { parseRetryAfter, retryDelay, withRetry, createOnce, DEFAULT_RETRY, type RetryPolicy } from '../../net/retry.js';

/** What we keep of a failed request: no headers, no body text beyond the error code. */
export interface GraphFailure {
  status: number | null;
  /** Graph's `error.code`, e.g. `SyncStateNotFound`, `ErrorItemNotFound`, `ApplicationThrottled`. */
  graphCode: string | null;
}

const EXPIRED_CODES = new Set(['syncstatenotfound', 'resyncrequired', 'syncstateinvalid', 'invaliddeltatoken']);

/** Seconds a Retry-After header asks for (delta-seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(value: string | null | undefined, now: Date): number | undefined {
  const ms = parseRetryAfter(value, null, now.getTime());
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
}

/** One failure, from its status, Graph error code and Retry-After. */
export function classify(f: GraphFailure, retryAfter: number | undefined, ctx: { action: string; reauth: string }): ProviderError {
  const what = `graph answered ${f.status ?? 'nothing'}${f.graphCode ? ` (${f.graphCode})` : ''}`;
  const make = (code: ErrorCode, msg: string) => new ProviderError(code, `cannot ${ctx.action}: ${msg}`, { status: f.status, reason: f.graphCode, retryAfter });
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

export interface RetryOptions {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  log: (line: string) => void;
  /** Source name for log lines. */
  name: string;
  policy?: Partial<RetryPolicy>;
}

/** The shared helper, with this connector's policy, log lines and retry counter. */
export class Retry {
  retries = 0;
  private readonly policy: RetryPolicy;
  constructor(private readonly o: RetryOptions) {
    this.policy = { ...DEFAULT_RETRY, maxRetryAfterMs: 120_000, ...o.policy };
  }

  private onRetry(what: string) {
    return (e: ProviderError, attempt: number, ms: number) => {
      this.retries++;
      this.o.log(`outlook ${this.o.name}: ${what} answered ${e.status ?? 'nothing'}${e.reason ? ` (${e.reason})` : ''}; retry ${attempt}/${this.policy.maxAttempts - 1} in ${ms} ms`);
    };
  }

  /** The wait before retry `attempt` after `e`, or null when `e` must go up. */
  delay(e: unknown, attempt: number): number | null {
    return retryDelay(e, attempt, this.policy, this.o.random);
  }

  async sleep(ms: number): Promise<void> {
    await this.o.sleep(ms);
  }

  /** An idempotent call, retried on rate limits and transient failures. */
  run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(() => fn(), { policy: this.policy, deps: this.o, onRetry: this.onRetry(what) });
  }

  /** A write that must not happen twice: look up, create, and after a failure look up again before retrying. */
  once<T>(what: string, find: () => Promise<T | null>, create: () => Promise<T>): Promise<T> {
    return createOnce({
      skipFirstFind: true,
      find,
      create,
      policy: this.policy,
      deps: this.o,
      onRetry: (e, attempt, ms) => {
        this.onRetry(what)(e, attempt, ms);
        this.o.log(`outlook ${this.o.name}: looking the draft up by key before trying ${what} again`);
      },
    });
  }
}
