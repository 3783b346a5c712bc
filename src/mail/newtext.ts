/**
 * What a message adds to its thread: the decoded text minus quoted history
 * (">" lines, "On … wrote:" blocks, Outlook header blocks), signatures and
 * "Sent from my phone" lines. Conservative: when stripping would leave nothing,
 * the whole text is returned instead.
 */

/** Opening words of reply attributions, by language. */
const ATTRIBUTION_START = /^(on|le|am|el|op|il|em|den|w dniu|dne)\s/i;
/** The whole attribution (possibly joined from two lines). */
const ATTRIBUTION = [
  /^on\s.{4,300}\bwrote\s*:$/i,
  /^le\s.{4,300}\ba\s+écrit\s*:$/i,
  /^am\s.{4,300}\bschrieb\b.{0,200}:$/i,
  /^el\s.{4,300}\bescribió\s*:$/i,
  /^op\s.{4,300}\bschreef\b.{0,200}:$/i,
  /^il\s.{4,300}\bha scritto\s*:$/i,
  /^em\s.{4,300}\bescreveu\s*:$/i,
];
/** Attribution lines some clients write without the opening word ("Abby <a@x> wrote:"). */
const LOOSE_ATTRIBUTION = /^.{0,120}<[^<>\s]+@[^<>\s]+>\s*(wrote|a écrit|schrieb|escribió)\s*:$/i;

/** Any line ending like an attribution; trusted only when quoted lines follow it. */
const ATTRIBUTION_END = /(\bwrote|a\s+écrit|\bschrieb|escribió|ha scritto|\bschreef|escreveu)\s*:\s*$/i;

const ORIGINAL_MESSAGE =
  /^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|originalnachricht)\s*-{2,}\s*$/i;
const FORWARD_MARKER = /^\s*-{2,}\s*(forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado)\s*-{2,}\s*$|^\s*begin forwarded message:\s*$/i;
const UNDERSCORES = /^\s*_{8,}\s*$/;

const HDR_FROM = /^\s*\*?(from|de|von|van|da)\s*:\*?\s*\S/i;
const HDR_SENT = /^\s*\*?(sent|date|envoyé|gesendet|datum|enviado|fecha|inviato|verzonden)\s*:\*?\s*\S/i;
const HDR_SUBJECT = /^\s*\*?(subject|objet|betreff|asunto|oggetto|onderwerp)\s*:\*?/i;
const HDR_ANY = /^\s*\*?(to|cc|à|an|para|a|aan|reply-to)\s*:\*?/i;

const SIG_DELIMITER = /^--\s?$/;
const MOBILE_LINE =
  /^\s*(sent from my [\w\s'-]{1,40}|sent from (mail|outlook|yahoo mail|gmail|proton mail|protonmail)( for [\w\s]{1,30})?|get outlook for (ios|android)|sent via [\w\s.]{1,30}|sent from my mobile( device)?|envoyé de mon [\w\s'-]{1,30}|von meinem [\w\s'-]{1,30} gesendet|enviado desde mi [\w\s'-]{1,30}|inviato da [\w\s'-]{1,30})\.?\s*$/i;

/** A `>` line is quoted history, except `>From ` (an mbox writer's escape of a body line). */
function isQuoted(line: string): boolean {
  return /^\s*>/.test(line) && !/^>From /.test(line);
}

function isAttribution(s: string): boolean {
  const t = s.replace(/\s+/g, ' ').trim();
  if (t.length > 400) return false;
  return ATTRIBUTION.some((re) => re.test(t)) || LOOSE_ATTRIBUTION.test(t);
}

/** Number of lines (1 or 2, or 3 for badly wrapped ones) the attribution at `i` takes; 0 if none. */
function attributionAt(lines: string[], i: number): number {
  const l0 = lines[i].trim();
  if (l0 === '') return 0;
  if (isAttribution(l0)) return 1;
  if (!ATTRIBUTION_START.test(l0) && !/^.{0,120}<[^<>\s]*$/.test(l0)) return 0;
  let joined = l0;
  for (let n = 1; n <= 2 && i + n < lines.length; n++) {
    const next = lines[i + n].trim();
    if (next === '' || isQuoted(lines[i + n])) return 0;
    joined += ' ' + next;
    if (isAttribution(joined)) return n + 1;
  }
  return 0;
}

/** True when an Outlook-style header block ("From: … Sent: … Subject: …") starts at `i`. */
function headerBlockAt(lines: string[], i: number): boolean {
  if (!HDR_FROM.test(lines[i])) return false;
  let sent = false;
  let subject = false;
  for (let j = i + 1; j < Math.min(lines.length, i + 8); j++) {
    const l = lines[j];
    if (l.trim() === '') {
      if (sent && subject) return true;
      continue;
    }
    if (HDR_SENT.test(l)) sent = true;
    else if (HDR_SUBJECT.test(l)) subject = true;
    else if (!HDR_ANY.test(l) && !/^\s+\S/.test(l)) break;
    if (sent && subject) return true;
  }
  return sent && subject;
}

function nextNonBlank(lines: string[], i: number): number {
  let j = i;
  while (j < lines.length && lines[j].trim() === '') j++;
  return j;
}

function collapse(lines: string[]): string {
  return lines
    .join('\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function extractNewText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let forwarding = false;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (FORWARD_MARKER.test(line)) {
      // A forward's content is what the message adds: keep the rest as it is.
      forwarding = true;
      out.push(...lines.slice(i));
      break;
    }
    const attr = attributionAt(lines, i);
    if (attr > 0) {
      const j = nextNonBlank(lines, i + attr);
      if (j < lines.length && isQuoted(lines[j])) {
        i += attr; // the ">" lines that follow are dropped one by one
        continue;
      }
      break; // unmarked history follows the attribution
    }
    if (ATTRIBUTION_END.test(line) && line.trim().length <= 300) {
      const j = nextNonBlank(lines, i + 1);
      if (j < lines.length && isQuoted(lines[j])) {
        i++;
        continue;
      }
    }
    if (ORIGINAL_MESSAGE.test(line)) break;
    if (UNDERSCORES.test(line)) {
      const j = nextNonBlank(lines, i + 1);
      if (j < lines.length && headerBlockAt(lines, j)) break;
      i++;
      continue;
    }
    if (headerBlockAt(lines, i)) break;
    if (SIG_DELIMITER.test(line)) break;
    if (isQuoted(line) || MOBILE_LINE.test(line)) {
      i++;
      continue;
    }
    out.push(line);
    i++;
  }
  const result = collapse(out);
  if (result !== '' || forwarding) return result;
  return collapse(lines);
}
