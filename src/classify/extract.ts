/**
 * Pulls the facts a reply needs out of a thread: hiring company, role, the human contact's
 * first name, and an offered base salary. Heuristics over the normalised text; each returns
 * null rather than guess wildly.
 */
import type { MailThread, ThreadMessage } from '../model/types.js';
import { domainOf, firstNameOf, isRobotAddress, localPartOf } from '../mail/addresses.js';

export interface ThreadFacts {
  company: string | null;
  role: string | null;
  contactFirstName: string | null;
  baseSalary: number | null;
}

const FREE_MAIL = /^(gmail|googlemail|yahoo|outlook|hotmail|live|icloud|me|aol|proton|protonmail|gmx|mail|postbox|fastmail|hey|zoho|yandex)\./;
/** Third parties that send on a company's behalf: their names are never the company. */
const PLATFORM_WORDS = /^(linkedin|indeed|glassdoor|greenhouse|lever|ashby|ashbyhq|workday|myworkday|smartrecruiters|icims|bamboohr|workable|workablemail|jobvite|teamtailor|personio|recruitee|breezy|jazzhr|docusign|hellosign|dropbox|signwell|adobesign|pandadoc|zcal|calendly|goodtime|modernloop|gem|wellfound|angellist|hired|dice|monster|ziprecruiter|otta|welcometothejungle|google|microsoft|zoom|mail|email|app|hire|jobs|careers|notifications|us|eu|eu1|wd1|wd3|wd5|dropboxsign|docusign|adobe|hire|talent|recruiting|rippling|behance|dribbble|pinpoint|pinpointhq|successfactors|taleo|oracle|oraclecloud|greenhousemail)$/;
const ORG_SUFFIX = /\s+(recruiting|recruitment|careers?|talent( acquisition| team)?|hiring( team)?|jobs|hr|people( team| ops)?|team|notifications?)$/i;
const AGENCY = /\b(talent|recruit\w*|staffing|search|partners|consult\w*|associates|resourcing|headhunt\w*)$/i;
const JOB_NOUN = /\b(engineer|scientist|analyst|manager|developer|designer|lead|director|architect|researcher|specialist|consultant|head|officer|administrator|coordinator|associate|intern|principal|scientifique|ingénieur|entwickler|programmer|strategist|writer|editor|accountant|advisor|partner|recruiter|nurse|teacher|technician|owner|vp|president)\b/i;

const CAP_WORD = "\\p{Lu}[\\p{L}\\p{N}'’&-]*(?:\\.\\p{L}[\\p{L}\\p{N}'’&-]*)*";
const LEGAL_SUFFIX = /(?:\s+(?:pvt|private|ltd|limited|inc|llc|llp|plc|gmbh|ag|as|asa|ab|bv|nv|sa|sas|srl|pty|corp|corporation|co|company)\.?)+$/i;
const CAP_SEQ = new RegExp(`${CAP_WORD}(?:[ ](?:(?:of|and|&|de|du|des|la|le|for|the)[ ])?${CAP_WORD}){0,4}`, 'gu');

export function extractFacts(thread: MailThread): ThreadFacts {
  const inbound = thread.messages.filter((m) => m.direction === 'in');
  return {
    company: findCompany(thread, inbound),
    role: findRole(thread.messages),
    contactFirstName: findContact(thread, inbound),
    baseSalary: findBaseSalary(inbound),
  };
}

function squash(s: string): string {
  return s.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/['’]s\b/g, '').replace(/[^a-z0-9]/g, '');
}

function cleanName(s: string): string {
  return s.replace(/['’]s$/u, '').replace(/[.,:;-]+$/u, '').trim();
}

/** Keys that name the company: sender domains, ATS subdomains and sender names. */
function companyKeys(inbound: ThreadMessage[], owner: ThreadMessage[]): string[] {
  const keys: string[] = [];
  const add = (k: string) => {
    const s = squash(k);
    if (s.length >= 3 && !PLATFORM_WORDS.test(s) && !keys.includes(s)) keys.push(s);
  };
  for (const m of [...inbound].reverse()) {
    for (const a of [m.from, ...m.replyTo]) {
      if (!a?.address) continue;
      const domain = domainOf(a.address);
      if (FREE_MAIL.test(domain)) continue;
      const labels = domain.split('.');
      if (labels.length > 2) for (const l of labels.slice(0, -2)) add(l);
      else if (labels[0] && !PLATFORM_WORDS.test(labels[0]) && !/greenhouse-mail|workablemail|ashbyhq|smartrecruiters/.test(domain)) add(labels[0]);
      if (/myworkday|icims|smartrecruiters/.test(domain)) add(localPartOf(a.address));
    }
  }
  for (const m of owner) for (const a of m.to) {
    const d = domainOf(a.address);
    if (d && !FREE_MAIL.test(d)) add(d.split('.')[0]!);
  }
  return keys;
}

function capitalisedRuns(text: string): string[] {
  return [...text.matchAll(CAP_SEQ)].map((m) => cleanName(m[0]));
}

function findCompany(thread: MailThread, inbound: ThreadMessage[]): string | null {
  const outbound = thread.messages.filter((m) => m.direction === 'out');
  const corpus = thread.messages.map((m) => `${m.subject}\n${m.from?.name ?? ''}\n${m.text}`).join('\n');
  const runs = capitalisedRuns(corpus);
  // Names of the people in the thread: never a company ("a call with Nadia Bello").
  const people = new Set(thread.messages.flatMap((m) => [m.from, ...m.to, ...m.cc, ...m.replyTo]).filter((a) => firstNameOf(a)).map((a) => squash(a!.name!)));
  // The longest run (legal and team suffixes dropped) whose squashed form starts with the key.
  const byKey = (key: string): string | null => {
    let best: string | null = null;
    for (const r of runs) {
      const words = r.split(' ');
      for (let start = 0; start < words.length; start++) {
        for (let end = words.length; end > start; end--) {
          const cand = cleanName(words.slice(start, end).join(' ')).replace(LEGAL_SUFFIX, '').replace(ORG_SUFFIX, '');
          const s = squash(cand);
          if (s.startsWith(key) && s.length - key.length <= 14 && end - start <= 4 && (!best || cand.length > best.length)) best = cand;
        }
      }
    }
    return best;
  };
  let found: string | null = null;
  for (const key of companyKeys(inbound, outbound)) {
    found = byKey(key);
    if (found) break;
  }
  if (!found) {
    // Robot senders name the company in their display name: "Acme Recruiting", "Acme via DocuSign".
    for (const m of inbound) {
      const name = m.from?.name?.replace(/\s+via\s+.*$/i, '').replace(ORG_SUFFIX, '').trim();
      if (name && !PLATFORM_WORDS.test(squash(name)) && /^\p{Lu}/u.test(name) && !firstNameOf(m.from)) { found = name; break; }
    }
  }
  if (!found) found = fromPatterns(thread.messages.map((m) => m.subject).join('\n')) ?? fromPatterns(corpus);
  if (found) found = found.replace(LEGAL_SUFFIX, '');
  if (found && isAgency(found, runs)) {
    // An agency writes for a client: prefer the client when the thread names one.
    const text = thread.messages.map((m) => `${m.subject}\n${m.newText}`).join('\n');
    const client = clientOf(text, squash(found));
    if (client) found = byKey(squash(client)) ?? client;
  }
  if (found && people.has(squash(found))) found = null;
  return found;
}

/** True when the name, as written anywhere in the thread, is a recruitment agency's. */
function isAgency(name: string, runs: string[]): boolean {
  const agencyName = (r: string) => AGENCY.test(r) && !/\b(acquisition|team|partner)$/i.test(r);
  return agencyName(name) || runs.some((r) => r.startsWith(`${name} `) && r.split(' ').length === name.split(' ').length + 1 && agencyName(r));
}

const CLIENT_PATTERNS = [
  /\bClient\s*:\s*(\p{Lu}[\p{L}\p{N}&'’-]*(?: (?:&|and|of) | \p{Lu}[\p{L}\p{N}&'’-]*){0,4})/u,
  /\b(?:on behalf of|our client,?|my client,?|for our client,?)\s+(\p{Lu}[\p{L}\p{N}&'’-]*(?: (?:&|and|of) | \p{Lu}[\p{L}\p{N}&'’-]*){0,4})/u,
  /\b(?:the|this) (\p{Lu}[\p{L}\p{N}&'’-]*(?: (?:&|and|of) | \p{Lu}[\p{L}\p{N}&'’-]*){0,3}) (?:offer|role|position|process|opportunity|team|interview)\b/u,
  /(?:^|[|] )(\p{Lu}[\p{L}\p{N}&'’-]*(?: (?:&|and|of) | \p{Lu}[\p{L}\p{N}&'’-]*){0,3}) (?:have|has|would|wants|loved|are keen|were)\b/mu,
  /[|] (\p{Lu}[\p{L}\p{N}&'’-]*(?: (?:&|and|of) | \p{Lu}[\p{L}\p{N}&'’-]*){0,3}) [|]/u,
];

function clientOf(text: string, agency: string): string | null {
  for (const re of CLIENT_PATTERNS) {
    for (const m of text.matchAll(new RegExp(re.source, `${re.flags}g`))) {
      const cand = cleanName(m[1]!).replace(LEGAL_SUFFIX, '');
      const s = squash(cand);
      if (s.length < 3 || s.startsWith(agency) || agency.startsWith(s) || PLATFORM_WORDS.test(s) || JOB_NOUN.test(cand)) continue;
      if (/^(the|our|your|this|we|i|hi|hello|dear|thanks|thank|re|fwd|senior|junior|lead|remote|hybrid)$/i.test(cand.split(' ')[0]!)) continue;
      return cand;
    }
  }
  return null;
}

const COMPANY_PATTERNS = [
  /(?:application (?:was sent )?to|applying (?:to|at)|interview(?:ing)? (?:with|at)|offer (?:from|to join)|join(?:ing)?|welcome to|at|with|from) (\p{Lu}[\p{L}\p{N}&'’-]*(?: \p{Lu}[\p{L}\p{N}&'’-]*){0,3})/u,
  /(?:^|["“])(\p{Lu}[\p{L}\p{N}&'’-]*(?: \p{Lu}[\p{L}\p{N}&'’-]*){0,3}) (?:wants|would like|loved|is hiring|has reviewed|-|–|\||:)/mu,
];

function fromPatterns(text: string, exclude?: string): string | null {
  for (const re of COMPANY_PATTERNS) {
    const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
    for (const m of text.matchAll(g)) {
      const cand = cleanName(m[1]!);
      const s = squash(cand);
      if (s.length < 3 || PLATFORM_WORDS.test(s) || (exclude && s.startsWith(exclude)) || JOB_NOUN.test(cand)) continue;
      if (/^(the|our|your|this|we|i|hi|hello|dear|thanks|thank|re|fwd|mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|january|february|march|april|may|june|july|august|september|october|november|december)$/i.test(cand.split(' ')[0]!)) continue;
      return cand;
    }
  }
  return null;
}

const ROLE_WORD = "(?:\\p{Lu}[\\p{L}\\p{N}'’/&+.-]*|II|III|IV|of|and|&|de|des|du|la|le|en|in|for|principal\\(e\\)|de données)";
const ROLE_SEQ = `${ROLE_WORD}(?:[ ]${ROLE_WORD}){0,7}(?:,[ ]\\p{Lu}[\\p{L}'’&-]*(?:[ ]\\p{Lu}[\\p{L}'’&-]*){0,3})?(?:[ ]\\([^()\\n\\d]{1,16}\\))?`;
const ROLE_PATTERNS: RegExp[] = [
  new RegExp(`(?:Position|Role|Title|Job title|Poste|What)\\s*:\\s*(?:Hiring manager interview - )?(${ROLE_SEQ})`, 'u'),
  new RegExp(`(?:application|applying|applied) (?:for|to)(?: the)?(?: position of)? (${ROLE_SEQ})`, 'u'),
  new RegExp(`(?:offer(?: you)?|join(?: us)?|hire you)(?: the| our)?(?: \\p{Lu}[\\p{L}]+ team)? (?:as|for)(?: an?| the| our)? (${ROLE_SEQ})`, 'u'),
  new RegExp(`(?:[Ff]or|offer you|offrons le poste de|poste de|interview for) (?:the |our |a |an )?(${ROLE_SEQ}) (?:role|position|opening|job|poste)`, 'u'),
  new RegExp(`join \\p{Lu}[\\p{L}\\p{N}&' -]{0,40}? as (?:an? |the |our )?(${ROLE_SEQ})`, 'u'),
  new RegExp(`(?:^|[-–|:] )(?:[\\p{L} -]{0,30} )?(?:for|as) (?:the |a |an |our )?(${ROLE_SEQ})$`, 'mu'),
  new RegExp(`(?:the|our|your|a|an) (${ROLE_SEQ}) (?:role|position|opening|process|offer|search)`, 'u'),
  new RegExp(`^(?:Offer|Offre d'emploi|Interview|Application)\\s*[:\\-–]\\s*(${ROLE_SEQ})`, 'mu'),
  new RegExp(`(?:^|[|\\-–:] )(${ROLE_SEQ})(?: \\((?:[A-Z]{1,4}-?\\d+|JR\\d+)\\)| offer)`, 'mu'),
  new RegExp(`^(${ROLE_SEQ})$`, 'mu'),
];

/** The fullest form of the job title the thread states: the longest valid match of any pattern. */
function findRole(messages: ThreadMessage[]): string | null {
  return findRoleInText(messages) ?? roleFromSubject(messages[0]?.subject ?? '');
}

/** Subject words that name the mail, not the job. */
const SUBJECT_NOISE = /\b(interview|invitation|application|applied|offer|update|outcome|confirmation|confirmed|next steps?|thank|thanks|round|letter|status|reminder|booking|submission|decision|withdraw\w*|reference|request|your|welcome|shortlisted|ref)\b/i;

/**
 * "Interview Call Letter - Manager - Demand Planning - Veridian Logistics": the job title is the
 * subject segment (split at " - ", en dashes, ":" and "|") holding a job noun; a bare noun such as
 * "Manager" or "Lead" takes the next segment with it ("Manager - Demand Planning").
 */
function roleFromSubject(subject: string): string | null {
  const segs = subject.replace(/^\s*((re|fwd?|aw|wg|tr|rv)\s*:\s*)+/i, '').split(/\s+[-–—|]\s+|:\s+/).map((x) => x.trim()).filter(Boolean);
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!.replace(/\s*\((?:[A-Z]{1,4}-?\d+|REF[^)]*|[^)]*\d[^)]*)\)\s*$/, '').trim();
    if (!JOB_NOUN.test(seg) || SUBJECT_NOISE.test(seg) || seg.split(' ').length > 6 || !/^\p{Lu}/u.test(seg)) continue;
    const next = segs[i + 1];
    if (/^\p{Lu}[\p{L}]+$/u.test(seg) && next && !JOB_NOUN.test(next) && !SUBJECT_NOISE.test(next) && next.split(' ').length <= 3 && !/\b(pvt|ltd|inc|gmbh|llc|plc)\b/i.test(next)) return `${seg} - ${next}`;
    return seg;
  }
  return null;
}

function findRoleInText(messages: ThreadMessage[]): string | null {
  const texts = messages.flatMap((m) => [m.subject, m.newText]);
  let best: string | null = null;
  for (const re of ROLE_PATTERNS) {
    for (const t of texts) {
      const m = re.exec(t);
      if (!m) continue;
      const cand = trimRole(m[1]!);
      if (cand && JOB_NOUN.test(cand) && cand.split(' ').length <= 10 && (!best || cand.length > best.length)) best = cand;
    }
  }
  return best;
}

function trimRole(s: string): string | null {
  let r = s.replace(/\s+(at|with|for|in|role|position|team)$/i, '').trim();
  r = r.replace(/^(?:Senior|Staff|Lead|Principal)?\s*$/, '');
  r = r.replace(/[.,:;]+$/, '');
  return r || null;
}

function findContact(thread: MailThread, inbound: ThreadMessage[]): string | null {
  for (const m of [...inbound].reverse()) {
    const n = firstNameOf(m.from);
    if (n) return n;
    for (const r of m.replyTo) {
      const rn = firstNameOf(r);
      if (rn) return rn;
    }
  }
  for (const m of [...thread.messages].reverse()) {
    if (m.direction !== 'out') continue;
    for (const a of m.to) {
      if (isRobotAddress(a)) continue;
      const n = firstNameOf(a);
      if (n) return n;
    }
  }
  return null;
}

const MONEY = /(?:[$£€]\s?(\d{2,3}(?:[,.]\d{3})+|\d{2,3}(?:\.\d+)?\s?[kK])\b|(\d{2,3}(?:[ ,.]\d{3})+)\s?(?:\$|€|£|CAD|USD|EUR|GBP))/gu;

function findBaseSalary(inbound: ThreadMessage[]): number | null {
  for (const m of [...inbound].reverse()) {
    for (const line of m.newText.split(/\n|(?<=[.;])\s/)) {
      if (!/\b(base|salary|salaire|gehalt|annual)\b/i.test(line)) continue;
      for (const mm of line.matchAll(MONEY)) {
        const raw = (mm[1] ?? mm[2] ?? '').replace(/\s/g, '');
        const n = /k$/i.test(raw) ? Number(raw.slice(0, -1)) * 1000 : Number(raw.replace(/[,. ]/g, ''));
        if (Number.isFinite(n) && n >= 10_000) return n;
      }
    }
  }
  return null;
}
