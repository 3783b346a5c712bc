/**
 * The labelled corpora under test/corpora/: each renders, byte for byte, to the mbox and
 * labels.json committed for it (the `--check` of scripts/corpus/build.ts), deterministically;
 * the format's schema takes the documented example unchanged and names file, line and key
 * when something is wrong.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CorpusLoadError, discoverCorpora, renderCorpusFiles, staleFiles } from '../../scripts/corpus/load.js';
import { simpleParser } from '../helpers/mailparser.js';

const CORPORA = discoverCorpora().map((dir) => [basename(dir), dir] as const);

/** Split mboxrd bytes into messages, undoing the `>From ` escaping. */
function splitMbox(buf: Buffer): Buffer[] {
  return buf
    .toString('latin1')
    .split(/^From \S+ \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n/m)
    .slice(1)
    .map((m) => Buffer.from(m.replace(/^>(>*From )/gm, '$1'), 'latin1'));
}

describe('labelled corpora (test/corpora/*)', () => {
  it('finds the corpora by folder', () => {
    expect(CORPORA.map(([name]) => name)).toEqual(expect.arrayContaining(['demo', 'voices']));
  });

  it.each(CORPORA)('%s: the committed mbox and labels.json are what the corpus renders to', (_name, dir) => {
    expect(staleFiles(dir), 'out of date: run npx tsx scripts/corpus/build.ts').toEqual([]);
  });

  it.each(CORPORA)('%s: renders the same bytes twice', (_name, dir) => {
    const a = renderCorpusFiles(dir).files;
    const b = renderCorpusFiles(dir).files;
    expect(b.map((f) => f.path)).toEqual(a.map((f) => f.path));
    a.forEach((f, i) => expect(b[i]!.bytes.equals(f.bytes), f.path).toBe(true));
  });

  it.each(CORPORA)('%s: every labels row has its thread, every thread a row, subjects decode', async (_name, dir) => {
    const { corpus } = renderCorpusFiles(dir);
    const labels = JSON.parse(readFileSync(corpus.labelsPath, 'utf8')) as Array<{ thread: string; subject: string }>;
    const firstSubject = new Map<string, string>();
    for (const raw of splitMbox(readFileSync(corpus.mboxPath))) {
      const thrid = /^X-GM-THRID: (\d{19})$/m.exec(raw.toString('latin1'))?.[1];
      expect(thrid, 'message without a 19-digit X-GM-THRID').toBeDefined();
      if (!firstSubject.has(thrid!)) firstSubject.set(thrid!, (await simpleParser(raw)).subject ?? '');
    }
    expect(new Set(labels.map((l) => l.thread)).size).toBe(labels.length);
    expect([...firstSubject.keys()].sort()).toEqual(labels.map((l) => l.thread).sort());
    for (const l of labels) expect(firstSubject.get(l.thread), l.thread).toBe(l.subject);
  });
});

describe('corpus format', () => {
  const root = mkdtempSync(join(tmpdir(), 'offerwatch-corpus-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;

  const CORPUS = `version: 1
description: >-
  One paragraph: who the owner is, what kind of search, which voices/countries.
owner: { name: Ines Duarte, address: ines.duarte@example.net }
aliases: [ines@duarte.example]          # other addresses the owner sends from (may be [])
now: 2026-11-24T12:00:00Z               # reference time, ISO 8601 UTC
windowStart: 2026-05-01T00:00:00Z       # every message is dated between windowStart and now
strictAwaitingGap: true                 # awaited threads must end >= 7 days or <= 2 hours before now
blind: true                             # written by someone who had not read offerwatch's rules
blindScore: null                        # filled in once, when first measured (never edited after)
`;
  // The format document's example thread, unchanged but for its date (>= 7 days before now).
  const THREAD = `labels:
  stage: offer            # applied|interviewing|offer|accepted|declined|withdrawn|rejected|none
  awaitingReply: true     # true | false | null (null = genuinely ambiguous; not scored)
  company: Quillon Analytics   # hiring company (an agency's CLIENT when an agency writes); null for none
  role: Senior Data Analyst    # job title as the thread states it; null when not stated / none
  contactFirstName: Priya      # first name of the human counterparty; null for robot-only threads / none
  note: Why the label is what it is, for tricky ones (or null).
sources:                  # public pages whose wording this thread paraphrases (URLs); [] for invented
  - https://example.org/hr-templates/offer-letter-email
tag: Job search           # optional: owner's own Gmail label on every message of the thread
messages:                 # oldest first
  - from: Priya Raman <priya.raman@quillon.example>   # or \`me\` (owner) / \`me2\` (owner's first alias)
    to: me                # optional; default: the owner for received mail, the last counterparty for the owner's mail
    cc: null              # optional
    replyTo: null         # optional, e.g. for ATS mail sent "via" a system
    date: 2026-11-10 09:14 +0000      # \`YYYY-MM-DD HH:MM[:SS] +ZZZZ\`
    subject: Offer – Senior Data Analyst   # optional on replies: default is \`Re: \` + previous subject
    text: |
      Plain-text body of what this message says (no quoted history: use \`quote\`).
    html: null            # optional HTML body (then text is the text/plain alternative, or omit text for HTML-only)
    autoHtml: gmail       # optional: \`gmail\` adds an HTML alternative built from text; \`outlook\` makes it HTML-only
    quote: gmail-us       # optional: append a quote of the previous message: gmail-us|gmail-uk|apple|outlook|outlook-de|original|bare
    cat: updates          # optional Gmail category for received mail: personal|updates|promo|social|forums|spam
    labels: null          # optional explicit X-Gmail-Labels, e.g. "Inbox,Category Updates,Opened" or "Sent"
    headers: {}           # optional extra headers, e.g. { List-Unsubscribe: "<https://…>" }
    attach:               # optional attachments
      - { kind: pdf, name: Offer_Letter.pdf, lines: [Offer of employment, Base salary ...] }
      - { kind: text, name: notes.txt, content: "..." }
    noRefs: false         # optional: true = carries no In-Reply-To/References (threaded by subject only)
    charset: utf-8        # optional: utf-8|iso-8859-1|windows-1252
    cte: quoted-printable # optional: 7bit|8bit|quoted-printable|base64
    mailer: outlook       # optional: gmail|outlook|javamail|generic
`;

  function corpus(threads: Record<string, string>, corpusYaml = CORPUS): string {
    const dir = join(root, `c${++n}`);
    mkdirSync(join(dir, 'threads'), { recursive: true });
    writeFileSync(join(dir, 'corpus.yaml'), corpusYaml);
    for (const [name, text] of Object.entries(threads)) writeFileSync(join(dir, 'threads', name), text);
    return dir;
  }

  function errorOf(dir: string): string {
    try {
      renderCorpusFiles(dir);
    } catch (e) {
      if (e instanceof CorpusLoadError) return e.message;
      throw e;
    }
    throw new Error('expected the corpus to be refused');
  }

  it('takes the documented example unchanged and renders its labels row', () => {
    const dir = corpus({ 'quillon-offer.yaml': THREAD });
    const { rendered, files } = renderCorpusFiles(dir);
    expect(files.map((f) => basename(f.path))).toEqual(['mailbox.mbox', 'labels.json']);
    expect(rendered.labels).toEqual([
      expect.objectContaining({ subject: 'Offer – Senior Data Analyst', stage: 'offer', awaitingReply: true, stale: true, company: 'Quillon Analytics', contactFirstName: 'Priya' }),
    ]);
    expect(rendered.mbox.toString('latin1')).toContain('X-Gmail-Labels: Inbox,Category Updates,Opened,Job search');
  });

  it("addresses the owner's opening message to the counterparty who answers it", () => {
    const thread = `labels: { stage: applied, awaitingReply: false, company: Quillon Analytics, role: null, contactFirstName: Priya, note: null }
messages:
  - { from: me, date: 2026-11-02 09:00 +0000, subject: Following up on my application, text: "Hi Priya, any news?" }
  - { from: Priya Raman <priya.raman@quillon.example>, date: 2026-11-03 10:00 +0000, text: "Not yet, thanks for your patience." }
`;
    const mbox = renderCorpusFiles(corpus({ 'follow-up.yaml': thread })).rendered.mbox.toString('utf8');
    expect(mbox).toMatch(/^From: Ines Duarte <ines\.duarte@example\.net>\nTo: Priya Raman <priya\.raman@quillon\.example>$/m);
  });

  it('names the file, line and key of an unknown key', () => {
    const dir = corpus({ 'quillon-offer.yaml': THREAD.replace('    noRefs: false', '    noRef: false') });
    expect(errorOf(dir)).toMatch(/threads\/quillon-offer\.yaml:29:5: messages\[0\]\.noRef: unknown key "noRef"/);
  });

  it('names the file, line and key of a bad value, one line per bad file', () => {
    const dir = corpus({
      'a-thread.yaml': THREAD.replace('stage: offer ', 'stage: offered '),
      'b-thread.yaml': THREAD.replace('date: 2026-11-10 09:14 +0000', 'date: 10 Nov 2026'),
    });
    const lines = errorOf(dir).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/a-thread\.yaml:2:3: labels\.stage: /);
    expect(lines[1]).toMatch(/b-thread\.yaml:16:5: messages\[0\]\.date: expected YYYY-MM-DD HH:MM\[:SS\] \+ZZZZ/);
  });

  it('names the line of a thread that breaks a corpus rule', () => {
    const dir = corpus({ 'quillon-offer.yaml': THREAD.replace('2026-11-10 09:14', '2026-11-21 09:14') });
    expect(errorOf(dir)).toMatch(/quillon-offer\.yaml:3:3: labels\.awaitingReply: the awaited thread ends 74\.8 h before now/);
  });

  it('refuses a sender whose unquoted display name holds a comma (two addresses, a broken envelope line)', () => {
    const dir = corpus({ 'quillon-offer.yaml': THREAD.replace('from: Priya Raman <priya.raman@quillon.example>', 'from: Quillon Analytics, Inc. <jobs@quillon.example>') });
    expect(errorOf(dir)).toMatch(/quillon-offer\.yaml:\d+:5: messages\[0\]\.from: from must be one address/);
  });

  it('refuses a thread file whose name is not a key, and a corpus.yaml key it does not know', () => {
    expect(errorOf(corpus({ 'Quillon Offer.yaml': THREAD }))).toMatch(/Quillon Offer\.yaml: the file name must be lower-case words and dashes/);
    expect(errorOf(corpus({ 'quillon-offer.yaml': THREAD }, `${CORPUS}owners: []\n`))).toMatch(/corpus\.yaml:11:1: owners: unknown key "owners"/);
  });
});
