/**
 * The owner's corrections as rule tests (`offerwatch correct --export`): each correction becomes a
 * test in the rule-file format, holding the thread's messages up to the one it was made on and
 * the verdict the owner gave. Added to a rule file, `offerwatch rules test` then fails until
 * the owner's rules agree with them, and keeps them agreeing.
 */
import { stringify } from 'yaml';
import type { MailThread } from '../model/types.js';
import type { RuleFile, RuleTest } from './schema.js';

/** What a test needs of a correction (the store's rows have this shape). */
export interface ExportableCorrection {
  source: string;
  threadId: string;
  kind: 'stage' | 'no-reply-needed';
  stage: string | null;
  rulesStage: string;
  anchorMessageId: string;
  correctedAt: string;
}

/** Long texts are cut: a rule test is read by a person, and phrases match within the first few thousand characters. */
const MAX_TEXT = 4000;
/** Headers that rules commonly test; the rest are left out of the exported messages. */
const KEPT_HEADERS = ['list-unsubscribe', 'reply-to', 'auto-submitted', 'precedence'];

export function correctionTest(c: ExportableCorrection, thread: MailThread): RuleTest {
  const upTo = thread.messages.findIndex((m) => m.id === c.anchorMessageId);
  const messages = thread.messages.slice(0, upTo >= 0 ? upTo + 1 : thread.messages.length);
  const expect: RuleTest['expect'] =
    c.kind === 'stage' ? { stage: c.stage as RuleTest['expect']['stage'] } : { stage: c.rulesStage as RuleTest['expect']['stage'], awaitingReply: false };
  const what = c.kind === 'stage' ? (c.stage === 'none' ? 'not about my job search' : `stage ${c.stage}`) : 'no reply needed';
  return {
    name: `corrected: ${messages[0]?.subject || '(no subject)'} is ${what} (${c.source}:${c.threadId}, ${c.correctedAt.slice(0, 10)})`,
    messages: messages.map((m) => {
      const headers: Record<string, string> = {};
      for (const h of KEPT_HEADERS) if (m.headers[h] !== undefined) headers[h] = m.headers[h]!;
      const from = m.direction === 'out' ? 'me' : m.from ? (m.from.name ? `${m.from.name} <${m.from.address}>` : m.from.address) : 'unknown@example.invalid';
      const text = (m.newText || m.text).slice(0, MAX_TEXT);
      return {
        from,
        subject: m.subject,
        text,
        date: m.date,
        ...(m.labels.length ? { labels: m.labels } : {}),
        ...(Object.keys(headers).length ? { headers } : {}),
      };
    }),
    expect,
  };
}

/** A whole rule file (no rules, only tests), as YAML text. */
export function correctionsAsRuleFile(tests: RuleTest[], now: Date): string {
  const file: RuleFile = {
    version: 1,
    description: `Your corrections, exported by offerwatch correct --export on ${now.toISOString()}. Add this file to rules.files and run offerwatch rules test; write personal rules until every test passes.`,
    rules: [],
    tests,
  };
  return stringify(file, { lineWidth: 0 });
}
