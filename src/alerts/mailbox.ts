/**
 * Marks a thread in the mailbox itself (e.g. with a label) while a reply is owed.
 * The marker belongs to one source's connector; with `source` set, alerts of other sources are ignored.
 */
import type { AttentionMarker } from '../connectors/port.js';
import type { AlertChannel } from './types.js';

export function mailboxChannel(marker: AttentionMarker, label: string, opts: { source?: string } = {}): AlertChannel {
  const mine = (source: string) => opts.source === undefined || opts.source === source;
  return {
    name: opts.source === undefined ? `mailbox:${label}` : `mailbox:${opts.source}:${label}`,
    async raise(alert) {
      if (mine(alert.source)) await marker.setNeedsReply(alert.threadId, true);
    },
    async clear(alert) {
      if (mine(alert.source)) await marker.setNeedsReply(alert.threadId, false);
    },
  };
}
