/** Strict-enough email address checks for what the owner types (config, --me, the To: line of an edited draft). */
import type { Address } from '../model/types.js';

// local@domain.tld: no spaces, one @, a dotted domain of letters, digits and dashes.
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}$/;

export function isValidAddress(s: string): boolean {
  return s.length <= 254 && ADDRESS.test(s) && !s.startsWith('.') && !s.includes('..') && !s.split('@')[0]!.endsWith('.');
}

/**
 * One mailbox as typed by a person: `name@example.com` or `Name <name@example.com>`.
 * Returns a reason instead when it is not exactly one valid address.
 */
export function parseOneAddress(text: string): { ok: true; address: Address } | { ok: false; reason: string } {
  const s = text.trim();
  if (!s) return { ok: false, reason: 'no address' };
  const angles = s.match(/</g)?.length ?? 0;
  if (angles > 1 || (angles === 0 && /[,;]/.test(s)) || (angles === 1 && /[,;][^<]*@/.test(s.slice(s.indexOf('>'))))) {
    return { ok: false, reason: `"${s.slice(0, 80)}" holds several addresses; a draft goes to one address` };
  }
  const m = /^(?:"?([^"<]*?)"?\s*)?<([^>]*)>$/.exec(s);
  const name = m ? m[1]?.trim() || null : null;
  const address = (m ? m[2]! : s).trim();
  if (!isValidAddress(address)) return { ok: false, reason: `"${address.slice(0, 80)}" is not an email address` };
  return { ok: true, address: { name, address: address.toLowerCase() } };
}
