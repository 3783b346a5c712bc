/**
 * Sign-in for Outlook: the OAuth device-code flow with the owner's own app registration
 * (a public client: no secret), through MSAL. MSAL's token cache is persisted by its cache
 * plugin to `<stateDir>/tokens/outlook-<account>.json` (0600, directory 0700), written
 * whenever MSAL changes it (a new or rotated refresh token). Nothing here logs a token.
 *
 * Scopes: Mail.ReadWrite (read mail, save drafts, set flags and categories), User.Read
 * (sign in), offline_access (a refresh token). Never Mail.Send: a token without it cannot
 * send mail through Graph, whatever code holds it.
 */
import { readFileSync } from 'node:fs';
import { PublicClientApplication, type AccountInfo, type AuthenticationResult, type ICachePlugin, type INetworkModule, type TokenCacheContext } from '@azure/msal-node';
import { OfferwatchError } from '../../errors.js';
import { writePrivateFile } from '../../util/secure-fs.js';
import { accountOf, authCommand, tokenFileOf, type OutlookSourceConfig } from './config.js';
import type { TokenSource } from './graph.js';

/** Scopes requested from Microsoft (offline_access and the OpenID ones MSAL adds itself). */
const REQUEST_SCOPES = ['Mail.ReadWrite', 'User.Read'];
const FORBIDDEN_SCOPES = ['mail.send', 'mail.send.shared'];

/** MSAL's cache plugin over one private file. */
export function fileCachePlugin(file: string, onSaved?: () => void): ICachePlugin {
  return {
    async beforeCacheAccess(ctx: TokenCacheContext): Promise<void> {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw new OfferwatchError('EAUTH', `cannot read the outlook token cache ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      try {
        ctx.tokenCache.deserialize(text);
      } catch {
        throw new OfferwatchError('EAUTH', `cannot read the outlook token cache ${file}: it is not a token cache this version wrote`);
      }
    },
    async afterCacheAccess(ctx: TokenCacheContext): Promise<void> {
      if (!ctx.cacheHasChanged) return;
      writePrivateFile(file, ctx.tokenCache.serialize());
      onSaved?.();
    },
  };
}

/** Microsoft's sign-in authority for the tenant, or the emulator's (tests). */
export function authorityOf(cfg: OutlookSourceConfig): { authority: string; knownAuthorities?: string[] } {
  if (!cfg.baseUrl) return { authority: `https://login.microsoftonline.com/${cfg.tenant}` };
  const u = new URL(cfg.baseUrl);
  return { authority: `${u.origin}/${cfg.tenant}`, knownAuthorities: [u.host] };
}

export function createMsalApp(cfg: OutlookSourceConfig, file: string, network: INetworkModule, onSaved?: () => void): PublicClientApplication {
  return new PublicClientApplication({
    auth: { clientId: cfg.clientId, ...authorityOf(cfg) },
    cache: { cachePlugin: fileCachePlugin(file, onSaved) },
    system: { networkClient: network },
  });
}

function grantedScopes(r: AuthenticationResult): string[] {
  return r.scopes.map((s) => s.replace(/^https:\/\/graph\.microsoft\.com\//i, '').toLowerCase());
}

/**
 * `offerwatch auth outlook --account NAME`: prints the device-code instructions (an address
 * and a code to enter there), waits for the owner to sign in, and stores the token cache.
 */
export async function authorizeOutlook(opts: { cfg: OutlookSourceConfig; stateDir: string; network: INetworkModule; print: (line: string) => void; signal?: AbortSignal }): Promise<void> {
  const { cfg } = opts;
  const file = tokenFileOf(cfg, opts.stateDir);
  const app = createMsalApp(cfg, file, opts.network);
  let result: AuthenticationResult | null;
  try {
    const request = { scopes: REQUEST_SCOPES, deviceCodeCallback: (r: { message: string }) => opts.print(r.message), cancel: false };
    opts.signal?.addEventListener('abort', () => {
      request.cancel = true;
    });
    result = await app.acquireTokenByDeviceCode(request);
  } catch (e) {
    const code = (e as { errorCode?: string }).errorCode ?? 'error';
    throw new OfferwatchError('EAUTH', `cannot authorise outlook account ${accountOf(cfg)}: sign-in did not complete (${code})`);
  }
  if (!result) throw new OfferwatchError('EAUTH', `cannot authorise outlook account ${accountOf(cfg)}: sign-in did not complete`);
  const granted = grantedScopes(result);
  const sends = granted.filter((s) => FORBIDDEN_SCOPES.includes(s));
  if (sends.length > 0) {
    // Refuse a token that could send: offerwatch's guarantee for Outlook is that it cannot.
    const cache = app.getTokenCache();
    for (const a of await cache.getAllAccounts()) await cache.removeAccount(a);
    throw new OfferwatchError('EAUTH', `cannot authorise outlook account ${accountOf(cfg)}: the app registration grants ${sends.join(', ')}; remove that permission in Entra ID and run \`${authCommand(cfg)}\` again`);
  }
  if (!granted.includes('mail.readwrite')) {
    throw new OfferwatchError('EAUTH', `cannot authorise outlook account ${accountOf(cfg)}: consent did not grant Mail.ReadWrite; run \`${authCommand(cfg)}\` again and accept`);
  }
  opts.print(`outlook account ${accountOf(cfg)} authorised${result.account?.username ? ` as ${result.account.username}` : ''}; token cache saved to ${file}`);
}

/** Access tokens for Graph from the stored cache; any failure to refresh stops this account only. */
export class MsalTokens implements TokenSource {
  lastError: OfferwatchError | null = null;
  private readonly app: PublicClientApplication;
  private account: AccountInfo | null = null;
  private forceRefresh = false;

  constructor(private readonly cfg: OutlookSourceConfig, private readonly file: string, network: INetworkModule) {
    this.app = createMsalApp(cfg, file, network);
  }

  private fail(why: string): never {
    this.lastError = new OfferwatchError('EAUTH', `cannot sync outlook account ${accountOf(this.cfg)}: ${why}; run \`${authCommand(this.cfg)}\``);
    throw this.lastError;
  }

  invalidate(): void {
    this.forceRefresh = true;
  }

  async getAccessToken(): Promise<string> {
    this.lastError = null;
    if (!this.account) {
      const accounts = await this.app.getTokenCache().getAllAccounts();
      if (accounts.length === 0) this.fail(`not signed in (no token cache at ${this.file})`);
      this.account = accounts[0]!;
    }
    let r: AuthenticationResult;
    try {
      r = await this.app.acquireTokenSilent({ account: this.account, scopes: REQUEST_SCOPES, forceRefresh: this.forceRefresh });
      this.forceRefresh = false;
    } catch (e) {
      const code = (e as { errorCode?: string }).errorCode ?? '';
      if (/network|timed_out|endpoints_resolution/i.test(code) || e instanceof TypeError) {
        this.lastError = new OfferwatchError('ETRANSIENT', `cannot sync outlook account ${accountOf(this.cfg)}: the sign-in service did not answer (${code || 'network'})`);
        throw this.lastError;
      }
      this.fail(`the sign-in has expired or was revoked (${code || 'refresh failed'})`);
    }
    if (!r.accessToken) this.fail('the sign-in service returned no access token');
    return r.accessToken;
  }
}
