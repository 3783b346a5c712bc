/** The `type: gmail` source block of the config file. */
import { z } from 'zod';

export const gmailSourceSchema = z.strictObject({
  type: z.literal('gmail'),
  /** Source name, e.g. `personal`; also names the token file when `account` is absent. */
  name: z.string().min(1),
  /** Account label used for the token file name (default: `name`). */
  account: z.string().min(1).optional(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** Where token files live (default `<stateDir>/tokens`). */
  tokenDir: z.string().min(1).optional(),
  /** Narrows the first-run look-back window (the filter's, 180 days by default); never widens it. */
  lookbackDays: z.number().int().min(1).max(3650).optional(),
  replyDueLabel: z.string().min(1).max(225).default('offerwatch/Reply due'),
  quotaUnitsPerMinute: z.number().int().min(50).max(1_000_000).default(2400),
  /** Tests only: a Gmail API emulator's root URL (OAuth endpoints are taken from the same origin). */
  rootUrl: z.url().optional(),
});

export type GmailSourceConfig = z.infer<typeof gmailSourceSchema>;
/** What a config file may write (defaults not yet applied). */
export type GmailSourceInput = z.input<typeof gmailSourceSchema>;

/** The account label used in file names and messages. */
export function accountOf(cfg: GmailSourceConfig): string {
  return cfg.account ?? cfg.name;
}
