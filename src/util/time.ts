/**
 * Times for people: in the owner's time zone (config `timezone`, default the system's), with the
 * zone's name, e.g. `2026-04-01 11:00 CEST`. JSON and state keep ISO 8601 UTC.
 */

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The system's zone: `TZ` from the environment when it names a zone, else what Intl resolves. */
export function systemTimeZone(env: NodeJS.ProcessEnv = process.env): string {
  const tz = env.TZ?.replace(/^:/, '');
  if (tz && isTimeZone(tz)) return tz;
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export type TimeFormat = (iso: string | null | undefined) => string;

const cache = new Map<string, Intl.DateTimeFormat>();

/** A formatter for `zone`: `YYYY-MM-DD HH:MM ZONE`; `-` for no time. */
export function timeFormat(zone: string): TimeFormat {
  let f = cache.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
    });
    cache.set(zone, f);
  }
  const fmt = f;
  return (iso) => {
    if (!iso) return '-';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '-';
    const p = Object.fromEntries(fmt.formatToParts(d).map((x) => [x.type, x.value])) as Record<string, string>;
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${p.timeZoneName}`;
  };
}

/** UTC, for places that have no owner config (and the old default). */
export const utcTime: TimeFormat = timeFormat('UTC');
