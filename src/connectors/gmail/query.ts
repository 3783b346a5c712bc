/**
 * Gmail search queries built from a CandidateFilter: sender domains and phrases in one
 * OR group `{from:a.io "your application" …}` plus a time bound. Long filters are split
 * so that no query is longer than MAX_QUERY_CHARS (Gmail does not publish its limit; the
 * query travels in the URL, so we stay well under common 2,000-character URL limits).
 */
import type { CandidateFilter } from '../port.js';

export const MAX_QUERY_CHARS = 1500;

function terms(filter: Pick<CandidateFilter, 'senderDomains' | 'phrases'>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const d of filter.senderDomains) {
    const domain = d.trim().toLowerCase().replace(/^@|^\*?\./, '');
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) continue;
    const t = `from:${domain}`;
    if (!seen.has(t)) out.push(t), seen.add(t);
  }
  for (const p of filter.phrases) {
    const phrase = p.replace(/["{}()]/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
    if (!phrase) continue;
    const t = `"${phrase}"`;
    if (!seen.has(t)) out.push(t), seen.add(t);
  }
  return out;
}

/** Gmail's `after:` in its documented yyyy/mm/dd form (UTC date, one day early to be safe). */
export function afterDate(ms: number): string {
  const d = new Date(ms - 86_400_000);
  return `after:${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** One or more queries that together find every message the filter names, within `bound`. */
export function buildCandidateQueries(filter: Pick<CandidateFilter, 'senderDomains' | 'phrases'>, bound: string): string[] {
  const all = terms(filter);
  if (all.length === 0) return [bound];
  const budget = MAX_QUERY_CHARS - bound.length - 3;
  const out: string[] = [];
  let group: string[] = [];
  let size = 0;
  for (const t of all) {
    if (group.length > 0 && size + t.length + 1 > budget) {
      out.push(`{${group.join(' ')}} ${bound}`);
      group = [];
      size = 0;
    }
    group.push(t);
    size += t.length + 1;
  }
  if (group.length > 0) out.push(`{${group.join(' ')}} ${bound}`);
  return out;
}
