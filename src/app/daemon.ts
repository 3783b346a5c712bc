/**
 * `offerwatch run`: cycles on a schedule, one at a time. A tick that comes while a cycle runs
 * is not lost: it runs once when the cycle ends (several such ticks still make one cycle). The
 * digest never overlaps a cycle either: it waits for the running one and then goes out.
 * The scheduler is injected (node-cron in production, a manual one in tests).
 */
import cron from 'node-cron';
import { schedulerLogger } from '../util/log.js';

export interface Scheduled {
  stop(): void;
}

export interface Scheduler {
  /** Calls `fn` on every tick of the cron expression; `onMissed` when a tick could not fire on time. */
  schedule(expression: string, fn: () => void): Scheduled;
}

/** node-cron, with its console output replaced by our log and missed ticks turned into a normal tick. */
export function cronScheduler(log: (line: string) => void): Scheduler {
  return {
    schedule(expression, fn) {
      const task = cron.schedule(expression, () => fn(), { logger: schedulerLogger(log), suppressMissedWarning: true });
      task.on('execution:missed', () => {
        log('a scheduled tick was missed (the machine was busy or asleep); it runs now');
        fn();
      });
      return { stop: () => void task.stop() };
    },
  };
}

export interface DaemonOptions {
  scheduler: Scheduler;
  schedule: string;
  digest?: string;
  /** One cycle, its report printed. Errors are logged, and the daemon goes on. */
  cycle: (signal: AbortSignal) => Promise<void>;
  sendDigest: () => Promise<void>;
  log: (line: string) => void;
}

export interface Daemon {
  /** Stops scheduling, aborts the running cycle, and resolves when it has ended. */
  stop(): Promise<void>;
  /** Resolves when no cycle or digest is running or waiting (for tests and shutdown). */
  idle(): Promise<void>;
}

export function startDaemon(o: DaemonOptions): Daemon {
  const controller = new AbortController();
  let running: Promise<void> | null = null;
  let cycleWaiting = false;
  let digestWaiting = false;
  let stopped = false;
  let idleWaiters: (() => void)[] = [];
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

  const settle = () => {
    if (running || cycleWaiting || digestWaiting) return;
    const w = idleWaiters;
    idleWaiters = [];
    for (const f of w) f();
  };
  const track = (p: Promise<void>) => {
    running = p.finally(() => {
      running = null;
      if (!stopped && digestWaiting) {
        digestWaiting = false;
        digest();
      } else if (!stopped && cycleWaiting) {
        cycleWaiting = false;
        cycle();
      } else {
        cycleWaiting = digestWaiting = false;
        settle();
      }
    });
  };
  const cycle = () => {
    if (stopped) return;
    if (running) {
      if (!cycleWaiting) o.log('a cycle is still running; the next one starts when it ends');
      cycleWaiting = true;
      return;
    }
    track(o.cycle(controller.signal).catch((e) => o.log(`cycle failed: ${message(e)}`)));
  };
  const digest = () => {
    if (stopped) return;
    if (running) {
      digestWaiting = true;
      return;
    }
    track(o.sendDigest().catch((e) => o.log(`digest failed: ${message(e)}`)));
  };

  const tasks = [o.scheduler.schedule(o.schedule, cycle)];
  if (o.digest) tasks.push(o.scheduler.schedule(o.digest, digest));
  cycle();
  return {
    async stop() {
      stopped = true;
      controller.abort();
      for (const t of tasks) t.stop();
      await running;
      cycleWaiting = digestWaiting = false;
      settle();
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settle();
      });
    },
  };
}
