/**
 * The Gmail source type, as the registry knows it. The SDK-heavy parts (googleapis,
 * google-auth-library) are loaded only when a Gmail source is opened or authorised, so that
 * reading a config does not pay for them. Everything Gmail-specific stays in this folder.
 */
import type { ConnectorDefinition } from '../port.js';
import { gmailSourceSchema, type GmailSourceConfig } from './config.js';

export { gmailSourceSchema, type GmailSourceConfig, type GmailSourceInput } from './config.js';
export { tokenFileOf } from './tokens.js';

export const gmailConnector: ConnectorDefinition<GmailSourceConfig> = {
  type: 'gmail',
  configSchema: gmailSourceSchema,
  async create(config, env) {
    const { createGmailConnector } = await import('./connector.js');
    // The reply-due label is the source's replyDueLabel, unless the mailbox alert channel names one.
    const cfg = env.replyDueLabel ? { ...config, replyDueLabel: env.replyDueLabel } : config;
    return createGmailConnector(cfg, { stateDir: env.stateDir, log: env.log, clock: env.clock });
  },
  async authorize(config, env) {
    const { authorizeGmail } = await import('./auth.js');
    await authorizeGmail({
      cfg: config,
      stateDir: env.stateDir,
      log: env.log,
      openUrl: (url) => env.print(`Open this address in your browser to continue:\n${url}`),
    });
  },
};
