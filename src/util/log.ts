/** Log lines for long-running use (`offerwatch run`): each line starts with its time. */
import type { Clock } from '../clock.js';
import { terminalSafe } from './text.js';

/** `2026-11-20T12:00:00Z message`, one line per line of `text` (second precision, UTC). */
export function stampLines(text: string, now: Date): string {
  const stamp = `${now.toISOString().slice(0, 19)}Z`;
  return text.replace(/\n$/, '').split('\n').map((l) => `${stamp} ${l}`).join('\n') + (text.endsWith('\n') ? '\n' : '');
}

/** Wraps a writer so that every line it prints carries a timestamp from `clock`. */
export function timestamped(write: (text: string) => void, clock: Clock): (text: string) => void {
  return (text) => {
    if (text.startsWith('\r')) return write(text); // progress redraws stay as they are
    write(stampLines(text, clock.now()));
  };
}

/**
 * A logger for node-cron (its own writes colour codes and a PID straight to the console):
 * one clean line through ours, prefixed `scheduler:`.
 */
export function schedulerLogger(log: (line: string) => void) {
  const line = (level: string, m: unknown, e?: unknown) => {
    const text = terminalSafe(m instanceof Error ? m.message : String(m), { oneLine: true });
    const extra = e instanceof Error ? `: ${terminalSafe(e.message, { oneLine: true })}` : '';
    log(`scheduler ${level}: ${text}${extra}`);
  };
  return {
    info: (_m: string) => {},
    debug: (_m: string | Error, _e?: Error) => {},
    warn: (m: string) => line('warning', m),
    error: (m: string | Error, e?: Error) => line('error', m, e),
  };
}
