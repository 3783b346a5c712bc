import { describe, expect, it } from 'vitest';
import { parseSnooze } from '../../src/alerts/snooze.js';
import { OfferwatchError } from '../../src/errors.js';

const NOW = new Date('2026-03-10T09:00:00Z');

function usageError(spec: string | string[]): OfferwatchError {
  try {
    parseSnooze(spec, NOW);
  } catch (e) {
    expect(e).toBeInstanceOf(OfferwatchError);
    expect((e as OfferwatchError).code).toBe('EUSAGE');
    return e as OfferwatchError;
  }
  throw new Error(`expected ${JSON.stringify(spec)} to be rejected`);
}

describe('parseSnooze', () => {
  it.each([
    ['2d', '2026-03-12T09:00:00.000Z'],
    ['36h', '2026-03-11T21:00:00.000Z'],
    ['90m', '2026-03-10T10:30:00.000Z'],
    ['1w', '2026-03-17T09:00:00.000Z'],
    [' 2D ', '2026-03-12T09:00:00.000Z'],
    ['until 2026-12-01T09:00:00Z', '2026-12-01T09:00:00.000Z'],
    ['until 2026-12-01T09:00+02:00', '2026-12-01T07:00:00.000Z'],
    ['until 2026-12-01', '2026-12-01T00:00:00.000Z'],
  ])('%s → %s', (spec, iso) => {
    expect(parseSnooze(spec, NOW).toISOString()).toBe(iso);
  });

  it('accepts CLI words', () => {
    expect(parseSnooze(['until', '2026-12-01'], NOW).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(parseSnooze(['3d'], NOW).toISOString()).toBe('2026-03-13T09:00:00.000Z');
  });

  it.each(['', 'tomorrow', '2', 'd', '2y', '-1d', '1.5d', 'until', 'until next week', 'until 2026-02-30', 'until 2026-13-01',
    'until 2026-12-01T25:00:00Z', 'until 2026-12-01T09:00:00', '2d 3h'])('rejects %j', (spec) => {
    expect(usageError(spec).message).toMatch(/^cannot snooze: expected a duration/);
  });

  it('rejects zero, the past, and more than a year ahead', () => {
    expect(usageError('0h').message).toContain('no time at all');
    expect(usageError('until 2026-03-10').message).toContain('is not after now');
    expect(usageError('until 2026-03-10T09:00:00Z').message).toContain('is not after now');
    expect(usageError('400d').message).toContain('more than 365 days ahead');
  });
});
