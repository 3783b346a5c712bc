/** Owner decisions and the review queue of proposed drafts. */
import type { DB } from './db.js';
import type { ThreadRef } from './threads.js';
import type { Address } from '../model/types.js';

import type { Decision } from '../model/types.js';
export { DECISIONS, type Decision } from '../model/types.js';
/**
 * pending: in the review queue; saving: claimed by one process that is talking to the provider;
 * saved: a draft is in the mailbox; sent: the owner's sent reply carries its key ("sent by you");
 * discarded: the owner threw it away; superseded: replaced by a later decision on the thread before it was saved.
 */
export type ProposalStatus = 'pending' | 'saving' | 'saved' | 'sent' | 'discarded' | 'superseded';
export const PROPOSAL_STATUSES: readonly ProposalStatus[] = ['pending', 'saving', 'saved', 'sent', 'discarded', 'superseded'];

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
  /** Who holds the `saving` claim, and since when (null when unclaimed). */
  claimToken: string | null;
  claimedAt: string | null;
  /** When the owner's sent reply carrying this key was seen. */
  sentAt: string | null;
}

interface Raw {
  id: number; key: string; source: string; thread_id: string; decision: string; reason: string | null; template_id: string;
  rule: string | null; status: string; to_json: string | null; subject: string; body: string; needs_edit: string;
  created_at: string; updated_at: string; draft_id: string | null; draft_location: string | null;
  claim_token: string | null; claimed_at: string | null; sent_at: string | null;
}

const toProposal = (r: Raw): Proposal => ({
  id: r.id, key: r.key, source: r.source, threadId: r.thread_id, decision: r.decision as Decision, reason: r.reason,
  templateId: r.template_id, rule: r.rule, status: r.status as ProposalStatus, to: r.to_json ? (JSON.parse(r.to_json) as Address) : null,
  subject: r.subject, body: r.body, needsEdit: JSON.parse(r.needs_edit) as string[], createdAt: r.created_at, updatedAt: r.updated_at,
  draftId: r.draft_id, draftLocation: r.draft_location, claimToken: r.claim_token, claimedAt: r.claimed_at, sentAt: r.sent_at,
});

export type NewProposal = Omit<Proposal, 'id' | 'status' | 'createdAt' | 'updatedAt' | 'draftId' | 'draftLocation' | 'claimToken' | 'claimedAt' | 'sentAt'>;

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

  /**
   * Compare-and-set: pending → saving, or takes over a claim whose holder is gone (`stale`
   * decides, given the claim's token and time). True when this caller now holds the claim.
   * SQLite serialises writers, so of two processes at most one sees a change.
   */
  claim(id: number, token: string, now: Date, stale: (token: string, claimedAt: string) => boolean): boolean {
    return this.db.transaction(() => {
      const r = this.db.prepare('SELECT status, claim_token, claimed_at FROM proposals WHERE id = ?').get(id) as
        | { status: ProposalStatus; claim_token: string | null; claimed_at: string | null }
        | undefined;
      if (!r) return false;
      const takeOver = r.status === 'saving' && (r.claim_token === null || r.claimed_at === null || stale(r.claim_token, r.claimed_at));
      if (r.status !== 'pending' && !takeOver) return false;
      const info = this.db
        .prepare("UPDATE proposals SET status = 'saving', claim_token = ?, claimed_at = ?, updated_at = ? WHERE id = ? AND status = ? AND claim_token IS ?")
        .run(token, now.toISOString(), now.toISOString(), id, r.status, r.claim_token);
      return info.changes > 0;
    }).immediate();
  }

  /** Gives a claim back (the provider failed): the proposal is pending again. */
  release(id: number, token: string, now: Date): void {
    this.db
      .prepare("UPDATE proposals SET status = 'pending', claim_token = NULL, claimed_at = NULL, updated_at = ? WHERE id = ? AND status = 'saving' AND claim_token = ?")
      .run(now.toISOString(), id, token);
  }

  /** Records the saved draft; with a token, only while that claim is held. */
  markSaved(id: number, draftId: string, location: string, now: Date, token?: string): void {
    const claimed = token === undefined ? '' : " AND status = 'saving' AND claim_token = @token";
    this.db
      .prepare(`UPDATE proposals SET status = 'saved', draft_id = @draftId, draft_location = @location, claim_token = NULL, claimed_at = NULL, updated_at = @now WHERE id = @id AND status != 'sent'${claimed}`)
      .run({ id, draftId, location, now: now.toISOString(), ...(token === undefined ? {} : { token }) });
  }

  /** The owner sent a reply carrying this key: the proposal is "sent by you". True when one changed. */
  markSentByKey(key: string, now: Date, location?: string): boolean {
    const info = this.db
      .prepare(
        `UPDATE proposals SET status = 'sent', sent_at = @now, updated_at = @now, claim_token = NULL, claimed_at = NULL,
           draft_location = coalesce(@location, draft_location) WHERE key = @key AND status != 'sent'`,
      )
      .run({ key, now: now.toISOString(), location: location ?? null });
    return info.changes > 0;
  }

  /** Discards a pending proposal, or a saved one whose draft the owner deleted from the mailbox. */
  discard(id: number, now: Date): void {
    this.db.prepare("UPDATE proposals SET status = 'discarded', updated_at = ? WHERE id = ? AND status IN ('pending', 'saved')").run(now.toISOString(), id);
  }
}
