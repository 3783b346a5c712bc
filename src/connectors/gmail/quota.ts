/**
 * Per-method quota costs and a token bucket that keeps one account under its
 * per-minute budget, on the injected clock and sleep. Also the request/unit
 * counters the benchmark reads.
 */
import type { Clock } from '../../clock.js';

/**
 * Google's published per-method quota units ("Gmail API usage limits", per-method
 * table) for the methods this connector calls. It calls no send method, so none is listed.
 * threads.* are not in the short table excerpt we could verify and use Google's
 * long-standing value of 10. Google announced new costs for Cloud projects created
 * on or after 2026-05-01 (e.g. messages.get 20, threads.get 40, 6,000 units per user
 * per minute); pass `units` to QuotaMeter to account with those instead.
 */
export const GMAIL_METHOD_UNITS = {
  getProfile: 1,
  'history.list': 2,
  'messages.list': 5,
  'messages.get': 5,
  'threads.get': 10,
  'threads.modify': 10,
  'labels.list': 1,
  'labels.create': 5,
  'drafts.list': 5,
  'drafts.get': 5,
  'drafts.create': 10,
} as const;

export type GmailMethod = keyof typeof GMAIL_METHOD_UNITS;

export interface QuotaCounters {
  requests: Partial<Record<GmailMethod, number>>;
  units: Partial<Record<GmailMethod, number>>;
  totalRequests: number;
  totalUnits: number;
  /** Time spent waiting for the bucket, in ms (virtual when the clock does not move). */
  throttledMs: number;
  /** Retries after a rate-limit or transient failure. */
  retries: number;
}

export function emptyCounters(): QuotaCounters {
  return { requests: {}, units: {}, totalRequests: 0, totalUnits: 0, throttledMs: 0, retries: 0 };
}

export interface QuotaMeterOptions {
  unitsPerMinute: number;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  units?: Readonly<Record<GmailMethod, number>>;
}

/**
 * Token bucket. Capacity is a sixth of the minute budget (a 10-second burst) and it
 * refills at the rest, so that no 60-second window ever spends more than
 * `unitsPerMinute`: capacity + refill·60 s = budget.
 */
export class QuotaMeter {
  readonly counters: QuotaCounters = emptyCounters();
  private readonly capacity: number;
  private readonly perMs: number;
  private tokens: number;
  private last: number | null = null;
  /** Our own notion of time: never behind the clock, moved on by our sleeps. */
  private cursor = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly opts: QuotaMeterOptions) {
    this.capacity = opts.unitsPerMinute / 6;
    this.perMs = (opts.unitsPerMinute - this.capacity) / 60_000;
    this.tokens = this.capacity;
  }

  costOf(method: GmailMethod): number {
    return (this.opts.units ?? GMAIL_METHOD_UNITS)[method];
  }

  private now(): number {
    this.cursor = Math.max(this.cursor, this.opts.clock.now().getTime());
    return this.cursor;
  }

  /** Waits until the bucket holds `method`'s cost, then spends it and counts the request. */
  take(method: GmailMethod): Promise<void> {
    const run = this.queue.then(() => this.takeNow(method));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async takeNow(method: GmailMethod): Promise<void> {
    const cost = Math.min(this.costOf(method), this.capacity);
    for (;;) {
      const now = this.now();
      if (this.last !== null) this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
      this.last = now;
      if (this.tokens >= cost) break;
      const wait = Math.ceil((cost - this.tokens) / this.perMs);
      this.counters.throttledMs += wait;
      await this.opts.sleep(wait);
      this.cursor = now + wait;
    }
    this.tokens -= cost;
    const c = this.counters;
    c.requests[method] = (c.requests[method] ?? 0) + 1;
    c.units[method] = (c.units[method] ?? 0) + this.costOf(method);
    c.totalRequests += 1;
    c.totalUnits += this.costOf(method);
  }
}
