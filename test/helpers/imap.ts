/** Seeding and inspecting a test Dovecot through a plain imapflow client (not the connector). */
import { ImapFlow } from 'imapflow';
import { splitMbox } from '../../src/connectors/mbox/split.js';
import type { Dovecot } from './dovecot.js';

export function client(dv: Dovecot, port = dv.port): ImapFlow {
  const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user: dv.user, pass: dv.password }, logger: false, disableAutoIdle: true });
  c.on('error', () => {});
  return c;
}

export async function withClient<T>(dv: Dovecot, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = client(dv);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout().catch(() => c.close());
  }
}

function headerOf(raw: Buffer, name: string): string | null {
  const s = raw.toString('latin1');
  const end = s.search(/\r?\n\r?\n/);
  const block = (end < 0 ? s : s.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(block);
  return m ? m[1]!.trim() : null;
}

/**
 * APPENDs every message of an mbox: the owner's own to Sent, the rest to INBOX, with the
 * message's Date as INTERNALDATE (so SEARCH SINCE sees the mail's real age).
 */
export async function seedFromMbox(dv: Dovecot, mbox: string, owner: string[], opts: { sent?: string; inbox?: string } = {}): Promise<{ inbox: number; sent: number }> {
  const counts = { inbox: 0, sent: 0 };
  await withClient(dv, async (c) => {
    for await (const item of splitMbox(mbox)) {
      if (item.oversized) continue;
      const raw = Buffer.from(item.raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
      const from = (headerOf(raw, 'From') ?? '').toLowerCase();
      const mine = owner.some((a) => from.includes(a.toLowerCase()));
      const date = new Date(headerOf(raw, 'Date') ?? '');
      await c.append(mine ? opts.sent ?? 'Sent' : opts.inbox ?? 'INBOX', raw, mine ? ['\\Seen'] : [], Number.isNaN(date.getTime()) ? undefined : date);
      counts[mine ? 'sent' : 'inbox']++;
    }
  });
  return counts;
}

export interface StoredMessage {
  uid: number;
  flags: string[];
  source: Buffer;
}

export async function messagesIn(dv: Dovecot, path: string): Promise<StoredMessage[]> {
  return withClient(dv, async (c) => {
    const mb = await c.mailboxOpen(path, { readOnly: true });
    if (mb.exists === 0) return [];
    const all = await c.fetchAll('1:*', { uid: true, flags: true, source: true });
    return all.map((m) => ({ uid: m.uid, flags: [...(m.flags ?? [])], source: m.source! }));
  });
}

export { headerOf };
