import { describe, expect, it } from 'vitest';
import { DRAFT_KEY_HEADER } from '../../src/mail/headers.js';
import { isOfferwatchError } from '../../src/errors.js';
import type { Address, MailThread, Owner, ThreadMessage } from '../../src/model/types.js';
import { chooseRecipient, composeReply, draftMessageId, isSingleAddress, replySubject, type ReplyInput } from '../../src/drafts/index.js';
import { simpleParser } from '../helpers/mailparser.js';


let seq = 0;
function msg(over: Partial<ThreadMessage>): ThreadMessage {
  seq += 1;
  return {
    id: `m${seq}`,
    threadId: 't1',
    messageId: `<m${seq}@mail.example>`,
    inReplyTo: null,
    references: [],
    date: '2025-02-01T10:00:00.000Z',
    from: null,
    replyTo: [],
    to: [],
    cc: [],
    subject: 'Your application',
    text: '',
    newText: '',
    headers: {},
    role: 'inbox',
    labels: [],
    attachments: [],
    contentHash: '0'.repeat(64),
    direction: 'in',
    ...over,
  };
}
function thread(...messages: ThreadMessage[]): MailThread {
  return { id: 't1', source: 'demo', messages };
}

const OWNER: Owner = { name: 'Sam Rivera', addresses: ['sam@owner.example', 'sam.rivera@work.example'] };
const SAM: Address = { name: 'Sam Rivera', address: 'sam@owner.example' };
const GWEN: Address = { name: 'Gwen Mallory', address: 'gwen@brightwater.example' };
const ATS: Address = { name: 'Brightwater via Greenhouse', address: 'no-reply@greenhouse-mail.example' };
const TEAM: Address = { name: 'Brightwater Recruiting', address: 'careers@brightwater.example' };

describe('chooseRecipient', () => {
  it('replies to a human sender of the last inbound message', () => {
    const t = thread(
      msg({ from: ATS, subject: 'Application received' }),
      msg({ from: GWEN, replyTo: [TEAM] }),
      msg({ from: SAM, to: [GWEN], direction: 'out' }),
    );
    expect(chooseRecipient(t, OWNER)).toEqual({ to: GWEN, note: null });
  });

  it('uses a human Reply-To when the sender is a no-reply ATS', () => {
    const t = thread(msg({ from: ATS, replyTo: [TEAM, { name: 'Ines Okafor', address: 'ines@brightwater.example' }] }));
    expect(chooseRecipient(t, OWNER)).toEqual({ to: { name: 'Ines Okafor', address: 'ines@brightwater.example' }, note: null });
  });

  it('falls back to the most recent human earlier in the thread, with a note', () => {
    const t = thread(
      msg({ from: { name: 'Theo Park', address: 'theo@brightwater.example' } }),
      msg({ from: GWEN }),
      msg({ from: SAM, to: [GWEN], direction: 'out' }),
      msg({ from: ATS, replyTo: [TEAM] }),
    );
    const r = chooseRecipient(t, OWNER);
    expect(r.to).toEqual(GWEN);
    expect(r.note).toContain('gwen@brightwater.example');
    expect(r.note).toContain('no-reply@greenhouse-mail.example');
  });

  it("counts the To and Cc of the owner's own messages", () => {
    const t = thread(
      msg({ from: SAM, to: [TEAM], cc: [{ name: null, address: 'hiring.manager@brightwater.example' }], direction: 'out' }),
      msg({ from: ATS }),
    );
    expect(chooseRecipient(t, OWNER).to).toEqual({ name: null, address: 'hiring.manager@brightwater.example' });
  });

  it('returns null and asks for an address when only robots wrote', () => {
    const t = thread(msg({ from: ATS, replyTo: [TEAM] }), msg({ from: { name: null, address: 'notifications@ats.example' }, to: [SAM] }));
    const r = chooseRecipient(t, OWNER);
    expect(r.to).toBeNull();
    expect(r.note).toMatch(/no person's address is known/i);
    expect(r.note).toMatch(/add the recipient's address/i);
  });

  it('never picks the owner, whatever the case of the address', () => {
    const t = thread(msg({ from: { name: 'Sam Rivera', address: 'Sam.Rivera@Work.Example' }, direction: 'in' }), msg({ from: ATS }));
    expect(chooseRecipient(t, OWNER).to).toBeNull();
  });

  it('skips malformed addresses and drops a display name carrying a line break', () => {
    const t = thread(
      msg({ from: { name: 'Gwen\r\nBcc: x@evil.example', address: 'gwen@brightwater.example' } }),
      msg({ from: { name: 'Broken', address: 'a@b.example, c@d.example' } }),
    );
    const r = chooseRecipient(t, OWNER);
    expect(r.to).toEqual({ name: null, address: 'gwen@brightwater.example' });
  });

  it('handles a thread with only the owner writing', () => {
    const t = thread(msg({ from: SAM, to: [GWEN], direction: 'out' }));
    const r = chooseRecipient(t, OWNER);
    expect(r.to).toEqual(GWEN);
    expect(r.note).toMatch(/no person has written/);
  });
});

describe('isSingleAddress', () => {
  it.each(['gwen@brightwater.example', "o'hara+jobs@mail.example.co.uk", 'x@bücher.example'])('accepts %s', (a) => {
    expect(isSingleAddress(a)).toBe(true);
  });
  it.each(['', 'gwen', '@example.com', 'gwen@localhost', 'a@b.example, c@d.example', 'Gwen <g@b.example>', 'a b@c.example', '"a"@b.example', 'a..b@c.example', 'a@-b.example', 'é@b.example', 'a@b.example\n'])(
    'rejects %j',
    (a) => {
      expect(isSingleAddress(a)).toBe(false);
    },
  );
});

describe('replySubject', () => {
  it.each([
    ['Your offer', 'Re: Your offer'],
    ['  Your offer  ', 'Re: Your offer'],
    ['Re: Your offer', 'Re: Your offer'],
    ['RE: Your offer', 'RE: Your offer'],
    ['re:Your offer', 're:Your offer'],
    ['Aw: Ihr Angebot', 'Aw: Ihr Angebot'],
    ['SV: Erbjudande', 'SV: Erbjudande'],
    ['Re[2]: Your offer', 'Re[2]: Your offer'],
    ['Re : Votre offre', 'Re : Votre offre'],
    ['Fwd: Your offer', 'Re: Fwd: Your offer'],
    ['Regarding your offer', 'Re: Regarding your offer'],
    ['', 'Re:'],
  ])('%j → %j', (input, output) => {
    expect(replySubject(input)).toBe(output);
  });
});

function baseInput(over: Partial<ReplyInput> = {}): ReplyInput {
  return {
    thread: thread(
      msg({ messageId: '<first@ats.example>', subject: 'Your offer from Brightwater', from: GWEN, to: [SAM] }),
      msg({
        messageId: '<second@brightwater.example>',
        references: ['<first@ats.example>'],
        subject: 'RE: Your offer from Brightwater',
        from: GWEN,
        to: [SAM],
      }),
    ),
    from: SAM,
    to: GWEN,
    body: 'Hi Gwen,\n\nThank you for the offer.\n\nBest regards,\nSam Rivera\n',
    key: 'demo.t1.decline-offer',
    date: new Date('2025-03-04T09:30:00Z'),
    ...over,
  };
}

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isOfferwatchError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('composeReply', () => {
  it('builds the exact draft (golden)', async () => {
    const mime = await composeReply(baseInput());
    expect(mime.toString('utf8')).toBe(
      [
        'From: Sam Rivera <sam@owner.example>',
        'To: Gwen Mallory <gwen@brightwater.example>',
        'Subject: RE: Your offer from Brightwater',
        'X-Offerwatch-Draft-Key: demo.t1.decline-offer',
        'In-Reply-To: <second@brightwater.example>',
        'References: <first@ats.example> <second@brightwater.example>',
        'Message-ID: <offerwatch.demo.t1.decline-offer@offerwatch.invalid>',
        'Date: Tue, 04 Mar 2025 09:30:00 +0000',
        'Content-Transfer-Encoding: 7bit',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Hi Gwen,',
        '',
        'Thank you for the offer.',
        '',
        'Best regards,',
        'Sam Rivera',
        '',
      ].join('\r\n'),
    );
  });

  it('is deterministic', async () => {
    const a = await composeReply(baseInput());
    const b = await composeReply(baseInput());
    expect(a.equals(b)).toBe(true);
  });

  it('parses back with a second parser', async () => {
    const to: Address = { name: 'Mallory, Gwen “G” 🌊', address: 'gwen@bücher.example' };
    const body = "Hi Gwen,\r\n\r\nIt's a no — sorry. ü\n";
    const p = await simpleParser(await composeReply(baseInput({ to, body })));
    expect(p.subject).toBe('RE: Your offer from Brightwater');
    expect(p.from?.value).toEqual([{ address: 'sam@owner.example', name: 'Sam Rivera' }]);
    expect(p.to?.value).toEqual([{ address: 'gwen@bücher.example', name: 'Mallory, Gwen “G” 🌊' }]);
    expect(p.inReplyTo).toBe('<second@brightwater.example>');
    expect(p.references).toEqual(['<first@ats.example>', '<second@brightwater.example>']);
    expect(p.messageId).toBe('<offerwatch.demo.t1.decline-offer@offerwatch.invalid>');
    expect(p.headers.get(DRAFT_KEY_HEADER.toLowerCase())).toBe('demo.t1.decline-offer');
    expect(p.text).toBe("Hi Gwen,\n\nIt's a no — sorry. ü\n");
  });

  it('leaves out To when no recipient is known', async () => {
    const mime = await composeReply(baseInput({ to: null }));
    expect(mime.toString()).not.toMatch(/^To:/m);
    expect((await simpleParser(mime)).to).toBeUndefined();
  });

  it('prefixes Re: once and takes the subject of the latest message that has one', async () => {
    const t = thread(msg({ subject: 'Interview invitation' }), msg({ subject: '  ', from: GWEN }));
    const p = await simpleParser(await composeReply(baseInput({ thread: t })));
    expect(p.subject).toBe('Re: Interview invitation');
  });

  it('dedupes References keeping order and threads on the last message with an id', async () => {
    const t = thread(
      msg({ messageId: '<b@x.example>', references: ['<a@x.example>', '<c@x.example>', '<a@x.example>'] }),
      msg({ messageId: null, references: ['<zzz@x.example>'] }),
    );
    const p = await simpleParser(await composeReply(baseInput({ thread: t })));
    expect(p.inReplyTo).toBe('<b@x.example>');
    expect(p.references).toEqual(['<a@x.example>', '<c@x.example>', '<b@x.example>']);
  });

  it('keeps the References of a thread whose messages have no ids', async () => {
    const t = thread(msg({ messageId: null, references: ['<a@x.example>'] }));
    const mime = await composeReply(baseInput({ thread: t }));
    const p = await simpleParser(mime);
    expect(p.inReplyTo).toBeUndefined();
    expect(p.references).toBe('<a@x.example>');
  });

  it('derives a digest Message-ID from keys that are not id-safe', async () => {
    expect(draftMessageId('gmail:work/18c2=ab@x')).toMatch(/^<offerwatch\.[0-9a-f]{32}@offerwatch\.invalid>$/);
    const p = await simpleParser(await composeReply(baseInput({ key: 'gmail:work/18c2=ab@x' })));
    expect(p.messageId).toBe(draftMessageId('gmail:work/18c2=ab@x'));
    expect(p.headers.get('x-offerwatch-draft-key')).toBe('gmail:work/18c2=ab@x');
  });

  it('folds long headers within 78 characters and encodes what is not plain ASCII', async () => {
    const t = thread(msg({ subject: `${'Senior platform engineer '.repeat(12)}— ✓`, messageId: `<${'x'.repeat(60)}@mail.example>` }));
    const mime = await composeReply(baseInput({ thread: t, to: { name: 'Zoë  Ng', address: 'zoe@mail.example' } }));
    const head = mime.toString('utf8').split('\r\n\r\n')[0]!;
    expect(head).toMatch(/^[\x20-\x7e\r\n]*$/);
    for (const line of head.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    const p = await simpleParser(mime);
    expect(p.subject).toBe(`Re: ${'Senior platform engineer '.repeat(12)}— ✓`);
    expect(p.to?.value[0]?.name).toBe('Zoë  Ng');
  });

  it('normalises CRLF in the body and refuses a NUL', async () => {
    const p = await simpleParser(await composeReply(baseInput({ body: 'a\r\nb\rc' })));
    expect(p.text).toBe('a\nb\nc\n');
    const r = await rejection(composeReply(baseInput({ body: 'a\0b' })));
    expect(r.code).toBe('EUNSAFE');
  });

  it.each([
    ['Subject', (i: ReplyInput) => ({ ...i, thread: thread(msg({ subject: 'Offer\r\nBcc: x@evil.example' })) })],
    ['From name', (i: ReplyInput) => ({ ...i, from: { name: 'Sam\nRivera', address: SAM.address } })],
    ['From address', (i: ReplyInput) => ({ ...i, from: { name: null, address: 'sam@owner.example\r' } })],
    ['To name', (i: ReplyInput) => ({ ...i, to: { name: 'Gwen\r', address: GWEN.address } })],
    ['To address', (i: ReplyInput) => ({ ...i, to: { name: null, address: 'gwen@brightwater.example\nBcc: x@evil.example' } })],
    ['In-Reply-To', (i: ReplyInput) => ({ ...i, thread: thread(msg({ messageId: '<a@x>\r\nBcc: x@evil.example' })) })],
    ['References', (i: ReplyInput) => ({ ...i, thread: thread(msg({ references: ['<a@x>\n'] })) })],
    [DRAFT_KEY_HEADER, (i: ReplyInput) => ({ ...i, key: 'k\r\nBcc: x@evil.example' })],
  ])('refuses a line break in %s', async (header, change) => {
    const r = await rejection(composeReply(change(baseInput())));
    expect(r).toEqual({ code: 'EUNSAFE', message: `cannot build draft: ${header} contains a line break` });
  });

  it('refuses a NUL in a header value', async () => {
    const r = await rejection(composeReply(baseInput({ to: { name: 'Gw\0en', address: GWEN.address } })));
    expect(r).toEqual({ code: 'EUNSAFE', message: 'cannot build draft: To name contains a NUL character' });
  });

  it.each(['second@x.example', '<a b@x>', '<a@x> <b@x>', '<>', '<a<b@x>', '<(c)@x>', '<=?utf-8?q?x?=@x>', `<${'x'.repeat(901)}>`])('refuses the message id %j', async (id) => {
    const r = await rejection(composeReply(baseInput({ thread: thread(msg({ messageId: id })) })));
    expect(r.code).toBe('EUNSAFE');
    expect(r.message).toMatch(/In-Reply-To is not a <…> message id/);
  });

  it.each(['gwen', 'a@b.example, c@d.example', 'Gwen <gwen@b.example>', ''])('refuses the address %j', async (address) => {
    const r = await rejection(composeReply(baseInput({ to: { name: null, address } })));
    expect(r).toEqual({ code: 'EUNSAFE', message: 'cannot build draft: To address is not a single valid address' });
  });

  it.each(['', 'has space', 'k?x', 'x'.repeat(201), 'ünï'])('refuses the draft key %j', async (key) => {
    expect((await rejection(composeReply(baseInput({ key })))).code).toBe('EUNSAFE');
  });

  it('refuses an empty thread and an invalid date', async () => {
    expect((await rejection(composeReply(baseInput({ thread: thread() })))).code).toBe('EUSAGE');
    expect((await rejection(composeReply(baseInput({ date: new Date('nope') })))).code).toBe('EUSAGE');
  });
});
