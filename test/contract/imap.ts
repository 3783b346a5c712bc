/**
 * Contract driver for the IMAP connector against a real Dovecot (test/helpers/dovecot.ts),
 * through a TCP proxy (test/helpers/tcp-proxy.ts) that can drop the answer to an APPEND. The
 * fixture is APPENDed to INBOX and Sent with its dates as INTERNALDATE and its labels as
 * keywords; a lost cursor is a changed UIDVALIDITY: INBOX's UID list is removed, as on a server
 * restored from a backup. The connector is made through its
 * registry definition. IMAP has no way to send: sendAttempts is 0 by construction.
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connector, ThreadHandle } from '../../src/connectors/port.js';
import { imapConnector, imapSourceSchema } from '../../src/connectors/imap/index.js';
import { DRAFT_KEY_HEADER, headerField } from '../../src/mail/headers.js';
import { startDovecot } from '../helpers/dovecot.js';
import { messagesIn, withClient } from '../helpers/imap.js';
import { startProxy } from '../helpers/tcp-proxy.js';
import type { ConnectorDriver, FixtureMessage } from './driver.js';

const REPLY_DUE = '$ReplyDue';
/** IMAP keywords are atoms: a label with spaces is kept the way mail programs store tags. */
const keyword = (label: string) => label.replace(/[\s()\]{%*"\\]+/g, '_');

export const imapDriver: ConnectorDriver = {
  name: 'imap (dovecot)',
  async setup(fixture, env) {
    const dv = await startDovecot();
    const proxy = await startProxy({ host: '127.0.0.1', port: dv.port });
    const append = async (messages: FixtureMessage[]) =>
      withClient(dv, async (c) => {
        for (const m of messages) {
          await c.append(m.role === 'sent' ? 'Sent' : 'INBOX', Buffer.from(m.raw.replace(/\r?\n/g, '\r\n')), [...(m.role === 'sent' ? ['\\Seen'] : []), ...m.labels.map(keyword)], new Date(m.date));
        }
      });
    await append(fixture.messages);
    const passwordFile = join(env.stateDir, 'imap.password');
    writeFileSync(passwordFile, dv.password, { mode: 0o600 });
    const config = imapSourceSchema.parse({ type: 'imap', name: env.sourceName, host: '127.0.0.1', port: proxy.port, tls: 'none', user: dv.user, passwordFile });
    const make = (): Promise<Connector> => imapConnector.create(config, { stateDir: env.stateDir, clock: env.clock, log: () => {}, resolvePath: (p) => p });
    return {
      connector: await make(),
      reconnect: make,
      deliver: append,
      async expireCursor() {
        // Dovecot refuses to delete or rename INBOX ("Renaming INBOX isn't supported"), so INBOX
        // loses its UID list the way a server restored from a backup does: the next session
        // numbers the same messages afresh under a new UIDVALIDITY.
        for (const f of readdirSync(dv.maildir)) if (f === 'dovecot-uidlist' || f.startsWith('dovecot.index')) rmSync(join(dv.maildir, f), { force: true });
      },
      async dropNextWriteResponse() {
        // The APPEND reaches Dovecot and is stored; its tagged OK never reaches the connector.
        void proxy.cutOnce({ afterServer: /OK \[APPENDUID/ });
      },
      async draftKeys() {
        return (await messagesIn(dv, 'Drafts')).map((m) => headerField(m.source, DRAFT_KEY_HEADER) ?? '');
      },
      async attentionOf(thread: ThreadHandle) {
        const ids = new Set(thread.messages.map((m) => m.messageId).filter((x): x is string => !!x));
        return (await messagesIn(dv, 'INBOX')).some((m) => ids.has(headerField(m.source, 'message-id') ?? '') && m.flags.includes('\\Flagged') && m.flags.includes(REPLY_DUE));
      },
      sendAttempts: () => 0,
      async teardown() {
        await proxy.close();
        await dv.stop();
      },
    };
  },
};
