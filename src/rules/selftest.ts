/**
 * Runs the `tests:` written inside rule files: each test is a few messages and the stage
 * (and optionally awaiting-reply and tags) the rules must reach. Like gmailctl's tests, they
 * run before the rules are used (`offerwatch rules test`, and `npm test`).
 */
import { createHash } from 'node:crypto';
import type { Address, MailThread, ThreadMessage } from '../model/types.js';
import { classifyThread, DEFAULT_DEADLINES } from '../classify/classify.js';
import type { LocatedTest, RuleSet } from './load.js';

export const TEST_OWNER = 'me@offerwatch.invalid';

export interface RuleTestResult {
  name: string;
  origin: string;
  ok: boolean;
  problems: string[];
}

export function parseAddress(s: string): Address {
  const m = /^\s*(?:"?([^"<]*?)"?\s*)?<([^>]+)>\s*$/.exec(s);
  if (m) return { name: m[1]?.trim() || null, address: m[2]!.trim().toLowerCase() };
  return { name: null, address: s.trim().toLowerCase() };
}

export function threadFromTest(t: LocatedTest): MailThread {
  const base = Date.parse('2026-01-05T09:00:00Z');
  let previous: ThreadMessage | null = null;
  let firstSubject = '';
  const earlier: ThreadMessage[] = [];
  const messages: ThreadMessage[] = t.messages.map((m, i) => {
    const mine = m.from.trim().toLowerCase() === 'me';
    const from: Address = mine ? { name: 'Owner', address: TEST_OWNER } : parseAddress(m.from);
    const lastOther = [...earlier].reverse().find((x) => x.direction === 'in')?.from;
    const to: Address[] = m.to ? [parseAddress(m.to)] : mine ? [lastOther ?? { name: null, address: 'someone@example.invalid' }] : [{ name: 'Owner', address: TEST_OWNER }];
    const subject = m.subject ?? (firstSubject ? `Re: ${firstSubject}` : '');
    if (!firstSubject) firstSubject = subject;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.headers ?? {})) headers[k.toLowerCase()] = v;
    const id = `<test-${i}@offerwatch.invalid>`;
    const msg: ThreadMessage = {
      id,
      threadId: 'test',
      messageId: id,
      inReplyTo: previous?.messageId ?? null,
      references: previous ? [...previous.references, previous.messageId!] : [],
      date: m.date ?? new Date(base + i * 3_600_000).toISOString(),
      from,
      replyTo: headers['reply-to'] ? [parseAddress(headers['reply-to'])] : [],
      to,
      cc: [],
      subject,
      text: m.text,
      newText: m.text,
      headers,
      role: m.role ?? (mine ? 'sent' : 'inbox'),
      labels: m.labels ?? [],
      attachments: [],
      contentHash: createHash('sha256').update(m.text).digest('hex'),
      direction: mine ? 'out' : 'in',
    };
    previous = msg;
    earlier.push(msg);
    return msg;
  });
  return { id: 'test', source: 'rules-test', messages };
}

export function runRuleTests(rules: RuleSet): RuleTestResult[] {
  return rules.tests.map((t) => {
    const thread = threadFromTest(t);
    const v = classifyThread(thread, rules, DEFAULT_DEADLINES, new Date('2026-01-05T09:00:00Z'));
    const problems: string[] = [];
    if (v.stage !== t.expect.stage) problems.push(`stage: expected ${t.expect.stage}, got ${v.stage}${explainLast(v.history)}`);
    if (t.expect.awaitingReply !== undefined && v.awaitingReply !== t.expect.awaitingReply) {
      problems.push(`awaitingReply: expected ${t.expect.awaitingReply}, got ${v.awaitingReply}`);
    }
    for (const tag of t.expect.tags ?? []) if (!v.tags.includes(tag)) problems.push(`tags: expected ${tag} among [${v.tags.join(', ')}]`);
    return { name: t.name, origin: t.origin, ok: problems.length === 0, problems };
  });
}

function explainLast(history: { rule: string }[]): string {
  const last = history[history.length - 1];
  return last ? ` (last change by rule ${last.rule})` : '';
}
