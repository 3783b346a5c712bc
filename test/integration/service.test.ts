/**
 * The service layer: the single-flight cycle lock across processes (held, refused, taken over
 * from a killed holder, expired), and the offer comparison (priorities, scores, totals, gaps).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { cli } from '../helpers/cli.js';
import { writeMailbox, type Spec } from '../helpers/mailbox.js';
import { REPO } from '../helpers/paths.js';
import { Store } from '../../src/store/index.js';
import { LockStore } from '../../src/store/locks.js';
import { CYCLE_LOCK, Offers } from '../../src/app/index.js';

const ME = 'sam.reyes@example.org';
const T0 = '2026-05-10T12:00:00Z';
const mail: Spec[] = [
  { from: 'Ola Berg <ola.berg@northwind.example>', to: ME, date: '2026-05-05T09:00:00Z', subject: 'Northwind Analytics - your offer', id: 'nw-2@northwind.example', thread: '2000000000000000001', body: 'Hi Sam,\n\nWe are delighted to offer you the Platform Engineer role at Northwind Analytics: 95,000 EUR base salary.\n\nCould you let us know your decision by Friday?\n\nOla Berg' },
  { from: 'Mia Chen <mia@brightfield.example>', to: ME, date: '2026-05-06T09:00:00Z', subject: 'Brightfield offer', id: 'bf-2@brightfield.example', thread: '2000000000000000002', body: 'Hi Sam,\n\nI am pleased to offer you the SRE position at Brightfield, with a base salary of 90,000 EUR.\n\nPlease let me know if you accept by Monday.\n\nMia' },
];

let dir: string;
let config: string;
let db: string;
const children: ChildProcess[] = [];

const run = (args: string[]) => cli(['--config', config, '--now', T0, ...args]);

function holdLock(ttl = 600_000): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test/helpers/hold-lock.ts'), db, String(ttl)], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => (String(d).startsWith('held') ? resolve(child) : reject(new Error(String(d)))));
    child.once('exit', (c) => reject(new Error(`holder exited ${c}`)));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ow-service-'));
  writeMailbox(join(dir, 'mail.mbox'), mail);
  config = join(dir, 'config.yaml');
  db = join(dir, 'state', 'offerwatch.db');
  writeFileSync(config, ['version: 1', `owner: { name: Sam Reyes, addresses: [${ME}] }`, 'sources:', '  - { type: mbox, name: mail, path: mail.mbox }', 'state: { dir: state }', ''].join('\n'));
  expect((await run(['once'])).code).toBe(0);
}, 60_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('the cycle lock', () => {
  it('refuses a cycle while another process holds the lock, and takes over once that process is killed', async () => {
    const holder = await holdLock();
    const busy = await run(['once']);
    expect(busy.code).toBe(1);
    expect(busy.err).toMatch(/cannot start a cycle: one is already running \(test holder/);
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    const after = await run(['once']);
    expect(after.code).toBe(0);
    const store = Store.open(db);
    try {
      expect(store.locks.get(CYCLE_LOCK)).toBeNull(); // released after the cycle
    } finally {
      store.close();
    }
  }, 60_000);

  it('takes over a lock whose expiry passed, and a holder cannot release a lock it lost', () => {
    let t = 1_000_000;
    const a = Store.open(db);
    const b = Store.open(db);
    try {
      const la = new LockStore(a.db, () => t);
      const lb = new LockStore(b.db, () => t);
      expect(la.acquire('x', 'tok-a', 'a', 1000).ok).toBe(true);
      expect(lb.acquire('x', 'tok-b', 'b', 1000).ok).toBe(false);
      t += 1001;
      expect(lb.acquire('x', 'tok-b', 'b', 1000).ok).toBe(true);
      la.release('x', 'tok-a');
      expect(lb.get('x')?.token).toBe('tok-b');
      expect(la.renew('x', 'tok-a', 1000)).toBe(false);
      lb.release('x', 'tok-b');
      expect(lb.get('x')).toBeNull();
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('offers', () => {
  it('weighs scored offers, names missed non-negotiables and negotiable gaps, and persists them', async () => {
    const status = JSON.parse((await run(['status', '--json'])).out) as { threadId: string; stage: string }[];
    const offers = status.filter((s) => s.stage === 'offer').map((s) => s.threadId).sort();
    expect(offers).toEqual(['2000000000000000001', '2000000000000000002']);
    const [nw, bf] = offers as [string, string];
    expect((await run(['offers', 'priority', 'Location and mobility', '--non-negotiable'])).code).toBe(0);
    for (const [t, p, s] of [[nw, 'Salary and benefits', 9], [nw, 'Manager', 4], [nw, 'Location and mobility', 8], [bf, 'Salary and benefits', 7], [bf, 'Location and mobility', 3]] as const) {
      const r = await run(['offers', 'score', t, p, String(s)]);
      expect(r.code, r.err).toBe(0);
    }
    const o = Offers.parse(JSON.parse((await run(['offers', '--json'])).out));
    const byId = new Map(o.offers.map((x) => [x.threadId, x]));
    // Northwind: (9·3 + 4·2 + 8·1) / 6 = 7.2; Brightfield: (7·3 + 3·1) / 4 = 6.0
    expect(byId.get(nw)).toMatchObject({ total: 7.2, missed: [], negotiableGaps: ['Manager'], suggestion: 'negotiate' });
    expect(byId.get(bf)).toMatchObject({ total: 6, missed: ['Location and mobility'], negotiableGaps: [], suggestion: 'decline' });
    const table = (await run(['offers'])).out;
    expect(table).toMatch(/weighted total\s+6\.0\s+7\.2/); // Brightfield, Northwind
    expect(table).toContain(`mail:${bf}`);
  }, 60_000);

  it('allows at most three non-negotiables and refuses scores outside 0–10', async () => {
    for (const p of ['Role', 'Manager']) expect((await run(['offers', 'priority', p, '--non-negotiable'])).code).toBe(0);
    const fourth = await run(['offers', 'priority', 'Autonomy', '--non-negotiable']);
    expect(fourth.code).toBe(2);
    expect(fourth.err).toMatch(/at most 3/);
    const bad = await run(['offers', 'score', '2000000000000000001', 'Role', '11']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/whole number from 0 to 10/);
  }, 60_000);
});
