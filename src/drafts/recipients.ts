/**
 * Who a reply goes to: the person who wrote to the owner, never a no-reply
 * applicant-tracking sender when a person is known.
 */
import { domainToASCII } from 'node:url';
import { isRobotAddress } from '../mail/addresses.js';
import type { Address, MailThread, Owner } from '../model/types.js';

export interface RecipientChoice {
  /** Who the draft is addressed to; null when no person is known (the owner must add one). */
  to: Address | null;
  /** Something the owner should know about the choice, or null when it is the obvious one. */
  note: string | null;
}

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL_PART = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*$`);
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/**
 * The ASCII form of `address` when it is exactly one plain mailbox (`local@domain.tld`:
 * dot-atom local part, dotted host name; an internationalised domain is returned in its
 * punycode form), or null for anything else: lists, group syntax, display names, quoted or
 * non-ASCII local parts, whitespace or control characters.
 */
export function asciiMailbox(address: string): string | null {
  if (address.length > 320) return null;
  const at = address.lastIndexOf('@');
  if (at <= 0) return null;
  const local = address.slice(0, at);
  let domain = address.slice(at + 1);
  if (local.length > 64 || !LOCAL_PART.test(local)) return null;
  if (/[^\x21-\x7e]/.test(domain)) {
    // Only letters, digits, dots and dashes from any script may be turned into punycode.
    if (!/^[\p{L}\p{M}\p{N}.-]+$/u.test(domain)) return null;
    domain = domainToASCII(domain);
  }
  const labels = domain.split('.');
  if (domain.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  return `${local}@${domain}`;
}

/** True when `address` is exactly one plain mailbox; see asciiMailbox. */
export function isSingleAddress(address: string): boolean {
  return asciiMailbox(address) !== null;
}

/**
 * Chooses the recipient of a reply in `thread`:
 * 1. the sender of the last inbound message, when it is a person;
 * 2. else that message's Reply-To, when it is a person;
 * 3. else the most recent person seen anywhere in the thread (From and Reply-To of any
 *    message, To and Cc of the owner's own messages), newest message first;
 * 4. else nobody, with a note asking the owner for an address.
 * The owner's own addresses and robot senders (no-reply, applicant-tracking notifications,
 * shared team inboxes) never count as a person. A display name with a line break or NUL is
 * dropped (the address is kept) so that it cannot reach a header.
 */
export function chooseRecipient(thread: MailThread, owner: Owner): RecipientChoice {
  const own = new Set(owner.addresses.map((a) => a.trim().toLowerCase()));
  const isPerson = (a: Address | null | undefined): a is Address =>
    !!a && isSingleAddress(a.address) && !own.has(a.address.toLowerCase()) && !isRobotAddress(a);

  const lastIn = [...thread.messages].reverse().find((m) => m.direction === 'in');
  if (lastIn) {
    if (isPerson(lastIn.from)) return { to: clean(lastIn.from), note: null };
    const replyTo = lastIn.replyTo.find(isPerson);
    if (replyTo) return { to: clean(replyTo), note: null };
  }

  // Only a well-formed address is quoted back to the owner (notes reach a terminal).
  const robotSender = lastIn?.from && isSingleAddress(lastIn.from.address) ? lastIn.from.address : null;
  for (let i = thread.messages.length - 1; i >= 0; i--) {
    const m = thread.messages[i]!;
    const seen = [m.from, ...m.replyTo, ...(m.direction === 'out' ? [...m.to, ...m.cc] : [])];
    const person = seen.find(isPerson);
    if (person) {
      const why = lastIn
        ? `the latest message came from an automated sender${robotSender ? ` (${robotSender})` : ''}`
        : 'no person has written in this thread';
      return {
        to: clean(person),
        note: `Addressed to ${person.address}, the most recent person in this thread, because ${why}. Check the address before sending.`,
      };
    }
  }

  const robot = robotSender ? ` (only automated senders such as ${robotSender} wrote)` : '';
  return {
    to: null,
    note: `No person's address is known for this thread${robot}. Add the recipient's address to the draft before sending.`,
  };
}

function clean(a: Address): Address {
  const name = a.name === null || /[\r\n\0]/.test(a.name) || a.name.trim() === '' ? null : a.name.trim();
  return { name, address: a.address };
}
