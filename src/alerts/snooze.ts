/** Parses "snooze" specs: `2d`, `36h`, `90m`, `1w`, `until 2026-12-01T09:00:00Z`, `until 2026-12-01`. */
import { OfferwatchError } from '../errors.js';

/** Longest snooze accepted, to catch typos such as `1000d`. */
export const MAX_SNOOZE_DAYS = 365;

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;
const DURATION = /^(\d{1,6})\s*([mhdw])$/i;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
const USAGE = 'expected a duration like 2d, 36h, 90m or 1w, or "until 2026-12-01" / "until 2026-12-01T09:00:00Z"';

function usage(got: string): OfferwatchError {
  return new OfferwatchError('EUSAGE', `cannot snooze: ${USAGE}, got "${got.slice(0, 60)}"`);
}

function validDate(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

function parseUntil(value: string, raw: string): Date {
  const dOnly = DATE_ONLY.exec(value);
  if (dOnly) {
    const [y, mo, d] = dOnly.slice(1, 4).map(Number);
    if (!validDate(y, mo, d)) throw usage(raw);
    return new Date(Date.UTC(y, mo - 1, d));
  }
  const dt = DATE_TIME.exec(value);
  if (!dt) throw usage(raw);
  const [y, mo, d, h, mi] = dt.slice(1, 6).map(Number);
  const s = dt[6] === undefined ? 0 : Number(dt[6]);
  const zone = dt[8].toUpperCase();
  const zoneOk = zone === 'Z' || (Number(zone.slice(1, 3)) <= 23 && Number(zone.slice(4, 6)) <= 59);
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59 || !zoneOk) throw usage(raw);
  const at = new Date(value.replace(' ', 'T'));
  if (Number.isNaN(at.getTime())) throw usage(raw);
  return at;
}

/**
 * When a snooze ends. `spec` is the CLI words (joined with spaces) or one string.
 * Dates without a time mean 00:00 UTC; date-times need a zone (`Z` or `+02:00`).
 * Throws OfferwatchError('EUSAGE') for anything else, a time not after `now`, or more than a year ahead.
 */
export function parseSnooze(spec: readonly string[] | string, now: Date): Date {
  const raw = (typeof spec === 'string' ? spec : spec.join(' ')).trim().replace(/\s+/g, ' ');
  let until: Date;
  const dur = DURATION.exec(raw);
  if (dur) {
    const amount = Number(dur[1]);
    if (amount === 0) throw new OfferwatchError('EUSAGE', `cannot snooze: "${raw}" is no time at all`);
    until = new Date(now.getTime() + amount * UNIT_MS[dur[2].toLowerCase() as keyof typeof UNIT_MS]);
  } else {
    const m = /^until (.+)$/i.exec(raw);
    if (!m) throw usage(raw);
    until = parseUntil(m[1], raw);
  }
  if (until.getTime() <= now.getTime()) {
    throw new OfferwatchError('EUSAGE', `cannot snooze: ${until.toISOString()} is not after now (${now.toISOString()})`);
  }
  if (until.getTime() - now.getTime() > MAX_SNOOZE_DAYS * UNIT_MS.d) {
    throw new OfferwatchError('EUSAGE', `cannot snooze: ${until.toISOString()} is more than ${MAX_SNOOZE_DAYS} days ahead`);
  }
  return until;
}
