/** Retry timing for outgoing HTTP: exponential backoff with jitter, and Retry-After parsing. */

export { seededRandom } from '../util/random.js';

/**
 * Delay before retry number `attempt` (1 = after the first failure):
 * half of min(cap, base·2^(attempt-1)) plus a random share of the other half.
 */
export function backoffDelay(attempt: number, random: () => number, baseMs = 1000, capMs = 30_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(ceiling / 2 + (r * ceiling) / 2);
}

/**
 * Milliseconds a Retry-After header asks for: delta-seconds or an HTTP date. A date is measured
 * against the response's own Date header when present (both from the server's clock), else `nowMs`.
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, dateHeader: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (!Number.isFinite(at)) return undefined;
  const ref = dateHeader === null ? NaN : Date.parse(dateHeader);
  return Math.max(0, at - (Number.isFinite(ref) ? ref : nowMs));
}
