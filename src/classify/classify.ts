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
  /** The deciding evidence is weak or two rules disagree: worth a look (`?` on the board). */
  uncertain: boolean;
  uncertainReasons: string[];
  /** The owner's correction in force, if any (see classify/correct.ts). */
  corrected: CorrectionInfo | null;
}

/** What the owner corrected, as shown in status and explain ("corrected by you"). */
export interface CorrectionInfo {
  /** The stage the owner set (`none`: not about the job search); null when only the reply was corrected. */
  stage: StageOrNone | null;
  /** The stage the rules give. */
  rulesStage: StageOrNone;
  /** The owner said this thread needs no reply from them. */
  noReplyNeeded: boolean;
  /** When the latest correction was made. */
  at: string;
}

/** A correction as classification needs it (the store's rows have this shape). */
export interface VerdictCorrection {
  kind: 'stage' | 'no-reply-needed';
  stage: StageOrNone | null;
  rulesStage: StageOrNone;
  anchorMessageId: string;
  correctedAt: string;
}

/**
 * What happens to a correction when the thread is classified: it applies while the thread still
 * ends at the message it was made on; after a new message a stage correction is kept (`reanchor`)
 * only if the rules' stage did not change, and "no reply needed" never outlives a new message.
 */
export type CorrectionFate = 'apply' | 'reanchor' | 'end';

export function correctionFate(c: VerdictCorrection, rulesStage: StageOrNone, lastMessageId: string): CorrectionFate {
  if (c.anchorMessageId === lastMessageId) return 'apply';
  if (c.kind === 'stage' && rulesStage === c.rulesStage) return 'reanchor';
  return 'end';
}

export function classifyThread(
  thread: MailThread,
  rules: RuleSet,
  deadlines: DeadlinePolicy,
  now: Date,
  corrections: readonly VerdictCorrection[] = [],
  onFate?: (c: VerdictCorrection, fate: CorrectionFate) => void,
): ThreadVerdict {
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

  // The owner's corrections, where still in force, override what the rules say.
  let stageFix: VerdictCorrection | null = null;
  let replyFix: VerdictCorrection | null = null;
  for (const c of corrections) {
    const fate = correctionFate(c, ev.stage, last.id);
    onFate?.(c, fate);
    if (fate === 'end') continue;
    if (c.kind === 'stage') stageFix = c;
    else replyFix = c;
  }
  const stage: StageOrNone = stageFix?.stage ?? ev.stage;
  const history = stageFix && stage !== ev.stage
    ? [...ev.history, { from: ev.stage, to: stage, messageId: last.id, date: stageFix.correctedAt, rule: 'corrected-by-you', origin: 'offerwatch correct', sentence: null }]
    : ev.history;
  const tracked = stage !== 'none';

  const awaiting = tracked && !replyFix && last.direction === 'in' && !lastOutcome.ignored && lastOutcome.asks === true;
  let waitingSince: string | null = null;
  let dueAt: string | null = null;
  if (awaiting) {
    // Waiting since the first message of the trailing run from the other side that asked something.
    let since = msgs.length - 1;
    for (let i = msgs.length - 2; i >= 0 && msgs[i]!.direction === 'in'; i--) if (ev.messages[i]!.asks === true) since = i;
    waitingSince = msgs[since]!.date;
    const ms = lastOutcome.deadlineMs ?? deadlines[stage as Stage] ?? deadlines.default;
    dueAt = new Date(Date.parse(waitingSince) + ms).toISOString();
  }
  const stale = awaiting && dueAt !== null && now.getTime() >= Date.parse(dueAt);

  return {
    threadId: thread.id,
    source: thread.source,
    subject: msgs[0]!.subject,
    stage,
    tracked,
    awaitingReply: awaiting,
    waitingOn: awaiting ? 'you' : OPEN.has(stage) ? 'them' : 'nobody',
    stale,
    waitingSince,
    dueAt,
    company: tracked ? getFacts().company : null,
    role: tracked ? getFacts().role : null,
    contactFirstName: tracked ? getFacts().contactFirstName : null,
    baseSalary: tracked ? getFacts().baseSalary : null,
    tags: ev.tags,
    history,
    lastMessageAt: last.date,
    lastMessageId: last.id,
    awaitingRule: awaiting ? lastOutcome.asksRule : null,
    awaitingSentence: awaiting ? lastOutcome.asksSentence : null,
    // Once the owner has said what the thread is, the rules' doubts no longer matter.
    uncertain: tracked && !stageFix && ev.uncertain.length > 0,
    uncertainReasons: tracked && !stageFix ? ev.uncertain : [],
    corrected: stageFix || replyFix
      ? {
          stage: stageFix?.stage ?? null,
          rulesStage: ev.stage,
          noReplyNeeded: replyFix !== null,
          at: [stageFix?.correctedAt, replyFix?.correctedAt].filter((x): x is string => !!x).sort().pop()!,
        }
      : null,
  };
}
