/**
 * Marks a thread in the mailbox itself (e.g. with a label) while a reply is owed.
 * The marker belongs to one source's connector; with `source` set, alerts of other sources are ignored.
 */
import type { AttentionMarker, ThreadHandle } from '../connectors/port.js';
import type { Alert, AlertChannel } from './types.js';

/** Builds the handle of a stored thread (the core's one function for it, given the store). */
export type HandleOf = (source: string, threadId: string) => ThreadHandle | null;

/** A handle from the alert alone, when the thread is not (or no longer) in state. */
function bareHandle(alert: Alert): ThreadHandle {
  return { threadId: alert.threadId, providerThreadId: null, messages: [] };
}

export function mailboxChannel(marker: AttentionMarker, label: string, opts: { source?: string; handleOf?: HandleOf } = {}): AlertChannel {
  const mine = (source: string) => opts.source === undefined || opts.source === source;
  const handle = (a: Alert) => opts.handleOf?.(a.source, a.threadId) ?? bareHandle(a);
  const due = (a: Alert) => (a.dueAt ? new Date(a.dueAt) : null);
  return {
    name: opts.source === undefined ? `mailbox:${label}` : `mailbox:${opts.source}:${label}`,
    async raise(alert) {
      if (mine(alert.source)) await marker.setNeedsReply(handle(alert), true, due(alert));
    },
    async clear(alert) {
      if (mine(alert.source)) await marker.setNeedsReply(handle(alert), false);
    },
  };
}
