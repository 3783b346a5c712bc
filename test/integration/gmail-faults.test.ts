/**
 * Rate limits, server errors and network failures injected by the emulator: retried
 * with backoff on the injected sleep (Retry-After honoured), classified by status and
 * JSON reason, and the per-account quota bucket keeping any minute under budget.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OfferwatchError } from '../../src/errors.js';
import { EMULATOR_UNITS } from '../emulators/gmail/server.js';
import { drain, startHarness, type Harness } from '../emulators/gmail/harness.js';

let h: Harness;
afterEach(async () => {
  expect(h.emu.counters.sendAttempts).toBe(0);
  await h.close();
});

const statuses = (method: string) => h.emu.counters.log.filter((l) => l.method === method).map((l) => l.status);

async function syncError(): Promise<OfferwatchError> {
  try {
    await drain(h.connector.reader, null, h.options());
  } catch (e) {
    expect(e).toBeInstanceOf(OfferwatchError);
    return e as OfferwatchError;
  }
  throw new Error('sync did not fail');
}

describe('gmail faults', () => {
  it('waits as long as Retry-After says after a 429, then goes on', async () => {
    h = await startHarness();
    h.emu.fail({ method: 'messages.list', status: 429, retryAfter: 7 });
    const r = await drain(h.connector.reader, null, h.options());
    expect(statuses('messages.list')).toEqual([429, 200]);
    expect(h.sleeps[0]).toBe(7000);
    expect(r.messages.length).toBe(24); // the demo mailbox's whole backfill
    expect(h.connector.counters.retries).toBe(1);
    expect(h.logs.some((l) => l.includes('messages.list answered 429'))).toBe(true);
  });

  it('backs off exponentially with jitter on 500s', async () => {
    h = await startHarness({ cfg: { quotaUnitsPerMinute: 1_000_000 } });
    h.emu.fail({ method: 'threads.get', status: 500, times: 3 });
    await drain(h.connector.reader, null, h.options());
    expect(statuses('threads.get').slice(0, 4)).toEqual([500, 500, 500, 200]);
    const waits = h.sleeps.slice(0, 3);
    expect(h.sleeps).toHaveLength(3);
    expect(waits[0]).toBeGreaterThanOrEqual(500);
    expect(waits[0]).toBeLessThanOrEqual(1000);
    expect(waits[1]).toBeGreaterThanOrEqual(1000);
    expect(waits[1]).toBeLessThanOrEqual(2000);
    expect(waits[2]).toBeGreaterThanOrEqual(2000);
    expect(waits[2]).toBeLessThanOrEqual(4000);
  });

  it('retries 403 rateLimitExceeded and userRateLimitExceeded, by JSON reason', async () => {
    h = await startHarness();
    const cursor = (await drain(h.connector.reader, null, h.options())).cursor;
    h.emu.counters.reset();
    h.emu.fail({ method: 'history.list', status: 403, reason: 'rateLimitExceeded' });
    h.emu.fail({ method: 'history.list', status: 403, reason: 'userRateLimitExceeded' });
    const r = await drain(h.connector.reader, cursor, h.options());
    expect(statuses('history.list')).toEqual([403, 403, 200]);
    expect(r.batches).toHaveLength(1);
  });

  it('does not retry a plain 403 and reports it as a provider error', async () => {
    h = await startHarness();
    h.emu.fail({ method: 'getProfile', status: 403, reason: 'forbidden' });
    const e = await syncError();
    expect(e.code).toBe('EPROVIDER');
    expect(e.message).toBe('cannot sync gmail account personal: gmail getProfile answered 403 (forbidden)');
    expect(statuses('getProfile')).toEqual([403]);
  });

  it('gives up after five attempts with ETRANSIENT', async () => {
    h = await startHarness();
    h.emu.fail({ method: 'getProfile', status: 503, times: 10 });
    const e = await syncError();
    expect(e.code).toBe('ETRANSIENT');
    expect(statuses('getProfile')).toHaveLength(5);
    expect(e.message).not.toContain(h.tokens.access_token);
  });

  it('gives up on a long rate limit with ERATELIMIT and the server’s Retry-After', async () => {
    h = await startHarness();
    h.emu.fail({ method: 'getProfile', status: 429, retryAfter: 30, times: 10 });
    const e = await syncError();
    expect(e.code).toBe('ERATELIMIT');
    expect(e.retryAfter).toBe(30);
  });

  it('does not wait out a Retry-After longer than a minute inside a sync', async () => {
    h = await startHarness();
    h.emu.fail({ method: 'getProfile', status: 429, retryAfter: 3600 });
    const e = await syncError();
    expect(e.code).toBe('ERATELIMIT');
    expect(e.retryAfter).toBe(3600);
    expect(statuses('getProfile')).toEqual([429]);
    expect(h.sleeps).toEqual([]);
  });

  it('retries a connection reset (no answer at all)', async () => {
    h = await startHarness();
    h.emu.fail({ method: 'messages.get', kind: 'reset' });
    const r = await drain(h.connector.reader, null, h.options());
    expect(statuses('messages.get')[0]).toBe(-1);
    expect(r.failures).toEqual([]);
  });

  it('keeps every minute under quotaUnitsPerMinute with the token bucket', async () => {
    h = await startHarness({ cfg: { quotaUnitsPerMinute: 120 } });
    await drain(h.connector.reader, null, h.options());
    const log = h.emu.counters.log;
    expect(h.connector.counters.throttledMs).toBeGreaterThan(0);
    for (let i = 0; i < log.length; i++) {
      let units = 0;
      for (let j = i; j < log.length && log[j].at < log[i].at + 60_000; j++) units += EMULATOR_UNITS[log[j].method];
      expect(units).toBeLessThanOrEqual(120);
    }
    // Our counters agree with the emulator's accounting.
    expect(h.connector.counters.totalUnits).toBe(h.emu.counters.totalUnits());
    expect(h.connector.counters.totalRequests).toBe(h.emu.counters.totalCalls());
  });
});
