/** Placing messages in threads and knowing which of them the owner wrote. */
import type { Direction, MailMessage, MailThread, Owner, ThreadMessage } from '../model/types.js';
import { domainOf } from '../mail/addresses.js';
import type { ThreadHandle } from '../connectors/port.js';

/**
 * What a connector needs to find a stored thread again in its own mailbox: the one place the
 * core builds a ThreadHandle (drafts, attention marks). The provider thread id is the one its
 * messages carry (Gmail threadId, Graph conversationId, Takeout X-GM-THRID), when they do.
 */
export function threadHandle(thread: MailThread): ThreadHandle {
  const sorted = [...thread.messages].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return {
    threadId: thread.id,
    providerThreadId: sorted.find((m) => m.threadId)?.threadId ?? null,
    messages: sorted.map((m) => ({ id: m.id, messageId: m.messageId, direction: m.direction, date: m.date })),
  };
}

export function directionOf(msg: MailMessage, owner: Owner): Direction {
  const from = msg.from?.address ?? '';
  if (from && owner.addresses.includes(from)) return 'out';
  // A message in the Sent folder without a From address.
  if (!from && msg.role === 'sent') return 'out';
  return 'in';
}

/** "Re: Fwd: Offer – Data Engineer" → "offer – data engineer". */
export function normaliseSubject(subject: string): string {
  let s = subject.trim();
  for (;;) {
    const next = s.replace(/^\s*(re|fwd?|fw|aw|wg|sv|vs|tr|rif|réf|antw)\s*(\[\d+\])?\s*:\s*/i, '');
    if (next === s) break;
    s = next;
  }
  return s.replace(/\s+/g, ' ').toLowerCase();
}

/** Key that groups messages without thread headers: subject plus the other party's domain. */
export function subjectKey(msg: MailMessage, owner: Owner): string {
  const out = directionOf(msg, owner) === 'out';
  const other = out ? msg.to[0]?.address : msg.from?.address;
  return `${normaliseSubject(msg.subject)}|${domainOf(other ?? '')}`;
}

export function toThread(id: string, source: string, messages: MailMessage[], owner: Owner): MailThread {
  const sorted: ThreadMessage[] = messages
    .map((m) => ({ ...m, direction: directionOf(m, owner) }))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { id, source, messages: sorted };
}

/**
 * Groups messages in memory: by provider thread id, else by References/In-Reply-To, else by
 * subject key. The store does the same incrementally (see store/messages.ts).
 */
export function groupThreads(messages: MailMessage[], owner: Owner): Map<string, MailMessage[]> {
  const byMessageId = new Map<string, string>();
  const bySubject = new Map<string, string>();
  const groups = new Map<string, MailMessage[]>();
  for (const m of [...messages].sort((a, b) => (a.date < b.date ? -1 : 1))) {
    let tid = m.threadId;
    if (!tid) for (const ref of [m.inReplyTo, ...[...m.references].reverse()]) if (ref && byMessageId.has(ref)) { tid = byMessageId.get(ref)!; break; }
    const sk = subjectKey(m, owner);
    if (!tid) tid = bySubject.get(sk) ?? `m:${m.messageId ?? m.id}`;
    if (m.messageId) byMessageId.set(m.messageId, tid);
    bySubject.set(sk, tid);
    const g = groups.get(tid) ?? [];
    g.push(m);
    groups.set(tid, g);
  }
  return groups;
}
