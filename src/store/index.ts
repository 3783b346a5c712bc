/** The state of offerwatch in one SQLite file, reached through one small store per concern. */
import { dirname } from 'node:path';
import { OfferwatchError, isOfferwatchError } from '../errors.js';
import { openDatabase, type DB } from './db.js';
import { MessageStore } from './messages.js';
import { ThreadStore } from './threads.js';
import { AlertStore } from './alerts.js';
import { ProposalStore } from './proposals.js';
import { LockStore } from './locks.js';
import { OfferStore } from './offers.js';
import { CorrectionStore } from './corrections.js';

export class Store {
  readonly messages: MessageStore;
  readonly threads: ThreadStore;
  readonly alerts: AlertStore;
  readonly proposals: ProposalStore;
  readonly locks: LockStore;
  readonly offers: OfferStore;
  readonly corrections: CorrectionStore;

  constructor(readonly db: DB) {
    this.messages = new MessageStore(db);
    this.threads = new ThreadStore(db);
    this.alerts = new AlertStore(db);
    this.proposals = new ProposalStore(db);
    this.locks = new LockStore(db);
    this.offers = new OfferStore(db);
    this.corrections = new CorrectionStore(db);
  }

  /** Opens the state file; any failure (a file where the directory should be, no permission, not a database) is ESTATE. */
  static open(path: string): Store {
    try {
      return new Store(openDatabase(path));
    } catch (e) {
      if (isOfferwatchError(e)) throw e;
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'EEXIST' || err.code === 'ENOTDIR' ? `${dirname(path)} is not a directory`
        : err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'SQLITE_READONLY' || err.code === 'SQLITE_CANTOPEN' ? `${path} is not writable (${err.code})`
        : err.code === 'SQLITE_NOTADB' ? `${path} is not an offerwatch state file`
        : `${path}: ${(err.message ?? String(e)).split('\n')[0]}`;
      throw new OfferwatchError('ESTATE', `cannot open state: ${why}`, { cause: e });
    }
  }

  meta(key: string): string | null {
    const r = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return r?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** True before the first cycle: no source has been synced into this state. */
  isEmpty(): boolean {
    return this.db.prepare('SELECT 1 FROM sources LIMIT 1').get() === undefined && this.db.prepare('SELECT 1 FROM threads LIMIT 1').get() === undefined;
  }

  close(): void {
    this.db.close();
  }
}

export type { ThreadRef } from './threads.js';
export type { AlertRow } from './alerts.js';
export type { Proposal, Decision, ProposalStatus } from './proposals.js';
export { DECISIONS } from './proposals.js';
export type { LockInfo } from './locks.js';
export type { PriorityRow } from './offers.js';
export type { Correction, CorrectionKind } from './corrections.js';
