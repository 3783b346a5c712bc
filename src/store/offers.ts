/** The owner's offer comparison: priorities (weight, non-negotiable) and 0–10 scores per open offer. */
import type { DB } from './db.js';
import type { ThreadRef } from './threads.js';

export interface PriorityRow {
  id: number;
  name: string;
  weight: number;
  nonNegotiable: boolean;
}

export class OfferStore {
  constructor(private readonly db: DB) {}

  priorities(): PriorityRow[] {
    return (this.db.prepare('SELECT id, name, weight, non_negotiable FROM offer_priorities ORDER BY position, id').all() as { id: number; name: string; weight: number; non_negotiable: number }[])
      .map((r) => ({ id: r.id, name: r.name, weight: r.weight, nonNegotiable: r.non_negotiable === 1 }));
  }

  /** Adds a priority or updates the one with this name (case-insensitive). Returns its id. */
  setPriority(name: string, fields: { weight?: number; nonNegotiable?: boolean }): number {
    return this.db.transaction(() => {
      const cur = this.db.prepare('SELECT id FROM offer_priorities WHERE lower(name) = lower(?)').get(name) as { id: number } | undefined;
      if (cur) {
        if (fields.weight !== undefined) this.db.prepare('UPDATE offer_priorities SET weight = ? WHERE id = ?').run(fields.weight, cur.id);
        if (fields.nonNegotiable !== undefined) this.db.prepare('UPDATE offer_priorities SET non_negotiable = ? WHERE id = ?').run(fields.nonNegotiable ? 1 : 0, cur.id);
        return cur.id;
      }
      const pos = (this.db.prepare('SELECT COALESCE(MAX(position), 0) + 1 AS p FROM offer_priorities').get() as { p: number }).p;
      return Number(this.db
        .prepare('INSERT INTO offer_priorities (name, weight, non_negotiable, position) VALUES (?, ?, ?, ?)')
        .run(name, fields.weight ?? 1, fields.nonNegotiable ? 1 : 0, pos).lastInsertRowid);
    })();
  }

  removePriority(id: number): boolean {
    return this.db.prepare('DELETE FROM offer_priorities WHERE id = ?').run(id).changes === 1;
  }

  scores(ref: ThreadRef): Map<number, number> {
    const rows = this.db.prepare('SELECT priority_id, score FROM offer_scores WHERE source = ? AND thread_id = ?').all(ref.source, ref.id) as { priority_id: number; score: number }[];
    return new Map(rows.map((r) => [r.priority_id, r.score]));
  }

  /** Sets a score, or clears it with null. */
  setScore(ref: ThreadRef, priorityId: number, score: number | null): void {
    if (score === null) this.db.prepare('DELETE FROM offer_scores WHERE source = ? AND thread_id = ? AND priority_id = ?').run(ref.source, ref.id, priorityId);
    else this.db
      .prepare('INSERT INTO offer_scores (source, thread_id, priority_id, score) VALUES (?, ?, ?, ?) ON CONFLICT (source, thread_id, priority_id) DO UPDATE SET score = excluded.score')
      .run(ref.source, ref.id, priorityId, score);
  }
}
