/**
 * Every source type offerwatch knows, once. The config schema, `scan --source`, `auth` and the
 * app read this list; adding a source type is a folder (`connectors/<type>/index.ts` declaring
 * a ConnectorDefinition) plus one line here.
 */
import type { ConnectorDefinition } from './port.js';
import { mboxConnector } from './mbox/index.js';
import { gmailConnector } from './gmail/index.js';

export const CONNECTORS = [
  mboxConnector,
  gmailConnector,
] as const;

type ConfigOf<D> = D extends ConnectorDefinition<infer C> ? C : never;
/** A source entry of the config, as validated (one member per source type). */
export type SourceConfig = ConfigOf<(typeof CONNECTORS)[number]>;

export const SOURCE_TYPES: readonly string[] = CONNECTORS.map((d) => d.type);

/** Every definition, as the generic shape (a definition's own config type is checked by its schema). */
export function connectorDefinitions(): readonly ConnectorDefinition[] {
  return CONNECTORS as readonly ConnectorDefinition[];
}

/** The definition of a source type, or undefined. */
export function connectorDefinition(type: string): ConnectorDefinition | undefined {
  return (CONNECTORS as readonly ConnectorDefinition[]).find((d) => d.type === type);
}
