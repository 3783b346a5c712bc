/** Messages, sync cursors and parse failures. A batch and its cursor are written in one transaction. */
import { statements, type DB } from './db.js';
import type { MailMessage, MailThread, MessageFailure, Owner } from '../model/types.js';
import type { SyncBatch } from '../connectors/port.js';
import { subjectKey, toThread } from '../pipeline/threading.js';
import { createHash } from 'node:crypto';
import { DRAFT_KEY_HEADER } from '../mail/headers.js';

const KEY_HEADER = DRAFT_KEY_HEADER.toLowerCase();

export interface IngestResult {
  added: number;
  unchanged: number;
  failures: number;
  threads: Set<string>;
  /** Draft keys found on the owner's sent mail: those proposals are now "sent by you". */
  sentKeys: string[];
  /** Stored messages deleted because the provider reported them removed. */
  removed: number;
}

export class MessageStore {
  private readonly sql: ReturnType<typeof statements>;

  constructor(private readonly db: DB) {
    this.sql = statements(db);
  }

  getCursor(source: string): string | null {
    const row = this.sql('SELECT cursor FROM sources WHERE name = ?').get(source) as { cursor: string | null } | undefined;
    return row?.cursor ?? null;
  }

  /** Stores a batch, resolves thread ids, marks touched threads dirty and advances the cursor — atomically. */
  ingest(source: string, batch: SyncBatch, owner: Owner, now: Date): IngestResult {
    const res: IngestResult = { added: 0, unchanged: 0, failures: 0, threads: new Set(), sentKeys: [], removed: 0 };
    const existing = this.sql('SELECT content_hash, thread_id FROM messages WHERE source = ? AND id = ?');
    const byMessageId = this.sql('SELECT thread_id FROM messages WHERE source = ? AND message_id = ? LIMIT 1');
    const bySubject = this.sql('SELECT thread_id FROM messages WHERE source = ? AND subject_key = ? AND date >= ? ORDER BY date DESC LIMIT 1');
    const insert = this.sql(
      `INSERT INTO messages (source, id, thread_id, message_id, subject_key, date, content_hash, data)
       VALUES (@source, @id, @thread_id, @message_id, @subject_key, @date, @content_hash, @data)
       ON CONFLICT (source, id) DO UPDATE SET thread_id = excluded.thread_id, content_hash = excluded.content_hash, data = excluded.data, date = excluded.date`,
    );
    const touch = this.sql(
      `INSERT INTO threads (source, id, dirty) VALUES (?, ?, 1) ON CONFLICT (source, id) DO UPDATE SET dirty = 1`,
    );
    const fail = this.sql(
      `INSERT INTO failures (source, ref, reason, content_hash, seen_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (source, ref) DO UPDATE SET reason = excluded.reason, content_hash = excluded.content_hash`,
    );
    // A sent message that still carries our key (some clients keep custom headers when a draft
    // is sent) is the owner's reply: it counts in the thread, and its proposal is sent.
    const sent = this.sql(
      `UPDATE proposals SET status = 'sent', sent_at = @now, updated_at = @now, claim_token = NULL, claimed_at = NULL WHERE key = @key AND status != 'sent'`,
    );
    const remove = this.sql('DELETE FROM messages WHERE source = ? AND id = ?');
    const remaining = this.sql('SELECT 1 FROM messages WHERE source = ? AND thread_id = ? LIMIT 1');
    const dropThread = this.sql('DELETE FROM threads WHERE source = ? AND id = ?');
    const dropHistory = this.sql('DELETE FROM stage_history WHERE source = ? AND thread_id = ?');
    const cursor = this.sql(
      `INSERT INTO sources (name, cursor, synced_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, synced_at = excluded.synced_at`,
    );
    this.db.transaction(() => {
      for (const m of batch.messages) {
        const key = m.role === 'sent' ? m.headers[KEY_HEADER]?.trim() : undefined;
        if (key && sent.run({ key, now: now.toISOString() }).changes > 0) res.sentKeys.push(key);
        const prior = existing.get(source, m.id) as { content_hash: string; thread_id: string } | undefined;
        if (prior && prior.content_hash === m.contentHash && (!m.threadId || m.threadId === prior.thread_id)) {
          res.unchanged++;
          continue;
        }
        const sk = subjectKey(m, owner);
        let tid = m.threadId ?? prior?.thread_id ?? null;
        if (!tid) {
          for (const ref of [m.inReplyTo, ...[...m.references].reverse()]) {
            if (!ref) continue;
            const hit = byMessageId.get(source, ref) as { thread_id: string } | undefined;
            if (hit) { tid = hit.thread_id; break; }
          }
        }
        if (!tid) {
          const since = new Date(Date.parse(m.date) - 90 * 86_400_000).toISOString();
          const hit = bySubject.get(source, sk, since) as { thread_id: string } | undefined;
          tid = hit?.thread_id ?? `m:${createHash('sha256').update(m.messageId ?? m.id).digest('hex').slice(0, 16)}`;
        }
        insert.run({ source, id: m.id, thread_id: tid, message_id: m.messageId, subject_key: sk, date: m.date, content_hash: m.contentHash, data: JSON.stringify(m) });
        touch.run(source, tid);
        res.threads.add(tid);
        res.added++;
      }
      // Messages the provider says are gone (Graph @removed, Gmail messagesDeleted, IMAP VANISHED):
      // their threads are classified again; a thread left with no message is no longer tracked.
      for (const id of batch.removed ?? []) {
        const prior = existing.get(source, id) as { content_hash: string; thread_id: string } | undefined;
        if (!prior) continue;
        remove.run(source, id);
        if (remaining.get(source, prior.thread_id)) touch.run(source, prior.thread_id);
        else {
          dropThread.run(source, prior.thread_id);
          dropHistory.run(source, prior.thread_id);
        }
        res.removed++;
      }
      for (const f of batch.failures) {
        fail.run(source, f.ref, f.reason, f.contentHash, now.toISOString());
        res.failures++;
      }
      cursor.run(source, batch.cursor, now.toISOString());
    })();
    return res;
  }

  loadThread(source: string, threadId: string, owner: Owner): MailThread | null {
    const rows = this.sql('SELECT data FROM messages WHERE source = ? AND thread_id = ?').all(source, threadId) as { data: string }[];
    if (rows.length === 0) return null;
    return toThread(threadId, source, rows.map((r) => JSON.parse(r.data) as MailMessage), owner);
  }

  failures(source?: string): MessageFailure[] {
    const rows = (source
      ? this.sql('SELECT ref, reason, content_hash FROM failures WHERE source = ? ORDER BY ref').all(source)
      : this.sql('SELECT ref, reason, content_hash FROM failures ORDER BY source, ref').all()) as { ref: string; reason: string; content_hash: string | null }[];
    return rows.map((r) => ({ ref: r.ref, reason: r.reason, contentHash: r.content_hash }));
  }

  countMessages(): number {
    return (this.sql('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
  }

  /** Senders of the messages the mailbox files as sent (normalised role `sent`), most frequent first. */
  sentFromCounts(limit = 5): { address: string; count: number }[] {
    return this.sql(
      `SELECT lower(json_extract(m.data, '$.from.address')) AS address, count(*) AS count
       FROM messages m
       WHERE json_extract(m.data, '$.from.address') IS NOT NULL AND json_extract(m.data, '$.role') = 'sent'
       GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?`,
    ).all(limit) as { address: string; count: number }[];
  }
}
