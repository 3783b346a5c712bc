/** A guard against a config that names someone else (the example's address left in place). */
import type { Owner } from '../model/types.js';
import type { Store } from '../store/index.js';

/**
 * When the mailbox holds sent mail and none of it is from the owner's addresses, one line
 * naming the most frequent sent address; else null.
 */
export function ownerAddressWarning(store: Store, owner: Owner, where: string): string | null {
  const sent = store.messages.sentFromCounts();
  if (sent.length === 0) return null;
  const mine = new Set(owner.addresses.map((a) => a.toLowerCase()));
  if (sent.some((s) => mine.has(s.address))) return null;
  const top = sent[0]!;
  return `warning: none of the mailbox's sent mail is from ${owner.addresses.join(', ') || '(no address)'}; most of it is from ${top.address} (${top.count} message${top.count === 1 ? '' : 's'}). Add it to ${where}, or your own replies will not count and alerts will be wrong.`;
}
