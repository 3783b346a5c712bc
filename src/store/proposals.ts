/** Owner decisions and the review queue of proposed drafts. */
import type { DB } from './db.js';
import type { ThreadRef } from './threads.js';
import type { Address } from '../model/types.js';

export type Decision = 'decline' | 'withdraw' | 'rescind' | 'negotiate' | 'confirm';
export const DECISIONS: Decision[] = ['decline', 'withdraw', 'rescind', 'negotiate', 'confirm'];
/** superseded: replaced by a later decision on the same thread before it was saved. */
export type ProposalStatus = 'pending' | 'saved' | 'discarded' | 'superseded';

export interface Proposal {
  id: number;
  key: string;
  source: string;
  threadId: string;
  decision: Decision;
  reason: string | null;
  templateId: string;
  rule: string | null;
  status: ProposalStatus;
  to: Address | null;
  subject: string;
  body: string;
  needsEdit: string[];
  createdAt: string;
  updatedAt: string;
  draftId: string | null;
  draftLocation: string | null;
}

interface Raw {
  id: number; key: string; source: string; thread_id: string; decision: string; reason: string | null; template_id: string;
  rule: string | null; status: string; to_json: string | null; subject: string; body: string; needs_edit: string;
  created_at: string; updated_at: string; draft_id: string | null; draft_location: string | null;
}

const toProposal = (r: Raw): Proposal => ({
  id: r.id, key: r.key, source: r.source, threadId: r.thread_id, decision: r.decision as Decision, reason: r.reason,
  templateId: r.template_id, rule: r.rule, status: r.status as ProposalStatus, to: r.to_json ? (JSON.parse(r.to_json) as Address) : null,
  subject: r.subject, body: r.body, needsEdit: JSON.parse(r.needs_edit) as string[], createdAt: r.created_at, updatedAt: r.updated_at,
  draftId: r.draft_id, draftLocation: r.draft_location,
});

export type NewProposal = Omit<Proposal, 'id' | 'status' | 'createdAt' | 'updatedAt' | 'draftId' | 'draftLocation'>;

export class ProposalStore {
  constructor(private readonly db: DB) {}

  recordDecision(ref: ThreadRef, decision: Decision, reason: string | null, now: Date): void {
    this.db
      .prepare(
        `INSERT INTO decisions (source, thread_id, decision, reason, decided_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (source, thread_id) DO UPDATE SET decision = excluded.decision, reason = excluded.reason, decided_at = excluded.decided_at`,
      )
      .run(ref.source, ref.id, decision, reason, now.toISOString());
  }

  clearDecision(ref: ThreadRef): void {
    this.db.prepare('DELETE FROM decisions WHERE source = ? AND thread_id = ?').run(ref.source, ref.id);
  }

  /** Replaces the pending proposal `oldId` by `p` in one transaction (one live proposal per thread). */
  supersede(oldId: number, p: NewProposal, now: Date): { proposal: Proposal; created: boolean } {
    return this.db.transaction(() => {
      this.db.prepare("UPDATE proposals SET status = 'superseded', updated_at = ? WHERE id = ? AND status = 'pending'").run(now.toISOString(), oldId);
      return this.propose(p, now);
    })();
  }

  decision(ref: ThreadRef): { decision: Decision; reason: string | null } | null {
    const r = this.db.prepare('SELECT decision, reason FROM decisions WHERE source = ? AND thread_id = ?').get(ref.source, ref.id) as
      | { decision: Decision; reason: string | null }
      | undefined;
    return r ?? null;
  }

  /** Inserts a proposal unless one with the same key exists; returns the stored one either way. */
  propose(p: NewProposal, now: Date): { proposal: Proposal; created: boolean } {
    const info = this.db
      .prepare(
        `INSERT OR IGNORE INTO proposals (key, source, thread_id, decision, reason, template_id, rule, status, to_json, subject, body, needs_edit, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)`,
      )
      .run(p.key, p.source, p.threadId, p.decision, p.reason, p.templateId, p.rule, p.to ? JSON.stringify(p.to) : null, p.subject, p.body, JSON.stringify(p.needsEdit), now.toISOString(), now.toISOString());
    return { proposal: this.byKey(p.key)!, created: info.changes > 0 };
  }

  byKey(key: string): Proposal | null {
    const r = this.db.prepare('SELECT * FROM proposals WHERE key = ?').get(key) as Raw | undefined;
    return r ? toProposal(r) : null;
  }

  get(id: number): Proposal | null {
    const r = this.db.prepare('SELECT * FROM proposals WHERE id = ?').get(id) as Raw | undefined;
    return r ? toProposal(r) : null;
  }

  list(status?: ProposalStatus): Proposal[] {
    const rows = (status
      ? this.db.prepare('SELECT * FROM proposals WHERE status = ? ORDER BY id').all(status)
      : this.db.prepare('SELECT * FROM proposals ORDER BY id').all()) as Raw[];
    return rows.map(toProposal);
  }

  forThread(ref: ThreadRef): Proposal[] {
    return (this.db.prepare('SELECT * FROM proposals WHERE source = ? AND thread_id = ? ORDER BY id').all(ref.source, ref.id) as Raw[]).map(toProposal);
  }

  edit(id: number, fields: { body: string; to: Address | null; needsEdit: string[] }, now: Date): void {
    this.db
      .prepare("UPDATE proposals SET body = ?, to_json = ?, needs_edit = ?, updated_at = ? WHERE id = ? AND status = 'pending'")
      .run(fields.body, fields.to ? JSON.stringify(fields.to) : null, JSON.stringify(fields.needsEdit), now.toISOString(), id);
  }

  markSaved(id: number, draftId: string, location: string, now: Date): void {
    this.db.prepare("UPDATE proposals SET status = 'saved', draft_id = ?, draft_location = ?, updated_at = ? WHERE id = ?").run(draftId, location, now.toISOString(), id);
  }

  /** Discards a pending proposal, or a saved one whose draft the owner deleted from the mailbox. */
  discard(id: number, now: Date): void {
    this.db.prepare("UPDATE proposals SET status = 'discarded', updated_at = ? WHERE id = ? AND status IN ('pending', 'saved')").run(now.toISOString(), id);
  }
}
