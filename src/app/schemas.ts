/**
 * The data every front end (the CLI, the web page) receives from the service layer, one zod
 * schema per operation. `--json` prints exactly these shapes; the page renders them.
 */
import { z } from 'zod';
import { STAGES_OR_NONE } from '../model/types.js';
import { DECISIONS, PROPOSAL_STATUSES } from '../store/proposals.js';

const proposalStatus = z.enum(PROPOSAL_STATUSES as [string, ...string[]]);

const iso = z.string();
const stage = z.enum(STAGES_OR_NONE as [string, ...string[]]);
const address = z.object({ name: z.string().nullable(), address: z.string() });

/** One thread as `scan --json` / `status --json` print it (kept byte-for-byte as before). */
export const ThreadJson = z.object({
  threadId: z.string(),
  source: z.string(),
  subject: z.string(),
  stage,
  awaitingReply: z.boolean(),
  stale: z.boolean(),
  waitingOn: z.enum(['you', 'them', 'nobody']),
  waitingSince: iso.nullable(),
  dueAt: iso.nullable(),
  company: z.string().nullable(),
  role: z.string().nullable(),
  contactFirstName: z.string().nullable(),
  lastMessageAt: iso,
  tags: z.array(z.string()),
  /** When the thread's snooze ends (a new message or the owner's reply ends it sooner); null when not snoozed. */
  snoozedUntil: iso.nullable(),
  /** The deciding evidence is weak or two rules disagree: worth a look. */
  uncertain: z.boolean(),
  uncertainReasons: z.array(z.string()),
  /** The owner's correction in force (offerwatch correct), if any. */
  corrected: z.object({ stage: stage.nullable(), rulesStage: stage, noReplyNeeded: z.boolean(), at: iso }).nullable(),
});
export type ThreadJson = z.infer<typeof ThreadJson>;

/** A card on the board: the thread plus what the page shows about it. */
export const Card = ThreadJson.extend({
  /** The thread's live proposal: pending review, being saved, saved (where), or sent by the owner. */
  draft: z.object({ id: z.number(), status: proposalStatus, needsEdit: z.boolean(), location: z.string().nullable() }).nullable(),
});
export type Card = z.infer<typeof Card>;

export const Board = z.object({
  now: iso,
  threads: z.array(Card),
  waiting: z.number(),
  overdue: z.number(),
  skipped: z.number(),
  sources: z.array(z.string()),
  /** Nothing has been read into state yet (no cycle has run). */
  empty: z.boolean(),
});
export type Board = z.infer<typeof Board>;

export const ProposalData = z.object({
  id: z.number(),
  key: z.string(),
  source: z.string(),
  threadId: z.string(),
  decision: z.enum(DECISIONS),
  reason: z.string().nullable(),
  templateId: z.string(),
  rule: z.string().nullable(),
  status: proposalStatus,
  to: address.nullable(),
  subject: z.string(),
  body: z.string(),
  needsEdit: z.array(z.string()),
  createdAt: iso,
  updatedAt: iso,
  draftId: z.string().nullable(),
  draftLocation: z.string().nullable(),
  /** Who holds the `saving` claim, and since when. */
  claimToken: z.string().nullable(),
  claimedAt: iso.nullable(),
  /** When the owner's sent reply carrying this draft's key was seen. */
  sentAt: iso.nullable(),
});
export type ProposalData = z.infer<typeof ProposalData>;

export const StageChangeData = z.object({
  from: stage,
  to: stage,
  messageId: z.string(),
  date: iso,
  rule: z.string(),
  /** Where the rule is written: `file:line`. */
  origin: z.string(),
  sentence: z.string().nullable(),
});

export const AlertData = z.object({
  id: z.number(),
  source: z.string(),
  threadId: z.string(),
  dueAt: iso,
  stage: z.string(),
  raisedAt: iso,
  text: z.string(),
});
export type AlertData = z.infer<typeof AlertData>;

export const MessageData = z.object({
  id: z.string(),
  date: iso,
  direction: z.enum(['in', 'out']),
  from: address.nullable(),
  to: z.array(address),
  subject: z.string(),
  /** What this message adds. */
  newText: z.string(),
  /** The rest of the body (quoted history, signature), shown folded. */
  quoted: z.string(),
});

export const ThreadDetail = z.object({
  now: iso,
  card: Card,
  history: z.array(StageChangeData),
  awaitingRule: z.string().nullable(),
  awaitingSentence: z.string().nullable(),
  /** Newest first. */
  messages: z.array(MessageData),
  alerts: z.array(AlertData),
  proposals: z.array(ProposalData),
});
export type ThreadDetail = z.infer<typeof ThreadDetail>;

export const DecideResult = z.object({
  created: z.boolean(),
  proposal: ProposalData,
  /** The pending proposal this decision replaced (it can no longer be approved). */
  superseded: ProposalData.nullable(),
});
export type DecideResult = z.infer<typeof DecideResult>;

export const Preview = z.object({
  templateId: z.string(),
  decision: z.string(),
  reason: z.string().nullable(),
  to: address.nullable(),
  subject: z.string(),
  body: z.string(),
  needsEdit: z.array(z.string()),
});
export type Preview = z.infer<typeof Preview>;

/** `changed` is false when the edit left recipient and text as they were. */
export const EditResult = z.object({ changed: z.boolean(), proposal: ProposalData });
export type EditResult = z.infer<typeof EditResult>;
export const ApproveResult = z.object({ outcome: z.enum(['created', 'adopted', 'already', 'sent']), proposal: ProposalData, mail: z.string().nullable() });
export type ApproveResult = z.infer<typeof ApproveResult>;

/** `until` is null after unsnooze; `wasSnoozed` says whether unsnooze ended a snooze. */
export const SnoozeResult = z.object({ source: z.string(), threadId: z.string(), until: iso.nullable(), wasSnoozed: z.boolean() });
export type SnoozeResult = z.infer<typeof SnoozeResult>;

export const Priority = z.object({
  id: z.number(),
  name: z.string(),
  weight: z.number(),
  nonNegotiable: z.boolean(),
});
export type Priority = z.infer<typeof Priority>;

export const OfferRow = z.object({
  source: z.string(),
  threadId: z.string(),
  company: z.string().nullable(),
  role: z.string().nullable(),
  subject: z.string(),
  /** priority id → 0–10; absent when not scored yet. */
  scores: z.record(z.string(), z.number()),
  /** Weighted mean of the scores given, 0–10; null until one is scored. */
  total: z.number().nullable(),
  /** Non-negotiable priorities scored below the gap line. */
  missed: z.array(z.string()),
  /** Other priorities scored below the gap line: things to negotiate. */
  negotiableGaps: z.array(z.string()),
  /** What the page suggests: negotiate the gaps, decline (a non-negotiable is missed), or nothing yet. */
  suggestion: z.enum(['negotiate', 'decline', 'none']),
});
export type OfferRow = z.infer<typeof OfferRow>;

export const Offers = z.object({
  priorities: z.array(Priority),
  offers: z.array(OfferRow),
  /** A score below this is a gap. */
  gapBelow: z.number(),
  maxNonNegotiable: z.number(),
});
export type Offers = z.infer<typeof Offers>;

export const SourceReportData = z.object({ name: z.string(), added: z.number(), unchanged: z.number(), failures: z.number(), error: z.string().nullable() });

export const CycleResult = z.object({
  sources: z.array(SourceReportData),
  classified: z.number(),
  raised: z.number(),
  cleared: z.number(),
  proposed: z.array(z.number()),
  saved: z.array(z.number()),
});
export type CycleResult = z.infer<typeof CycleResult>;

/** A step of a running cycle, streamed to the page. */
export const CycleEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), at: iso }),
  z.object({ type: z.literal('progress'), source: z.string(), done: z.number(), total: z.number().nullable() }),
  z.object({ type: z.literal('done'), result: CycleResult }),
  z.object({ type: z.literal('busy'), holder: z.string() }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type CycleEvent = z.infer<typeof CycleEvent>;

export const TemplateInfo = z.object({ id: z.string(), title: z.string(), decision: z.string(), reasons: z.array(z.string()), stages: z.array(z.string()) });
export type TemplateInfo = z.infer<typeof TemplateInfo>;

export const CorrectionData = z.object({
  source: z.string(),
  threadId: z.string(),
  kind: z.enum(['stage', 'no-reply-needed']),
  stage: stage.nullable(),
  rulesStage: stage,
  anchorMessageId: z.string(),
  correctedAt: iso,
  endedAt: iso.nullable(),
});
export type CorrectionData = z.infer<typeof CorrectionData>;

export const CorrectResult = z.object({
  source: z.string(),
  threadId: z.string(),
  /** What the rules said before the correction. */
  rulesStage: stage,
  /** The stage the owner set, if any (`none`: not about the job search). */
  stage: stage.nullable(),
  noReplyNeeded: z.boolean(),
  cleared: z.boolean(),
  /** Whether there was a correction to clear (with `clear`). */
  hadCorrection: z.boolean(),
  /** The thread's verdict afterwards. */
  thread: ThreadJson.nullable(),
});
export type CorrectResult = z.infer<typeof CorrectResult>;
