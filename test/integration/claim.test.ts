/**
 * Saving a draft claims its proposal in SQLite first (compare-and-set pending → saving), so a
 * daemon's autoSave and a concurrent `drafts approve` — two processes on one state file —
 * cannot both create a provider draft. A claim left by a crash is taken over, and the key
 * lookup then finds the draft the crashed process may have created.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/index.js';
import { saveProposal } from '../../src/respond/save.js';
import type { Connector, DraftWriter, SavedDraft } from '../../src/connectors/port.js';
import type { MailMessage } from '../../src/model/types.js';

const REPO = resolve(import.meta.dirname, '../..');
const OWNER = { name: 'Robin Hale', addresses: ['robin.hale@example.org'] };
const NOW = new Date('2026-03-10T12:00:00Z');

const offer: MailMessage = {
  id: '<nw-2@northwind.example>', threadId: 't-1', messageId: '<nw-2@northwind.example>', inReplyTo: null, references: [],
  date: '2026-03-05T09:00:00.000Z', from: { name: 'Ola Berg', address: 'ola.berg@northwind.example' }, replyTo: [],
  to: [{ name: null, address: 'robin.hale@example.org' }], cc: [], subject: 'Your offer', text: 'We are delighted to offer you the role.',
  newText: 'We are delighted to offer you the role.', headers: {}, role: 'inbox', labels: [], attachments: [], contentHash: 'h1',
};

/** A state file with one thread and one pending proposal. */
function stateWithProposal(): { file: string; id: number; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ow-claim-'));
  const file = join(dir, 'offerwatch.db');
  const store = Store.open(file);
  store.messages.ingest('mail', { messages: [offer], failures: [], cursor: 'c1' }, OWNER, NOW);
  const { proposal } = store.proposals.propose(
    { key: 'ow-mail.t-1.decline', source: 'mail', threadId: 't-1', decision: 'decline', reason: null, templateId: 'decline-offer', rule: null, to: offer.from, subject: 'Re: Your offer', body: 'Thank you, but no.', needsEdit: [] },
    NOW,
  );
  store.close();
  return { file, id: proposal.id, key: proposal.key };
}

function countingWriter(opts: { beforeFind?: () => Promise<void> } = {}): DraftWriter & { created: SavedDraft[] } {
  const created: SavedDraft[] = [];
  return {
    created,
    async findDraftByKey() {
      await opts.beforeFind?.();
      return created[0] ?? null;
    },
    async createDraft(req) {
      const d = { draftId: `d-${created.length + 1}`, location: `draft for ${req.key}` };
      created.push(d);
      return d;
    },
  };
}
const connectorOf = (drafts: DraftWriter): Connector => ({ name: 'mail', reader: { sync: async function* () {} }, drafts });

function worker(file: string, id: number, dir: string, mode: 'slow' | 'fast'): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/helpers/save-worker.ts'), file, String(id), dir, mode], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolveRun(out) : reject(new Error(`worker ${mode} exited ${code}: ${err}`))));
  });
}

describe('claiming a proposal before saving it', () => {
  it('two processes on one state file: one creates, the other is refused while the first holds the claim', async () => {
    const { file, id } = stateWithProposal();
    const dir = mkdtempSync(join(tmpdir(), 'ow-claim-mailbox-'));
    const slow = worker(file, id, dir, 'slow');
    // Start the second process only once the first has looked the key up and missed.
    for (let i = 0; i < 6000 && !existsSync(join(dir, 'slow-looked')); i++) await new Promise((r) => setTimeout(r, 10));
    const fast = await worker(file, id, dir, 'fast');
    expect(fast).toBe('ECONFLICT');
    expect(await slow).toBe('created');
    expect(readdirSync(dir).filter((n) => n.startsWith('draft-'))).toHaveLength(1);
    const store = Store.open(file);
    const p = store.proposals.get(id)!;
    expect([p.status, p.claimToken, p.claimedAt]).toEqual(['saved', null, null]);
    // Approving again afterwards changes nothing.
    expect((await saveProposal(store, connectorOf(countingWriter()), p, OWNER, NOW)).outcome).toBe('unchanged');
    store.close();
    expect(readFileSync(join(dir, 'fast-done'), 'utf8')).toBe('ECONFLICT');
  }, 120_000);

  it('two connections in one process, interleaved: exactly one provider draft', async () => {
    const { file, id } = stateWithProposal();
    const a = Store.open(file);
    const b = Store.open(file);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const slowWriter = countingWriter({ beforeFind: async () => { entered(); await gate; } });
    const first = saveProposal(a, connectorOf(slowWriter), a.proposals.get(id)!, OWNER, NOW);
    await inside;
    const other = countingWriter();
    await expect(saveProposal(b, connectorOf(other), b.proposals.get(id)!, OWNER, NOW)).rejects.toMatchObject({ code: 'ECONFLICT' });
    release();
    expect((await first).outcome).toBe('created');
    expect(slowWriter.created.length + other.created.length).toBe(1);
    a.close();
    b.close();
  });

  it('a claim left by a crashed process is taken over, and the key lookup adopts the draft it made', async () => {
    const { file, id, key } = stateWithProposal();
    const store = Store.open(file);
    // A process on this host claimed it, created the draft, and died before recording it.
    store.db.prepare("UPDATE proposals SET status = 'saving', claim_token = ?, claimed_at = ? WHERE id = ?").run(`${hostname().replace(/[^A-Za-z0-9.-]/g, '_')}:2147483646:dead`, NOW.toISOString(), id);
    const writer = countingWriter();
    writer.created.push({ draftId: 'd-crashed', location: `draft for ${key}` });
    const r = await saveProposal(store, connectorOf(writer), store.proposals.get(id)!, OWNER, NOW);
    expect(r.outcome).toBe('adopted');
    expect(r.proposal.draftId).toBe('d-crashed');
    expect(writer.created).toHaveLength(1);
    store.close();
  });

  it('a live claim from another host is respected until it is stale, then taken over', async () => {
    const { file, id } = stateWithProposal();
    const store = Store.open(file);
    store.db.prepare("UPDATE proposals SET status = 'saving', claim_token = 'other-host:123:x', claimed_at = ? WHERE id = ?").run(NOW.toISOString(), id);
    const writer = countingWriter();
    await expect(saveProposal(store, connectorOf(writer), store.proposals.get(id)!, OWNER, new Date(NOW.getTime() + 60_000))).rejects.toMatchObject({ code: 'ECONFLICT' });
    expect(writer.created).toHaveLength(0);
    const later = await saveProposal(store, connectorOf(writer), store.proposals.get(id)!, OWNER, new Date(NOW.getTime() + 11 * 60_000));
    expect(later.outcome).toBe('created');
    expect(writer.created).toHaveLength(1);
    store.close();
  });

  it('a provider failure gives the claim back: the proposal is pending again', async () => {
    const { file, id } = stateWithProposal();
    const store = Store.open(file);
    const failing: DraftWriter = { findDraftByKey: async () => null, createDraft: async () => { throw Object.assign(new Error('boom'), { code: 'ETRANSIENT' }); } };
    await expect(saveProposal(store, connectorOf(failing), store.proposals.get(id)!, OWNER, NOW)).rejects.toThrow('boom');
    expect(store.proposals.get(id)!.status).toBe('pending');
    store.close();
  });
});
