/**
 * The whole product on Gmail, through the CLI: a config with a gmail source pointed at the
 * loopback emulator; `once` backfills, classifies, alerts (reply-due label through the mailbox
 * channel) and proposes; `drafts approve` creates exactly one draft in the right thread.
 * Nothing is ever sent.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGmailEmulator, type GmailEmulator } from '../emulators/gmail/server.js';
import { gmailSourceSchema, tokenFileOf } from '../../src/connectors/gmail/index.js';
import { saveTokens } from '../../src/connectors/gmail/tokens.js';
import { cli } from '../helpers/cli.js';
import { writeProviderConfig } from '../helpers/provider-config.js';
import { REPO } from '../helpers/paths.js';

const NOW = '2026-11-20T09:00:00Z';
let emu: GmailEmulator;
let dir: string;
let config: string;

beforeAll(async () => {
  emu = await startGmailEmulator({ owner: 'jordan@example.com', now: () => Date.parse(NOW) });
  await emu.loadMbox(readFileSync(join(REPO, 'demo', 'demo.mbox')));
  dir = mkdtempSync(join(tmpdir(), 'ow-gmail-cli-'));
  const source = { type: 'gmail', name: 'personal', clientId: emu.clientId, clientSecret: emu.clientSecret, rootUrl: emu.rootUrl };
  const stateDir = join(dir, 'state');
  saveTokens(tokenFileOf(gmailSourceSchema.parse(source), stateDir), { ...emu.issueTokens(), expiry_date: Date.now() + 3_600_000, token_type: 'Bearer' });
  config = join(dir, 'config.yaml');
  writeProviderConfig(config, source);
});

afterAll(async () => {
  await emu.close();
});

describe('offerwatch on Gmail (emulated)', () => {
  it('backfills, alerts with the reply-due label, proposes, and saves exactly one threaded draft', async () => {
    const r = await cli(['--config', config, '--now', NOW, 'once', '--json']);
    expect(r.code, r.err).toBe(0);
    const board = JSON.parse(r.out) as { threadId: string; stage: string; stale: boolean; company: string }[];
    const offers = board.filter((t) => t.stage === 'offer');
    expect(offers.map((o) => o.company).sort()).toEqual(['Kestrel Maps', 'Tidewater Labs']);
    expect(r.err).toMatch(/Offer from Tidewater Labs .* has waited 3 days for your reply/);

    const label = [...emu.mailbox.labels.values()].find((l) => l.name === 'offerwatch/Reply due');
    expect(label).toBeDefined();
    const tidewater = offers.find((o) => o.company === 'Tidewater Labs')!;

    const list = await cli(['--config', config, '--now', NOW, 'drafts']);
    const id = new RegExp(`#(\\d+) +\\[pending\\] +decline-accepted-elsewhere +personal:${tidewater.threadId}`).exec(list.out)?.[1];
    expect(id, list.out).toBeDefined();
    const a1 = await cli(['--config', config, '--now', NOW, 'drafts', 'approve', id!]);
    expect(a1.code, a1.err).toBe(0);
    const a2 = await cli(['--config', config, '--now', NOW, 'drafts', 'approve', id!]);
    expect(a2.out).toMatch(/^Already saved/);

    const drafts = [...emu.mailbox.drafts.values()].map((mid) => emu.mailbox.messages.get(mid)!);
    expect(drafts).toHaveLength(1);
    expect(drafts[0]!.threadId).toBe(tidewater.threadId);
    // The overdue thread carries the reply-due label.
    const labelled = [...emu.mailbox.messages.values()].filter((m) => m.threadId === tidewater.threadId && m.labelIds.has(label!.id!));
    expect(labelled.length).toBeGreaterThan(0);
    expect(emu.counters.sendAttempts).toBe(0);
  });
});
