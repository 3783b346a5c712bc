/**
 * Installed-app OAuth for Gmail: a loopback redirect on 127.0.0.1 (ephemeral port),
 * PKCE (S256) and a random `state`, then tokens saved 0600. Refreshed tokens are saved
 * when the client issues them. Nothing here logs a token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { OfferwatchError } from '../../errors.js';
import type { Clock } from '../../clock.js';
import type { GmailSourceConfig } from './config.js';
import { mergeTokens, readTokens, saveTokens, tokenFileOf, type FreshTokens, type StoredTokens } from './tokens.js';

/**
 * The fewest scopes that read mail, create drafts and apply labels. `gmail.readonly`
 * cannot create drafts or labels; `gmail.compose` + `gmail.labels` still cannot read
 * message bodies; `gmail.modify` alone is accepted by every method we call
 * (messages/threads/history read, drafts.create, labels.create, threads.modify).
 * No Gmail scope allows drafts without also allowing send: the no-send rule is ours.
 */
export const GMAIL_SCOPES = [
  {
    scope: 'https://www.googleapis.com/auth/gmail.modify',
    reason: 'read job-search threads and their history, save reply drafts, and add or remove the reply-due label (no permanent deletion)',
  },
] as const;

/** The OAuth client type the connector accepts (kept inside the gmail folder). */
export type GmailAuthClient = OAuth2Client;

const AUTH_TIMEOUT_MS = 5 * 60_000;

/** Google's endpoints, or an emulator's when `rootUrl` is set (tests). */
export function oauthEndpoints(cfg: GmailSourceConfig): { oauth2TokenUrl?: string; oauth2AuthBaseUrl?: string } {
  if (!cfg.rootUrl) return {};
  const origin = new URL(cfg.rootUrl).origin;
  return { oauth2TokenUrl: `${origin}/token`, oauth2AuthBaseUrl: `${origin}/o/oauth2/v2/auth` };
}

export function createOAuthClient(cfg: GmailSourceConfig, redirectUri?: string): OAuth2Client {
  return new OAuth2Client({
    clientId: cfg.clientId,
    clientSecret: cfg.clientSecret,
    redirectUri,
    endpoints: oauthEndpoints(cfg),
  });
}

function notAuthorised(name: string, file: string): OfferwatchError {
  return new OfferwatchError('EAUTH', `cannot sync gmail account ${name}: no tokens at ${file}; run \`offerwatch auth gmail --account ${name}\``);
}

/**
 * An OAuth client holding the stored tokens. Tokens the client refreshes are merged
 * with the stored refresh token and written back at once.
 */
export function loadAuthorizedClient(opts: { cfg: GmailSourceConfig; stateDir: string; log: (line: string) => void; clock: Clock }): OAuth2Client {
  const { cfg, stateDir, log, clock } = opts;
  const file = tokenFileOf(cfg, stateDir);
  let stored: StoredTokens | null = readTokens(file, cfg.name);
  if (!stored) throw notAuthorised(cfg.name, file);
  const client = createOAuthClient(cfg);
  client.setCredentials({
    refresh_token: stored.refresh_token,
    access_token: stored.access_token,
    expiry_date: stored.expiry_date,
    scope: stored.scope,
    token_type: stored.token_type,
  });
  client.on('tokens', (fresh: FreshTokens) => {
    try {
      stored = mergeTokens(stored, fresh, clock.now());
      saveTokens(file, stored);
      log(`gmail ${cfg.name}: saved refreshed access token to ${file}`);
    } catch (e) {
      log(`gmail ${cfg.name}: cannot save refreshed tokens to ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  });
  return client;
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new OfferwatchError('EUSAGE', `cannot authorise gmail: cannot listen on 127.0.0.1:${port} (${e.code ?? 'error'})`)),
    );
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

const DONE_PAGE = '<!doctype html><meta charset="utf-8"><title>offerwatch</title><p>offerwatch is authorised. You can close this tab.</p>';
const FAIL_PAGE = '<!doctype html><meta charset="utf-8"><title>offerwatch</title><p>offerwatch was not authorised. See the terminal.</p>';

/** Waits for Google's redirect to the loopback server and returns the code. */
function waitForCode(server: Server, state: string, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new OfferwatchError('EAUTH', `cannot authorise gmail account ${name}: no answer from the browser within 5 minutes`)), AUTH_TIMEOUT_MS);
    timer.unref();
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const p = url.searchParams;
      if (!p.has('code') && !p.has('error')) {
        res.writeHead(404).end();
        return;
      }
      const finish = (ok: boolean, value: string | OfferwatchError) => {
        res.writeHead(ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', connection: 'close' }).end(ok ? DONE_PAGE : FAIL_PAGE);
        clearTimeout(timer);
        if (ok) resolve(value as string);
        else reject(value);
      };
      if (!sameString(p.get('state') ?? '', state)) {
        finish(false, new OfferwatchError('EAUTH', `cannot authorise gmail account ${name}: the answer did not carry this request's state; start again`));
      } else if (p.has('error')) {
        finish(false, new OfferwatchError('EAUTH', `cannot authorise gmail account ${name}: consent was not given (${p.get('error')})`));
      } else {
        finish(true, p.get('code') ?? '');
      }
    });
  });
}

/**
 * Runs the consent flow for one account and saves its tokens. `openUrl` gets the
 * consent address (a browser opener, or a test driver); without it the address is logged.
 */
export async function authorizeGmail(opts: {
  cfg: GmailSourceConfig;
  stateDir: string;
  log: (line: string) => void;
  openUrl?: (url: string) => void;
  port?: number;
  clock?: Clock;
}): Promise<void> {
  const { cfg, log } = opts;
  const now = () => opts.clock?.now() ?? new Date();
  const server = createServer();
  try {
    const port = await listen(server, opts.port ?? 0);
    const redirectUri = `http://127.0.0.1:${port}`;
    const client = createOAuthClient(cfg, redirectUri);
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const state = randomBytes(24).toString('base64url');
    const url = client.generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      scope: GMAIL_SCOPES.map((s) => s.scope),
      state,
      code_challenge: codeChallenge,
      code_challenge_method: CodeChallengeMethod.S256,
      ...(cfg.account && cfg.account.includes('@') ? { login_hint: cfg.account } : {}),
    });
    const codePromise = waitForCode(server, state, cfg.name);
    if (opts.openUrl) opts.openUrl(url);
    else log(`Open this address in a browser to let offerwatch read mail and save drafts for ${cfg.name}:\n${url}`);
    const code = await codePromise;
    let fresh: FreshTokens;
    try {
      fresh = (await client.getToken({ code, codeVerifier, redirect_uri: redirectUri })).tokens;
    } catch (e) {
      const data = (e as { response?: { data?: { error?: unknown } } }).response?.data;
      const why = typeof data?.error === 'string' ? data.error : 'no answer';
      throw new OfferwatchError('EAUTH', `cannot authorise gmail account ${cfg.name}: the token exchange failed (${why})`, { cause: { oauthError: why } });
    }
    const granted = (fresh.scope ?? '').split(/\s+/);
    const missing = GMAIL_SCOPES.filter((s) => !granted.includes(s.scope)).map((s) => s.scope);
    if (fresh.scope && missing.length > 0) {
      throw new OfferwatchError('EAUTH', `cannot authorise gmail account ${cfg.name}: consent did not grant ${missing.join(', ')}; start again and allow all requested access`);
    }
    const file = tokenFileOf(cfg, opts.stateDir);
    let stored: StoredTokens | null = null;
    try {
      stored = readTokens(file, cfg.name);
    } catch {
      stored = null; // an unreadable old file is what re-authorising replaces
    }
    saveTokens(file, mergeTokens(stored, fresh, now()));
    log(`gmail account ${cfg.name} authorised; tokens saved to ${file}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
