/**
 * The mbox connector: reads a local mbox file (never writes to it) and saves drafts
 * as .eml files. It has no attention marker: the lead records attention in state.
 */
import type { Connector } from '../port.js';
import { MboxReader } from './reader.js';
import { EmlDraftWriter } from './drafts.js';

export { MboxReader, decodeMboxCursor, encodeMboxCursor, headHash } from './reader.js';
export type { MboxCursor, MboxReaderOptions } from './reader.js';
export { EmlDraftWriter, draftFileName, draftKeyOf } from './drafts.js';
export { splitMbox, envelopeDate } from './split.js';
export type { MboxItem, MboxMessage, MboxOversized, SplitOptions } from './split.js';

export function createMboxConnector(opts: { name: string; path: string; draftsDir: string }): Connector {
  return {
    name: opts.name,
    reader: new MboxReader(opts.path),
    drafts: new EmlDraftWriter(opts.draftsDir),
  };
}
