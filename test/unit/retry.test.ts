/** net/retry: the one retry implementation (backoff, Retry-After, createOnce), on an injected sleep. */
import { describe, expect, it } from 'vitest';
import { backoffDelay, createOnce, DEFAULT_RETRY, parseRetryAfter, retryDelay, seededRandom, withRetry } from '../../src/net/retry.js';
import { OfferwatchError, ProviderError } from '../../src/errors.js';
import { classifyGmailError } from '../../src/connectors/gmail/http.js';

const transient = (status = 503, retryAfter?: number) => new ProviderError('ETRANSIENT', `cannot x: HTTP ${status}`, { status, retryAfter });
const recorder = () => {
  const sleeps: number[] = [];
  return { sleeps, deps: { sleep: async (ms: number) => void sleeps.push(ms), random: seededRandom(7) } };
};

describe('backoff and Retry-After', () => {
  it('equal jitter, capped, seeded: the same seed gives the same waits', () => {
    expect(backoffDelay(1, () => 0)).toBe(500);
    expect(backoffDelay(2, () => 1)).toBe(2000);
    expect(backoffDelay(30, () => 1)).toBe(DEFAULT_RETRY.maxDelayMs);
    const a = seededRandom(42);
    const b = seededRandom(42);
    const waits = (r: () => number) => [1, 2, 3, 4].map((n) => backoffDelay(n, r));
    expect(waits(a)).toEqual(waits(b));
  });

  it('reads Retry-After as seconds or an HTTP date (against the response Date, else the injected now)', () => {
    const now = Date.parse('2026-12-07T10:00:00Z');
    expect(parseRetryAfter('120', null, now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 07 Dec 2026 10:00:30 GMT', null, now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 07 Dec 2026 10:00:30 GMT', 'Mon, 07 Dec 2026 10:00:20 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Mon, 07 Dec 2026 09:00:00 GMT', null, now)).toBe(0);
    expect(parseRetryAfter('soon', null, now)).toBeUndefined();
    expect(parseRetryAfter(null, null, now)).toBeUndefined();
  });

  it('retries only what says it is retryable, honours Retry-After up to the cap, stops at maxAttempts', () => {
    const r = () => 0.5;
    expect(retryDelay(transient(503, 7), 1, DEFAULT_RETRY, r)).toBe(7000);
    expect(retryDelay(transient(503, 3600), 1, DEFAULT_RETRY, r)).toBeNull();
    expect(retryDelay(transient(), DEFAULT_RETRY.maxAttempts, DEFAULT_RETRY, r)).toBeNull();
    expect(retryDelay(new ProviderError('EPROVIDER', 'x', { status: 400 }), 1, DEFAULT_RETRY, r)).toBeNull();
    expect(retryDelay(new ProviderError('ERATELIMIT', 'daily', { status: 403, reason: 'dailyLimitExceeded', retryable: false }), 1, DEFAULT_RETRY, r)).toBeNull();
    expect(retryDelay(new OfferwatchError('ETRANSIENT', 'not a provider error'), 1, DEFAULT_RETRY, r)).toBeNull();
  });
});

describe('withRetry', () => {
  it('waits on the injected sleep only, and gives up with the last error', async () => {
    const { sleeps, deps } = recorder();
    let calls = 0;
    const e = await withRetry(async () => {
      calls++;
      throw transient();
    }, { deps, policy: { maxAttempts: 3 } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect(calls).toBe(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]!).toBeGreaterThanOrEqual(1000);
  });
});

describe('createOnce: look the key up before retrying a write', () => {
  it('a lost answer: the write landed, the lookup finds it, no second write', async () => {
    const { sleeps, deps } = recorder();
    const store = new Set<string>();
    let creates = 0;
    const r = await createOnce({
      find: async () => (store.has('k') ? 'k' : null),
      create: async () => {
        creates++;
        store.add('k'); // it reached the server…
        throw transient(502); // …but the answer was lost
      },
      deps,
    });
    expect(r).toBe('k');
    expect(creates).toBe(1);
    expect(sleeps).toHaveLength(1);
  });

  it('found before the first write: nothing is written; a conflict means look it up', async () => {
    const { deps } = recorder();
    let creates = 0;
    expect(await createOnce({ find: async () => 'there', create: async () => String(++creates), deps })).toBe('there');
    expect(creates).toBe(0);
    let exists = false;
    const r = await createOnce({
      skipFirstFind: true,
      find: async () => (exists ? 'id-1' : null),
      create: async () => {
        exists = true;
        throw new ProviderError('EPROVIDER', 'conflict', { status: 409 });
      },
      exists: (e) => e instanceof ProviderError && e.status === 409,
      deps,
    });
    expect(r).toBe('id-1');
  });

  it('a permanent failure is not retried', async () => {
    const { sleeps, deps } = recorder();
    const e = await createOnce({ find: async () => null, create: async () => { throw new ProviderError('EPROVIDER', 'bad', { status: 400 }); }, deps }).catch((x: unknown) => x);
    expect((e as ProviderError).status).toBe(400);
    expect(sleeps).toEqual([]);
  });
});

describe('typed provider errors', () => {
  it('gmail failures carry status, reason and retryAfter as fields, and no SDK error as cause', () => {
    const clock = { now: () => new Date('2026-12-07T10:00:00Z') };
    const sdkError = { response: { status: 403, data: { error: { errors: [{ reason: 'userRateLimitExceeded' }] } }, headers: { 'retry-after': '9' } }, config: { headers: { Authorization: 'Bearer SECRET' } } };
    const e = classifyGmailError(sdkError, { method: 'messages.list', action: 'sync gmail account p', name: 'p', clock }) as ProviderError;
    expect(e).toBeInstanceOf(ProviderError);
    expect([e.code, e.status, e.reason, e.retryAfter, e.retryable]).toEqual(['ERATELIMIT', 403, 'userRateLimitExceeded', 9, true]);
    expect(e.cause).toBeUndefined();
    const daily = classifyGmailError({ response: { status: 403, data: { error: { errors: [{ reason: 'dailyLimitExceeded' }] } } } }, { method: 'messages.list', action: 'a', name: 'p', clock }) as ProviderError;
    expect([daily.code, daily.retryable]).toEqual(['ERATELIMIT', false]);
  });
});
