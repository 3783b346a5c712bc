/**
 * Reply due (AttentionMarker): the newest message from the other side in the thread gets
 * \Flagged plus a keyword ($ReplyDue by default) where the mailbox allows keywords
 * (PERMANENTFLAGS has `\*`); where it does not, \Flagged alone. A message the owner had
 * flagged already keeps its flag when the mark is taken off (a second keyword,
 * $OfferwatchKeptFlag, remembers that). Messages are found by Message-ID in the watched
 * mailboxes. STORE only; never delete or expunge.
 */
import type { ImapFlow } from 'imapflow';
import type { AttentionMarker, ThreadHandle } from '../port.js';
import type { ImapSourceConfig } from './config.js';
import type { ImapSession } from './session.js';
import { headerMap } from './headers.js';
import { listMailboxes } from './reader.js';

export const KEPT_FLAG = '$OfferwatchKeptFlag';

export interface AttentionDeps {
  session: ImapSession;
  cfg: ImapSourceConfig;
  keyword: string;
}

export class ImapAttention implements AttentionMarker {
  constructor(private readonly d: AttentionDeps) {}

  private async mailboxes(): Promise<string[]> {
    const map = await listMailboxes(this.d.session, this.d.cfg, { cached: true });
    const out: string[] = [];
    for (const role of ['inbox', 'archive'] as const) {
      const p = map.roles.get(role);
      if (p && !out.includes(p)) out.push(p);
    }
    for (const p of this.d.cfg.watch) if (!out.includes(p) && map.boxes.has(p)) out.push(p);
    return out;
  }

  /** UIDs in the selected mailbox whose Message-ID is one of `ids`. */
  private async uidsOf(c: ImapFlow, ids: string[]): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>();
    if (ids.length === 0) return out;
    const query = ids.length === 1 ? { header: { 'Message-ID': ids[0]! } } : { or: ids.map((id) => ({ header: { 'Message-ID': id } })) };
    const found = (await c.search(query, { uid: true })) || [];
    if (found.length === 0) return out;
    const want = new Set(ids);
    for (const m of await c.fetchAll(found.join(','), { uid: true, flags: true, headers: ['message-id'] }, { uid: true })) {
      const mid = (headerMap(m.headers ?? '').get('message-id') ?? '').match(/<[^<>\s]+>/)?.[0];
      if (mid && want.has(mid)) out.set(m.uid, [...(m.flags ?? [])]);
    }
    return out;
  }

  async setNeedsReply(thread: ThreadHandle, on: boolean): Promise<void> {
    const boxes = await this.mailboxes();
    const incoming = thread.messages.filter((m) => m.direction === 'in' && m.messageId);
    const target = on ? incoming.slice(-1) : thread.messages.filter((m) => m.messageId);
    const ids = target.map((m) => m.messageId!);
    if (ids.length === 0) return;
    const keyword = this.d.keyword;
    await this.d.session.run(on ? 'flag a thread as waiting for your reply' : 'clear a reply-due flag', async (c) => {
      for (const path of boxes) {
        const mb = await this.d.session.open(c, path, true);
        const keywords = !!mb.permanentFlags?.has('\\*');
        const hits = await this.uidsOf(c, ids);
        for (const [uid, flags] of hits) {
          const flagged = flags.includes('\\Flagged');
          const ours = flags.includes(keyword);
          if (on) {
            if (keywords) {
              if (ours) continue;
              await c.messageFlagsAdd(String(uid), flagged ? [keyword, KEPT_FLAG] : ['\\Flagged', keyword], { uid: true });
            } else if (!flagged) {
              await c.messageFlagsAdd(String(uid), ['\\Flagged'], { uid: true });
            }
          } else if (keywords) {
            if (!ours) continue;
            const kept = flags.includes(KEPT_FLAG);
            await c.messageFlagsRemove(String(uid), kept ? [keyword, KEPT_FLAG] : ['\\Flagged', keyword], { uid: true });
          } else if (flagged) {
            await c.messageFlagsRemove(String(uid), ['\\Flagged'], { uid: true });
          }
        }
      }
    });
  }
}
