/** The text form of a proposal the owner edits (`To:` line, blank line, body), and its validation. */
import type { Address } from '../model/types.js';
import { OfferwatchError } from '../errors.js';
import { parseOneAddress } from '../util/address.js';
import { placeholderFor } from './templates.js';

export interface EditableDraft {
  to: Address | null;
  body: string;
  needsEdit: string[];
}

export function formatAddress(a: Address | null): string {
  return a ? (a.name ? `${a.name} <${a.address}>` : a.address) : '';
}

export function editableText(d: EditableDraft): string {
  return `To: ${formatAddress(d.to)}\n\n${d.body}`;
}

export type EditCheck = { changed: false } | { changed: true; draft: EditableDraft };

const refusal = (id: number, why: string) =>
  new OfferwatchError('EUSAGE', `cannot keep the edit of draft #${id}: ${why}; the draft is unchanged (run offerwatch drafts edit ${id} again)`);

/**
 * Checks an edit of the recipient (`Name <addr>` or one address; empty for none, which stays
 * "needs your edit") and the text. Refuses (EUSAGE) an invalid address, several addresses and
 * an empty text; `changed` is false when both are as they were.
 */
export function checkEdit(id: number, original: EditableDraft, fields: { to: string; body: string }): EditCheck {
  const toText = fields.to.trim();
  let to: Address | null = null;
  if (toText) {
    const parsed = parseOneAddress(toText);
    if (!parsed.ok) throw refusal(id, `To: ${parsed.reason}`);
    to = parsed.address;
  }
  const body = fields.body.replace(/\r\n?/g, '\n');
  if (!body.trim()) throw refusal(id, 'the text is empty');
  if (formatAddress(to) === formatAddress(original.to) && body.trimEnd() === original.body.trimEnd()) return { changed: false };
  const needsEdit = original.needsEdit.filter((n) => !n.startsWith('recipient') && body.includes(placeholderFor(n)));
  if (!to) needsEdit.push('recipient: add an address on the To: line');
  return { changed: true, draft: { to, body, needsEdit } };
}

/** Splits the text the owner edited (`To:` line, blank line, body) into its fields. */
export function parseEditedText(id: number, edited: string): { to: string; body: string } {
  const m = /^To:[ \t]*(.*)\n\n?([\s\S]*)$/.exec(edited.replace(/\r\n?/g, '\n'));
  if (!m) throw refusal(id, 'keep the "To:" line first and a blank line before the text');
  return { to: m[1]!, body: m[2]! };
}
