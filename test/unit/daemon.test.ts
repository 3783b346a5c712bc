/**
 * Issue 11, items 2 and 25: the daemon driven by an injected scheduler — no wall-clock waits.
 * A tick during a running cycle runs once when it ends; the digest waits for a running cycle;
 * log lines carry timestamps; node-cron's own output is filtered.
 */
import { describe, expect, it } from 'vitest';
import { startDaemon, type Scheduler } from '../../src/app/daemon.js';
import { schedulerLogger, stampLines, timestamped } from '../../src/util/log.js';
import { fixedClock } from '../../src/clock.js';

function manualScheduler() {
  const fns = new Map<string, () => void>();
  const scheduler: Scheduler = {
    schedule(expr, fn) {
      fns.set(expr, fn);
      return { stop: () => fns.delete(expr) };
    },
  };
  return { scheduler, tick: (expr: string) => fns.get(expr)?.(), has: (expr: string) => fns.has(expr) };
}

function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => { open = r; });
  return { p, open };
}

describe('daemon', () => {
  it('runs a cycle at start and on each tick, one at a time; ticks during a cycle make one cycle after it', async () => {
    const s = manualScheduler();
    const events: string[] = [];
    const gates: ReturnType<typeof gate>[] = [];
    const log: string[] = [];
    const d = startDaemon({
      scheduler: s.scheduler, schedule: 'C', digest: 'D',
      cycle: async () => { const g = gate(); gates.push(g); events.push(`cycle ${gates.length} start`); await g.p; events.push(`cycle ${gates.length} end`); },
      sendDigest: async () => { events.push('digest'); },
      log: (l) => log.push(l),
    });
    expect(events).toEqual(['cycle 1 start']);
    s.tick('C');
    s.tick('C');
    s.tick('D');
    expect(events).toEqual(['cycle 1 start']);
    expect(log.filter((l) => /still running/.test(l))).toHaveLength(1);
    gates[0]!.open();
    // the digest that waited goes first, then the one missed cycle
    await new Promise<void>((r) => setImmediate(r));
    await new Promise<void>((r) => setImmediate(r));
    expect(events.slice(0, 3)).toEqual(['cycle 1 start', 'cycle 1 end', 'digest']);
    while (gates.length < 2) await new Promise<void>((r) => setImmediate(r));
    gates[1]!.open();
    await d.idle();
    expect(events).toEqual(['cycle 1 start', 'cycle 1 end', 'digest', 'cycle 2 start', 'cycle 2 end']);
    await d.stop();
    expect(s.has('C')).toBe(false);
  });

  it('a failing cycle is logged and the daemon goes on; stop waits for the running cycle', async () => {
    const s = manualScheduler();
    const log: string[] = [];
    let n = 0;
    const d = startDaemon({
      scheduler: s.scheduler, schedule: 'C',
      cycle: async (signal) => { n++; if (n === 1) throw new Error('disk full\nat stack'); await new Promise<void>((r) => signal.addEventListener('abort', () => r())); },
      sendDigest: async () => {},
      log: (l) => log.push(l),
    });
    await d.idle();
    expect(log).toEqual(['cycle failed: disk full']);
    s.tick('C');
    expect(n).toBe(2);
    await d.stop();
    s.tick('C');
    expect(n).toBe(2);
  });

  it('log lines carry timestamps; node-cron output becomes one clean line', () => {
    const clock = fixedClock('2026-11-20T12:00:00.123Z');
    expect(stampLines('a\nb\n', clock.now())).toBe('2026-11-20T12:00:00Z a\n2026-11-20T12:00:00Z b\n');
    let out = '';
    timestamped((t) => { out += t; }, clock)('cycle done\n');
    expect(out).toBe('2026-11-20T12:00:00Z cycle done\n');
    const lines: string[] = [];
    const logger = schedulerLogger((l) => lines.push(l));
    logger.warn('\u001b[33mmissed execution at Fri Nov 20 2026! Possible blocking IO\u001b[0m');
    logger.info('started');
    expect(lines).toEqual(['scheduler warning: missed execution at Fri Nov 20 2026! Possible blocking IO']);
  });
});
