/**
 * Named locks in the state file, shared by every process that opens it (the daemon, the CLI,
 * the web page): a row with the holder's token, pid and expiry, taken by compare-and-set inside
 * an immediate transaction. A lock whose holder died (same host, pid gone) or whose expiry
 * passed is taken over. Times are the machine's real clock, not the injected one: a lock is
 * about processes, not about the mail's time line.
 */
import { hostname } from 'node:os';
import type { DB } from './db.js';

export interface LockInfo {
  name: string;
  token: string;
  pid: number;
  host: string;
  holder: string;
  acquiredAt: number;
  expiresAt: number;
}

interface Raw { name: string; token: string; pid: number; host: string; holder: string; acquired_at: number; expires_at: number }

const toInfo = (r: Raw): LockInfo => ({ name: r.name, token: r.token, pid: r.pid, host: r.host, holder: r.holder, acquiredAt: r.acquired_at, expiresAt: r.expires_at });

/** Whether a process with this pid runs on this machine (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class LockStore {
  constructor(private readonly db: DB, private readonly nowMs: () => number = Date.now) {}

  get(name: string): LockInfo | null {
    const r = this.db.prepare('SELECT * FROM locks WHERE name = ?').get(name) as Raw | undefined;
    return r ? toInfo(r) : null;
  }

  /** A lock is stale when it expired, or when its holder was a process on this machine that is gone. */
  isStale(l: LockInfo): boolean {
    if (l.expiresAt <= this.nowMs()) return true;
    return l.host === hostname() && l.pid !== process.pid && !processAlive(l.pid);
  }

  /** Takes the lock for `ttlMs` unless a live holder has it. Returns the current holder when refused. */
  acquire(name: string, token: string, holder: string, ttlMs: number): { ok: true } | { ok: false; holder: LockInfo } {
    return this.db.transaction(() => {
      const cur = this.get(name);
      if (cur && cur.token !== token && !this.isStale(cur)) return { ok: false as const, holder: cur };
      const now = this.nowMs();
      // Compare-and-set: replace only the row we looked at (or insert when there was none).
      if (cur) {
        const info = this.db
          .prepare('UPDATE locks SET token = ?, pid = ?, host = ?, holder = ?, acquired_at = ?, expires_at = ? WHERE name = ? AND token = ?')
          .run(token, process.pid, hostname(), holder, now, now + ttlMs, name, cur.token);
        if (info.changes !== 1) return { ok: false as const, holder: this.get(name)! };
      } else {
        this.db.prepare('INSERT INTO locks (name, token, pid, host, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(name, token, process.pid, hostname(), holder, now, now + ttlMs);
      }
      return { ok: true as const };
    }).immediate();
  }

  /** Extends a held lock; false when it is no longer ours. */
  renew(name: string, token: string, ttlMs: number): boolean {
    return this.db.prepare('UPDATE locks SET expires_at = ? WHERE name = ? AND token = ?').run(this.nowMs() + ttlMs, name, token).changes === 1;
  }

  release(name: string, token: string): void {
    this.db.prepare('DELETE FROM locks WHERE name = ? AND token = ?').run(name, token);
  }
}
