/**
 * The real core around one connector, as the app wires it (src/cli/app.ts): a state file, the
 * built-in rules and templates, a recording alert channel plus the mailbox channel (the
 * connector's own marker, or marks kept in state), a response rule that declines offers, and
 * autoSave. Nothing here is mocked.
 */
import { join } from 'node:path';
import type { AttentionMarker, Connector, ThreadHandle } from '../../src/connectors/port.js';
import { Store } from '../../src/store/index.js';
import { loadRules } from '../../src/cli/app.js';
import { candidateFilter } from '../../src/rules/filter.js';
import { loadTemplates } from '../../src/drafts/templates.js';
import { TEMPLATES_DIR } from '../../src/paths.js';
import { DEFAULT_DEADLINES } from '../../src/classify/classify.js';
import { responseRuleSchema } from '../../src/respond/schema.js';
import { mailboxChannel } from '../../src/alerts/mailbox.js';
import type { Alert, AlertChannel } from '../../src/alerts/types.js';
import { runCycle, type CycleContext, type CycleReport } from '../../src/pipeline/cycle.js';
import { threadHandle } from '../../src/pipeline/threading.js';
import type { SharedClock } from './driver.js';

export interface Core {
  ctx: CycleContext;
  store: Store;
  /** Alerts the recording channel received (raised), in order. */
  raised: Alert[];
  cycle(): Promise<CycleReport>;
  /** The handle of a stored thread that holds this Message-ID. */
  handleOf(messageId: string): ThreadHandle;
  threadIdOf(messageId: string): string;
  /** Replaces the connector (after a restart). */
  use(connector: Connector): void;
  close(): void;
}

export function startCore(opts: { connector: Connector; stateDir: string; clock: SharedClock; owner: { name: string; address: string }; logs: string[] }): Core {
  const store = Store.open(join(opts.stateDir, 'offerwatch.db'));
  const rules = loadRules([]);
  const owner = { name: opts.owner.name, addresses: [opts.owner.address], signature: opts.owner.name };
  const raised: Alert[] = [];
  const recorder: AlertChannel = {
    name: 'recorder',
    async raise(alert) {
      raised.push(alert);
    },
  };
  let connector = opts.connector;
  const stateMarker: AttentionMarker = {
    async setNeedsReply(thread, on) {
      store.alerts.setAttention({ source: connector.name, id: thread.threadId }, on, opts.clock.now());
    },
  };
  // The marker is looked up at call time, so a reconnected connector's marker is used.
  const marker: AttentionMarker = { setNeedsReply: (t, on, due) => (connector.attention ?? stateMarker).setNeedsReply(t, on, due) };
  const handleOf = (source: string, threadId: string) => {
    const t = store.messages.loadThread(source, threadId, owner);
    return t ? threadHandle(t) : null;
  };
  const ctx: CycleContext = {
    store,
    connectors: [connector],
    rules,
    fingerprint: 'contract',
    owner,
    deadlines: DEFAULT_DEADLINES,
    filter: candidateFilter(rules),
    channels: [recorder, mailboxChannel(marker, 'offerwatch/Reply due', { source: connector.name, handleOf })],
    responses: [responseRuleSchema.parse({ name: 'decline-offers', when: { stage: 'offer' }, propose: { decision: 'decline', reason: 'accepted-elsewhere' } })],
    templates: loadTemplates(TEMPLATES_DIR),
    autoSave: true,
    clock: opts.clock,
    log: (l) => opts.logs.push(l),
  };
  const threadIdOf = (messageId: string): string => {
    const r = store.db.prepare('SELECT thread_id FROM messages WHERE source = ? AND message_id = ?').get(connector.name, messageId) as { thread_id: string } | undefined;
    if (!r) throw new Error(`no stored message ${messageId}`);
    return r.thread_id;
  };
  return {
    ctx,
    store,
    raised,
    cycle: () => runCycle(ctx),
    threadIdOf,
    handleOf: (messageId) => handleOf(connector.name, threadIdOf(messageId))!,
    use(c) {
      connector = c;
      ctx.connectors = [c];
    },
    close: () => store.close(),
  };
}
