/** Candidate queries built from a filter: terms, quoting, the time bound, and splitting long filters. */
import { describe, expect, it } from 'vitest';
import { afterDate, buildCandidateQueries, MAX_QUERY_CHARS } from '../../src/connectors/gmail/query.js';

describe('gmail candidate queries', () => {
  it('puts domains and phrases in one OR group with the bound', () => {
    const q = buildCandidateQueries({ senderDomains: ['greenhouse-mail.io', '@Lever.co', 'not a domain'], phrases: ['Your application', 'say "hi" {now}', ''] }, 'after:2026/05/24');
    expect(q).toEqual(['{from:greenhouse-mail.io from:lever.co "your application" "say hi now"} after:2026/05/24']);
  });

  it('splits long filters so that no query passes the limit, losing no term', () => {
    const domains = Array.from({ length: 300 }, (_, i) => `ats${i}.example.com`);
    const qs = buildCandidateQueries({ senderDomains: domains, phrases: ['offer letter'] }, 'after:1700000000');
    expect(qs.length).toBeGreaterThan(1);
    for (const q of qs) expect(q.length).toBeLessThanOrEqual(MAX_QUERY_CHARS);
    const terms = new Set(qs.flatMap((q) => q.replace(/^\{|\} after:\d+$/g, '').split(' ')));
    for (const d of domains) expect(terms.has(`from:${d}`), d).toBe(true);
    const all = qs.join(' ');
    expect(all).toContain('"offer letter"');
  });

  it('bounds by date one day early, in the documented yyyy/mm/dd form', () => {
    expect(afterDate(Date.UTC(2026, 10, 20, 12))).toBe('after:2026/11/19');
  });

  it('falls back to the bound alone for an empty filter', () => {
    expect(buildCandidateQueries({ senderDomains: [], phrases: [] }, 'after:2026/01/01')).toEqual(['after:2026/01/01']);
  });
});
