/**
 * `offerwatch init`: a minimal, valid config for one owner — their name, their addresses and
 * one mailbox — instead of the example's placeholders. Written 0600; never over an existing file
 * unless asked.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { OfferwatchError } from '../errors.js';
import { isValidAddress } from '../util/address.js';
import { loadConfig } from './load.js';

export interface InitAnswers {
  name: string | null;
  addresses: string[];
  /** A mailbox file (mbox) to read; null: a commented example source is left to fill in. */
  mbox: string | null;
  timezone?: string | null;
}

export function minimalConfig(a: InitAnswers): string {
  const bad = a.addresses.find((x) => !isValidAddress(x));
  if (bad !== undefined) throw new OfferwatchError('EUSAGE', `cannot write the config: "${bad.slice(0, 80)}" is not an email address`);
  if (a.addresses.length === 0) throw new OfferwatchError('EUSAGE', 'cannot write the config: give at least one of your email addresses');
  const owner: Record<string, unknown> = {};
  if (a.name) owner.name = a.name;
  owner.addresses = a.addresses;
  const doc: Record<string, unknown> = {
    version: 1,
    owner,
    sources: [{ type: 'mbox', name: 'mail', path: a.mbox ?? '~/Downloads/Takeout/Mail/All mail Including Spam and Trash.mbox' }],
    templates: { dir: 'templates' },
  };
  if (a.timezone) doc.timezone = a.timezone;
  return [
    '# offerwatch configuration, written by `offerwatch init`. Every key is explained in',
    '# config.example.yaml (deadlines, rules, response rules, alert channels, Gmail sources, schedule).',
    stringify(doc).trimEnd(),
    '# templates.dir: your own reply templates (*.hbs); one with a built-in id replaces it.',
    '',
  ].join('\n');
}

/** Writes the config (and an empty templates folder beside it); refuses to replace one unless `force`. */
export function writeInitialConfig(file: string, a: InitAnswers, opts: { force?: boolean } = {}): void {
  if (existsSync(file) && !opts.force) {
    throw new OfferwatchError('EUSAGE', `cannot write ${file}: it exists (edit it, or run init --force to replace it)`);
  }
  const text = minimalConfig(a);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, text, { mode: 0o600 });
  mkdirSync(join(dirname(file), 'templates'), { recursive: true, mode: 0o700 });
  loadConfig(file); // what init writes must load
}
