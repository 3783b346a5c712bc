/** The `type: outlook` source block of the config file (Outlook.com and Microsoft 365, via Microsoft Graph). */
import { join } from 'node:path';
import { z } from 'zod';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const outlookSourceSchema = z.strictObject({
  type: z.literal('outlook'),
  /** Source name, e.g. `work`; also names the token cache when `account` is absent. */
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'source names are letters, digits, - and _'),
  /** Application (client) ID of the owner's own app registration in Microsoft Entra ID. */
  clientId: z.string().regex(GUID, 'expected the application (client) ID, a GUID such as 00000000-0000-0000-0000-000000000000'),
  /** `common` (work, school and personal accounts), `consumers` (Outlook.com), `organizations`, or a tenant ID. */
  tenant: z
    .string()
    .refine((t) => t === 'common' || t === 'consumers' || t === 'organizations' || GUID.test(t), 'expected common, consumers, organizations or a tenant ID (GUID)')
    .default('common'),
  /** Account label used for the token cache file (default: `name`). */
  account: z.string().regex(/^[A-Za-z0-9._@+-]+$/, 'account labels are letters, digits and . _ @ + -').optional(),
  /** First-run look-back in days; may only narrow the rules' window (default 180). */
  lookbackDays: z.number().int().min(1).max(3650).optional(),
  /** Outlook category put on a message that waits on your reply (beside the flag). */
  replyDueCategory: z.string().min(1).max(255).default('Reply due'),
  /** Tests only: the origin of a Graph emulator (Graph at `<baseUrl>/v1.0`, sign-in at `<baseUrl>/<tenant>`). */
  baseUrl: z.url({ protocol: /^https$/ }).optional(),
  /** Tests only: a PEM file with the certificate authority the emulator's HTTPS certificate chains to. */
  caFile: z.string().min(1).optional(),
});

export type OutlookSourceConfig = z.infer<typeof outlookSourceSchema>;
export type OutlookSourceInput = z.input<typeof outlookSourceSchema>;

export function accountOf(cfg: OutlookSourceConfig): string {
  return cfg.account ?? cfg.name;
}

/** The command that re-authorises this source. */
export function authCommand(cfg: OutlookSourceConfig): string {
  return `offerwatch auth outlook --account ${accountOf(cfg)}`;
}

/** The MSAL token cache of one account: `<stateDir>/tokens/outlook-<account>.json`. */
export function tokenFileOf(cfg: OutlookSourceConfig, stateDir: string): string {
  return join(stateDir, 'tokens', `outlook-${accountOf(cfg)}.json`);
}

/** What we ask for, and why (the README's table says the same). Never Mail.Send. */
export const OUTLOOK_SCOPES = [
  { scope: 'Mail.ReadWrite', reason: 'read job-search messages, save reply drafts in the conversation, and set or clear the reply-due flag and category' },
  { scope: 'User.Read', reason: 'sign in and read your own profile (address and name)' },
  { scope: 'offline_access', reason: 'a refresh token, so offerwatch keeps working without signing in every hour' },
] as const;
