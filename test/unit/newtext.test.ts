import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { extractNewText } from '../../src/mail/newtext.js';

const lines = (...l: string[]): string => l.join('\n');

describe('extractNewText', () => {
  it('drops an "On … wrote:" block and its quoted lines', () => {
    const t = lines(
      'Hi Abby,',
      '',
      'Thursday works for me.',
      '',
      'Best,',
      'Sam',
      '',
      'On Mon, Jun 15, 2026 at 4:20 PM Abby Turnbull <abby@pumice.example> wrote:',
      '> Hi Sam,',
      '>',
      '> Could we talk on Thursday?',
      '> Abby',
    );
    expect(extractNewText(t)).toBe('Hi Abby,\n\nThursday works for me.\n\nBest,\nSam');
  });

  it('recognises an attribution wrapped over two lines', () => {
    const a = lines('Sounds good.', '', 'On Mon, Jun 15, 2026 at 4:20 PM Abby Turnbull <', 'abby@pumice.example> wrote:', '', '> Quoted.');
    expect(extractNewText(a)).toBe('Sounds good.');
    const b = lines('Sounds good.', '', 'On Mon, Jun 15, 2026 at 4:20 PM, Abby Turnbull', '<abby@pumice.example> wrote:', '> Quoted.');
    expect(extractNewText(b)).toBe('Sounds good.');
  });

  it('drops a looser "… wrote:" line when quoted lines follow it, and keeps it otherwise', () => {
    const t = lines('Agreed.', '', 'Abby Turnbull wrote:', '> Shall we?');
    expect(extractNewText(t)).toBe('Agreed.');
    const u = lines('Here is what the manager wrote:', 'the team liked you.');
    expect(extractNewText(u)).toBe(u);
  });

  it('cuts unmarked history after an attribution', () => {
    const t = lines('Yes, please go ahead.', '', 'On Tue, Jun 16, 2026, Abby Turnbull <abby@pumice.example> wrote:', 'Shall I book the room?');
    expect(extractNewText(t)).toBe('Yes, please go ahead.');
  });

  it('removes Outlook "Original Message" and header blocks', () => {
    const a = lines(
      'Thanks, I will be there.',
      '',
      '-----Original Message-----',
      'From: Abby Turnbull <abby@pumice.example>',
      'Sent: Monday, June 15, 2026 4:20 PM',
      'To: Sam Lee <sam.lee@example.net>',
      'Subject: Interview',
      '',
      'Can you come in on Friday?',
    );
    expect(extractNewText(a)).toBe('Thanks, I will be there.');
    const b = lines(
      'Thanks, I will be there.',
      '',
      '________________________________',
      'From: Abby Turnbull <abby@pumice.example>',
      'Sent: Monday, June 15, 2026 4:20 PM',
      'To: Sam Lee <sam.lee@example.net>',
      'Subject: Interview',
      '',
      'Can you come in on Friday?',
    );
    expect(extractNewText(b)).toBe('Thanks, I will be there.');
    const c = lines(
      'See you then.',
      '',
      '*From:* Abby Turnbull <abby@pumice.example>',
      '*Sent:* Monday, June 15, 2026 4:20 PM',
      '*To:* Sam Lee',
      '*Subject:* Interview',
      '',
      'Friday?',
    );
    expect(extractNewText(c)).toBe('See you then.');
    const d = lines('Merci !', '', 'De : Abby Turnbull', 'Envoyé : lundi 15 juin 2026 16:20', 'À : Sam Lee', 'Objet : Entrevue', '', 'Vendredi ?');
    expect(extractNewText(d)).toBe('Merci !');
  });

  it('handles French, German and Spanish attributions', () => {
    const fr = lines('Avec plaisir.', '', 'Le lun. 15 juin 2026 à 16:20, Abby Turnbull <abby@pumice.example> a écrit :', '> Bonjour Sam', '> Êtes-vous libre ?');
    expect(extractNewText(fr)).toBe('Avec plaisir.');
    const frWrapped = lines('Avec plaisir.', '', 'Le lun. 15 juin 2026 à 16:20, Abby Turnbull <abby@pumice.example>', 'a écrit :', '> Bonjour Sam');
    expect(extractNewText(frWrapped)).toBe('Avec plaisir.');
    const de = lines('Gerne, bis dann.', '', 'Am 15.06.2026 um 16:20 schrieb Abby Turnbull <abby@pumice.example>:', '> Hallo Sam');
    expect(extractNewText(de)).toBe('Gerne, bis dann.');
    const es = lines('Perfecto.', '', 'El lun, 15 jun 2026 a las 16:20, Abby Turnbull (<abby@pumice.example>) escribió:', '> Hola Sam');
    expect(extractNewText(es)).toBe('Perfecto.');
  });

  it('removes signatures and "Sent from my phone" lines but keeps the valediction and name', () => {
    const a = lines('Works for me.', '', 'Thanks,', 'Sam', '', '-- ', 'Sam Lee', 'Data Scientist', '+1 555 0100');
    expect(extractNewText(a)).toBe('Works for me.\n\nThanks,\nSam');
    const b = lines('Works for me.', '--', 'Sam Lee | Chicago');
    expect(extractNewText(b)).toBe('Works for me.');
    const c = lines('On my way!', '', 'Sent from my iPhone', '', 'On Jun 15, 2026, at 4:20 PM, Abby <abby@pumice.example> wrote:', '> Are you close?');
    expect(extractNewText(c)).toBe('On my way!');
    const d = lines('Yes.', '', 'Get Outlook for iOS');
    expect(extractNewText(d)).toBe('Yes.');
  });

  it('collapses runs of blank lines', () => {
    expect(extractNewText('One.\n\n\n\n\nTwo.\n\n\n')).toBe('One.\n\nTwo.');
    expect(extractNewText('One.\r\n\r\n\r\n\r\nTwo.')).toBe('One.\n\nTwo.');
  });

  it('keeps bottom-posted and inline replies', () => {
    const bottom = lines('On Mon, Jun 15, 2026 at 4:20 PM Abby <abby@pumice.example> wrote:', '> Are you free on Friday?', '', 'Yes, Friday at 10 is fine.', '', 'Sam');
    expect(extractNewText(bottom)).toBe('Yes, Friday at 10 is fine.\n\nSam');
    const inline = lines('> Are you free on Friday?', 'Yes.', '> And can you bring your portfolio?', 'I will.');
    expect(extractNewText(inline)).toBe('Yes.\nI will.');
  });

  it('never returns empty when there is text: a message that is all quote is returned whole', () => {
    const t = lines('> only a quote', '> nothing else');
    expect(extractNewText(t)).toBe('> only a quote\n> nothing else');
    expect(extractNewText('   \n\n')).toBe('');
  });

  it('is conservative with look-alikes', () => {
    const a = lines('From: the hiring team, with thanks.', '', 'We enjoyed meeting you.');
    expect(extractNewText(a)).toBe(a);
    const b = lines('Top stories', '', '>From the mailbag: salary bands.');
    expect(extractNewText(b)).toBe(b);
    const c = lines('Section one', '__________', 'Section two');
    expect(extractNewText(c)).toBe('Section one\nSection two');
    const d = lines('On Friday we will send the contract.', 'Please review it.');
    expect(extractNewText(d)).toBe(d);
  });

  it('keeps forwarded content', () => {
    const t = lines('FYI, see below.', '', '---------- Forwarded message ---------', 'From: Abby <abby@pumice.example>', 'Date: Mon, Jun 15, 2026', 'Subject: Offer', 'To: Sam', '', 'Here is the offer.');
    expect(extractNewText(t)).toBe(t);
  });

  it('property: the new text written above a quoted reply survives', () => {
    const word = fc.stringMatching(/^[A-Za-z]{1,10}$/);
    const line = fc.array(word, { minLength: 1, maxLength: 8 }).map((w) => w.join(' '));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), fc.array(line, { minLength: 0, maxLength: 6 }), (reply, quoted) => {
        const text = [...reply, '', 'On Mon, Jun 15, 2026 at 4:20 PM Abby <abby@pumice.example> wrote:', ...quoted.map((q) => `> ${q}`)].join('\n');
        const out = extractNewText(text);
        expect(out).toBe(reply.join('\n'));
      }),
      { numRuns: 200, seed: 42 },
    );
  });
});
