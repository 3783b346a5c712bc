/**
 * Contract driver for the mbox connector: the mailbox is a Takeout-style mbox file (role from
 * X-Gmail-Labels, no X-GM-THRID: the store threads by References, as for any mbox), drafts are
 * .eml files in <state>/drafts/<source>/. The connector is made through its registry definition.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connector, DraftWriter } from '../../src/connectors/port.js';
import { mboxConnector } from '../../src/connectors/mbox/index.js';
import { ProviderError } from '../../src/errors.js';
import { headerField, DRAFT_KEY_HEADER } from '../../src/mail/headers.js';
import type { ConnectorDriver, FixtureMessage } from './driver.js';

function envelope(m: FixtureMessage): string {
  const from = /^From: .*?<?([^<>\s]+@[^<>\s]+)>?\s*$/m.exec(m.raw)?.[1] ?? 'unknown@example.invalid';
  return `From ${from} ${new Date(m.date).toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) (.*) GMT$/, '$1 $3 $2 $5 $4')}`;
}

/** One message as an mboxrd entry, with Takeout's label header telling its folder. */
function entry(m: FixtureMessage): string {
  const labels = [m.role === 'sent' ? 'Sent' : 'Inbox', ...m.labels].join(',');
  const body = m.raw.replace(/\r\n/g, '\n').replace(/^(>*From )/gm, '>$1');
  return `${envelope(m)}\nX-Gmail-Labels: ${labels}\n${body}\n`;
}

export const mboxDriver: ConnectorDriver = {
  name: 'mbox',
  async setup(fixture, env) {
    const file = join(env.stateDir, 'mailbox.mbox');
    const all: FixtureMessage[] = [...fixture.messages];
    writeFileSync(file, all.map(entry).join(''));
    const draftsDir = join(env.stateDir, 'drafts', env.sourceName);
    let dropNext = false;

    const make = async (): Promise<Connector> => {
      const c = await mboxConnector.create(
        { type: 'mbox', name: env.sourceName, path: file },
        { stateDir: env.stateDir, clock: env.clock, log: () => {}, resolvePath: (p) => p },
      );
      const real = c.drafts!;
      // A file write cannot lose its answer by itself: the driver makes this one look lost.
      const drafts: DraftWriter = {
        findDraftByKey: (t, k) => real.findDraftByKey(t, k),
        async createDraft(req) {
          const saved = await real.createDraft(req);
          if (dropNext) {
            dropNext = false;
            throw new ProviderError('ETRANSIENT', 'cannot save draft: the answer was lost', { status: null });
          }
          return saved;
        },
      };
      return { ...c, drafts };
    };

    return {
      connector: await make(),
      reconnect: make,
      async deliver(messages) {
        all.push(...messages);
        appendFileSync(file, messages.map(entry).join(''));
      },
      async expireCursor() {
        // A new export replaces the file: same mail, another order. The stored cursor no longer fits.
        writeFileSync(file, [...all].reverse().map(entry).join(''));
      },
      async dropNextWriteResponse() {
        dropNext = true;
      },
      async draftKeys() {
        if (!existsSync(draftsDir)) return [];
        return readdirSync(draftsDir)
          .filter((n) => n.endsWith('.eml'))
          .map((n) => headerField(readFileSync(join(draftsDir, n)), DRAFT_KEY_HEADER) ?? '');
      },
      sendAttempts: () => 0,
      async teardown() {},
    };
  },
};
