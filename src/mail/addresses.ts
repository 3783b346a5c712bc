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

/**
 * Whether a domain or one of its parents is in the set: a.b.example.com looks up a.b.example.com,
 * b.example.com, example.com, com. The set holds lower-case domains without a leading dot; this
 * is `domainMatches` against every member, one lookup per label.
 */
export function domainIn(domain: string, set: ReadonlySet<string>): boolean {
  for (let d = domain; ; ) {
    if (set.has(d)) return true;
    const dot = d.indexOf('.');
    if (dot < 0) return false;
    d = d.slice(dot + 1);
  }
}

/** True when `domain` equals `base` or is a subdomain of it. */
export function domainMatches(domain: string, base: string): boolean {
  const d = domain.toLowerCase();
  const b = base.toLowerCase().replace(/^\*?\./, '');
  return d === b || d.endsWith(`.${b}`);
}

const ROBOT_LOCAL = /^(no-?reply|do-?not-?reply|donotreply|notifications?|notify|alerts?|jobalerts?(-noreply)?|jobs-noreply|mailer(-daemon)?|bounces?|postmaster|system|automated|auto|bookings?|calendar|invitations?|news(letter)?|updates?|info|hello|team|support|careers?|jobs|recruiting|recruitment|talent|hr|people|hiring|applications?|candidates?|reqs|sales|offers?|marketing|letters|speakers|leasing|noreply[-.].*|no-reply[-.].*)$/;
const ROBOT_NAME = /\b(no-?reply|notifications?|careers|recruiting( team)?|talent( acquisition| team)?|team|hiring|via)\b/i;
/** A platform's own name as the whole display name ("Greenhouse", "Workday Notifications"); "Rachel Ashby" is a person. */
const PLATFORM_NAME = /^(linkedin|indeed|workday|greenhouse|lever|ashby|smartrecruiters|icims|bamboohr|docusign|dropbox sign|hellosign|signwell|zcal|calendly)\b/i;
/** Shared inboxes a person may write from under their own name ("Sneha Kulkarni <careers@…>"): a reply reaches people. */
const SHARED_LOCAL = /^(careers?|jobs|recruiting|recruitment|talent|hr|people|hiring|team|info|hello)$/;
const PERSONAL_NAME = /^\p{Lu}[\p{Ll}'’-]+(?:\s+\p{Lu}[\p{L}'’-]+){1,2}$/u;

/** Senders that write on a company's behalf: applicant tracking, job boards, e-signature, scheduling. */
const ROBOT_DOMAINS = [
  'greenhouse-mail.io', 'greenhouse.io', 'lever.co', 'ashbyhq.com', 'myworkday.com', 'workday.com', 'smartrecruiters.com',
  'icims.com', 'bamboohr.com', 'workablemail.com', 'workable.com', 'jobvite.com', 'teamtailor-mail.com', 'teamtailor.com',
  'personio.de', 'personio.com', 'recruitee.com', 'breezy.hr', 'jazzhr.com', 'applytojob.com', 'successfactors.com',
  'taleo.net', 'linkedin.com', 'indeed.com', 'glassdoor.com', 'ziprecruiter.com', 'docusign.net', 'docusign.com',
  'hellosign.com', 'dropboxsign.com', 'signwell.com', 'adobesign.com', 'echosign.com', 'pandadoc.net', 'zcal.co',
  'calendly.com', 'goodtime.io', 'modernloop.io', 'hirevue.com', 'codility.com', 'hackerrank.com', 'codesignal.com',
];

const ROBOT_DOMAIN_SET = new Set(ROBOT_DOMAINS);

/** The domain is one of ROBOT_DOMAINS or a subdomain of one (every message meets this). */
export function isRobotDomain(address: string): boolean {
  return domainIn(domainOf(address), ROBOT_DOMAIN_SET);
}

/**
 * True for addresses that are not a person one could write to: no-reply senders,
 * applicant-tracking notifications, shared team inboxes.
 */
export function isRobotAddress(a: Address | null): boolean {
  if (!a || !a.address) return true;
  if (isRobotDomain(a.address)) return true;
  if (a.name && (ROBOT_NAME.test(a.name) || PLATFORM_NAME.test(a.name))) return true;
  const local = localPartOf(a.address);
  if (ROBOT_LOCAL.test(local)) return !(SHARED_LOCAL.test(local) && a.name && looksPersonal(a.name, domainOf(a.address)));
  return false;
}

/** Two or three capitalised words that are not the sender domain's own name ("Wattle Distribution" at wattle.example). */
function looksPersonal(name: string, domain: string): boolean {
  const n = name.replace(/["']/g, '').trim();
  if (!PERSONAL_NAME.test(n) || /\b(hr|recruitment|human resources|ltd|inc|gmbh|group)\b/i.test(n)) return false;
  const label = (domain.split('.')[0] ?? '').replace(/[^a-z0-9]/g, '');
  const words = n.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').split(/\s+/).map((w) => w.replace(/[^a-z0-9]/g, ''));
  return !words.some((w) => w.length >= 3 && label.includes(w));
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
  // "Liffey Pharmaceuticals HR <recruitment@liffeypharma.example>" names the company, not a person.
  const label = (domainOf(a.address).split('.')[0] ?? '').replace(/[^a-z0-9]/g, '');
  const key = first.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  if (key.length >= 3 && name.includes(' ') && label.includes(key) && !localPartOf(a.address).includes(key)) return null;
  return first;
}

export function formatAddress(a: Address): string {
  return a.name ? `${a.name} <${a.address}>` : a.address;
}
