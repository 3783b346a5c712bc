/**
 * Property: whatever text reaches the draft builder, either it refuses with EUNSAFE (exactly
 * when a header-bound value holds CR, LF or NUL), or the MIME it builds reads back, through a
 * second, independent parser, to exactly the intended headers and body.
 */
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DRAFT_KEY_HEADER } from '../../src/mail/headers.js';
import { isOfferwatchError } from '../../src/errors.js';
import type { MailThread, ThreadMessage } from '../../src/model/types.js';
import { composeReply, draftMessageId, loadTemplates, renderTemplate, replySubject } from '../../src/drafts/index.js';
import { simpleParser } from '../helpers/mailparser.js';


const templates = loadTemplates(fileURLToPath(new URL('../../templates', import.meta.url))).list();
const VARIABLES = ['contactFirstName', 'company', 'role', 'ownerName', 'ownerFirstName', 'signature', 'otherCompany', 'phoneCallDate'];
const RUNS = { seed: 4242, numRuns: 300 };

// ---------------------------------------------------------------------------------------------
// Arbitraries

const SPECIAL = [
  '',
  ' ',
  '😀',
  '👩‍👩‍👧‍👦',
  'שלום עולם',
  'مرحبا',
  '\u202eevil\u202c',
  'e\u0301\u0323',
  'Zoë Ng',
  "O'Hara & <Co>",
  '"quoted", name',
  '(comment)',
  '\\',
  '=?utf-8?q?hi?=',
  '=?',
  '?=',
  '\t',
  '\u00a0',
  '\ufeff',
  '\u2028',
  'a  b',
  '   ',
  'Re:',
  'Aw: ',
];
const piece = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 15 }),
  fc.string({ unit: 'binary-ascii', maxLength: 90 }),
  fc.constantFrom(...SPECIAL),
);
/** Up to 10k characters: short mixtures, and a few very long values. */
const text = fc.oneof(
  { weight: 6, arbitrary: fc.array(piece, { maxLength: 5 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }).map((s) => s.repeat(Math.ceil(10_000 / s.length))) },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(10_000), 'word '.repeat(2_000), '😀'.repeat(5_000)) },
);

/** Message ids of the accepted shape, some of them long (`=?` is refused: see the loose property). */
const idChars = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,40}$/).filter((s) => !s.includes('=?'));
const messageId = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(idChars, fc.domain()).map(([l, d]) => `<${l}@${d}>`) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(idChars, fc.integer({ min: 100, max: 850 }))
      .map(([l, n]) => `<${l.repeat(Math.ceil(n / l.length)).slice(0, n)}@x.example>`)
      .filter((id) => !id.includes('=?')),
  },
  { weight: 1, arbitrary: fc.constantFrom('<a?b=c@[10.0.0.1]>', '<no-at-sign>') },
);
const address = fc.emailAddress();
const key = fc.stringMatching(/^[A-Za-z0-9._:@+/=-]{1,200}$/);
const breaker = fc.constantFrom('\r', '\n', '\r\n', '\0');

const FIELDS = ['subject', 'fromName', 'fromAddress', 'toName', 'toAddress', 'messageId', 'reference', 'key'] as const;
type Field = (typeof FIELDS)[number];

const scenario = fc.record({
  messages: fc.array(
    fc.record({
      subject: text,
      messageId: fc.option(messageId, { nil: null }),
      references: fc.array(messageId, { maxLength: 4 }),
      outbound: fc.boolean(),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  fromName: fc.option(text, { nil: null }),
  fromAddress: address,
  to: fc.option(fc.record({ name: fc.option(text, { nil: null }), address }), { nil: null }),
  key,
  template: fc.constantFrom(...templates),
  vars: fc.record(Object.fromEntries(VARIABLES.map((v) => [v, fc.option(text, { nil: undefined })]))),
  /** Half the runs put a CR, LF or NUL into one header-bound value. */
  inject: fc.option(fc.record({ field: fc.constantFrom(...FIELDS), brk: breaker, at: fc.nat() }), { nil: null, freq: 2 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------------------------------------
// Building the input and the expectation

function insert(value: string, brk: string, at: number): string {
  const cps = Array.from(value);
  const i = at % (cps.length + 1);
  return [...cps.slice(0, i), brk, ...cps.slice(i)].join('');
}

function buildThread(s: Scenario): MailThread {
  const messages: ThreadMessage[] = s.messages.map((m, i) => ({
    id: `m${i}`,
    threadId: 't',
    messageId: m.messageId,
    inReplyTo: null,
    references: m.references,
    date: '2025-01-01T00:00:00.000Z',
    from: m.outbound ? { name: null, address: 'owner@owner.example' } : { name: null, address: 'them@co.example' },
    replyTo: [],
    to: [],
    cc: [],
    subject: m.subject,
    role: m.outbound ? 'sent' : 'inbox',
    text: '',
    newText: '',
    headers: {},
    labels: [],
    attachments: [],
    contentHash: '0'.repeat(64),
    direction: m.outbound ? 'out' : 'in',
  }));
  return { id: 't', source: 'prop', messages };
}

function anchorOf(messages: ThreadMessage[]): ThreadMessage | undefined {
  return [...messages].reverse().find((m) => m.messageId !== null && m.messageId !== '');
}

interface Case {
  thread: MailThread;
  from: { name: string | null; address: string };
  to: { name: string | null; address: string } | null;
  key: string;
}

function applyInjection(s: Scenario): Case {
  const thread = buildThread(s);
  const c: Case = {
    thread,
    from: { name: s.fromName, address: s.fromAddress },
    to: s.to ? { ...s.to } : null,
    key: s.key,
  };
  const inj = s.inject;
  if (!inj) return c;
  const put = (v: string): string => insert(v, inj.brk, inj.at);
  const last = thread.messages.at(-1)!;
  const anchor = anchorOf(thread.messages);
  const field: Field = inj.field;
  switch (field) {
    case 'subject': {
      const m = [...thread.messages].reverse().find((x) => x.subject.trim() !== '') ?? last;
      m.subject = put(m.subject === '' ? 'Offer' : m.subject);
      break;
    }
    case 'fromName':
      c.from.name = put(c.from.name ?? 'Sam');
      break;
    case 'fromAddress':
      c.from.address = put(c.from.address);
      break;
    case 'toName':
      c.to = { name: put(c.to?.name ?? 'Gwen'), address: c.to?.address ?? 'gwen@co.example' };
      break;
    case 'toAddress':
      c.to = { name: c.to?.name ?? null, address: put(c.to?.address ?? 'gwen@co.example') };
      break;
    case 'messageId':
      (anchor ?? last).messageId = put((anchor ?? last).messageId ?? '<id@co.example>');
      break;
    case 'reference':
      (anchor ?? last).references = [...(anchor ?? last).references, put('<ref@co.example>')];
      break;
    case 'key':
      c.key = put(c.key);
      break;
  }
  return c;
}

function headerBoundValues(c: Case): string[] {
  const msgs = c.thread.messages;
  const subject = [...msgs].reverse().find((m) => m.subject.trim() !== '')?.subject ?? '';
  const anchor = anchorOf(msgs);
  const chain = anchor ? [...anchor.references, anchor.messageId!] : [...msgs.at(-1)!.references];
  return [subject, c.from.name ?? '', c.from.address, c.to?.name ?? '', c.to?.address ?? '', c.key, ...chain];
}

const UNSAFE = /[\r\n\0]/;

function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

async function checkBuilt(c: Case, body: string, mime: Buffer): Promise<void> {
  const raw = mime.toString('utf8');
  const [head] = raw.split('\r\n\r\n');
  expect(head).toMatch(/^[\x20-\x7e\r\n]*$/); // headers are pure ASCII
  expect(raw).not.toMatch(/\r(?!\n)|(?<!\r)\n/); // CRLF only
  for (const line of raw.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(998);

  const msgs = c.thread.messages;
  const subjectSource = [...msgs].reverse().find((m) => m.subject.trim() !== '')?.subject ?? '';
  const anchor = anchorOf(msgs);
  const chain = anchor ? [...anchor.references, anchor.messageId!] : [...msgs.at(-1)!.references];

  const p = await simpleParser(mime);
  expect(p.subject).toBe(replySubject(subjectSource));
  expect(p.from?.value).toEqual([{ address: c.from.address, name: c.from.name?.trim() ?? '' }]);
  if (c.to === null) expect(p.to).toBeUndefined();
  else expect(p.to?.value).toEqual([{ address: c.to.address, name: c.to.name?.trim() ?? '' }]);
  expect(p.inReplyTo).toBe(anchor ? anchor.messageId : undefined);
  expect(asList(p.references)).toEqual([...new Set(chain)]);
  expect(p.headers.get(DRAFT_KEY_HEADER.toLowerCase())).toBe(c.key);
  expect(p.messageId).toBe(draftMessageId(c.key));
  expect(p.text).toBe(body);
}

async function rejectionCode(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (e) {
    if (isOfferwatchError(e)) return e.code;
    throw e;
  }
}

describe('composeReply with arbitrary input (fast-check)', () => {
  it('refuses exactly the header values with CR/LF/NUL, and otherwise round-trips exactly', async () => {
    let built = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const c = applyInjection(s);

        const declared = [...s.template.variables.required, ...s.template.variables.optional];
        const nulInVars = declared.some((v) => s.vars[v]?.includes('\0'));
        let rendered: ReturnType<typeof renderTemplate> | null = null;
        try {
          rendered = renderTemplate(s.template, s.vars);
        } catch (e) {
          expect(nulInVars && isOfferwatchError(e, 'EUNSAFE')).toBe(true);
        }
        if (!rendered) return;
        expect(nulInVars).toBe(false);
        const { body, needsEdit } = rendered;
        expect(body).not.toContain('undefined');
        for (const v of needsEdit) expect(s.vars[v]?.trim() ?? '').toBe('');

        const input = { thread: c.thread, from: c.from, to: c.to, body, key: c.key, date: new Date('2025-03-01T12:00:00Z') };
        const unsafe = headerBoundValues(c).some((v) => UNSAFE.test(v));
        if (unsafe) {
          expect(await rejectionCode(composeReply(input))).toBe('EUNSAFE');
          refused += 1;
          return;
        }
        await checkBuilt(c, body, await composeReply(input));
        built += 1;
      }),
      RUNS,
    );
    // Both outcomes were exercised in earnest.
    expect(built).toBeGreaterThan(60);
    expect(refused).toBeGreaterThan(60);
  });

  it('never builds a broken draft from arbitrary message ids, addresses and keys', async () => {
    const loose = fc.oneof(text, messageId, fc.constantFrom('<a b@x>', '<a@x> <b@x>', '<>', 'plain@id', `<${'y'.repeat(1000)}@x>`, '<=?utf-8?q?x?=@x.example>', '<a=?b?=c@x>'));
    await fc.assert(
      fc.asyncProperty(
        fc.record({ id: loose, refs: fc.array(loose, { maxLength: 3 }), toAddress: fc.oneof(address, text), key: fc.oneof(key, text) }),
        async (r) => {
          const c: Case = {
            thread: buildThread({
              messages: [{ subject: 'Offer', messageId: r.id, references: r.refs, outbound: false }],
            } as Scenario),
            from: { name: 'Sam', address: 'sam@owner.example' },
            to: { name: null, address: r.toAddress },
            key: r.key,
          };
          const input = { ...c, body: 'Hi.\n', date: new Date('2025-03-01T12:00:00Z') };
          let mime: Buffer;
          try {
            mime = await composeReply(input);
          } catch (e) {
            expect(isOfferwatchError(e, 'EUNSAFE')).toBe(true);
            return;
          }
          expect(headerBoundValues(c).some((v) => UNSAFE.test(v))).toBe(false);
          await checkBuilt(c, 'Hi.\n', mime);
        },
      ),
      { seed: 4242, numRuns: 200 },
    );
  });
});
