/** Personal response rules: which draft to propose for which thread. */
import { z } from 'zod';
import { STAGES } from '../model/types.js';
import { stringList } from '../rules/schema.js';

const stageList = z.union([z.enum(STAGES), z.array(z.enum(STAGES)).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));
const numberTest = z.strictObject({
  lt: z.number().optional(),
  lte: z.number().optional(),
  gt: z.number().optional(),
  gte: z.number().optional(),
});

export const responseRuleSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'rule names are lower-case words joined by dashes'),
  description: z.string().optional(),
  when: z.strictObject({
    stage: stageList.optional(),
    /** Company names (case-insensitive, whole name). */
    company: stringList.optional(),
    /** Phrases in the role title. */
    role: stringList.optional(),
    /** Thread tags set by rules, e.g. `withdraw` or `negotiating`. */
    tags: stringList.optional(),
    awaitingReply: z.boolean().optional(),
    baseSalary: numberTest.optional(),
  }),
  propose: z.strictObject({
    decision: z.enum(['decline', 'withdraw', 'rescind', 'negotiate', 'confirm']),
    reason: z.string().min(1).optional(),
    /** A template id; defaults to the one that fits the decision and reason. */
    template: z.string().min(1).optional(),
    /** Extra template variables, e.g. `otherCompany: Northwind`. */
    vars: z.record(z.string().regex(/^[a-z][A-Za-z0-9]*$/), z.string()).optional(),
  }),
});
export type ResponseRule = z.output<typeof responseRuleSchema>;
