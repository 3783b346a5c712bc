/** The state of offerwatch in one SQLite file, reached through one small store per concern. */
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

  static open(path: string): Store {
    return new Store(openDatabase(path));
  }

  meta(key: string): string | null {
    const r = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return r?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
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
