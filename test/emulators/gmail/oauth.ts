/**
 * A loopback stand-in for Google's OAuth endpoints: a consent page that approves at
 * once and redirects (with PKCE checked later), and a token endpoint for the
 * authorization_code and refresh_token grants, including `invalid_grant`.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  /** Lifetime of issued access tokens, seconds. */
  accessTokenSeconds?: number;
}

interface PendingCode {
  challenge: string;
  redirectUri: string;
  scope: string;
}

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

export class OAuthState {
  readonly accessTokens = new Set<string>();
  private readonly refreshTokens = new Map<string, { revoked: boolean; scope: string }>();
  private readonly codes = new Map<string, PendingCode>();
  private seq = 0;
  tokenRequests = 0;
  /** Scopes asked for in the last consent request. */
  lastScopes: string[] = [];

  constructor(private readonly opts: OAuthOptions) {}

  private mint(prefix: string): string {
    return `${prefix}${(++this.seq).toString(36)}${randomBytes(12).toString('hex')}`;
  }

  /** Tokens as if the owner had consented earlier. */
  issue(scope = 'https://www.googleapis.com/auth/gmail.modify'): { access_token: string; refresh_token: string } {
    const access_token = this.mint('ya29.emu-');
    const refresh_token = this.mint('1//emu-');
    this.accessTokens.add(access_token);
    this.refreshTokens.set(refresh_token, { revoked: false, scope });
    return { access_token, refresh_token };
  }

  revoke(refreshToken: string): void {
    const t = this.refreshTokens.get(refreshToken);
    if (t) t.revoked = true;
  }

  invalidateAccessTokens(): void {
    this.accessTokens.clear();
  }

  /** GET on the consent URL: checks the request and answers with the redirect target. */
  consent(url: URL): { status: number; location?: string; error?: string } {
    const p = url.searchParams;
    if (p.get('client_id') !== this.opts.clientId) return { status: 400, error: 'invalid_client' };
    const redirectUri = p.get('redirect_uri') ?? '';
    if (!/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d+(\/.*)?$/.test(redirectUri)) return { status: 400, error: 'redirect_uri_mismatch' };
    if (p.get('response_type') !== 'code') return { status: 400, error: 'unsupported_response_type' };
    if (p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge')) return { status: 400, error: 'invalid_request' };
    const scope = p.get('scope') ?? '';
    this.lastScopes = scope.split(/\s+/).filter(Boolean);
    const code = this.mint('4/emu-');
    this.codes.set(code, { challenge: p.get('code_challenge')!, redirectUri, scope });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    const state = p.get('state');
    if (state !== null) target.searchParams.set('state', state);
    target.searchParams.set('scope', scope);
    return { status: 302, location: target.toString() };
  }

  token(form: URLSearchParams): TokenAnswer {
    this.tokenRequests++;
    if (form.get('client_id') !== this.opts.clientId || form.get('client_secret') !== this.opts.clientSecret) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'The OAuth client was not found.' } };
    }
    const expires_in = this.opts.accessTokenSeconds ?? 3599;
    const grant = form.get('grant_type');
    if (grant === 'refresh_token') {
      const rt = form.get('refresh_token') ?? '';
      const known = this.refreshTokens.get(rt);
      if (!known || known.revoked) {
        return { status: 400, body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } };
      }
      const access_token = this.mint('ya29.emu-');
      this.accessTokens.add(access_token);
      return { status: 200, body: { access_token, expires_in, scope: known.scope, token_type: 'Bearer' } };
    }
    if (grant === 'authorization_code') {
      const code = form.get('code') ?? '';
      const pending = this.codes.get(code);
      this.codes.delete(code);
      if (!pending) return { status: 400, body: { error: 'invalid_grant', error_description: 'Malformed auth code.' } };
      if (form.get('redirect_uri') !== pending.redirectUri) return { status: 400, body: { error: 'redirect_uri_mismatch' } };
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (challenge !== pending.challenge) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid code verifier.' } };
      const t = this.issue(pending.scope);
      return { status: 200, body: { ...t, expires_in, scope: pending.scope, token_type: 'Bearer' } };
    }
    return { status: 400, body: { error: 'unsupported_grant_type' } };
  }
}
