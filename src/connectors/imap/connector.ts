/**
 * Builds the IMAP connector over imapflow: reader (UIDVALIDITY/UID/MODSEQ sync), drafts
 * (APPEND to Drafts, never sent) and attention (\Flagged + a keyword), sharing one session.
 * Loaded only when an IMAP source is created (index.ts imports it lazily).
 */
import { readFileSync } from 'node:fs';
import type { Connector, ConnectorEnv } from '../port.js';
import { ConfigError } from '../../errors.js';
import type { ImapSourceConfig } from './config.js';
import { readPassword } from './secret.js';
import { ImapSession } from './session.js';
import { ImapReader } from './reader.js';
import { ImapDrafts } from './drafts.js';
import { ImapAttention } from './attention.js';

export interface ImapConnector extends Connector {
  /** Connections opened so far (one per cycle, plus at most one reopen). */
  readonly connections: () => number;
}

export interface ImapConnectorDeps extends Pick<ConnectorEnv, 'clock' | 'log' | 'resolvePath'> {
  /** Environment for passwordEnv (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The mailbox channel's keyword override. */
  replyDueLabel?: string;
  /** Bodies per batch (tests). */
  batchSize?: number;
}

export async function createImapConnector(cfg: ImapSourceConfig, deps: ImapConnectorDeps): Promise<ImapConnector> {
  const password = readPassword(cfg, deps.resolvePath, deps.env);
  let ca: string | undefined;
  if (cfg.caFile) {
    const file = deps.resolvePath(cfg.caFile);
    try {
      ca = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError({ file }, `source ${cfg.name}: cannot read caFile (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`, { cause: e });
    }
  }
  const keyword = deps.replyDueLabel && /^[^\s()\]{%*"\\]+$/.test(deps.replyDueLabel) ? deps.replyDueLabel : cfg.replyDueKeyword;
  const session = new ImapSession({ cfg, password, log: deps.log, ca });
  return {
    name: cfg.name,
    reader: new ImapReader({ session, cfg, log: deps.log, replyDueKeyword: keyword, batchSize: deps.batchSize }),
    drafts: new ImapDrafts({ session, cfg, log: deps.log, now: () => deps.clock.now() }),
    attention: new ImapAttention({ session, cfg, keyword }),
    connections: () => session.connections,
    close: () => session.close(),
  };
}
