/** The `type: imap` source block of the config file. */
import { z } from 'zod';

/** Hosts where `tls: none` is allowed (a local bridge such as Proton Bridge). Nothing else. */
export const PLAINTEXT_HOSTS = ['127.0.0.1'] as const;

const mailboxName = z.string().min(1).max(500);

export const imapSourceSchema = z
  .strictObject({
    type: z.literal('imap'),
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'source names are letters, digits, - and _'),
    host: z.string().min(1),
    /** Default 993 with `tls: implicit`, 143 otherwise. */
    port: z.number().int().min(1).max(65535).optional(),
    /** implicit: TLS from the first byte (993); starttls: upgrade a plain connection, required; none: only for 127.0.0.1. */
    tls: z.enum(['implicit', 'starttls', 'none']).default('implicit'),
    /** A PEM file of a certificate authority to trust besides the system's (self-hosted servers, Proton Bridge's own certificate). */
    caFile: z.string().min(1).optional(),
    user: z.string().min(1),
    /** A file holding only the password (an app password); must be mode 0600. */
    passwordFile: z.string().min(1).optional(),
    /** Or: the name of an environment variable holding it. */
    passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name such as IMAP_PASSWORD').optional(),
    /** Narrows the first-run look-back window of the rules' candidate filter (default 180 days). */
    lookbackDays: z.number().int().min(1).max(3650).optional(),
    /** Keyword set beside \Flagged on a message waiting for your reply (where the server allows keywords). */
    replyDueKeyword: z.string().regex(/^[^\s()\]{%*"\\]+$/, 'an IMAP keyword such as $ReplyDue (no spaces or brackets)').default('$ReplyDue'),
    /** Mailbox names by role, where SPECIAL-USE and the well-known names do not find them. */
    mailboxes: z
      .strictObject({
        inbox: mailboxName.optional(),
        sent: mailboxName.optional(),
        drafts: mailboxName.optional(),
        junk: mailboxName.optional(),
        trash: mailboxName.optional(),
        archive: mailboxName.optional(),
      })
      .default({}),
    /** Extra mailboxes to read besides Inbox, Sent and Archive (e.g. a folder your filters file recruiters into). */
    watch: z.array(mailboxName).default([]),
  })
  .superRefine((c, ctx) => {
    if ((c.passwordFile === undefined) === (c.passwordEnv === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['passwordFile'], message: 'give exactly one of passwordFile (a 0600 file) or passwordEnv (an environment variable name); never the password itself' });
    }
    if (c.tls === 'none' && !(PLAINTEXT_HOSTS as readonly string[]).includes(c.host)) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: `tls: none sends your password in clear text and is allowed only for host 127.0.0.1 (a local bridge); use implicit or starttls for ${c.host}` });
    }
  });

export type ImapSourceConfig = z.infer<typeof imapSourceSchema>;
export type ImapSourceInput = z.input<typeof imapSourceSchema>;

export function portOf(cfg: ImapSourceConfig): number {
  return cfg.port ?? (cfg.tls === 'implicit' ? 993 : 143);
}

/** `user@host:port`, for messages (never the password). */
export function accountLabel(cfg: ImapSourceConfig): string {
  return `${cfg.user}@${cfg.host}:${portOf(cfg)}`;
}
