/** Small address helpers shared by the classifier and the draft builder. */
import type { Address } from '../model/types.js';

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}

export function localPartOf(address: string): string {
  const at = address.lastIndexOf('@');
  return (at < 0 ? address : address.slice(0, at)).toLowerCase();
}

/** True when `domain` equals `base` or is a subdomain of it. */
export function domainMatches(domain: string, base: string): boolean {
  const d = domain.toLowerCase();
  const b = base.toLowerCase().replace(/^\*?\./, '');
  return d === b || d.endsWith(`.${b}`);
}

const ROBOT_LOCAL = /^(no-?reply|do-?not-?reply|donotreply|notifications?|notify|alerts?|jobalerts?(-noreply)?|jobs-noreply|mailer(-daemon)?|bounces?|postmaster|system|automated|auto|bookings?|calendar|invitations?|news(letter)?|updates?|info|hello|team|support|careers?|jobs|recruiting|talent|hr|people|hiring|applications?|candidates?|reqs|sales|offers?|marketing|letters|speakers|leasing|noreply[-.].*|no-reply[-.].*)$/;
const ROBOT_NAME = /\b(no-?reply|notifications?|careers|recruiting( team)?|talent( acquisition| team)?|team|hiring|via|linkedin|indeed|workday|greenhouse|lever|ashby|smartrecruiters|icims|bamboohr|docusign|dropbox sign|hellosign|signwell|zcal|calendly)\b/i;

/** Senders that write on a company's behalf: applicant tracking, job boards, e-signature, scheduling. */
const ROBOT_DOMAINS = [
  'greenhouse-mail.io', 'greenhouse.io', 'lever.co', 'ashbyhq.com', 'myworkday.com', 'workday.com', 'smartrecruiters.com',
  'icims.com', 'bamboohr.com', 'workablemail.com', 'workable.com', 'jobvite.com', 'teamtailor-mail.com', 'teamtailor.com',
  'personio.de', 'personio.com', 'recruitee.com', 'breezy.hr', 'jazzhr.com', 'applytojob.com', 'successfactors.com',
  'taleo.net', 'linkedin.com', 'indeed.com', 'glassdoor.com', 'ziprecruiter.com', 'docusign.net', 'docusign.com',
  'hellosign.com', 'dropboxsign.com', 'signwell.com', 'adobesign.com', 'echosign.com', 'pandadoc.net', 'zcal.co',
  'calendly.com', 'goodtime.io', 'modernloop.io', 'hirevue.com', 'codility.com', 'hackerrank.com', 'codesignal.com',
];

export function isRobotDomain(address: string): boolean {
  const d = domainOf(address);
  return ROBOT_DOMAINS.some((base) => domainMatches(d, base));
}

/**
 * True for addresses that are not a person one could write to: no-reply senders,
 * applicant-tracking notifications, shared team inboxes.
 */
export function isRobotAddress(a: Address | null): boolean {
  if (!a || !a.address) return true;
  if (ROBOT_LOCAL.test(localPartOf(a.address))) return true;
  if (isRobotDomain(a.address)) return true;
  if (a.name && ROBOT_NAME.test(a.name)) return true;
  return false;
}

/** "Gwen Mallory" → "Gwen"; "Mallory, Gwen" → "Gwen"; null when the name does not look personal. */
export function firstNameOf(a: Address | null): string | null {
  if (!a || !a.name || isRobotAddress(a)) return null;
  let name = a.name.replace(/["']/g, '').trim();
  if (name.includes(',')) {
    const [last, first] = name.split(',', 2).map((s) => s.trim());
    if (first) name = `${first} ${last}`;
  }
  const first = name.split(/\s+/)[0] ?? '';
  if (!/^\p{Lu}[\p{L}'-]+$/u.test(first)) return null;
  return first;
}

export function formatAddress(a: Address): string {
  return a.name ? `${a.name} <${a.address}>` : a.address;
}
