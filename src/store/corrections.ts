/**
 * The owner's corrections of verdicts (`offerwatch correct`). A correction is anchored to the
 * thread's last message when it was made; classification applies it (classify/classify.ts)
 * and says here when a new message has ended it. Ended corrections are kept for `--export`.
 */
import type { DB } from './db.js';
import type { ThreadRef } from './threads.js';
import type { StageOrNone } from '../model/types.js';

/** `stage` sets the stage (`none`: not about the job search); `no-reply-needed` clears "waiting on you". */
export type CorrectionKind = 'stage' | 'no-reply-needed';

export interface Correction {
  source: string;
  threadId: string;
  kind: CorrectionKind;
  /** The stage the owner set (kind `stage`), else null. */
  stage: StageOrNone | null;
  /** The stage the rules gave when the owner made it. */
  rulesStage: StageOrNone;
  /** Provider id of the thread's last message the correction covers. */
  anchorMessageId: string;
  correctedAt: string;
  /** When a new message ended it (null: in force). */
  endedAt: string | null;
}

interface Raw {
  source: string; thread_id: string; kind: string; stage: string | null; rules_stage: string;
  anchor_message_id: string; corrected_at: string; ended_at: string | null;
}

const toCorrection = (r: Raw): Correction => ({
  source: r.source, threadId: r.thread_id, kind: r.kind as CorrectionKind, stage: r.stage as StageOrNone | null,
  rulesStage: r.rules_stage as StageOrNone, anchorMessageId: r.anchor_message_id, correctedAt: r.corrected_at, endedAt: r.ended_at,
});

export class CorrectionStore {
  constructor(private readonly db: DB) {}

  /** Records (or replaces) a correction of this kind and marks the thread for reclassification. */
  set(c: Omit<Correction, 'endedAt'>): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO corrections (source, thread_id, kind, stage, rules_stage, anchor_message_id, corrected_at, ended_at)
           VALUES (@source, @threadId, @kind, @stage, @rulesStage, @anchorMessageId, @correctedAt, NULL)
           ON CONFLICT (source, thread_id, kind) DO UPDATE SET stage = excluded.stage, rules_stage = excluded.rules_stage,
             anchor_message_id = excluded.anchor_message_id, corrected_at = excluded.corrected_at, ended_at = NULL`,
        )
        .run(c);
      this.markDirty(c);
    })();
  }

  /** Removes the owner's corrections of a thread (all kinds); returns how many were in force. */
  clear(ref: ThreadRef): number {
    return this.db.transaction(() => {
      const n = this.db.prepare('DELETE FROM corrections WHERE source = ? AND thread_id = ? AND ended_at IS NULL').run(ref.source, ref.id).changes;
      this.markDirty({ source: ref.source, threadId: ref.id });
      return n;
    })();
  }

  /** Corrections in force for a thread. */
  active(ref: ThreadRef): Correction[] {
    return (this.db.prepare('SELECT * FROM corrections WHERE source = ? AND thread_id = ? AND ended_at IS NULL ORDER BY kind').all(ref.source, ref.id) as Raw[]).map(toCorrection);
  }

  /** Every correction, in force first, then ended ones (for `correct --list` and `--export`). */
  list(opts: { includeEnded?: boolean } = {}): Correction[] {
    const where = opts.includeEnded ? '' : 'WHERE ended_at IS NULL';
    return (this.db.prepare(`SELECT * FROM corrections ${where} ORDER BY ended_at IS NOT NULL, corrected_at, source, thread_id, kind`).all() as Raw[]).map(toCorrection);
  }

  /** A new message kept the correction: it now covers that message too. */
  reanchor(c: Correction, anchorMessageId: string): void {
    this.db.prepare('UPDATE corrections SET anchor_message_id = ? WHERE source = ? AND thread_id = ? AND kind = ?').run(anchorMessageId, c.source, c.threadId, c.kind);
  }

  /** A new message changed what the rules say: the correction has ended. */
  end(c: Correction, at: Date): void {
    this.db.prepare('UPDATE corrections SET ended_at = ? WHERE source = ? AND thread_id = ? AND kind = ?').run(at.toISOString(), c.source, c.threadId, c.kind);
  }

  private markDirty(ref: { source: string; threadId: string }): void {
    this.db.prepare('UPDATE threads SET dirty = 1 WHERE source = ? AND id = ?').run(ref.source, ref.threadId);
  }
}
