/**
 * The token file of one Gmail account: `<tokenDir or stateDir/tokens>/gmail-<account>.json`,
 * 0600 in a 0700 directory, replaced atomically. Token values never go to logs or
 * error messages; only the file path does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { OfferwatchError } from '../../errors.js';
import { writePrivateFile } from '../../util/secure-fs.js';
import { accountOf, type GmailSourceConfig } from './config.js';

const storedTokensSchema = z.strictObject({
  refresh_token: z.string().min(1),
  access_token: z.string().min(1).optional(),
  expiry_date: z.number().int().optional(),
  scope: z.string().optional(),
  token_type: z.string().optional(),
  id_token: z.string().optional(),
  /** When we last wrote the file (ISO), for `offerwatch status`. */
  saved_at: z.string().optional(),
});

export type StoredTokens = z.infer<typeof storedTokensSchema>;

/** The fields an OAuth2Client hands us in its `tokens` event (all optional, some null). */
export interface FreshTokens {
  refresh_token?: string | null;
  access_token?: string | null;
  expiry_date?: number | null;
  scope?: string;
  token_type?: string | null;
  id_token?: string | null;
}

export function tokenDirOf(cfg: GmailSourceConfig, stateDir: string): string {
  return cfg.tokenDir ?? join(stateDir, 'tokens');
}

export function tokenFileOf(cfg: GmailSourceConfig, stateDir: string): string {
  const safe = accountOf(cfg).replace(/[^A-Za-z0-9._@+-]/g, '_');
  return join(tokenDirOf(cfg, stateDir), `gmail-${safe}.json`);
}

/** Reads the token file; null when it does not exist. Throws EAUTH when it is unreadable. */
export function readTokens(file: string, name: string): StoredTokens | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new OfferwatchError('EAUTH', `cannot read gmail tokens of ${name}: ${file} is not readable (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new OfferwatchError('EAUTH', `cannot read gmail tokens of ${name}: ${file} is not JSON; run \`offerwatch auth gmail --account ${name}\``);
  }
  const parsed = storedTokensSchema.safeParse(json);
  if (!parsed.success) {
    const keys = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new OfferwatchError('EAUTH', `cannot read gmail tokens of ${name}: ${file} has unexpected fields (${keys}); run \`offerwatch auth gmail --account ${name}\``);
  }
  return parsed.data;
}

/** New tokens over stored ones: Google omits the refresh token on refresh, so the stored one stays. */
export function mergeTokens(stored: StoredTokens | null, fresh: FreshTokens, now: Date): StoredTokens {
  const refresh = fresh.refresh_token ?? stored?.refresh_token;
  if (!refresh) throw new OfferwatchError('EAUTH', 'cannot store gmail tokens: Google returned no refresh token');
  const out: StoredTokens = { refresh_token: refresh };
  const access = fresh.access_token ?? stored?.access_token;
  if (access) out.access_token = access;
  const expiry = fresh.expiry_date ?? stored?.expiry_date;
  if (typeof expiry === 'number') out.expiry_date = expiry;
  const scope = fresh.scope ?? stored?.scope;
  if (scope) out.scope = scope;
  const type = fresh.token_type ?? stored?.token_type;
  if (type) out.token_type = type;
  out.saved_at = now.toISOString();
  return out;
}

export function saveTokens(file: string, tokens: StoredTokens): void {
  writePrivateFile(file, `${JSON.stringify(tokens, null, 2)}\n`);
}
