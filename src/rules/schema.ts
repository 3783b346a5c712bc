/** The shape of rule files (built-in `rules/*.yaml` and personal rules in the config), as strict zod schemas. */
import { MAILBOX_ROLES, type MailboxRole } from '../connectors/port.js';
import { z } from 'zod';
import { STAGES_OR_NONE, STAGES } from '../model/types.js';

const text = z.string().min(1);
/** One string or a list of strings; always a list after parsing. */
export const stringList = z.union([text, z.array(text).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));
const stageOrNone = z.enum(STAGES_OR_NONE as [string, ...string[]]);
const stageList = z.union([stageOrNone, z.array(stageOrNone).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

export const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/;
export const DURATION_HINT = 'expected a duration such as 90m, 24h, 2d or 1w';
/** A positive duration written with its unit; a bare number or zero is refused with the hint. */
export const durationSchema = z
  .string({ error: (iss) => (iss.input === undefined ? undefined : `${DURATION_HINT}${typeof iss.input === 'number' ? ` (add the unit: ${iss.input}h?)` : ''}`) })
  .regex(DURATION_RE, DURATION_HINT)
  .refine((s) => { const m = DURATION_RE.exec(s); return !m || Number(m[1]) > 0; }, { message: 'expected a positive duration such as 90m, 24h, 2d or 1w (zero is always overdue)' });

const numberTest = z.strictObject({
  lt: z.number().optional(),
  lte: z.number().optional(),
  gt: z.number().optional(),
  gte: z.number().optional(),
  eq: z.union([z.number(), z.string()]).optional(),
  in: z.array(z.union([z.number(), z.string()])).optional(),
  present: z.boolean().optional(),
});
export type VarTest = z.output<typeof numberTest>;

export interface Condition {
  direction?: 'in' | 'out';
  from?: string[];
  fromName?: string[];
  to?: string[];
  robotSender?: boolean;
  subject?: string[];
  text?: string[];
  sentence?: { any: string[]; none?: string[] };
  fullText?: string[];
  attachment?: string[];
  label?: string[];
  role?: MailboxRole[];
  header?: Record<string, true | string[]>;
  position?: 'first' | 'last' | 'reply' | 'only';
  previousDirection?: 'in' | 'out';
  score?: { min: number; of: { weight: number; phrases: string[] }[] };
  stage?: string[];
  tags?: string[];
  vars?: Record<string, VarTest>;
  any?: Condition[];
  all?: Condition[];
  not?: Condition;
}

export const conditionSchema: z.ZodType<Condition, unknown> = z.lazy(() =>
  z.strictObject({
    direction: z.enum(['in', 'out']).optional(),
    from: stringList.optional(),
    fromName: stringList.optional(),
    to: stringList.optional(),
    robotSender: z.boolean().optional(),
    subject: stringList.optional(),
    text: stringList.optional(),
    /** Some sentence of the new text holds one of `any` and none of `none` (e.g. no "if" in it). */
    sentence: z.strictObject({ any: stringList, none: stringList.optional() }).optional(),
    fullText: stringList.optional(),
    attachment: stringList.optional(),
    label: stringList.optional(),
    /** Where the message lives: inbox, sent, drafts, junk, trash, archive, other (set by each connector). */
    role: z.array(z.enum(MAILBOX_ROLES)).min(1).optional(),
    header: z.record(z.string().min(1), z.union([z.literal(true), stringList])).optional(),
    position: z.enum(['first', 'last', 'reply', 'only']).optional(),
    /** Who wrote the message before this one (`out`: this message answers the owner). */
    previousDirection: z.enum(['in', 'out']).optional(),
    /**
     * Weighted cues in the new text: each phrase group adds its weight once when any of its
     * phrases occurs (negative weights subtract); the condition holds at `min` or above.
     * For meaning that is said in many ways ("I'm going to stay where I am").
     */
    score: z
      .strictObject({
        min: z.number().positive(),
        of: z.array(z.strictObject({ weight: z.number().refine((n) => n !== 0, 'a weight of 0 does nothing'), phrases: stringList })).min(1),
      })
      .optional(),
    stage: stageList.optional(),
    tags: stringList.optional(),
    vars: z.record(z.string().min(1), numberTest).optional(),
    any: z.array(conditionSchema).min(1).optional(),
    all: z.array(conditionSchema).min(1).optional(),
    not: conditionSchema.optional(),
  }),
);

export const actionSchema = z.strictObject({
  stage: z.enum(STAGES).optional(),
  /** Whether the owner owes a reply, when this message is the thread's last. */
  awaiting: z.boolean().optional(),
  /** Reply deadline for this message when it is the last, overriding the stage default. */
  deadline: durationSchema.optional(),
  tag: stringList.optional(),
  /** This message is not about the owner's job search: no further rules apply to it. */
  ignore: z.literal(true).optional(),
  /** With `stage: offer`: may reopen an offer the owner declined (an improved offer). Nothing else leaves an ended stage. */
  reopen: z.literal(true).optional(),
}).refine((a) => !a.reopen || a.stage === 'offer', 'reopen only goes with stage: offer');
export type Action = z.output<typeof actionSchema>;

export const ruleSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'rule names are lower-case words joined by dashes'),
  description: z.string().optional(),
  when: conditionSchema,
  then: actionSchema.refine((a) => Object.keys(a).length > 0, 'a rule needs at least one action'),
});
export type RuleDef = z.output<typeof ruleSchema>;

export const testMessageSchema = z.strictObject({
  /** `me` for the owner, else `Name <address>` or a bare address. */
  from: z.string().min(1),
  to: z.string().optional(),
  subject: z.string().optional(),
  text: z.string(),
  date: z.string().optional(),
  labels: z.array(z.string()).optional(),
  /** Mailbox role (default: sent for `me`, else inbox). */
  role: z.enum(MAILBOX_ROLES).optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

export const ruleTestSchema = z.strictObject({
  name: z.string().min(1),
  messages: z.array(testMessageSchema).min(1),
  expect: z.strictObject({
    stage: stageOrNone,
    awaitingReply: z.boolean().optional(),
    tags: z.array(z.string()).optional(),
  }),
});
export type RuleTest = z.output<typeof ruleTestSchema>;

export const ruleFileSchema = z.strictObject({
  version: z.literal(1),
  description: z.string().optional(),
  rules: z.array(ruleSchema).default([]),
  tests: z.array(ruleTestSchema).default([]),
});
export type RuleFile = z.output<typeof ruleFileSchema>;

export function parseDuration(s: string): number {
  const m = DURATION_RE.exec(s.trim());
  if (!m) throw new Error(`invalid duration ${s}`);
  const n = Number(m[1]);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w'];
  return Math.round(n * unit);
}
