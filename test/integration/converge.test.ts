/**
 * Durability: kill the process at seeded moments during a cycle over a generated mailbox,
 * run again, and end with exactly the state of one uninterrupted run — same threads,
 * stages, deadlines, alerts and proposals.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeMbox, mulberry32 } from '../../scripts/lib/gen-mbox.js';
import { Store } from '../../src/store/index.js';
import { REPO } from '../helpers/paths.js';

const NOW = '2026-06-01T00:00:00Z';
let dir: string;
let mbox: string;

function config(name: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, [
    'version: 1',
    'owner: { name: Sam Owner, addresses: [sam.owner@example.net] }',
    'sources: [{ type: mbox, name: big, path: mail.mbox }]',
    `state: { dir: ${name} }`,
    'responses:',
    '  - { name: decline-offers, when: { stage: offer }, propose: { decision: decline } }',
    'alerts: { channels: [{ type: terminal }, { type: mailbox }] }',
    '',
  ].join('\n'));
  return file;
}

function runCli(cfg: string, killAfterMs?: number): Promise<{ code: number | null; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/helpers/run-cli.ts'), '--config', cfg, '--now', NOW, 'once'], {
      cwd: REPO,
      stdio: 'ignore',
    });
    let killed = false;
    const timer = killAfterMs === undefined ? null : setTimeout(() => { killed = child.kill('SIGKILL'); }, killAfterMs);
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, killed });
    });
  });
}

function snapshot(stateDir: string) {
  const store = Store.open(join(dir, stateDir, 'offerwatch.db'));
  try {
    const q = (sql: string) => store.db.prepare(sql).all();
    return {
      messages: q('SELECT source, id, thread_id, content_hash FROM messages ORDER BY source, id'),
      threads: q('SELECT source, id, stage, tracked, awaiting, waiting_since, due_at, company, role, contact FROM threads ORDER BY source, id'),
      history: q('SELECT source, thread_id, seq, from_stage, to_stage, rule FROM stage_history ORDER BY source, thread_id, seq'),
      alerts: q('SELECT source, thread_id, due_at, stage, delivered, cleared_at FROM alerts ORDER BY source, thread_id, due_at'),
      proposals: q('SELECT key, source, thread_id, decision, template_id, status FROM proposals ORDER BY key'),
      attention: q('SELECT source, thread_id FROM attention ORDER BY source, thread_id'),
      cursor: q('SELECT name, cursor FROM sources'),
    };
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ow-converge-'));
  mbox = join(dir, 'mail.mbox');
  await writeMbox(mbox, { seed: 7, messages: Infinity, targetBytes: 12 * 1024 * 1024, owner: 'Sam Owner <sam.owner@example.net>', jobShare: 0.05 });
}, 120_000);

describe('a killed cycle converges', () => {
  it('ends in the same state as one uninterrupted run', async () => {
    const clean = await runCli(config('clean'));
    expect(clean.code).toBe(0);
    const expected = snapshot('clean');
    expect(expected.threads.length).toBeGreaterThan(1000);
    expect(expected.proposals.length).toBeGreaterThan(0);

    const cfg = config('killed');
    const random = mulberry32(20261121);
    let kills = 0;
    for (let i = 0; i < 4; i++) {
      const r = await runCli(cfg, 700 + Math.floor(random() * 2500));
      if (r.killed && r.code !== 0) kills++;
    }
    const last = await runCli(cfg);
    expect(last.code).toBe(0);
    expect(kills).toBeGreaterThan(0);
    expect(snapshot('killed')).toEqual(expected);
  }, 240_000);
});
