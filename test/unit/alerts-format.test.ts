import { describe, expect, it } from 'vitest';
import { formatAlert, formatCleared, formatDigest, humaniseDuration, describeThread } from '../../src/alerts/format.js';
import type { Alert, DigestRow } from '../../src/alerts/types.js';

const NOW = new Date('2026-03-10T09:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const ahead = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: 1,
    threadId: 't1',
    source: 'demo',
    stage: 'offer',
    company: 'Northwind',
    role: 'Senior Data Engineer',
    contactFirstName: 'Dana',
    subject: 'Your offer',
    waitingSince: ago(3 * DAY),
    dueAt: ahead(DAY),
    proposal: { id: 12, templateId: 'decline-accepted-elsewhere' },
    ...over,
  };
}

describe('formatAlert', () => {
  it('produces the documented example line', () => {
    expect(formatAlert(alert(), NOW)).toBe(
      'Offer from Northwind (Senior Data Engineer) has waited 3 days for your reply; proposed draft: decline-accepted-elsewhere #12',
    );
  });

  it('omits the proposal and the role when absent', () => {
    expect(formatAlert(alert({ proposal: null, role: null, stage: 'interviewing', waitingSince: ago(5 * HOUR) }), NOW)).toBe(
      'Interview request from Northwind has waited 5 hours for your reply',
    );
  });

  it('falls back to the contact name, then the quoted subject, when the company is unknown', () => {
    expect(formatAlert(alert({ company: null, proposal: null, stage: 'applied', waitingSince: ago(DAY) }), NOW)).toBe(
      'Message from Dana (Senior Data Engineer) has waited 1 day for your reply',
    );
    expect(describeThread({ stage: 'offer', company: null, role: null, contactFirstName: null, subject: 'Next steps' })).toBe(
      'Offer from "Next steps"',
    );
    expect(describeThread({ stage: 'offer', company: '', role: null, contactFirstName: null, subject: '' })).toBe(
      'Offer from "(no subject)"',
    );
  });

  it('names the stage for stages without their own wording', () => {
    expect(describeThread({ stage: 'accepted', company: 'Contoso', role: 'Analyst', subject: 's' })).toBe(
      'Message from Contoso (Analyst, stage: accepted)',
    );
    expect(describeThread({ stage: 'rejected', company: 'Contoso', role: null, subject: 's' })).toBe(
      'Message from Contoso (stage: rejected)',
    );
  });

  it('keeps mail-supplied text on one printable line', () => {
    const line = formatAlert(alert({ company: 'Evil\u001b[31m\nCorp\u202e', proposal: null }), NOW);
    expect(line).toBe('Offer from Evil Corp (Senior Data Engineer) has waited 3 days for your reply');
    expect(formatAlert(alert({ company: null, contactFirstName: null, subject: 'x'.repeat(500) }), NOW).length).toBeLessThan(250);
  });

  it('has a clear line', () => {
    expect(formatCleared(alert())).toBe('No longer waiting for your reply: Offer from Northwind (Senior Data Engineer)');
  });
});

describe('humaniseDuration', () => {
  it.each([
    [0, 'less than a minute'],
    [-5 * HOUR, 'less than a minute'],
    [59_000, 'less than a minute'],
    [60_000, '1 minute'],
    [90 * 60_000, '1 hour'],
    [5 * HOUR, '5 hours'],
    [DAY, '1 day'],
    [3 * DAY + 23 * HOUR, '3 days'],
    [13 * DAY, '13 days'],
    [14 * DAY, '2 weeks'],
    [20 * DAY, '2 weeks'],
    [NaN, 'an unknown time'],
  ])('%d ms → %s', (ms, text) => {
    expect(humaniseDuration(ms)).toBe(text);
  });
});

describe('formatDigest', () => {
  function row(over: Partial<DigestRow>): DigestRow {
    return {
      threadId: 't',
      stage: 'applied',
      company: 'Acme',
      role: null,
      subject: 's',
      awaitingReply: false,
      waitingSince: null,
      dueAt: null,
      stale: false,
      ...over,
    };
  }

  it('says so when nothing is tracked', () => {
    expect(formatDigest([], NOW)).toBe('offerwatch digest, 2026-03-10 09:00 UTC\nNo tracked threads.');
  });

  it('counts per stage, lists overdue (most overdue first) then due within 24 h', () => {
    const rows: DigestRow[] = [
      row({ threadId: 'a', stage: 'applied', company: 'Acme' }),
      row({ threadId: 'b', stage: 'interviewing', company: 'Contoso', awaitingReply: true, waitingSince: ago(2 * DAY), dueAt: ago(HOUR) }),
      row({ threadId: 'c', stage: 'offer', company: 'Northwind', role: 'Senior Data Engineer', awaitingReply: true, waitingSince: ago(3 * DAY), dueAt: ago(DAY) }),
      row({ threadId: 'd', stage: 'interviewing', company: 'Fabrikam', awaitingReply: true, waitingSince: ago(5 * HOUR), dueAt: ahead(3 * HOUR) }),
      row({ threadId: 'e', stage: 'interviewing', company: 'Tailspin', awaitingReply: true, waitingSince: ago(HOUR), dueAt: ahead(3 * DAY) }),
      row({ threadId: 'f', stage: 'declined', company: 'Litware' }),
      row({ threadId: 'g', stage: 'applied', company: 'Quiet Co', stale: true, awaitingReply: true, waitingSince: ago(30 * DAY), dueAt: ago(20 * DAY) }),
    ];
    expect(formatDigest(rows, NOW)).toBe(
      [
        'offerwatch digest, 2026-03-10 09:00 UTC',
        'Threads: 1 offer, 3 interviewing, 2 applied, 1 declined (7 total, 1 stale)',
        'Overdue (3):',
        '- Offer from Northwind (Senior Data Engineer): waited 3 days, overdue by 1 day',
        '- Interview request from Contoso: waited 2 days, overdue by 1 hour',
        '- Message from Quiet Co: waited 4 weeks, overdue by 2 weeks [stale]',
        'Due in the next 24 hours (1):',
        '- Interview request from Fabrikam: waited 5 hours, due in 3 hours',
        'Also waiting for your reply, due later: 1.',
      ].join('\n'),
    );
  });

  it('says when nothing is pressing and bounds long lists', () => {
    expect(formatDigest([row({ threadId: 'a' })], NOW)).toContain('Nothing is overdue or due in the next 24 hours.');
    const many = Array.from({ length: 25 }, (_, i) =>
      row({ threadId: `t${String(i).padStart(2, '0')}`, awaitingReply: true, waitingSince: ago(2 * DAY), dueAt: ago(HOUR) }),
    );
    const text = formatDigest(many, NOW);
    expect(text).toContain('Overdue (25):');
    expect(text).toContain('- … and 15 more');
    expect(text.split('\n').filter((l) => l.startsWith('- Message from Acme')).length).toBe(10);
  });
});
