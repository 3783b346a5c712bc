/**
 * The candidate filter connectors use to decide what is worth fetching in full: the same
 * rules, run over a message's cheap metadata (sender, subject, snippet).
 */
import type { CandidateFilter, MessageMeta } from '../connectors/port.js';
import type { RuleSet } from './load.js';
import { evaluateThread } from './engine.js';
import { domainIn, domainOf } from '../mail/addresses.js';
import type { MailThread } from '../model/types.js';

/**
 * Words for provider search queries: broad on purpose (a missed thread is worse than a few
 * extra fetches); the rules decide afterwards what is really about the job search.
 */
export const SEARCH_PHRASES = [
  'application',
  'applying',
  'interview',
  'offer',
  'role',
  'position',
  'recruiter',
  'candidate',
  'hiring',
  'withdraw',
];

const LOOSE = /\b(application|applying|applied|interview|screen|offer|position|role|recruit\w*|hiring|candidate|assessment|onsite|take-home|withdraw\w*|opportunity)\b/i;

/** First-run look-back window when nothing narrower is configured. */
export const DEFAULT_LOOKBACK_DAYS = 180;

export function candidateFilter(rules: RuleSet, lookbackDays = DEFAULT_LOOKBACK_DAYS): CandidateFilter {
  const domains = rules.senderDomains;
  // Looked up per parent domain of each sender (as domainMatches against every entry would say).
  const domainSet = new Set(domains.map((d) => d.toLowerCase().replace(/^\*?\./, '')));
  return {
    senderDomains: domains,
    phrases: SEARCH_PHRASES,
    lookbackDays,
    isCandidate(meta: MessageMeta): boolean {
      const addr = meta.from?.address ?? '';
      if (addr && domainIn(domainOf(addr), domainSet)) return true;
      const thread: MailThread = {
        id: 'meta',
        source: 'filter',
        messages: [{
          id: 'meta', threadId: null, messageId: null, inReplyTo: null, references: [], date: new Date(0).toISOString(),
          from: meta.from, replyTo: [], to: [], cc: [], subject: meta.subject, text: meta.snippet, newText: meta.snippet,
          headers: {}, role: meta.role, labels: meta.labels, attachments: [], contentHash: '', direction: 'in',
        }],
      };
      const ev = evaluateThread(thread, rules);
      if (ev.messages[0]!.ignored) return false;
      return ev.stage !== 'none' || LOOSE.test(`${meta.subject} ${meta.snippet}`);
    },
  };
}
