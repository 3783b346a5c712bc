/**
 * Seeded fuzz of whole threads: random sequences of messages from both sides, drawn from a
 * pool of realistic snippets, through the built-in rules. Whatever the mix, the verdict keeps
 * its invariants, and storing the same mail in any batch split gives the same state.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRuleSet, readRuleDir } from '../../src/rules/load.js';
import { classifyThread, DEFAULT_DEADLINES } from '../../src/classify/classify.js';
import { nextStage } from '../../src/rules/machine.js';
import { STAGES_OR_NONE, type MailMessage, type Owner } from '../../src/model/types.js';
import { toThread } from '../../src/pipeline/threading.js';
import { Store } from '../../src/store/index.js';
import { REPO } from '../helpers/paths.js';

const rules = buildRuleSet(readRuleDir(join(REPO, 'rules')));
const OWNER: Owner = { name: 'Owner', addresses: ['owner@example.org'] };
const ENDED = new Set(['declined', 'withdrawn', 'rejected']);

const THEIRS = [
  'Thank you for applying for the Data Engineer role. We will review your application.',
  'Could you do a 45-minute phone screen on Tuesday or Wednesday? Which suits you?',
  'We are delighted to offer you the role: 90,000 EUR base salary, start date in May.',
  'Unfortunately we have decided to move forward with other candidates.',
  'Great news, finance approved a higher base. Are you in?',
  'Thanks for letting me know. A shame for us, but I understand. Good luck!',
  'Welcome to the team! The contract will follow from HR.',
  'Take 30% off everything this weekend, shop now.',
  'Your talk proposal has been accepted for our conference.',
  'Hope you are well! Any news on your side?',
  '',
];
const MINE = [
  'Tuesday at 2pm works for me, thank you.',
  "Thank you! I'm happy to accept the offer.",
  "I've decided to withdraw from the process, thank you for your time.",
  "After a lot of thought I'm going to stay where I am. I hope our paths cross again.",
  'Could you do 100,000? If so, I am ready to accept.',
  'I have to go back on my acceptance, I am very sorry.',
  'Sounds good!',
];

const messageArb = fc.record({
  mine: fc.boolean(),
  pick: fc.nat(),
  gapHours: fc.integer({ min: 0, max: 200 }),
});

function buildThread(spec: { mine: boolean; pick: number; gapHours: number }[], id: string): MailMessage[] {
  let t = Date.parse('2026-05-01T09:00:00Z');
  return spec.map((s, i) => {
    t += s.gapHours * 3_600_000;
    const text = s.mine ? MINE[s.pick % MINE.length]! : THEIRS[s.pick % THEIRS.length]!;
    return {
      id: `<${id}-${i}@fuzz.example>`, threadId: id, messageId: `<${id}-${i}@fuzz.example>`, inReplyTo: null, references: [],
      date: new Date(t).toISOString(),
      from: s.mine ? { name: 'Owner', address: 'owner@example.org' } : { name: 'Rae Quinn', address: 'rae@acme.example' },
      replyTo: [], to: [], cc: [], subject: i === 0 ? 'Data Engineer at Acme' : 'Re: Data Engineer at Acme',
      text, newText: text, headers: {}, role: s.mine ? 'sent' : 'inbox', labels: [], attachments: [], contentHash: `${id}-${i}-${text.length}`,
    };
  });
}

describe('rules over random threads (seeded)', () => {
  it('keep the verdict invariants', () => {
    fc.assert(
      fc.property(fc.array(messageArb, { minLength: 1, maxLength: 8 }), (spec) => {
        const thread = toThread('t', 'fuzz', buildThread(spec, 't'), OWNER);
        const now = new Date('2026-07-01T00:00:00Z');
        const v = classifyThread(thread, rules, DEFAULT_DEADLINES, now);
        expect(STAGES_OR_NONE).toContain(v.stage);
        let stage = 'none';
        for (const h of v.history) {
          expect(h.from).toBe(stage);
          expect(ENDED.has(h.from)).toBe(false);
          stage = h.to;
        }
        expect(stage).toBe(v.stage);
        const last = thread.messages[thread.messages.length - 1]!;
        if (v.awaitingReply) {
          expect(last.direction).toBe('in');
          expect(v.stage).not.toBe('none');
          expect(Date.parse(v.dueAt!)).toBeGreaterThan(Date.parse(v.waitingSince!));
        } else expect(v.dueAt).toBeNull();
        if (v.stale) expect(v.awaitingReply).toBe(true);
        expect(classifyThread(thread, rules, DEFAULT_DEADLINES, now)).toEqual(v);
      }),
      { seed: 20261121, numRuns: 400 },
    );
  });

  it('the stage machine never leaves an ended stage', () => {
    for (const from of STAGES_OR_NONE) for (const to of STAGES_OR_NONE) {
      if (to === 'none') continue;
      const r = nextStage(from, to);
      if (ENDED.has(from)) expect(r === null || r === from).toBe(true);
    }
  });

  it('storing the same mail in any batch split gives the same state', () => {
    fc.assert(
      fc.property(fc.array(fc.array(messageArb, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 6 }), (threads, splits) => {
        const all = threads.flatMap((spec, i) => buildThread(spec, `th${i}`));
        const once = Store.open(':memory:');
        const split = Store.open(':memory:');
        try {
          const now = new Date('2026-07-01T00:00:00Z');
          once.messages.ingest('fuzz', { messages: all, failures: [], cursor: 'end' }, OWNER, now);
          let at = 0;
          let k = 0;
          while (at < all.length) {
            const n = splits[k++ % splits.length]!;
            split.messages.ingest('fuzz', { messages: all.slice(at, at + n), failures: [], cursor: String(at + n) }, OWNER, now);
            at += n;
          }
          // Re-delivering a batch (a retry after a crash) changes nothing.
          split.messages.ingest('fuzz', { messages: all.slice(0, 3), failures: [], cursor: 'end' }, OWNER, now);
          for (const s of [once, split]) for (const ref of s.threads.dirty()) s.threads.save(classifyThread(s.messages.loadThread(ref.source, ref.id, OWNER)!, rules, DEFAULT_DEADLINES, now), 'fp');
          expect(split.threads.list(now, { all: true })).toEqual(once.threads.list(now, { all: true }));
        } finally {
          once.close();
          split.close();
        }
      }),
      { seed: 4242, numRuns: 60 },
    );
  });
});
