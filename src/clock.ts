/** An injected clock: every "now" in offerwatch comes from one of these (`--now` on the CLI). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(at: Date | string): Clock {
  const d = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) throw new Error(`cannot use clock: invalid time ${String(at)}`);
  return { now: () => new Date(d.getTime()) };
}
