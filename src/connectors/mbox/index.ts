/**
 * The mbox connector: reads a local mbox file (never writes to it) and saves drafts
 * as .eml files. It has no attention marker: the app records attention in state.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { Connector, ConnectorDefinition } from '../port.js';
import { OfferwatchError } from '../../errors.js';
import { MboxReader } from './reader.js';
import { EmlDraftWriter } from './drafts.js';

export { MboxReader, decodeMboxCursor, encodeMboxCursor, headHash } from './reader.js';
export type { MboxCursor, MboxReaderOptions } from './reader.js';
export { EmlDraftWriter, draftFileName, draftKeyOf } from './drafts.js';
export { splitMbox, envelopeDate } from './split.js';
export type { MboxItem, MboxMessage, MboxOversized, SplitOptions } from './split.js';
export { parseMboxMessage, placeOf, splitLabels, takeoutPlace } from './takeout.js';

export const mboxSourceSchema = z.strictObject({
  type: z.literal('mbox'),
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'source names are letters, digits, - and _'),
  /** A Google Takeout (or any mboxrd/mboxo) file; read-only. */
  path: z.string().min(1),
});
export type MboxSourceConfig = z.infer<typeof mboxSourceSchema>;

export function createMboxConnector(opts: { name: string; path: string; draftsDir: string }): Connector {
  return {
    name: opts.name,
    reader: new MboxReader(opts.path),
    drafts: new EmlDraftWriter(opts.draftsDir),
  };
}

export const mboxConnector: ConnectorDefinition<MboxSourceConfig> = {
  type: 'mbox',
  configSchema: mboxSourceSchema,
  async create(config, env) {
    return createMboxConnector({ name: config.name, path: env.resolvePath(config.path), draftsDir: join(env.stateDir, 'drafts', config.name) });
  },
  fromScanSpec(spec, name) {
    const path = resolve(spec);
    if (!existsSync(path)) throw new OfferwatchError('ENOTFOUND', `cannot scan ${path}: the file does not exist`);
    return { type: 'mbox', name, path };
  },
};
