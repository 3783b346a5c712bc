/**
 * The whole product on Outlook, through the CLI, against the loopback Graph emulator:
 * `auth outlook` signs in with the device-code flow (the emulator's token endpoint), `once`
 * backfills, classifies, alerts (flag + category through the mailbox channel) and proposes;
 * `drafts approve` saves exactly one draft in the conversation; answering the thread clears
 * the flag and the category. Nothing is ever sent.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/server.js';
import { rfc822 } from '../emulators/gmail/harness.js';
import { cli } from '../helpers/cli.js';
import { writeProviderConfig } from '../helpers/provider-config.js';
import { REPO } from '../helpers/paths.js';
import { DRAFT_KEY_PROPERTY } from '../../src/connectors/outlook/props.js';

const NOW = '2026-11-20T09:00:00Z';
const LATER = '2026-11-20T11:00:00Z';
let emu: GraphEmulator;
let dir: string;
let config: string;

beforeAll(async () => {
  emu = await startGraphEmulator({ owner: 'jordan@example.com', ownerName: 'Jordan Okafor' });
  await emu.loadMbox(readFileSync(join(REPO, 'demo', 'demo.mbox')));
  dir = mkdtempSync(join(tmpdir(), 'ow-outlook-cli-'));
  const source = { type: 'outlook', name: 'work', clientId: emu.clientId, tenant: 'consumers', baseUrl: emu.baseUrl, caFile: emu.caFile };
  config = join(dir, 'config.yaml');
  writeProviderConfig(config, source);
});

afterAll(async () => {
  await emu.close();
});

describe('offerwatch on Outlook (emulated Graph)', () => {
  it('signs in, backfills, flags the overdue thread, saves exactly one draft, and clears the flag once answered', async () => {
    const before = await cli(['--config', config, '--now', NOW, 'once']);
    expect(before.err).toContain('run `offerwatch auth outlook --account work`');

    const auth = await cli(['--config', config, 'auth', 'outlook', '--account', 'work']);
    expect(auth.code, auth.err).toBe(0);
    expect(auth.out).toMatch(/open the page https:\/\/127\.0\.0\.1:\d+\/devicelogin and enter the code [0-9A-F]{8}/);
    expect(auth.out).toMatch(/Source work \(outlook\) is authorised/);
    const cache = join(dir, 'state', 'tokens', 'outlook-work.json');
    expect(statSync(cache).mode & 0o777).toBe(0o600);
    expect(auth.out + auth.err).not.toMatch(/rt-[0-9a-f]{24}|at-[0-9a-f]{24}/);

    const r = await cli(['--config', config, '--now', NOW, 'once', '--json']);
    expect(r.code, r.err).toBe(0);
    const board = JSON.parse(r.out) as { threadId: string; stage: string; stale: boolean; company: string }[];
    const offers = board.filter((t) => t.stage === 'offer');
    expect(offers.map((o) => o.company).sort()).toEqual(['Kestrel Maps', 'Tidewater Labs']);
    expect(r.err).toMatch(/Offer from Tidewater Labs .* has waited 3 days for your reply/);
    const tidewater = offers.find((o) => o.company === 'Tidewater Labs')!;

    // The reply-due mark: flag (start + due) and category on the latest inbound message.
    const conv = [...emu.mailbox.messages.values()].filter((s) => s.msg.conversationId === tidewater.threadId);
    expect(conv.length).toBeGreaterThan(0);
    const flagged = conv.filter((s) => s.msg.flag?.flagStatus === 'flagged');
    expect(flagged).toHaveLength(1);
    expect(flagged[0]!.msg.categories).toEqual(['Reply due']);
    expect(flagged[0]!.msg.flag?.dueDateTime?.timeZone).toBe('UTC');
    expect(flagged[0]!.msg.flag?.startDateTime).toBeDefined();

    const list = await cli(['--config', config, '--now', NOW, 'drafts']);
    const id = new RegExp(`#(\\d+) +\\[pending\\] +decline-accepted-elsewhere +work:${tidewater.threadId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).exec(list.out)?.[1];
    expect(id, list.out).toBeDefined();
    const a1 = await cli(['--config', config, '--now', NOW, 'drafts', 'approve', id!]);
    expect(a1.code, a1.err).toBe(0);
    const a2 = await cli(['--config', config, '--now', NOW, 'drafts', 'approve', id!]);
    expect(a2.out).toMatch(/^Already saved/);
    const drafts = emu.mailbox.drafts();
    expect(drafts).toHaveLength(1);
    expect(drafts[0]!.msg.conversationId).toBe(tidewater.threadId);
    expect(drafts[0]!.props.get(DRAFT_KEY_PROPERTY)).toBeTruthy();
    expect(drafts[0]!.text).toMatch(/Tidewater/);

    // Jordan answers from Outlook: the thread is no longer waiting, the mark comes off.
    const last = conv.filter((s) => s.folder === 'inbox').sort((a, b) => (a.msg.receivedDateTime! < b.msg.receivedDateTime! ? -1 : 1)).at(-1)!;
    await emu.mailbox.addRaw(
      rfc822({ from: 'Jordan Okafor <jordan@example.com>', to: last.msg.from!.emailAddress!.address!, subject: `Re: ${last.msg.subject}`, date: new Date('2026-11-20T10:00:00Z'), messageId: '<answer-1@example.com>', inReplyTo: last.msg.internetMessageId!, body: 'Thank you, I will get back to you on Monday with my decision.' }),
      { folder: 'sentitems', conversationId: tidewater.threadId },
    );
    const after = await cli(['--config', config, '--now', LATER, 'once', '--json']);
    expect(after.code, after.err).toBe(0);
    const cleared = [...emu.mailbox.messages.values()].filter((s) => s.msg.conversationId === tidewater.threadId && s.folder === 'inbox');
    expect(cleared.every((s) => s.msg.flag?.flagStatus !== 'flagged' && !(s.msg.categories ?? []).includes('Reply due'))).toBe(true);

    // An expired delta token: one scoped resync, no alert raised again, no second draft.
    emu.expireDeltaTokens();
    const resync = await cli(['--config', config, '--now', LATER, 'once']);
    expect(resync.code, resync.err).toBe(0);
    expect(resync.err).toMatch(/delta token has expired; resyncing within 180 days/);
    expect(resync.out).not.toMatch(/has waited/);
    expect(emu.mailbox.drafts()).toHaveLength(1);
    const all = await cli(['--config', config, '--now', LATER, 'drafts', '--all']);
    expect(all.out.match(/decline-accepted-elsewhere +work:/g)?.length ?? 0).toBe(list.out.match(/decline-accepted-elsewhere +work:/g)?.length ?? 0);

    expect(emu.counters.sendAttempts).toBe(0);
    expect(emu.counters.forbiddenWrites).toBe(0);
  });
});
