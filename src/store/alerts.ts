/** Alerts raised (once per thread and deadline), snoozes, and attention marks kept in state. */
import type { DB } from './db.js';
import type { ThreadRef } from './threads.js';

export interface AlertRow {
  id: number;
  source: string;
  threadId: string;
  dueAt: string;
  stage: string;
  raisedAt: string;
  delivered: boolean;
  clearedAt: string | null;
  clearedReason: string | null;
}

interface RawAlert {
  id: number; source: string; thread_id: string; due_at: string; stage: string; raised_at: string;
  delivered: number; cleared_at: string | null; cleared_reason: string | null;
}

const toRow = (r: RawAlert): AlertRow => ({
  id: r.id, source: r.source, threadId: r.thread_id, dueAt: r.due_at, stage: r.stage, raisedAt: r.raised_at,
  delivered: r.delivered === 1, clearedAt: r.cleared_at, clearedReason: r.cleared_reason,
});

export class AlertStore {
  constructor(private readonly db: DB) {}

  /** Records an alert for this deadline unless one exists; returns the row and whether it is new. */
  raise(ref: ThreadRef, dueAt: string, stage: string, now: Date): { alert: AlertRow; created: boolean } {
    const info = this.db
      .prepare('INSERT OR IGNORE INTO alerts (source, thread_id, due_at, stage, raised_at) VALUES (?, ?, ?, ?, ?)')
      .run(ref.source, ref.id, dueAt, stage, now.toISOString());
    const row = this.db.prepare('SELECT * FROM alerts WHERE source = ? AND thread_id = ? AND due_at = ?').get(ref.source, ref.id, dueAt) as RawAlert;
    return { alert: toRow(row), created: info.changes > 0 };
  }

  /** Re-opens an alert that was cleared only because of a snooze that has now ended. */
  reopen(id: number, now: Date): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE alerts SET cleared_at = NULL, cleared_reason = NULL, delivered = 0, raised_at = ? WHERE id = ?').run(now.toISOString(), id);
      this.db.prepare('DELETE FROM alert_deliveries WHERE alert_id = ?').run(id);
    })();
  }

  /** Channels that have delivered this alert. */
  deliveredChannels(id: number): Set<string> {
    return new Set((this.db.prepare('SELECT channel FROM alert_deliveries WHERE alert_id = ?').all(id) as { channel: string }[]).map((r) => r.channel));
  }

  markChannelDelivered(id: number, channel: string, now: Date): void {
    this.db.prepare('INSERT OR IGNORE INTO alert_deliveries (alert_id, channel, delivered_at) VALUES (?, ?, ?)').run(id, channel, now.toISOString());
  }

  markDelivered(id: number): void {
    this.db.prepare('UPDATE alerts SET delivered = 1 WHERE id = ?').run(id);
  }

  open(ref?: ThreadRef): AlertRow[] {
    const rows = (ref
      ? this.db.prepare('SELECT * FROM alerts WHERE cleared_at IS NULL AND source = ? AND thread_id = ? ORDER BY id').all(ref.source, ref.id)
      : this.db.prepare('SELECT * FROM alerts WHERE cleared_at IS NULL ORDER BY raised_at, id').all()) as RawAlert[];
    return rows.map(toRow);
  }

  get(ref: ThreadRef, dueAt: string): AlertRow | null {
    const r = this.db.prepare('SELECT * FROM alerts WHERE source = ? AND thread_id = ? AND due_at = ?').get(ref.source, ref.id, dueAt) as RawAlert | undefined;
    return r ? toRow(r) : null;
  }

  clear(id: number, reason: string, now: Date): void {
    this.db.prepare('UPDATE alerts SET cleared_at = ?, cleared_reason = ? WHERE id = ? AND cleared_at IS NULL').run(now.toISOString(), reason, id);
  }

  /** Snoozes a thread until `until`, or until a message newer than `lastMessageAt` arrives. */
  snooze(ref: ThreadRef, until: Date, lastMessageAt: string | null = null): void {
    this.db
      .prepare(
        `INSERT INTO snoozes (source, thread_id, until, last_message_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (source, thread_id) DO UPDATE SET until = excluded.until, last_message_at = excluded.last_message_at`,
      )
      .run(ref.source, ref.id, until.toISOString(), lastMessageAt);
  }

  /** Ends a snooze; true if there was one. */
  unsnooze(ref: ThreadRef): boolean {
    return this.db.prepare('DELETE FROM snoozes WHERE source = ? AND thread_id = ?').run(ref.source, ref.id).changes > 0;
  }

  /**
   * When the thread's snooze ends, if it is snoozed at `now`: not past its time, and no message
   * newer than the one the owner snoozed on (the thread's current last message is read from state).
   */
  snoozedUntil(ref: ThreadRef, now: Date): string | null {
    const r = this.db
      .prepare(
        `SELECT s.until, s.last_message_at AS snoozed_on, t.last_message_at AS latest
         FROM snoozes s LEFT JOIN threads t ON t.source = s.source AND t.id = s.thread_id
         WHERE s.source = ? AND s.thread_id = ?`,
      )
      .get(ref.source, ref.id) as { until: string; snoozed_on: string | null; latest: string | null } | undefined;
    if (!r || Date.parse(r.until) <= now.getTime()) return null;
    if (r.snoozed_on && r.latest && Date.parse(r.latest) > Date.parse(r.snoozed_on)) return null;
    return r.until;
  }

  /** Every active snooze at `now`, keyed `source\0threadId`. */
  snoozes(now: Date): Map<string, string> {
    const rows = this.db.prepare('SELECT source, thread_id FROM snoozes').all() as { source: string; thread_id: string }[];
    const out = new Map<string, string>();
    for (const r of rows) {
      const until = this.snoozedUntil({ source: r.source, id: r.thread_id }, now);
      if (until) out.set(`${r.source}\0${r.thread_id}`, until);
    }
    return out;
  }

  setAttention(ref: ThreadRef, on: boolean, now: Date): void {
    if (on) this.db.prepare('INSERT OR IGNORE INTO attention (source, thread_id, marked_at) VALUES (?, ?, ?)').run(ref.source, ref.id, now.toISOString());
    else this.db.prepare('DELETE FROM attention WHERE source = ? AND thread_id = ?').run(ref.source, ref.id);
  }

  attention(source: string): string[] {
    return (this.db.prepare('SELECT thread_id FROM attention WHERE source = ? ORDER BY thread_id').all(source) as { thread_id: string }[]).map((r) => r.thread_id);
  }
}
