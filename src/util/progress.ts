/**
 * Progress of a long sync on a terminal: one line redrawn in place —
 * `mail: 12,345 messages · 3.2 MB of 6.6 MB · 270 msg/s · about 12 s left`.
 * Only on a terminal; nothing at all on a pipe or in CI.
 */
import type { Clock } from '../clock.js';

export type ProgressFn = (source: string, done: number, total: number | null, bytes?: { done: number; total: number }) => void;

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export function progressLine(source: string, done: number, total: number | null, bytes: { done: number; total: number } | undefined, elapsedMs: number): string {
  const parts = [`${source}: ${done.toLocaleString('en-US')}${total ? ` of ${total.toLocaleString('en-US')}` : ''} messages`];
  if (bytes) parts.push(`${formatBytes(bytes.done)} of ${formatBytes(bytes.total)}`);
  const secs = elapsedMs / 1000;
  if (secs >= 0.5) {
    parts.push(`${Math.round(done / secs).toLocaleString('en-US')} msg/s`);
    const fraction = bytes && bytes.total > 0 ? bytes.done / bytes.total : total ? done / total : null;
    if (fraction !== null && fraction > 0 && fraction < 1) parts.push(`about ${formatSeconds((secs / fraction) * (1 - fraction))} left`);
  }
  return parts.join(' · ');
}

/** A progress writer, or undefined when `enabled` is false. Redraws at most every 200 ms, and always on completion. */
export function terminalProgress(write: (text: string) => void, enabled: boolean, clock: Clock): { update: ProgressFn; end: () => void } | undefined {
  if (!enabled) return undefined;
  const started = new Map<string, number>();
  let last = 0;
  let drawn = false;
  return {
    update(source, done, total, bytes) {
      const now = clock.now().getTime();
      if (!started.has(source)) started.set(source, now);
      const complete = (bytes && bytes.done >= bytes.total) || (total !== null && done >= total);
      if (!complete && drawn && now - last < 200) return;
      last = now;
      drawn = true;
      write(`\r${progressLine(source, done, total, bytes, now - started.get(source)!)}\u001b[K`);
    },
    end() {
      if (drawn) write('\n');
      drawn = false;
    },
  };
}
