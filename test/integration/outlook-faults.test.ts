/**
 * Throttling, faults and sign-in against the Graph emulator: Retry-After on 429/503/504 (in
 * $batch items and whole requests), at most 4 requests in flight (the emulator answers a fifth
 * with 429), the token cache 0600 in a 0700 dir and saved when MSAL rotates the refresh token,
 * a revoked sign-in stopping the account with the exact command, and a registration that
 * grants Mail.Send refused.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { request } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { drain } from '../emulators/gmail/harness.js';
import { startGraphHarness, type GraphHarness } from '../emulators/graph/harness.js';
import { outlookConnector, tokenFileOf } from '../../src/connectors/outlook/index.js';
import { isOfferwatchError } from '../../src/errors.js';

let h: GraphHarness | null = null;
afterEach(async () => {
  if (h) expect(h.emu.counters.sendAttempts).toBe(0);
  await h?.close();
  h = null;
});

const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('outlook throttling and faults (emulated Graph)', () => {
  it('honours Retry-After on a throttled $batch item and on a 503 for the whole batch', async () => {
    h = await startGraphHarness();
    h.emu.fault({ route: 'delta', status: 429, code: 'ApplicationThrottled', retryAfter: 7 });
    h.emu.fault({ route: 'batch', status: 503, retryAfter: 3 });
    const out = await drain(h.connector.reader, null, h.options());
    expect(out.messages.length).toBeGreaterThan(10);
    expect(h.sleeps).toContain(7000);
    expect(h.sleeps).toContain(3000);
    expect(h.connector.retries()).toBeGreaterThanOrEqual(2);
  });

  it('retries 504 and dropped connections on reads; gives up with a one-line error after the last attempt', async () => {
    h = await startGraphHarness();
    h.emu.fault({ route: 'batch', status: 504 });
    h.emu.fault({ route: 'batch', kind: 'reset' });
    const out = await drain(h.connector.reader, null, h.options());
    expect(out.messages.length).toBeGreaterThan(10);
    h.emu.fault({ route: 'batch', status: 500, times: 99 });
    const err = await drain(h.connector.reader, null, h.options()).catch((e: unknown) => e);
    expect(isOfferwatchError(err, 'ETRANSIENT')).toBe(true);
    expect((err as Error).message).toMatch(/^cannot sync outlook account work: graph answered 500/);
    h.emu.faults.clear();
  });

  it('never has more than 4 requests in flight; the emulator answers a fifth with 429', async () => {
    h = await startGraphHarness();
    const thread = { threadId: 't', providerThreadId: 't', messages: [] };
    const release = h.emu.hold();
    const lookups = Array.from({ length: 8 }, (_, i) => h!.connector.drafts!.findDraftByKey(thread, `key-${i}`));
    while (h.emu.inFlight() < 4) await ticks(1);
    await ticks(50);
    expect(h.emu.inFlight()).toBe(4);
    // A fifth concurrent request from elsewhere with a valid token: refused with Retry-After.
    const token = JSON.parse(readFileSync(tokenFileOf(h.cfg, h.stateDir), 'utf8')) as { AccessToken: Record<string, { secret: string }> };
    const secret = Object.values(token.AccessToken)[0]!.secret;
    const fifth = await new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
      const req = request(`${h!.emu.baseUrl}/v1.0/me`, { ca: readFileSync(h!.emu.caFile), headers: { authorization: `Bearer ${secret}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(fifth).toEqual({ status: 429, retryAfter: '1' });
    release();
    expect(await Promise.all(lookups)).toEqual(Array(8).fill(null));
    expect(h.emu.counters.maxInFlight).toBe(4);
    expect(h.connector.counters.maxInFlight).toBe(4);
  });
});

describe('outlook sign-in (emulated device-code flow)', () => {
  it('stores the MSAL cache 0600 in a 0700 dir, saves it when the refresh token rotates, never logs a token', async () => {
    h = await startGraphHarness({ emulator: { accessTokenSeconds: 60 } });
    const file = tokenFileOf(h.cfg, h.stateDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    expect(h.logs.join('\n')).toMatch(/enter the code [0-9A-F]{8}/);
    const before = readFileSync(file, 'utf8');
    await drain(h.connector.reader, null, h.options());
    const after = readFileSync(file, 'utf8');
    expect(after).not.toBe(before); // MSAL refreshed (60 s tokens) and the new refresh token was saved
    const secrets = Object.values((JSON.parse(after) as { RefreshToken: Record<string, { secret: string }> }).RefreshToken).map((r) => r.secret);
    expect(secrets.length).toBe(1);
    for (const s of secrets) expect(h.logs.join('\n')).not.toContain(s);
  });

  it('a token Graph refuses before its expiry (401) is refreshed once and the request goes through', async () => {
    h = await startGraphHarness();
    h.emu.invalidateAccessTokens();
    const tokenRequests = h.emu.counters.tokenRequests;
    const out = await drain(h.connector.reader, null, h.options());
    expect(out.messages.length).toBeGreaterThan(10);
    expect(h.emu.counters.tokenRequests).toBe(tokenRequests + 1);
  });

  it('a revoked sign-in stops the account with the exact command to re-authorise', async () => {
    h = await startGraphHarness({ emulator: { accessTokenSeconds: 60 } });
    h.emu.revokeTokens();
    const err = await drain(h.connector.reader, null, h.options()).catch((e: unknown) => e);
    expect(isOfferwatchError(err, 'EAUTH')).toBe(true);
    expect((err as Error).message).toMatch(/^cannot sync outlook account work: the sign-in has expired or was revoked \(invalid_grant\); run `offerwatch auth outlook --account work`$/);
  });

  it('without a sign-in the account says which command to run', async () => {
    h = await startGraphHarness({ signIn: false });
    const err = await drain(h.connector.reader, null, h.options()).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/not signed in .*; run `offerwatch auth outlook --account work`$/);
  });

  it('refuses an app registration that grants Mail.Send', async () => {
    h = await startGraphHarness({ signIn: false, emulator: { extraScopes: ['Mail.Send'] } });
    const err = await outlookConnector.authorize!(h.cfg, { ...h.env, print: () => {} }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/grants mail\.send; remove that permission in Entra ID/i);
    const left = JSON.parse(readFileSync(tokenFileOf(h.cfg, h.stateDir), 'utf8')) as { RefreshToken: Record<string, unknown> };
    expect(Object.keys(left.RefreshToken)).toEqual([]);
  });
});
