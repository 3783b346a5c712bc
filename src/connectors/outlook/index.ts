/**
 * The Outlook source type (Outlook.com and Microsoft 365, via Microsoft Graph), as the registry
 * knows it. The SDK-heavy parts (Graph client, MSAL) are loaded only when an Outlook source is
 * opened or authorised, so that reading a config does not pay for them. Everything Graph- and
 * MSAL-specific stays in this folder.
 */
import type { ConnectorDefinition } from '../port.js';
import { outlookSourceSchema, type OutlookSourceConfig } from './config.js';

export { outlookSourceSchema, OUTLOOK_SCOPES, tokenFileOf, type OutlookSourceConfig, type OutlookSourceInput } from './config.js';

export const outlookConnector: ConnectorDefinition<OutlookSourceConfig> = {
  type: 'outlook',
  configSchema: outlookSourceSchema,
  async create(config, env) {
    const { createOutlookConnector } = await import('./connector.js');
    return createOutlookConnector(config, env);
  },
  async authorize(config, env) {
    const { authorizeOutlookSource } = await import('./connector.js');
    await authorizeOutlookSource(config, env);
  },
};
