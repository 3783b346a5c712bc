/**
 * The IMAP source type (iCloud, Yahoo, Fastmail, Proton Bridge, Gmail over IMAP, university and
 * self-hosted servers). Light on purpose: reading a config does not load imapflow; `create`
 * does. Everything IMAP-specific lives in this folder.
 */
import type { ConnectorDefinition } from '../port.js';
import { imapSourceSchema, type ImapSourceConfig } from './config.js';

export { imapSourceSchema, type ImapSourceConfig, type ImapSourceInput } from './config.js';
export { resolveRoles, roleByName } from './mailboxes.js';

export const imapConnector: ConnectorDefinition<ImapSourceConfig> = {
  type: 'imap',
  configSchema: imapSourceSchema,
  async create(config, env) {
    const { createImapConnector } = await import('./connector.js');
    return createImapConnector(config, { ...env, replyDueLabel: env.replyDueLabel });
  },
};
