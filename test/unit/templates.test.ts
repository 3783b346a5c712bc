import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, isOfferwatchError } from '../../src/errors.js';
import { loadTemplates, placeholderFor, renderTemplate, type Template } from '../../src/drafts/index.js';

const TEMPLATE_DIR = fileURLToPath(new URL('../../templates', import.meta.url));
const set = loadTemplates(TEMPLATE_DIR);

const IDS = [
  'ask-to-negotiate',
  'confirm-phone-decision',
  'decline-accepted-elsewhere',
  'decline-compensation',
  'decline-offer',
  'decline-personal',
  'rescind-acceptance',
  'withdraw',
];

const FULL: Record<string, string> = {
  contactFirstName: 'Gwen',
  company: "O'Hara & Daughters <Studio>",
  role: 'Staff "Platform" Engineer',
  ownerName: 'Sam Rivera',
  ownerFirstName: 'Sam',
  signature: 'Sam Rivera\n+1 555 0100',
  otherCompany: 'Northwind',
  phoneCallDate: 'Tuesday 4 March',
};

/** Text that means a value leaked through as something other than text. */
function expectClean(body: string): void {
  expect(body).not.toMatch(/undefined|null|\[object|NaN/);
  expect(body).not.toMatch(/&#x?[0-9a-f]+;|&amp;|&lt;|&gt;|&quot;/i);
  expect(body).not.toMatch(/\{\{|\}\}/);
  expect(body).not.toMatch(/ ,| \.|\bat [,.]|\bwith [,.]|\bfor [,.]/); // an empty slot leaves these behind
  expect(body).not.toMatch(/\r|\0/);
  expect(body.endsWith('\n')).toBe(true);
  expect(body.endsWith('\n\n')).toBe(false);
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe('the shipped templates', () => {
  it('are exactly the eight situations, each loaded from its own file', () => {
    expect(set.list().map((t) => t.id)).toEqual(IDS);
    for (const t of set.list()) expect(t.file.endsWith(`${t.id}.hbs`)).toBe(true);
  });

  it.each(IDS)('%s renders with every variable given: no placeholders, no escaping', (id) => {
    const t = set.get(id)!;
    const { body, needsEdit } = renderTemplate(t, FULL);
    expect(needsEdit).toEqual([]);
    expect(body).not.toContain('needs your edit');
    expect(body).toContain(FULL.company);
    expect(body.startsWith('Hi Gwen,\n')).toBe(true);
    expect(body).toContain("'"); // an apostrophe stays an apostrophe
    expect(body.trimEnd().endsWith(FULL.signature!)).toBe(true);
    expectClean(body);
  });

  it.each(IDS)('%s renders with every variable missing: placeholders and needsEdit', (id) => {
    const t = set.get(id)!;
    const full = renderTemplate(t, FULL).body;
    for (const vars of [{}, Object.fromEntries(Object.keys(FULL).map((k) => [k, null])), Object.fromEntries(Object.keys(FULL).map((k) => [k, ' \n\t ']))]) {
      const { body, needsEdit } = renderTemplate(t, vars);
      expect(needsEdit).toEqual(t.variables.required);
      expect(needsEdit).toContain('company');
      // Every place the company would appear shows the placeholder instead: never an empty company.
      expect(count(body, placeholderFor('company'))).toBe(count(full, FULL.company!));
      expect(body).toContain(placeholderFor('ownerName'));
      expect(body.startsWith('Hi there,\n')).toBe(true);
      expectClean(body);
    }
  });

  it.each(IDS)('%s renders with each single variable missing', (id) => {
    const t = set.get(id)!;
    for (const name of [...t.variables.required, ...t.variables.optional]) {
      const { body, needsEdit } = renderTemplate(t, { ...FULL, [name]: '' });
      expectClean(body);
      if (name === 'ownerName') {
        // The signature stands in for the name, so nothing is left to edit.
        expect(needsEdit).toEqual([]);
      } else {
        expect(needsEdit).toEqual(t.variables.required.includes(name) ? [name] : []);
      }
    }
  });

  it('renders one draft exactly (golden)', () => {
    const { body, needsEdit } = renderTemplate(set.get('decline-accepted-elsewhere')!, {
      contactFirstName: 'Gwen',
      company: 'Brightwater Labs',
      role: 'Senior Data Engineer',
      ownerName: 'Sam Rivera',
      otherCompany: null,
      signature: undefined,
    });
    expect(needsEdit).toEqual([]);
    expect(body).toBe(
      [
        'Hi Gwen,',
        '',
        'Thank you for the offer for the Senior Data Engineer role at Brightwater Labs, and for all the time you and the team have given me.',
        '',
        "I've accepted another offer, so I'm writing to let you know I won't be accepting yours. It was a close decision, and I appreciate how open and considerate everyone at Brightwater Labs has been.",
        '',
        "I hope we can stay in touch, and I'd be happy if our paths cross again.",
        '',
        'Best regards,',
        'Sam Rivera',
        '',
      ].join('\n'),
    );
  });

  it('keeps decline-personal free of the reason itself', () => {
    const body = renderTemplate(set.get('decline-personal')!, FULL).body;
    expect(body).not.toMatch(/visa|relocat|family/i);
  });

  it('normalises CRLF in values and trims them; refuses a NUL', () => {
    const t = set.get('decline-offer')!;
    const { body } = renderTemplate(t, { ...FULL, company: '  Acme  ', signature: 'Sam\r\nRivera\rLtd' });
    expect(body).toContain('at Acme,');
    expect(body).toContain('Sam\nRivera\nLtd\n');
    let caught: unknown;
    try {
      renderTemplate(t, { ...FULL, company: 'Ac\0me' });
    } catch (e) {
      caught = e;
    }
    expect(isOfferwatchError(caught, 'EUNSAFE')).toBe(true);
  });

  it('ignores variables the template does not declare', () => {
    const { body } = renderTemplate(set.get('withdraw')!, { ...FULL, otherCompany: 'Should Not Appear', extra: 'x' });
    expect(body).not.toContain('Should Not Appear');
  });
});

describe('choose', () => {
  it('prefers the most specific reason, else the decision default', () => {
    expect(set.choose('decline', 'accepted-elsewhere', 'offer')?.id).toBe('decline-accepted-elsewhere');
    expect(set.choose('decline', 'Compensation', 'offer')?.id).toBe('decline-compensation');
    for (const r of ['visa', 'relocation', 'family', 'personal']) expect(set.choose('decline', r, 'offer')?.id).toBe('decline-personal');
    expect(set.choose('decline', 'something-else', 'offer')?.id).toBe('decline-offer');
    expect(set.choose('decline')?.id).toBe('decline-offer');
    expect(set.choose('withdraw', 'accepted-elsewhere', 'interviewing')?.id).toBe('withdraw');
    expect(set.choose('rescind', undefined, 'accepted')?.id).toBe('rescind-acceptance');
    expect(set.choose('negotiate', undefined, 'offer')?.id).toBe('ask-to-negotiate');
    expect(set.choose('confirm', undefined, 'interviewing')?.id).toBe('confirm-phone-decision');
  });

  it('returns null when nothing fits the stage', () => {
    expect(set.choose('decline', undefined, 'interviewing')).toBeNull();
    expect(set.choose('withdraw', undefined, 'offer')).toBeNull();
    expect(set.choose('withdraw', undefined, 'none')).toBeNull();
    expect(set.get('no-such-template')).toBeNull();
  });

  it('breaks ties between specific templates by fewest reasons', () => {
    const dir = tempDir();
    writeTemplate(dir, 'broad', { decision: 'decline', reasons: '[visa, family]' });
    writeTemplate(dir, 'narrow', { decision: 'decline', reasons: '[visa]' });
    writeTemplate(dir, 'base', { decision: 'decline', reasons: '[]' });
    const s = loadTemplates(dir);
    expect(s.choose('decline', 'visa', 'offer')?.id).toBe('narrow');
    expect(s.choose('decline', 'family', 'offer')?.id).toBe('broad');
    expect(s.choose('decline', 'other', 'offer')?.id).toBe('base');
  });
});

// ---------------------------------------------------------------------------------------------
// Loader errors: file, line and key

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'offerwatch-templates-'));
  dirs.push(d);
  return d;
}

interface Parts {
  decision?: string;
  reasons?: string;
  extra?: string;
  required?: string;
  optional?: string;
  body?: string;
}
function writeTemplate(dir: string, id: string, p: Parts = {}, fileId = id): string {
  const text = [
    '---',
    `id: ${id}`,
    'title: A test template',
    `decision: ${p.decision ?? 'decline'}`,
    `reasons: ${p.reasons ?? '[]'}`,
    'stages: [offer]',
    ...(p.extra ? [p.extra] : []),
    'variables:',
    `  required: ${p.required ?? '[company]'}`,
    `  optional: ${p.optional ?? '[contactFirstName]'}`,
    '---',
    p.body ?? 'Hi {{#if contactFirstName}}{{contactFirstName}}{{else}}there{{/if}},\n\nNo thanks, {{company}}.\n',
  ].join('\n');
  const file = join(dir, `${fileId}.hbs`);
  writeFileSync(file, text);
  return file;
}

function loadError(dir: string): ConfigError {
  try {
    loadTemplates(dir);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadTemplates errors', () => {
  it('names file, line and key for a bad front matter value', () => {
    const dir = tempDir();
    const file = writeTemplate(dir, 'bad', { decision: 'maybe' });
    const e = loadError(dir);
    expect(e.code).toBe('ECONFIG');
    expect(e.location).toMatchObject({ file, line: 4, key: 'decision' });
    expect(e.message.startsWith(`${file}:4: decision: `)).toBe(true);
  });

  it('rejects unknown keys (strict), pointing at the key', () => {
    const dir = tempDir();
    writeTemplate(dir, 'bad', { extra: 'tone: breezy' });
    expect(loadError(dir).location).toMatchObject({ line: 7, key: 'tone' });
  });

  it('rejects an unknown key inside variables', () => {
    const dir = tempDir();
    writeTemplate(dir, 'bad', { optional: '[contactFirstName]\n  sometimes: [x]' });
    expect(loadError(dir).location).toMatchObject({ line: 10, key: 'variables.sometimes' });
  });

  it('rejects a missing key', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.hbs'), '---\nid: bad\ntitle: t\ndecision: decline\nreasons: []\nvariables:\n  required: [company]\n  optional: []\n---\n{{company}}\n');
    expect(loadError(dir).location.key).toBe('stages');
  });

  it('rejects a bad stage by its list position', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.hbs'), '---\nid: bad\ntitle: t\ndecision: decline\nreasons: []\nstages:\n  - offer\n  - haggling\nvariables:\n  required: [company]\n  optional: []\n---\n{{company}}\n');
    expect(loadError(dir).location).toMatchObject({ line: 8, key: 'stages.1' });
  });

  it('rejects a YAML syntax error with its line', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.hbs'), '---\nid: bad\ntitle: [unclosed\ndecision: decline\n---\nx\n');
    const e = loadError(dir);
    expect(e.location.line).toBeGreaterThanOrEqual(3);
  });

  it('rejects a file without front matter', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.hbs'), 'Hi {{company}}\n');
    expect(loadError(dir).location).toMatchObject({ line: 1 });
  });

  it('rejects an id that differs from the file name', () => {
    const dir = tempDir();
    writeTemplate(dir, 'other', {}, 'bad');
    expect(loadError(dir).location).toMatchObject({ line: 2, key: 'id' });
  });

  it('rejects a variable declared twice or both required and optional', () => {
    const dir = tempDir();
    writeTemplate(dir, 'bad', { required: '[company, company]' });
    expect(loadError(dir).location.key).toBe('variables.required.1');
    const dir2 = tempDir();
    writeTemplate(dir2, 'bad', { required: '[company, contactFirstName]' });
    expect(loadError(dir2).location.key).toBe('variables.optional.0');
  });

  it('rejects a template that uses an undeclared variable, at its body line', () => {
    const dir = tempDir();
    const file = writeTemplate(dir, 'bad', { body: 'Hi there,\n\nThanks, {{company}}.\n{{recruiterPhone}}\n' });
    const e = loadError(dir);
    expect(e.location).toMatchObject({ file, line: 14, key: 'variables' });
    expect(e.message).toContain('recruiterPhone');
  });

  it('rejects an undeclared variable used only as a condition', () => {
    const dir = tempDir();
    writeTemplate(dir, 'bad', { body: '{{#if mood}}x{{/if}} {{company}} {{#if contactFirstName}}{{contactFirstName}}{{/if}}\n' });
    expect(loadError(dir).message).toContain('mood');
  });

  it('rejects an optional variable printed outside its own {{#if}}', () => {
    const dir = tempDir();
    writeTemplate(dir, 'bad', { body: 'Hi {{contactFirstName}},\n{{company}}\n' });
    expect(loadError(dir).location).toMatchObject({ line: 11, key: 'variables.optional' });
    const dir2 = tempDir();
    writeTemplate(dir2, 'bad', { body: '{{#if company}}{{contactFirstName}}{{/if}}\n' });
    expect(loadError(dir2).location.key).toBe('variables.optional');
    const dir3 = tempDir();
    writeTemplate(dir3, 'bad', { body: '{{#if contactFirstName}}x{{else}}{{contactFirstName}}{{/if}} {{company}}\n' });
    expect(loadError(dir3).location.key).toBe('variables.optional');
  });

  it('accepts {{#unless}} guards on the inverse branch and {{else if}} chains', () => {
    const dir = tempDir();
    writeTemplate(dir, 'ok', {
      optional: '[contactFirstName, role]',
      body: '{{#unless contactFirstName}}Hi{{else}}Hi {{contactFirstName}}{{/unless}} {{company}} {{#if role}}{{role}}{{else if contactFirstName}}{{contactFirstName}}{{/if}}\n',
    });
    const t = loadTemplates(dir).get('ok')!;
    expect(renderTemplate(t, { company: 'Acme', role: '', contactFirstName: 'Gwen' }).body).toBe('Hi Gwen Acme Gwen\n');
  });

  it.each([
    ['a helper', '{{company}} {{lookup company "x"}} {{#if contactFirstName}}{{contactFirstName}}{{/if}}'],
    ['each', '{{#each company}}x{{/each}} {{#if contactFirstName}}{{contactFirstName}}{{/if}}'],
    ['a partial', '{{> footer}} {{company}} {{#if contactFirstName}}{{contactFirstName}}{{/if}}'],
    ['a path', '{{company.length}} {{#if contactFirstName}}{{contactFirstName}}{{/if}}'],
    ['@data', '{{@root.company}} {{company}} {{#if contactFirstName}}{{contactFirstName}}{{/if}}'],
    ['this', '{{this}} {{company}} {{#if contactFirstName}}{{contactFirstName}}{{/if}}'],
  ])('rejects %s in the body', (_what, body) => {
    const dir = tempDir();
    writeTemplate(dir, 'bad', { body: `${body}\n` });
    expect(loadError(dir).location).toMatchObject({ line: 11, key: 'body' });
  });

  it('rejects a declared variable the body never uses', () => {
    const dir = tempDir();
    writeTemplate(dir, 'bad', { required: '[company, role]' });
    expect(loadError(dir).location).toMatchObject({ line: 8, key: 'variables.required' });
  });

  it('rejects Handlebars syntax errors with a line', () => {
    const dir = tempDir();
    writeTemplate(dir, 'bad', { body: 'Hi,\n{{#if company}}\n{{company}}\n' });
    const e = loadError(dir);
    expect(e.code).toBe('ECONFIG');
    expect(e.location.line).toBeGreaterThanOrEqual(11);
  });

  it('treats a variable named like an Object property as plain data', () => {
    const dir = tempDir();
    writeTemplate(dir, 'ok', { required: '[constructor]', optional: '[toString]', body: '{{constructor}} {{#if toString}}{{toString}}{{/if}}\n' });
    const t: Template = loadTemplates(dir).get('ok')!;
    expect(renderTemplate(t, {})).toEqual({ body: `${placeholderFor('constructor')}\n`, needsEdit: ['constructor'] });
    expect(renderTemplate(t, { constructor: 'c', toString: 't' }).body).toBe('c t\n');
  });

  it('accepts CRLF files and reports their lines the same way', () => {
    const dir = tempDir();
    const file = writeTemplate(dir, 'bad', { body: 'Hi,\n{{company}} {{oops}}\n' });
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n/g, '\r\n'));
    expect(loadError(dir).location).toMatchObject({ line: 12, key: 'variables' });
  });
});
