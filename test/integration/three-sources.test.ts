/**
 * One config, three providers: an mbox file, a Gmail account (emulated) and an Outlook account
 * (emulated Graph) run one cycle together; a source that fails (a revoked Outlook sign-in,
 * a Gmail outage) is reported and does not stop the others.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGmailEmulator, type GmailEmulator } from '../emulators/gmail/server.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/server.js';
import { gmailSourceSchema, tokenFileOf } from '../../src/connectors/gmail/index.js';
import { saveTokens } from '../../src/connectors/gmail/tokens.js';
import { cli } from '../helpers/cli.js';
import { REPO } from '../helpers/paths.js';

const NOW = '2026-11-20T09:00:00Z';
const DEMO = join(REPO, 'demo', 'demo.mbox');
let gmail: GmailEmulator;
let graph: GraphEmulator;
let dir: string;
let config: string;

beforeAll(async () => {
  gmail = await startGmailEmulator({ owner: 'jordan@example.com', now: () => Date.parse(NOW) });
  await gmail.loadMbox(readFileSync(DEMO));
  graph = await startGraphEmulator({ owner: 'jordan@example.com', ownerName: 'Jordan Okafor', accessTokenSeconds: 60 });
  await graph.loadMbox(readFileSync(DEMO));
  dir = mkdtempSync(join(tmpdir(), 'ow-three-'));
  copyFileSync(DEMO, join(dir, 'takeout.mbox'));
  const g = { type: 'gmail', name: 'personal', clientId: gmail.clientId, clientSecret: gmail.clientSecret, rootUrl: gmail.rootUrl };
  const o = { type: 'outlook', name: 'work', clientId: graph.clientId, tenant: 'consumers', baseUrl: graph.baseUrl, caFile: graph.caFile };
  saveTokens(tokenFileOf(gmailSourceSchema.parse(g), join(dir, 'state')), { ...gmail.issueTokens(), expiry_date: Date.now() + 3_600_000, token_type: 'Bearer' });
  config = join(dir, 'config.yaml');
  writeFileSync(config, [
    'version: 1',
    'owner: { name: Jordan Okafor, addresses: [jordan@example.com] }',
    `sources: [{ type: mbox, name: takeout, path: takeout.mbox }, ${JSON.stringify(g)}, ${JSON.stringify(o)}]`,
    'state: { dir: state }',
    'alerts: { channels: [{ type: terminal }, { type: mailbox }] }',
    '',
  ].join('\n'));
  const auth = await cli(['--config', config, 'auth', 'outlook', '--account', 'work']);
  expect(auth.code, auth.err).toBe(0);
});

afterAll(async () => {
  await gmail.close();
  await graph.close();
});

type Row = { source: string; stage: string; company: string };

describe('mbox + Gmail + Outlook in one cycle', () => {
  it('syncs and classifies all three', async () => {
    const r = await cli(['--config', config, '--now', NOW, 'once', '--json']);
    expect(r.code, r.err).toBe(0);
    const board = JSON.parse(r.out) as Row[];
    for (const source of ['takeout', 'personal', 'work']) {
      const offers = board.filter((t) => t.source === source && t.stage === 'offer').map((t) => t.company).sort();
      expect(offers, source).toEqual(['Kestrel Maps', 'Tidewater Labs']);
    }
    expect(gmail.counters.sendAttempts).toBe(0);
    expect(graph.counters.sendAttempts).toBe(0);
  });

  it('a failing source is reported and the others go on', async () => {
    graph.revokeTokens();
    gmail.fail({ method: '*', status: 400, reason: 'failedPrecondition', times: 1000 });
    const dup = join(dir, 'takeout.mbox');
    writeFileSync(dup, readFileSync(dup)); // unchanged file: mbox still syncs
    const r = await cli(['--config', config, '--now', '2026-11-21T09:00:00Z', 'once', '--json']);
    gmail.clearFaults();
    expect(r.err).toContain('cannot sync outlook account work: the sign-in has expired or was revoked');
    expect(r.err).toContain('run `offerwatch auth outlook --account work`');
    expect(r.err).toMatch(/gmail/);
    const board = JSON.parse(r.out) as Row[];
    expect(board.some((t) => t.source === 'takeout')).toBe(true);
    expect(graph.counters.sendAttempts).toBe(0);
  });
});
