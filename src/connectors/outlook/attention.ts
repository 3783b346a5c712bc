/**
 * Reply due (AttentionMarker) in Outlook: the thread's latest inbound message gets a
 * follow-up flag (flagStatus `flagged`, with startDateTime and dueDateTime — Graph wants
 * both or neither — the due date being the reply deadline) and the reply-due category, so
 * Outlook lists it among flagged mail and in To Do. Turning it off (answered, snoozed,
 * cleared) removes both from every inbound message of the thread that carries our
 * category; a flag the owner set on a message without it is left alone. Idempotent:
 * messages already in the wanted state are not touched. Reads and writes go in $batch.
 */
import type { FollowupFlag, Message } from '@microsoft/microsoft-graph-types';
import type { AttentionMarker, ThreadHandle } from '../port.js';
import type { Clock } from '../../clock.js';
import type { OutlookSourceConfig } from './config.js';
import type { GraphApi, SubRequest } from './graph.js';

/** Graph's dateTimeTimeZone: a local time without offset, and the zone. */
function graphTime(d: Date): { dateTime: string; timeZone: string } {
  return { dateTime: d.toISOString().replace(/Z$/, ''), timeZone: 'UTC' };
}

export interface AttentionDeps {
  graph: GraphApi;
  cfg: OutlookSourceConfig;
  clock: Clock;
  category: string;
}

export class OutlookAttention implements AttentionMarker {
  private readonly action: string;

  constructor(private readonly d: AttentionDeps) {
    this.action = `mark thread in outlook account ${d.cfg.name}`;
  }

  async setNeedsReply(thread: ThreadHandle, on: boolean, due?: Date | null): Promise<void> {
    const inbound = [...thread.messages]
      .filter((m) => m.direction === 'in')
      .sort((a, b) => Date.parse(a.date) - Date.parse(b.date))
      .slice(-20);
    if (inbound.length === 0) return;
    const target = on ? inbound.at(-1)!.id : null;
    const read = await this.d.graph.batch<Message>(
      this.action,
      inbound.map((m, i): SubRequest => ({ id: `r${i}`, method: 'GET', url: `/me/messages/${encodeURIComponent(m.id)}?$select=id,flag,categories` })),
    );
    const now = this.d.clock.now();
    const dueAt = due ?? now;
    const start = dueAt.getTime() < now.getTime() ? dueAt : now;
    const writes: SubRequest[] = [];
    inbound.forEach((m, i) => {
      const sub = read.get(`r${i}`);
      if (sub?.status === 404) return; // deleted meanwhile
      if (sub?.status !== 200 || !sub.body) throw this.d.graph.itemError(this.action, sub);
      const cats = sub.body.categories ?? [];
      const ours = cats.includes(this.d.category);
      const flag: FollowupFlag = sub.body.flag ?? {};
      if (m.id === target) {
        const same = ours && flag.flagStatus === 'flagged' && flag.dueDateTime?.dateTime?.slice(0, 19) === graphTime(dueAt).dateTime.slice(0, 19);
        if (same) return;
        const body: Message = {
          flag: { flagStatus: 'flagged', startDateTime: graphTime(start), dueDateTime: graphTime(dueAt) },
          categories: ours ? cats : [...cats, this.d.category],
        };
        writes.push({ id: `w${i}`, method: 'PATCH', url: `/me/messages/${encodeURIComponent(m.id)}`, body });
      } else if (ours) {
        const body: Message = { flag: { flagStatus: 'notFlagged' }, categories: cats.filter((c) => c !== this.d.category) };
        writes.push({ id: `w${i}`, method: 'PATCH', url: `/me/messages/${encodeURIComponent(m.id)}`, body });
      }
    });
    if (writes.length === 0) return;
    const res = await this.d.graph.batch(this.action, writes);
    for (const w of writes) {
      const sub = res.get(w.id);
      if (sub?.status === 404) continue;
      if (!sub || sub.status >= 300) throw this.d.graph.itemError(this.action, sub);
    }
  }
}
