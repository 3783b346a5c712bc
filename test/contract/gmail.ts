/**
 * Contract driver for the Gmail connector against the loopback Gmail API emulator, through the
 * real googleapis client: fixture mail is the pre-existing mailbox (no history), delivered mail
 * is added at runtime (messageAdded history), history expiry and a dropped drafts.create answer
 * are the emulator's own faults. Waits go on the shared clock: no real sleeping.
 */
import type { Connector, ThreadHandle } from '../../src/connectors/port.js';
import { createGmailConnector, gmailSourceSchema, seededRandom } from '../../src/connectors/gmail/connector.js';
import { saveTokens, tokenFileOf } from '../../src/connectors/gmail/tokens.js';
import { DRAFT_KEY_HEADER, headerField } from '../../src/mail/headers.js';
import { startGmailEmulator } from '../emulators/gmail/server.js';
import type { ConnectorDriver, FixtureMessage } from './driver.js';

const REPLY_DUE = 'offerwatch/Reply due';
const labelsOf = (m: FixtureMessage) => [m.role === 'sent' ? 'SENT' : 'INBOX', ...m.labels];

export const gmailDriver: ConnectorDriver = {
  name: 'gmail (emulator)',
  async setup(fixture, env) {
    const emu = await startGmailEmulator({ owner: fixture.owner, now: () => env.clock.now().getTime() });
    for (const m of fixture.messages) await emu.mailbox.add(Buffer.from(m.raw), { labels: labelsOf(m) }, false);
    const cfg = gmailSourceSchema.parse({ type: 'gmail', name: env.sourceName, clientId: emu.clientId, clientSecret: emu.clientSecret, rootUrl: emu.rootUrl });
    saveTokens(tokenFileOf(cfg, env.stateDir), { ...emu.issueTokens(), expiry_date: Date.now() + 3_600_000, token_type: 'Bearer' });
    const make = (): Promise<Connector> =>
      createGmailConnector(cfg, {
        stateDir: env.stateDir,
        clock: env.clock,
        log: () => {},
        sleep: async (ms) => env.clock.advance(ms),
        random: seededRandom(11),
      });
    return {
      connector: await make(),
      reconnect: make,
      async deliver(messages) {
        for (const m of messages) await emu.addMessage(m.raw, { labels: labelsOf(m) });
      },
      async expireCursor() {
        emu.mailbox.expireHistory();
      },
      async dropNextWriteResponse() {
        emu.fail({ method: 'drafts.create', kind: 'drop-response' });
      },
      async draftKeys() {
        return [...emu.mailbox.drafts.values()].map((mid) => headerField(emu.mailbox.messages.get(mid)!.raw, DRAFT_KEY_HEADER) ?? '');
      },
      async attentionOf(thread: ThreadHandle) {
        const label = [...emu.mailbox.labels.values()].find((l) => l.name === REPLY_DUE);
        if (!label) return false;
        const tid = thread.providerThreadId ?? thread.threadId;
        return [...emu.mailbox.messages.values()].some((m) => m.threadId === tid && m.labelIds.has(label.id!));
      },
      sendAttempts: () => emu.counters.sendAttempts,
      async teardown() {
        await emu.close();
      },
    };
  },
};
