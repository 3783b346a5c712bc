/** SyncBatch.removed: messages the provider reports gone leave the store; their threads are classified again or dropped. */
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/index.js';
import type { MailMessage } from '../../src/model/types.js';

const OWNER = { name: null, addresses: ['robin@example.org'] };
const NOW = new Date('2026-06-10T12:00:00Z');
const msg = (id: string, over: Partial<MailMessage> = {}): MailMessage => ({
  id, threadId: 'conv-1', messageId: `<${id}@x.example>`, inReplyTo: null, references: [], date: '2026-06-01T10:00:00.000Z',
  from: { name: null, address: 'kai@brightfield.example' }, replyTo: [], to: [], cc: [], subject: 'Interview', text: 'Hi', newText: 'Hi',
  headers: {}, role: 'inbox', labels: [], attachments: [], contentHash: `h-${id}`, ...over,
});

describe('removed messages', () => {
  it('deletes them, marks their thread dirty, and drops a thread left empty', () => {
    const store = Store.open(':memory:');
    store.messages.ingest('s', { messages: [msg('a'), msg('b', { date: '2026-06-02T10:00:00.000Z' })], failures: [], cursor: 'c1' }, OWNER, NOW);
    store.db.prepare('UPDATE threads SET dirty = 0').run();
    const r = store.messages.ingest('s', { messages: [], removed: ['b', 'never-stored'], failures: [], cursor: 'c2' }, OWNER, NOW);
    expect(r.removed).toBe(1);
    expect(store.messages.loadThread('s', 'conv-1', OWNER)!.messages.map((m) => m.id)).toEqual(['a']);
    expect(store.threads.dirty()).toEqual([{ source: 's', id: 'conv-1' }]);
    store.messages.ingest('s', { messages: [], removed: ['a'], failures: [], cursor: 'c3' }, OWNER, NOW);
    expect(store.messages.loadThread('s', 'conv-1', OWNER)).toBeNull();
    expect(store.threads.dirty()).toEqual([]);
    expect(store.messages.getCursor('s')).toBe('c3');
    store.close();
  });
});
