/** Issue 11, item 27: the progress line (messages, bytes, rate, time left) and when it draws. */
import { describe, expect, it } from 'vitest';
import { progressLine, terminalProgress } from '../../src/util/progress.js';

describe('progress', () => {
  it('says messages, bytes, rate and time left', () => {
    expect(progressLine('mail', 5400, null, { done: 3_300_000, total: 6_600_000 }, 20_000)).toBe('mail: 5,400 messages · 3.3 MB of 6.6 MB · 270 msg/s · about 20 s left');
    expect(progressLine('gmail', 10, 40, undefined, 0)).toBe('gmail: 10 of 40 messages');
  });

  it('draws nothing when not on a terminal, and at most every 200 ms otherwise (always on completion)', () => {
    expect(terminalProgress(() => {}, false, { now: () => new Date(0) })).toBeUndefined();
    let t = 0;
    const out: string[] = [];
    const p = terminalProgress((s) => out.push(s), true, { now: () => new Date(t) })!;
    p.update('mail', 1, null, { done: 10, total: 100 });
    t = 100;
    p.update('mail', 2, null, { done: 20, total: 100 });
    t = 300;
    p.update('mail', 3, null, { done: 30, total: 100 });
    t = 310;
    p.update('mail', 4, null, { done: 100, total: 100 });
    p.end();
    expect(out).toHaveLength(4);
    expect(out.at(-1)).toBe('\n');
  });
});
