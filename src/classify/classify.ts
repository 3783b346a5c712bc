/**
 * From a thread to a verdict: stage, whether the owner owes a reply and since when,
 * the reply deadline, and the facts a draft needs.
 */
import type { MailThread, Stage, StageOrNone } from '../model/types.js';
import type { RuleSet } from '../rules/load.js';
import { evaluateThread, type StageChange } from '../rules/engine.js';
import { extractFacts, type ThreadFacts } from './extract.js';

/** Reply deadlines per stage, in milliseconds. */
export type DeadlinePolicy = Partial<Record<Stage, number>> & { default: number };

const OPEN = new Set<StageOrNone>(['applied', 'interviewing', 'offer']);

export const DEFAULT_DEADLINES: DeadlinePolicy = {
  offer: 48 * 3_600_000,
  interviewing: 24 * 3_600_000,
  default: 72 * 3_600_000,
};

export interface ThreadVerdict {
  threadId: string;
  source: string;
  /** Decoded subject of the thread's first message. */
  subject: string;
  stage: StageOrNone;
  tracked: boolean;
  awaitingReply: boolean;
  /** Who has the next move: the owner, the other side, or nobody (the process ended). */
  waitingOn: 'you' | 'them' | 'nobody';
  stale: boolean;
  waitingSince: string | null;
  dueAt: string | null;
  company: string | null;
  role: string | null;
  contactFirstName: string | null;
  baseSalary: number | null;
  tags: string[];
  history: StageChange[];
  lastMessageAt: string;
  lastMessageId: string;
  /** The rule and sentence that made the last message ask for a reply. */
  awaitingRule: string | null;
  awaitingSentence: string | null;
}

export function classifyThread(thread: MailThread, rules: RuleSet, deadlines: DeadlinePolicy, now: Date): ThreadVerdict {
  // Extraction is the costly part; most mail is not about the job search, so do it on demand.
  let facts: ThreadFacts | null = null;
  const getFacts = (): ThreadFacts => (facts ??= extractFacts(thread));
  const ev = evaluateThread(thread, rules, () => {
    const f = getFacts();
    return { company: f.company, role: f.role, contactFirstName: f.contactFirstName, baseSalary: f.baseSalary };
  });
  const msgs = thread.messages;
  const last = msgs[msgs.length - 1]!;
  const lastOutcome = ev.messages[ev.messages.length - 1]!;
  const tracked = ev.stage !== 'none';

  const awaiting = tracked && last.direction === 'in' && !lastOutcome.ignored && lastOutcome.asks === true;
  let waitingSince: string | null = null;
  let dueAt: string | null = null;
  if (awaiting) {
    // Waiting since the first message of the trailing run from the other side that asked something.
    let since = msgs.length - 1;
    for (let i = msgs.length - 2; i >= 0 && msgs[i]!.direction === 'in'; i--) if (ev.messages[i]!.asks === true) since = i;
    waitingSince = msgs[since]!.date;
    const stage = ev.stage as Stage;
    const ms = lastOutcome.deadlineMs ?? deadlines[stage] ?? deadlines.default;
    dueAt = new Date(Date.parse(waitingSince) + ms).toISOString();
  }
  const stale = awaiting && dueAt !== null && now.getTime() >= Date.parse(dueAt);

  return {
    threadId: thread.id,
    source: thread.source,
    subject: msgs[0]!.subject,
    stage: ev.stage,
    tracked,
    awaitingReply: awaiting,
    waitingOn: awaiting ? 'you' : OPEN.has(ev.stage) ? 'them' : 'nobody',
    stale,
    waitingSince,
    dueAt,
    company: tracked ? getFacts().company : null,
    role: tracked ? getFacts().role : null,
    contactFirstName: tracked ? getFacts().contactFirstName : null,
    baseSalary: tracked ? getFacts().baseSalary : null,
    tags: ev.tags,
    history: ev.history,
    lastMessageAt: last.date,
    lastMessageId: last.id,
    awaitingRule: awaiting ? lastOutcome.asksRule : null,
    awaitingSentence: awaiting ? lastOutcome.asksSentence : null,
  };
}
