/**
 * Gmail OAuth against the emulator's token and consent endpoints: the loopback consent
 * flow with PKCE and state, refreshed tokens saved 0600 in a 0700 directory, revoked
 * grants turned into EAUTH with the re-auth command, and tokens kept out of logs.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { authorizeGmail, createGmailConnector, GMAIL_SCOPES, gmailSourceSchema } from '../../src/connectors/gmail/connector.js';
import { OfferwatchError } from '../../src/errors.js';
import { drain, startHarness, type Harness } from '../emulators/gmail/harness.js';

let h: Harness;
afterEach(async () => {
  expect(h.emu.counters.sendAttempts).toBe(0);
  await h.close();
});

const mode = (p: string) => statSync(p).mode & 0o777;
const REAUTH = 'cannot sync gmail account personal: the authorisation was revoked or has expired; run `offerwatch auth gmail --account personal`';

function stored(): Record<string, unknown> {
  return JSON.parse(readFileSync(h.tokenFile, 'utf8'));
}

async function failure(p: Promise<unknown>): Promise<OfferwatchError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(OfferwatchError);
  return e as OfferwatchError;
}

describe('gmail token refresh', () => {
  it('refreshes an expired access token and saves the new one, keeping the refresh token', async () => {
    h = await startHarness({ expiryDate: 1 });
    await drain(h.connector.reader, null, h.options());
    expect(h.emu.oauth.tokenRequests).toBe(1);
    const t = stored();
    expect(t.refresh_token).toBe(h.tokens.refresh_token);
    expect(t.access_token).not.toBe(h.tokens.access_token);
    expect(h.emu.oauth.accessTokens.has(t.access_token as string)).toBe(true);
    expect(t.expiry_date as number).toBeGreaterThan(Date.now());
    expect(mode(h.tokenFile)).toBe(0o600);
    expect(mode(dirname(h.tokenFile))).toBe(0o700);
    // No token value in any log line.
    for (const line of h.logs) {
      expect(line).not.toContain(h.tokens.refresh_token);
      expect(line).not.toContain(t.access_token as string);
    }
    expect(h.logs.some((l) => l.includes('saved refreshed access token'))).toBe(true);
  });

  it('refreshes once when an unexpired access token is refused with 401', async () => {
    h = await startHarness();
    h.emu.oauth.invalidateAccessTokens();
    const r = await drain(h.connector.reader, null, h.options());
    expect(r.messages.length).toBeGreaterThan(0);
    expect(h.emu.oauth.tokenRequests).toBe(1);
    expect(h.emu.counters.log[0]).toMatchObject({ method: 'getProfile', status: 401 });
    expect(stored().access_token).not.toBe(h.tokens.access_token);
  });

  it('turns invalid_grant into EAUTH with the re-auth command, and leaks no token', async () => {
    h = await startHarness({ expiryDate: 1 });
    h.emu.oauth.revoke(h.tokens.refresh_token);
    const e = await failure(drain(h.connector.reader, null, h.options()));
    expect(e.code).toBe('EAUTH');
    expect(e.message).toBe(REAUTH);
    const shown = `${inspect(e, { depth: 10 })} ${JSON.stringify(e.cause)} ${h.logs.join('\n')}`;
    expect(shown).not.toContain(h.tokens.refresh_token);
    expect(shown).not.toContain(h.tokens.access_token);
    expect(shown).not.toContain(h.emu.clientSecret);
  });

  it('turns a revoked grant found through a 401 into the same EAUTH', async () => {
    h = await startHarness();
    h.emu.oauth.invalidateAccessTokens();
    h.emu.oauth.revoke(h.tokens.refresh_token);
    const e = await failure(drain(h.connector.reader, null, h.options()));
    expect(e.code).toBe('EAUTH');
    expect(e.message).toBe(REAUTH);
  });

  it('says how to authorise when there is no token file', async () => {
    h = await startHarness();
    rmSync(h.tokenFile);
    const e = await failure(createGmailConnector(h.cfg, { stateDir: h.stateDir, log: () => {}, clock: h.clock }));
    expect(e.code).toBe('EAUTH');
    expect(e.message).toContain('run `offerwatch auth gmail --account personal`');
  });
});

describe('gmail consent flow', () => {
  /** Plays the browser: follows the consent page's redirect to our loopback server. */
  function browser(done: (status: number) => void, tamper?: (u: URL) => void) {
    return (url: string) => {
      void (async () => {
        const consent = await fetch(url, { redirect: 'manual' });
        const back = new URL(consent.headers.get('location')!);
        tamper?.(back);
        const res = await fetch(back);
        await res.text();
        done(res.status);
      })();
    };
  }

  it('authorises with PKCE and state over a loopback redirect and saves tokens 0600', async () => {
    h = await startHarness();
    const stateDir = mkdtempSync(join(tmpdir(), 'ow-auth-'));
    try {
      const cfg = gmailSourceSchema.parse({ ...h.cfg, account: 'sam.lee@example.net' });
      const logs: string[] = [];
      let browserSaw = 0;
      let consentUrl = '';
      await authorizeGmail({
        cfg,
        stateDir,
        log: (l) => logs.push(l),
        openUrl: (u) => {
          consentUrl = u;
          browser((s) => (browserSaw = s))(u);
        },
      });
      const q = new URL(consentUrl).searchParams;
      expect(q.get('code_challenge_method')).toBe('S256');
      expect(q.get('access_type')).toBe('offline');
      expect(q.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(q.get('state')!.length).toBeGreaterThanOrEqual(32);
      expect(h.emu.oauth.lastScopes).toEqual(GMAIL_SCOPES.map((s) => s.scope));
      const file = join(stateDir, 'tokens', 'gmail-sam.lee@example.net.json');
      expect(existsSync(file)).toBe(true);
      expect(mode(file)).toBe(0o600);
      expect(mode(join(stateDir, 'tokens'))).toBe(0o700);
      const t = JSON.parse(readFileSync(file, 'utf8'));
      expect(t.refresh_token).toMatch(/^1\/\/emu-/);
      for (const line of logs) {
        expect(line).not.toContain(t.refresh_token);
        expect(line).not.toContain(t.access_token);
      }
      await new Promise((r) => setTimeout(r, 0));
      expect(browserSaw).toBe(200);
      // The new tokens work.
      const c = await createGmailConnector(cfg, { stateDir, log: () => {}, clock: h.clock, sleep: async () => {} });
      const r = await drain(c.reader, null, h.options());
      expect(r.messages.length).toBeGreaterThan(0);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('refuses an answer that does not carry our state', async () => {
    h = await startHarness();
    const stateDir = mkdtempSync(join(tmpdir(), 'ow-auth-'));
    try {
      const e = await failure(
        authorizeGmail({ cfg: h.cfg, stateDir, log: () => {}, openUrl: browser(() => {}, (u) => u.searchParams.set('state', 'forged')) }),
      );
      expect(e.code).toBe('EAUTH');
      expect(e.message).toContain("did not carry this request's state");
      expect(existsSync(join(stateDir, 'tokens'))).toBe(false);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('reports a refused consent', async () => {
    h = await startHarness();
    const stateDir = mkdtempSync(join(tmpdir(), 'ow-auth-'));
    try {
      const e = await failure(
        authorizeGmail({
          cfg: h.cfg,
          stateDir,
          log: () => {},
          openUrl: browser(
            () => {},
            (u) => {
              u.searchParams.delete('code');
              u.searchParams.set('error', 'access_denied');
            },
          ),
        }),
      );
      expect(e.message).toBe('cannot authorise gmail account personal: consent was not given (access_denied)');
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
