import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, parseMessage } from '../../src/mail/normalise.js';
import { isOfferwatchError } from '../../src/errors.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'mime');
const fixture = (name: string): Buffer => readFileSync(join(FIX, name));

async function parseError(raw: Uint8Array, opts?: Parameters<typeof parseMessage>[1]): Promise<unknown> {
  try {
    await parseMessage(raw, opts);
  } catch (e) {
    return e;
  }
  throw new Error('expected parseMessage to throw');
}

describe('parseMessage', () => {
  it('decodes ISO-8859-1 quoted-printable bodies and encoded-word headers', async () => {
    const m = await parseMessage(fixture('iso-8859-1-qp.eml'));
    expect(m.subject).toBe('Entrevue prévue à Montréal');
    expect(m.from).toEqual({ name: 'Renée Lavallée', address: 'renee.lavallee@erable.example' });
    expect(m.text).toContain('une entrevue à Montréal le 18 novembre. Pourriez-vous confirmer votre disponibilité ?');
    expect(m.date).toBe('2026-11-09T19:30:52.000Z');
  });

  it('decodes windows-1252 including its curly quotes, dashes and euro sign', async () => {
    const m = await parseMessage(fixture('windows-1252.eml'));
    expect(m.text).toBe('We’ve approved your “travel” claim of €120 — it will arrive Friday.');
    expect(m.text).not.toMatch(/[\u0080-\u009f]/);
  });

  it('survives unknown charset names', async () => {
    const latin = await parseMessage(fixture('unknown-charset.eml'));
    expect(latin.text).toBe('See you at the café on Friday.');
    expect(latin.subject).toBe('Café meetup'); // raw 8-bit Latin-1 in a header
    const utf8 = await parseMessage(fixture('unknown-charset-utf8.eml'));
    expect(utf8.text).toBe('Danke für das Gespräch — wir melden uns bis Freitag.');
    expect(utf8.subject).toBe('Rückmeldung zum Gespräch');
  });

  it('fills every field from headers: ids, references, addresses, kept headers (Takeout headers are the mbox connector\'s)', async () => {
    const raw = fixture('encoded-words.eml');
    const m = await parseMessage(raw);
    expect(m.id).toBe('<ew-1@sunfish.example>');
    expect(m.messageId).toBe('<ew-1@sunfish.example>');
    expect('threadId' in m).toBe(false);
    expect('labels' in m).toBe(false);
    expect(m.inReplyTo).toBe('<ew-0@example.net>');
    expect(m.references).toEqual(['<ew-a@example.net>', '<ew-0@example.net>']);
    expect(m.subject).toBe('Offer letter – please sign 📄');
    expect(m.from).toEqual({ name: 'Tomás Aguilar', address: 'tomas.aguilar@sunfish.example' });
    expect(m.to).toEqual([
      { name: 'Sam Lee', address: 'sam.lee@example.net' },
      { name: null, address: 'ana@panel.example' },
      { name: null, address: 'bo@panel.example' },
    ]);
    expect(m.cc).toEqual([{ name: 'Quoted, Name', address: 'quoted@example.org' }]);
    expect(m.replyTo).toEqual([{ name: 'Recrutement Érable', address: 'jobs@erable.example' }]);
    expect(m.date).toBe('2026-11-12T09:15:00.000Z');
    expect(m.contentHash).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(Object.keys(m.headers).sort()).toEqual(['in-reply-to', 'list-id', 'message-id', 'references', 'reply-to']);
    expect(m.headers['reply-to']).toBe('Recrutement Érable <jobs@erable.example>');
    expect(m.headers['x-custom-noise']).toBeUndefined();
    expect(m.newText).toBe('Hi Sam, the letter is attached in the portal.');
  });

  it('turns HTML-only bodies into text without images or link targets', async () => {
    const m = await parseMessage(fixture('html-only-pixel.eml'));
    expect(m.text).toContain('Thanks for applying to Data Analyst. Track it in your candidate portal.');
    expect(m.text).toContain('— The Greenfield team');
    expect(m.text).not.toMatch(/https?:|open\.gif|\[|<|color:red/);
    expect(m.headers['list-unsubscribe']).toBe('<https://greenfield.example/unsub?u=1>');
  });

  it('prefers the text part of multipart/alternative', async () => {
    const m = await parseMessage(fixture('multipart-alternative.eml'));
    expect(m.text).toBe('Hi Sam, could we talk on Tuesday at 10?\n\nMira');
    expect(m.date).toBe('2026-11-14T20:00:00.000Z');
  });

  it('decodes base64 bodies', async () => {
    const m = await parseMessage(fixture('base64.eml'));
    expect(m.text).toContain('Bienvenue à bord — we look forward to it.');
  });

  it('finds the text and the PDF in a nested multipart, ignoring inline images', async () => {
    const m = await parseMessage(fixture('nested-pdf.eml'));
    expect(m.text).toBe('Dear Sam, your offer letter is attached. Please reply by Monday.');
    expect(m.attachments).toEqual(['Offer Letter – Sam.pdf']);
  });

  it('handles CRLF line endings', async () => {
    const m = await parseMessage(fixture('crlf.eml'));
    expect(m.subject).toBe('CRLF – test');
    expect(m.text).toBe('Line one with a soft break.\n\nLine two.');
  });

  it('tolerates malformed headers', async () => {
    const m = await parseMessage(fixture('malformed-headers.eml'));
    expect(m.from).toEqual({ name: 'Unclosed quote', address: 'odd@broken.example' });
    expect(m.to).toEqual([{ name: null, address: 'sam.lee@example.net' }]);
    expect(m.subject).toBe('no space after colon');
    expect(m.messageId).toBe('<bare-id@broken.example>');
    expect(m.text).toBe('Body survives = still readable.');
  });

  it('uses the fallback date when Date is missing or invalid, and refuses when there is none', async () => {
    const raw = fixture('no-date.eml');
    const e = await parseError(raw);
    expect(isOfferwatchError(e, 'EPARSE')).toBe(true);
    expect((e as Error).message).toMatch(/^cannot parse message: /);
    const m = await parseMessage(raw, { fallbackDate: '2026-11-01T08:00:00Z' });
    expect(m.date).toBe('2026-11-01T08:00:00.000Z');
    const bad = Buffer.from('From: a@b.example\nDate: not a date at all\nSubject: x\n\nbody\n');
    expect((await parseMessage(bad, { fallbackDate: 'Tue, 03 Nov 2026 10:00:00 +0100' })).date).toBe('2026-11-03T09:00:00.000Z');
  });

  it('uses a content hash as the id when there is no Message-ID (or fallbackId when given)', async () => {
    const raw = fixture('no-date.eml');
    const m = await parseMessage(raw, { fallbackDate: '2026-11-01T08:00:00Z' });
    expect(m.messageId).toBeNull();
    expect(m.id).toBe(`sha256:${m.contentHash}`);
    expect(m.references).toEqual([]);
    expect(m.inReplyTo).toBeNull();
    const g = await parseMessage(raw, { fallbackDate: '2026-11-01T08:00:00Z', fallbackId: 'gmail-123' });
    expect(g.id).toBe('gmail-123');
  });

  it('refuses input that is not a mail', async () => {
    for (const raw of [
      fixture('garbage.bin'),
      fixture('plain-text.txt'),
      Buffer.alloc(0),
      Buffer.from('\n\n\n'),
      Buffer.from('X-Only: header\n\nno from, date or subject\n'),
    ]) {
      const e = await parseError(raw, { fallbackDate: '2026-11-01T08:00:00Z' });
      expect(isOfferwatchError(e, 'EPARSE')).toBe(true);
      expect((e as Error).message).toMatch(/^cannot parse message: /);
    }
  });

  it('refuses messages over the size limit without parsing them', async () => {
    const big = new Uint8Array(MAX_MESSAGE_BYTES + 1);
    const e = await parseError(big);
    expect(isOfferwatchError(e, 'EPARSE')).toBe(true);
    expect((e as Error).message).toMatch(/over the .*limit/);
  });

  it('bounds the text', async () => {
    const body = 'word '.repeat(10_000);
    const raw = Buffer.from(`From: a@b.example\nDate: Mon, 02 Nov 2026 10:00:00 +0000\nSubject: long\n\n${body}\n`);
    expect((await parseMessage(raw)).text).toBe(body.trim());
    expect((await parseMessage(raw, { maxTextChars: 1000 })).text.length).toBe(1000);
  });

  it('accepts an envelope "From " line in front of the headers', async () => {
    const raw = Buffer.concat([Buffer.from('From sender@one.example Mon Nov  2 10:00:00 2026\n'), fixture('multipart-alternative.eml')]);
    const m = await parseMessage(raw);
    expect(m.subject).toBe('Quick chat next week?');
    const blank = Buffer.concat([Buffer.from('\r\n\n'), fixture('multipart-alternative.eml')]);
    expect((await parseMessage(blank)).subject).toBe('Quick chat next week?');
  });

  it('keeps a body line that starts with ">From " in newText', async () => {
    const m = await parseMessage(fixture('from-line-body.eml'));
    expect(m.newText).toContain('>From the mailbag');
  });
});
