/**
 * Contract driver for the Outlook connector against the loopback HTTPS Graph emulator, through
 * the real Graph SDK and MSAL (signed in with the emulated device-code flow): fixture mail is the
 * pre-existing mailbox, delivered mail is added as changes for the next delta round, an expired
 * cursor is the emulator's 410 SyncStateNotFound, and a dropped createReply answer is its
 * drop-response fault. Waits go on the shared clock: no real sleeping.
 */
import type { Connector, ConnectorEnv, ThreadHandle } from '../../src/connectors/port.js';
import { outlookConnector } from '../../src/connectors/outlook/index.js';
import { createOutlookConnector } from '../../src/connectors/outlook/connector.js';
import { DRAFT_KEY_PROPERTY } from '../../src/connectors/outlook/props.js';
import { seededRandom } from '../../src/util/random.js';
import { startGraphEmulator } from '../emulators/graph/server.js';
import { outlookSource } from '../emulators/graph/harness.js';
import type { ConnectorDriver, FixtureMessage } from './driver.js';

export const outlookDriver: ConnectorDriver = {
  name: 'outlook (graph emulator)',
  async setup(fixture, env) {
    const emu = await startGraphEmulator({ owner: fixture.owner, ownerName: fixture.ownerName });
    // One conversationId per fixture conversation, as Outlook groups a thread.
    const conversations = new Map<string, string>();
    const add = async (m: FixtureMessage) => {
      const conv = conversations.get(m.conversation) ?? `AAQkContract${conversations.size}=`;
      conversations.set(m.conversation, conv);
      const id = await emu.mailbox.addRaw(m.raw, { folder: m.role === 'sent' ? 'sentitems' : 'inbox', conversationId: conv });
      const s = emu.mailbox.messages.get(id)!;
      s.msg.categories = [...m.labels];
      s.msg.receivedDateTime = s.msg.sentDateTime = new Date(m.date).toISOString().replace(/\.\d{3}Z$/, 'Z');
    };
    for (const m of fixture.messages) await add(m);
    const cfg = outlookSource(emu, { name: env.sourceName });
    const cenv: ConnectorEnv = { stateDir: env.stateDir, clock: env.clock, log: () => {}, resolvePath: (p) => p };
    await outlookConnector.authorize!(cfg, { ...cenv, print: () => {} });
    const make = (): Promise<Connector> => createOutlookConnector(cfg, cenv, { sleep: async (ms) => env.clock.advance(ms), random: seededRandom(11) });
    const open: Connector[] = [];
    const tracked = async () => {
      const c = await make();
      open.push(c);
      return c;
    };
    return {
      connector: await tracked(),
      reconnect: tracked,
      async deliver(messages) {
        for (const m of messages) await add(m);
      },
      async expireCursor() {
        emu.expireDeltaTokens();
      },
      async dropNextWriteResponse() {
        emu.fault({ route: 'createReply', kind: 'drop-response' });
      },
      async draftKeys() {
        return emu.mailbox.drafts().map((s) => s.props.get(DRAFT_KEY_PROPERTY) ?? '');
      },
      async attentionOf(thread: ThreadHandle) {
        const conv = thread.providerThreadId ?? thread.threadId;
        return [...emu.mailbox.messages.values()].some((s) => s.msg.conversationId === conv && s.msg.flag?.flagStatus === 'flagged' && (s.msg.categories ?? []).length > 0);
      },
      sendAttempts: () => emu.counters.sendAttempts,
      async teardown() {
        for (const c of open) await c.close?.();
        await emu.close();
      },
    };
  },
};
