/**
 * The one retry implementation for outgoing requests (Gmail, webhooks, and every connector to
 * come): exponential backoff with seeded jitter and a cap, Retry-After (delta-seconds or an HTTP
 * date) honoured up to a limit, and an injected sleep so that tests never wait on real time.
 * Writes that are not idempotent are never retried blindly: `createOnce` looks the result up
 * (by its idempotency key, or its name) before every new attempt.
 */
import { ProviderError } from '../errors.js';

export { seededRandom } from '../util/random.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Backoff before retry n is half of min(maxDelayMs, baseDelayMs·2^(n-1)) plus a random share of the other half. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited out: the error goes up with its `retryAfter` for a later cycle. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 32_000, maxRetryAfterMs: 60_000 };

export interface RetryDeps {
  /** Waits between attempts (tests: record and return at once). */
  sleep: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1): seeded, so runs are reproducible. */
  random: () => number;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Delay before retry number `attempt` (1 = after the first failure), "equal jitter":
 * half of min(cap, base·2^(attempt-1)) plus a random share of the other half.
 */
export function backoffDelay(attempt: number, random: () => number, baseMs = DEFAULT_RETRY.baseDelayMs, capMs = DEFAULT_RETRY.maxDelayMs): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(ceiling / 2 + (r * ceiling) / 2);
}

/**
 * Milliseconds a Retry-After header asks for: delta-seconds or an HTTP date. A date is measured
 * against `dateHeader` (the response's own Date, same server clock) when given, else `nowMs`
 * (the injected clock). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, dateHeader: string | null, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (!Number.isFinite(at)) return undefined;
  const ref = dateHeader === null ? NaN : Date.parse(dateHeader);
  return Math.max(0, at - (Number.isFinite(ref) ? ref : nowMs));
}

/** Whether trying again may help: a ProviderError that says so. */
export function isRetryable(e: unknown): e is ProviderError {
  return e instanceof ProviderError && e.retryable;
}

/** The wait before retry `attempt` after failure `e`, or null when `e` must go up instead. */
export function retryDelay(e: unknown, attempt: number, policy: RetryPolicy, random: () => number): number | null {
  if (!isRetryable(e) || attempt >= policy.maxAttempts) return null;
  if (e.retryAfter !== undefined) {
    const ms = e.retryAfter * 1000;
    return ms <= policy.maxRetryAfterMs ? ms : null;
  }
  return backoffDelay(attempt, random, policy.baseDelayMs, policy.maxDelayMs);
}

export interface RetryOptions {
  policy?: Partial<RetryPolicy>;
  deps: RetryDeps;
  /** Called before each wait (a log line, a counter). */
  onRetry?: (e: ProviderError, attempt: number, waitMs: number, policy: RetryPolicy) => void;
  /** Extra say on whether a failure is worth retrying (default: the error's own `retryable`). */
  canRetry?: (e: unknown, attempt: number) => boolean;
}

function policyOf(o: RetryOptions): RetryPolicy {
  return { ...DEFAULT_RETRY, ...o.policy };
}

/** Runs `op` until it succeeds or fails in a way retrying cannot help (for reads and idempotent writes). */
export async function withRetry<T>(op: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const policy = policyOf(o);
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (e) {
      const wait = o.canRetry && !o.canRetry(e, attempt) ? null : retryDelay(e, attempt, policy, o.deps.random);
      if (wait === null) throw e;
      o.onRetry?.(e as ProviderError, attempt, wait, policy);
      await o.deps.sleep(wait);
    }
  }
}

export interface CreateOnceOptions<T> extends RetryOptions {
  /** Looks the thing up (by idempotency key, or name); null when it does not exist. */
  find: () => Promise<T | null>;
  /** One attempt at creating it (never retried inside). */
  create: () => Promise<T>;
  /** Failures that mean "it exists already" (e.g. a 409 on a name): look it up instead, once. */
  exists?: (e: unknown) => boolean;
  /** Skip the first lookup (the caller has just done it). */
  skipFirstFind?: boolean;
}

/**
 * "Look the key up before retrying a write": find → create; after a failure that may have
 * reached the provider (a lost answer, a 5xx, a rate limit) wait, then find again before the
 * next create. A write is never repeated without first asking whether the last one landed.
 */
export async function createOnce<T>(o: CreateOnceOptions<T>): Promise<T> {
  const policy = policyOf(o);
  if (!o.skipFirstFind) {
    const existing = await o.find();
    if (existing !== null) return existing;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await o.create();
    } catch (e) {
      if (o.exists?.(e)) {
        const found = await o.find();
        if (found !== null) return found;
        throw e;
      }
      const wait = o.canRetry && !o.canRetry(e, attempt) ? null : retryDelay(e, attempt, policy, o.deps.random);
      if (wait === null) throw e;
      o.onRetry?.(e as ProviderError, attempt, wait, policy);
      await o.deps.sleep(wait);
      const found = await o.find();
      if (found !== null) return found;
    }
  }
}
