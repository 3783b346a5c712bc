/**
 * The emulator itself, through the real googleapis client: search semantics, shapes,
 * history retention, generator loading, and refusal of every send endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { OAuth2Client } from 'google-auth-library';
import { gmail } from 'googleapis/build/src/apis/gmail/index.js';
import { generateMbox } from '../../scripts/lib/gen-mbox.js';
import { startGmailEmulator, DEMO_MBOX, DEMO_OWNER, type GmailEmulator } from '../emulators/gmail/index.js';
import { DEMO_NOW } from '../emulators/gmail/harness.js';

let emu: GmailEmulator;
let api: ReturnType<typeof gmail>;

beforeAll(async () => {
  emu = await startGmailEmulator({ owner: DEMO_OWNER, now: () => DEMO_NOW.getTime() });
  await emu.loadMbox(readFileSync(DEMO_MBOX));
  // The demo mailbox has no spam: one message the test adds, to check that search leaves spam out.
  await emu.addMessage(
    ['From: Recruiter Blast <blast@staffing.example>', 'To: jordan@example.com', 'Subject: Immediate need: SQL Analyst (Contract, Onsite Dallas TX)', 'Date: Wed, 18 Nov 2026 10:00:00 +0000', 'Message-ID: <spam-1@staffing.example>', '', 'Onsite in Dallas, apply today.', ''].join('\r\n'),
    { labels: ['SPAM'] },
  );
  const auth = new OAuth2Client({ clientId: emu.clientId, clientSecret: emu.clientSecret, endpoints: { oauth2TokenUrl: emu.tokenUrl } });
  auth.setCredentials({ ...emu.issueTokens(), expiry_date: Date.now() + 3_600_000 });
  api = gmail({ version: 'v1', auth, rootUrl: emu.rootUrl, retry: false });
});
afterAll(() => emu.close());

async function count(q: string): Promise<number> {
  const r = await api.users.messages.list({ userId: 'me', q, maxResults: 500 });
  return r.data.messages?.length ?? 0;
}

describe('gmail emulator search', () => {
  it('understands the operators the connector and the tests use', async () => {
    const greenhouse = await count('from:greenhouse-mail.io');
    expect(greenhouse).toBeGreaterThan(0);
    expect(await count('from:greenhouse-mail.io OR from:lever.co')).toBe(await count('{from:greenhouse-mail.io from:lever.co}'));
    expect(await count('{from:greenhouse-mail.io from:lever.co}')).toBeGreaterThan(greenhouse);
    expect(await count('from:greenhouse-mail.io -subject:application')).toBeLessThan(greenhouse);
    expect(await count('"offer letter"')).toBeLessThan(await count('offer'));
    expect(await count('in:sent')).toBe(7);
    expect(await count('label:jobs')).toBe(9);
    expect(await count('newer_than:7d')).toBeLessThan(await count('newer_than:60d'));
    expect(await count('after:2026/11/01 before:2026/11/10')).toBeGreaterThan(0);
    expect(await count(`after:${Math.floor(Date.UTC(2026, 10, 1) / 1000)}`)).toBe(await count('after:2026/11/01'));
    expect(await count('rfc822msgid:<no-such-id@example>')).toBe(0);
    // Spam stays out unless asked for.
    expect(await count('in:spam')).toBe(1);
    expect(await count('onsite dallas')).toBe(0);
  });

  it('answers metadata with only the asked headers, and raw as base64url', async () => {
    const id = (await api.users.messages.list({ userId: 'me', q: 'in:sent', maxResults: 1 })).data.messages![0].id!;
    const meta = await api.users.messages.get({ userId: 'me', id, format: 'metadata', metadataHeaders: ['From', 'Subject'] });
    expect(meta.data.payload!.headers!.map((h) => h.name).sort()).toEqual(['From', 'Subject']);
    const raw = await api.users.messages.get({ userId: 'me', id, format: 'raw' });
    const text = Buffer.from(raw.data.raw!, 'base64url').toString('utf8');
    expect(text).toMatch(/^From: Jordan Okafor/m);
    expect(text).not.toMatch(/^X-GM-THRID:/m);
  });

  it('refuses raw threads like Gmail, and 404s an expired history id', async () => {
    const t = (await api.users.messages.list({ userId: 'me', maxResults: 1 })).data.messages![0].threadId!;
    await expect(api.users.threads.get({ userId: 'me', id: t, format: 'raw' })).rejects.toMatchObject({ status: 400 });
    await expect(api.users.history.list({ userId: 'me', startHistoryId: '1' })).rejects.toMatchObject({ status: 404 });
  });

  it('loads generated mail, with threads and history for runtime additions', async () => {
    const before = Number((await api.users.getProfile({ userId: 'me' })).data.historyId);
    const chunks = [...generateMbox({ seed: 5, messages: 6, owner: 'Sam Lee <sam.lee@example.net>' })];
    expect(await emu.loadMbox(chunks.join(''), { recordHistory: true })).toBe(6);
    const h = await api.users.history.list({ userId: 'me', startHistoryId: String(before), historyTypes: ['messageAdded'] });
    expect(h.data.history).toHaveLength(6);
    expect(Number(h.data.historyId)).toBe(before + 6);
    const added = h.data.history![0].messagesAdded![0].message!;
    const threadSize = emu.mailbox.threads.get(added.threadId!)!.length;
    // Label changes are history too.
    const label = await api.users.labels.create({ userId: 'me', requestBody: { name: 'Emu test' } });
    await api.users.threads.modify({ userId: 'me', id: added.threadId!, requestBody: { addLabelIds: [label.data.id!] } });
    await api.users.threads.modify({ userId: 'me', id: added.threadId!, requestBody: { removeLabelIds: [label.data.id!] } });
    const lh = await api.users.history.list({ userId: 'me', startHistoryId: String(before + 6), historyTypes: ['labelAdded', 'labelRemoved'] });
    expect(lh.data.history!.filter((r) => r.labelsAdded?.length)).toHaveLength(threadSize);
    expect(lh.data.history!.filter((r) => r.labelsRemoved?.length)).toHaveLength(threadSize);
    await expect(api.users.labels.create({ userId: 'me', requestBody: { name: 'Emu test' } })).rejects.toMatchObject({ status: 409 });
  });

  it('counts and refuses every send endpoint', async () => {
    await expect(api.users.messages.send({ userId: 'me', requestBody: { raw: 'eA' } })).rejects.toMatchObject({ status: 403 });
    await expect(api.users.drafts.send({ userId: 'me', requestBody: { id: 'r1' } })).rejects.toMatchObject({ status: 403 });
    expect(emu.counters.sendAttempts).toBe(2);
  });
});
