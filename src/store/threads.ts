/** Thread verdicts and their stage history. */
import { statements, type DB } from './db.js';
import type { ThreadVerdict } from '../classify/classify.js';
import type { StageChange } from '../rules/engine.js';

export interface ThreadRef {
  source: string;
  id: string;
}

export class ThreadStore {
  private readonly sql: ReturnType<typeof statements>;

  constructor(private readonly db: DB) {
    this.sql = statements(db);
  }

  dirty(): ThreadRef[] {
    return [...this.dirtyPages(1000)].flat();
  }

  /**
   * The threads to classify, `size` at a time in the order they were first stored, so that a
   * mailbox of any size is never held whole. Each page is read when the one before it has been
   * handled: saving a verdict in between is safe (the walk goes by rowid, past what it has seen).
   */
  *dirtyPages(size: number): Generator<ThreadRef[]> {
    const page = this.sql('SELECT rowid, source, id FROM threads WHERE dirty = 1 AND rowid > ? ORDER BY rowid LIMIT ?');
    let after = 0;
    for (;;) {
      const rows = page.all(after, size) as (ThreadRef & { rowid: number })[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.rowid;
      yield rows.map((r) => ({ source: r.source, id: r.id }));
      if (rows.length < size) return;
    }
  }

  /** Marks every thread for reclassification (rules or config changed). */
  markAllDirty(): void {
    this.sql('UPDATE threads SET dirty = 1').run();
  }

  save(v: ThreadVerdict, fingerprint: string): void {
    this.saveAll([v], fingerprint);
  }

  /** Saves verdicts and their stage histories in one transaction (a cycle saves them in batches). */
  saveAll(verdicts: readonly ThreadVerdict[], fingerprint: string): void {
    this.db.transaction(() => {
      for (const v of verdicts) this.write(v, fingerprint);
    })();
  }

  private write(v: ThreadVerdict, fingerprint: string): void {
    this.sql(
      `UPDATE threads SET dirty = 0, stage = @stage, tracked = @tracked, awaiting = @awaiting, waiting_since = @waiting_since,
         due_at = @due_at, last_message_at = @last, subject = @subject, company = @company, role = @role, contact = @contact,
         verdict = @verdict, classified_with = @fp
       WHERE source = @source AND id = @id`,
    ).run({
      source: v.source, id: v.threadId, stage: v.stage, tracked: v.tracked ? 1 : 0, awaiting: v.awaitingReply ? 1 : 0,
      waiting_since: v.waitingSince, due_at: v.dueAt, last: v.lastMessageAt, subject: v.subject, company: v.company,
      role: v.role, contact: v.contactFirstName, verdict: JSON.stringify(v), fp: fingerprint,
    });
    this.sql('DELETE FROM stage_history WHERE source = ? AND thread_id = ?').run(v.source, v.threadId);
    const ins = this.sql(
      `INSERT INTO stage_history (source, thread_id, seq, from_stage, to_stage, message_id, date, rule, origin, sentence)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    v.history.forEach((h, i) => ins.run(v.source, v.threadId, i, h.from, h.to, h.messageId, h.date, h.rule, h.origin, h.sentence));
  }

  /** Verdicts as classified, with `stale` recomputed for `now`. */
  list(now: Date, opts: { all?: boolean } = {}): ThreadVerdict[] {
    const rows = this.sql(`SELECT verdict FROM threads WHERE verdict IS NOT NULL ${opts.all ? '' : 'AND tracked = 1'} ORDER BY last_message_at DESC, id`)
      .all() as { verdict: string }[];
    return rows.map((r) => withStale(JSON.parse(r.verdict) as ThreadVerdict, now));
  }

  get(ref: ThreadRef, now: Date): ThreadVerdict | null {
    const row = this.sql('SELECT verdict FROM threads WHERE source = ? AND id = ?').get(ref.source, ref.id) as { verdict: string | null } | undefined;
    return row?.verdict ? withStale(JSON.parse(row.verdict) as ThreadVerdict, now) : null;
  }

  /** Finds threads by id (`source:id` or a bare id, or a unique prefix of one). */
  find(spec: string): ThreadRef[] {
    const colon = spec.indexOf(':');
    if (colon > 0) {
      const source = spec.slice(0, colon);
      const id = spec.slice(colon + 1);
      const exact = this.sql('SELECT source, id FROM threads WHERE source = ? AND id = ?').all(source, id) as ThreadRef[];
      if (exact.length) return exact;
    }
    const exact = this.sql('SELECT source, id FROM threads WHERE id = ?').all(spec) as ThreadRef[];
    if (exact.length) return exact;
    return this.sql("SELECT source, id FROM threads WHERE id LIKE ? ESCAPE '\\' AND tracked = 1 LIMIT 5").all(`${spec.replace(/[\\%_]/g, '\\$&')}%`) as ThreadRef[];
  }

  history(ref: ThreadRef): StageChange[] {
    return (this.sql('SELECT from_stage, to_stage, message_id, date, rule, origin, sentence FROM stage_history WHERE source = ? AND thread_id = ? ORDER BY seq')
      .all(ref.source, ref.id) as { from_stage: string; to_stage: string; message_id: string; date: string; rule: string; origin: string; sentence: string | null }[])
      .map((r) => ({ from: r.from_stage as StageChange['from'], to: r.to_stage as StageChange['to'], messageId: r.message_id, date: r.date, rule: r.rule, origin: r.origin, sentence: r.sentence }));
  }
}

export function withStale(v: ThreadVerdict, now: Date): ThreadVerdict {
  return { ...v, stale: v.awaitingReply && v.dueAt !== null && now.getTime() >= Date.parse(v.dueAt) };
}
