/**
 * The labelled corpus format (/work/spec/corpus-format.md, "offerwatch labelled corpus format v1"):
 * `<name>/corpus.yaml` plus `<name>/threads/<key>.yaml`. Strict: an unknown key is an error.
 * The keys under "Extra keys" in that document are optional refinements the older corpora use.
 */
import { z } from 'zod';
import { LABEL_STAGES, type LabelStage } from './types.js';

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z$/;
const MESSAGE_DATE = /^\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? [+-]\d{4}$/;
export const THREAD_FILE = /^[a-z0-9]+(-[a-z0-9]+)*\.yaml$/;

const iso = z.string().regex(ISO_UTC, 'expected an ISO 8601 UTC time such as 2026-11-24T12:00:00Z');
const score = z.number().min(0).max(1);

/** A measurement of a blind corpus, recorded once (fractions 0..1). */
const blindScoreSchema = z.union([
  score,
  z.strictObject({
    date: z.string().optional(),
    stage: score.optional(),
    awaitingPrecision: score.optional(),
    awaitingRecall: score.optional(),
    awaitingF1: score.optional(),
    stalePrecision: score.optional(),
    staleRecall: score.optional(),
    company: score.optional(),
    role: score.optional(),
    contactFirstName: score.optional(),
  }),
]);

export const corpusSchema = z.strictObject({
  version: z.literal(1),
  description: z.string().optional(),
  owner: z.strictObject({ name: z.string().min(1), address: z.string().min(3) }),
  aliases: z.array(z.string().min(3)).default([]),
  now: iso,
  windowStart: iso,
  strictAwaitingGap: z.boolean().default(true),
  blind: z.boolean().default(false),
  blindScore: blindScoreSchema.nullish(),
  // Extra keys.
  /** Stage accuracy the corpus test asserts for a non-blind corpus (default 0.85). */
  minStageAccuracy: score.optional(),
  /** Where the rendered files go instead of next to corpus.yaml (paths relative to the repository). */
  output: z
    .strictObject({
      dir: z.string().min(1),
      mbox: z.string().regex(/^[\w.-]+\.mbox$/).default('mailbox.mbox'),
      /** Also write `{ owner, me, now }` as JSON under this name (what `offerwatch demo` reads). */
      meta: z.string().regex(/^[\w.-]+\.json$/).optional(),
    })
    .optional(),
});

const nullable = <T extends z.ZodType>(t: T) => t.nullish();
/** For keys that must be written (null allowed where the type says so): "required" when absent. */
const missing = (message: string) => ({ error: (iss: { input?: unknown }) => (iss.input === undefined ? message : undefined) });
const required = missing('required');
const requiredOrNull = missing('required (write null when there is none)');
const charset = z.enum(['utf-8', 'iso-8859-1', 'windows-1252']);
const cte = z.enum(['7bit', '8bit', 'quoted-printable', 'base64']);

const attachmentSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('pdf'), name: z.string().min(1), lines: z.array(z.string()) }),
  z.strictObject({ kind: z.literal('text'), name: z.string().min(1), content: z.string(), subtype: z.string().optional() }),
  z.strictObject({
    kind: z.literal('ics'),
    /** Also put a text/calendar part inside multipart/alternative (Google Calendar style). */
    name: z.string().min(1),
    inline: z.boolean().optional(),
    event: z.strictObject({
      start: z.string(),
      end: z.string(),
      stamp: z.string(),
      summary: z.string(),
      location: z.string().optional(),
      description: z.string().optional(),
      organizerName: z.string(),
      organizer: z.string(),
      attendees: z.array(z.strictObject({ name: z.string(), address: z.string() })),
      method: z.enum(['REQUEST', 'CANCEL']).optional(),
    }),
  }),
]);

export const messageSchema = z.strictObject({
  /** `me` = owner's primary address, `me2` = owner's first alias, else `Name <addr>`. */
  from: z.string(required).min(1),
  /** Default: the owner (received mail) or the last counterparty (owner's mail). `me`/`me2` allowed. */
  to: nullable(z.string().min(1)),
  cc: nullable(z.string()),
  replyTo: nullable(z.string()),
  /** Seconds are derived from the thread key when omitted. */
  date: z.string(required).regex(MESSAGE_DATE, 'expected YYYY-MM-DD HH:MM[:SS] +ZZZZ'),
  /** Default: `Re: ` (or `rePrefix`) + previous subject, unchanged when it already has a reply prefix. */
  subject: nullable(z.string()),
  text: nullable(z.string()),
  html: nullable(z.string()),
  /** Build HTML from the text: `gmail` adds an alternative, `outlook` replaces the text (HTML-only). */
  autoHtml: nullable(z.enum(['gmail', 'outlook'])),
  /** Append a quote of the previous message (or of `quoteIdx`) in this client style. */
  quote: nullable(z.enum(['gmail-us', 'gmail-uk', 'apple', 'outlook', 'outlook-de', 'original', 'bare'])),
  cat: nullable(z.enum(['personal', 'updates', 'promo', 'social', 'forums', 'spam'])),
  /** Explicit X-Gmail-Labels (otherwise derived from `cat`, sender and age). */
  labels: nullable(z.string()),
  /** Extra headers, written after the standard ones in the given order. */
  headers: nullable(z.record(z.string(), z.string())),
  attach: nullable(z.array(attachmentSchema)),
  /** A later message that carries no In-Reply-To/References (threaded by subject only). */
  noRefs: nullable(z.boolean()),
  charset: nullable(charset),
  cte: nullable(cte),
  /** Which kind of client wrote the MIME: shapes boundaries, charset spelling, X-Mailer. */
  mailer: nullable(z.enum(['gmail', 'outlook', 'javamail', 'generic'])),
  // Extra keys.
  /** Prefix of the default reply subject, e.g. `RE: ` (Outlook) or `AW: `. */
  rePrefix: nullable(z.string()),
  subjectMode: nullable(z.enum(['auto', 'B', 'Q', 'partial-Q', 'partial-B'])),
  /** Hard-wrap the message's own prose at this column, as older clients and some ATS do. */
  wrap: nullable(z.number().int().min(20).max(998)),
  quoteIdx: nullable(z.number().int().min(0)),
  htmlCte: nullable(cte),
  msgidDomain: nullable(z.string().min(1)),
  dateStyle: nullable(z.enum(['rfc', 'nopad', 'utc-comment'])),
}).refine((m) => m.text != null || m.html != null, { message: 'a message needs text or html', path: ['text'] });

export const threadSchema = z.strictObject({
  labels: z.strictObject({
    stage: z.enum(LABEL_STAGES as [LabelStage, ...LabelStage[]], required),
    awaitingReply: z.boolean(requiredOrNull).nullable(),
    company: z.string(requiredOrNull).min(1).nullable(),
    role: z.string(requiredOrNull).min(1).nullable(),
    contactFirstName: z.string(requiredOrNull).min(1).nullable(),
    note: z.string(requiredOrNull).nullable(),
  }),
  /** Public pages whose wording the thread paraphrases; [] or absent for invented mail. */
  sources: z.array(z.url()).optional(),
  tag: nullable(z.string().min(1)),
  messages: z.array(messageSchema).min(1),
});

type NoNulls<T> = { [K in keyof T]?: Exclude<T[K], null | undefined> };
/** One message as the renderer takes it: the YAML message with its null values dropped. */
export type MessageDef = NoNulls<z.output<typeof messageSchema>> & Pick<z.output<typeof messageSchema>, 'from' | 'date'>;
export type AttachmentDef = z.output<typeof attachmentSchema>;
export type CorpusYaml = z.output<typeof corpusSchema>;
export type ThreadYaml = z.output<typeof threadSchema>;
