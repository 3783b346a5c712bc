/** The owner's config file, `version: 1`, parsed strictly: unknown keys are errors. */
import { z } from 'zod';
import { STAGES } from '../model/types.js';
import { durationSchema, ruleSchema, ruleTestSchema, stringList } from '../rules/schema.js';
import { channelConfigSchema } from '../alerts/channels.js';
import { CONNECTORS, type SourceConfig } from '../connectors/registry.js';
import { responseRuleSchema } from '../respond/schema.js';
import { isValidAddress } from '../util/address.js';
import { isTimeZone } from '../util/time.js';

export type { SourceConfig };

/**
 * One entry of `sources`: the union of every registered source type's own schema, told apart by
 * `type` (each definition's schema is a strict object with `type: z.literal(…)`).
 */
type SourceOption = z.ZodObject<{ type: z.ZodLiteral<string> }>;
export const sourceSchema = z.discriminatedUnion(
  'type',
  CONNECTORS.map((d) => d.configSchema) as unknown as [SourceOption, ...SourceOption[]],
) as unknown as z.ZodType<SourceConfig>;

const deadlineShape = Object.fromEntries(STAGES.map((s) => [s, durationSchema.optional()])) as Record<(typeof STAGES)[number], z.ZodOptional<typeof durationSchema>>;

export const configSchema = z.strictObject({
  version: z.literal(1),
  owner: z.strictObject({
    name: z.string().min(1).optional(),
    /** Every address the owner sends from; the first is used as the From of drafts. */
    addresses: z.preprocess(
      (v) => (typeof v === 'string' ? [v] : v),
      z.array(z.string().trim().refine(isValidAddress, { error: (iss) => `"${String(iss.input).slice(0, 80)}" is not an email address` })).min(1),
    ),
    /** Sign-off used in drafts, e.g. "Jordan Okafor". Defaults to the owner's name. */
    signature: z.string().optional(),
  }),
  sources: z.array(sourceSchema).min(1),
  state: z
    .strictObject({
      /** Directory for the database, drafts and tokens (created 0700). */
      dir: z.string().min(1).optional(),
    })
    .default({}),
  deadlines: z.strictObject({ ...deadlineShape, default: durationSchema.optional() }).default({}),
  rules: z
    .strictObject({
      /** Extra rule files, layered over the built-in rules. */
      files: z.array(z.string().min(1)).default([]),
      /** Personal rules written inline; they come before (and can replace) built-in ones. */
      personal: z.array(ruleSchema).default([]),
      tests: z.array(ruleTestSchema).default([]),
      /** Built-in rule names to switch off. */
      disable: z.array(z.string()).default([]),
    })
    .default({ files: [], personal: [], tests: [], disable: [] }),
  responses: z.array(responseRuleSchema).default([]),
  alerts: z
    .strictObject({
      channels: z.array(channelConfigSchema).default([{ type: 'terminal' }]),
      /** Cron expression for a daily digest of the board, e.g. "0 8 * * *"; off when absent. */
      digest: z.string().optional(),
    })
    .default({ channels: [{ type: 'terminal' }] }),
  templates: z
    .strictObject({
      /** Your own reply templates (`*.hbs`); one with a built-in's id replaces it. */
      dir: z.string().min(1).optional(),
    })
    .default({}),
  drafts: z
    .strictObject({
      /** Save proposals straight into the mailbox as drafts (still never sent). */
      autoSave: z.boolean().default(false),
    })
    .default({ autoSave: false }),
  /** IANA time zone times are shown in (e.g. Europe/Berlin); default: the system's. JSON stays UTC. */
  timezone: z.string().refine(isTimeZone, { error: (iss) => `unknown time zone "${String(iss.input).slice(0, 60)}": use an IANA name such as Europe/Berlin or America/New_York` }).optional(),
  /** Cron expression for `offerwatch run`. */
  schedule: z.string().default('*/15 * * * *'),
});

export type Config = z.output<typeof configSchema>;
