/** Migration 2: state written before mailbox roles gets them from the labels it was stored with. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { migrate } from '../../src/store/db.js';

describe('store migrations', () => {
  it('gives every stored message a role from its old labels, and proposals their claim and sent columns', () => {
    const db = new Database(':memory:');
    db.exec(MIGRATIONS[0]!);
    db.pragma('user_version = 1');
    const put = db.prepare("INSERT INTO messages (source, id, thread_id, message_id, subject_key, date, content_hash, data) VALUES ('s', ?, 't', NULL, 'k', '2026-01-01', 'h', ?)");
    const rows: Array<[string, object]> = [
      ['sent', { labels: ['Sent', 'Job search'], headers: {} }],
      ['gmail-sent', { labels: ['SENT', 'INBOX'], headers: {} }],
      ['draft', { labels: ['Drafts'], headers: {} }],
      ['unsent-file', { labels: [], headers: { 'x-unsent': '1' } }],
      ['spam', { labels: ['Spam'], headers: {} }],
      ['inbox', { labels: ['Inbox', 'Important'], headers: {} }],
      ['plain', { labels: [], headers: {} }],
    ];
    for (const [id, data] of rows) put.run(id, JSON.stringify(data));
    migrate(db);
    const role = (id: string) => (JSON.parse((db.prepare('SELECT data FROM messages WHERE id = ?').get(id) as { data: string }).data) as { role: string }).role;
    expect(rows.map(([id]) => [id, role(id)])).toEqual([
      ['sent', 'sent'],
      ['gmail-sent', 'sent'],
      ['draft', 'drafts'],
      ['unsent-file', 'drafts'],
      ['spam', 'junk'],
      ['inbox', 'inbox'],
      ['plain', 'archive'],
    ]);
    const cols = (db.prepare('PRAGMA table_info(proposals)').all() as { name: string }[]).map((c) => c.name);
    expect(cols).toEqual(expect.arrayContaining(['claim_token', 'claimed_at', 'sent_at']));
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });
});
