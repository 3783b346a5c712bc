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

export type EditResult = { changed: false } | { changed: true; draft: EditableDraft };

/**
 * Reads the edited text back. Refuses (EUSAGE) a missing To: line, an invalid address or
 * several addresses, and an empty body; an empty To: is allowed and stays "needs your edit".
 */
export function parseEditedDraft(id: number, original: EditableDraft, edited: string): EditResult {
  const text = edited.replace(/\r\n?/g, '\n');
  const refuse = (why: string) => new OfferwatchError('EUSAGE', `cannot keep the edit of draft #${id}: ${why}; the draft is unchanged (run offerwatch drafts edit ${id} again)`);
  const m = /^To:[ \t]*(.*)\n\n?([\s\S]*)$/.exec(text);
  if (!m) throw refuse('keep the "To:" line first and a blank line before the text');
  const toText = m[1]!.trim();
  let to: Address | null = null;
  if (toText) {
    const parsed = parseOneAddress(toText);
    if (!parsed.ok) throw refuse(`To: ${parsed.reason}`);
    to = parsed.address;
  }
  const body = m[2]!;
  if (!body.trim()) throw refuse('the text is empty');
  if (formatAddress(to) === formatAddress(original.to) && body.trimEnd() === original.body.trimEnd()) return { changed: false };
  const needsEdit = original.needsEdit.filter((n) => !n.startsWith('recipient') && body.includes(placeholderFor(n)));
  if (!to) needsEdit.push('recipient: add an address on the To: line');
  return { changed: true, draft: { to, body, needsEdit } };
}
