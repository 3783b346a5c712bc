/** Text output of the CLI: the board, a thread's explanation, alerts and the review queue. */
import type { AlertData, Card, Offers, ProposalData, ThreadDetail, ThreadJson } from '../app/index.js';
import { STAGES } from '../model/types.js';
import { cleanText, humaniseDuration } from '../alerts/format.js';
import { terminalSafe } from '../util/text.js';
import { utcTime, type TimeFormat } from '../util/time.js';

/** Mail text on one terminal line: no escape sequences or control characters. */
const safe = (s: string | null | undefined, max = 200) => cleanText(s, max);

/** Options every human rendering takes: the owner's time format, colour (TTY, no NO_COLOR). */
export interface RenderOptions {
  time?: TimeFormat;
  color?: boolean;
}

/** An application or interview with no message for this long has gone quiet. */
export const QUIET_AFTER_MS = 21 * 86_400_000;

const SGR = { bold: '1', red: '31', yellow: '33', dim: '2', cyan: '36' } as const;
function paint(on: boolean | undefined, style: keyof typeof SGR, text: string): string {
  return on ? `\u001b[${SGR[style]}m${text}\u001b[0m` : text;
}

/** What the board's markers mean; printed under it. */
export const BOARD_LEGEND = 'legend: ! overdue · * waiting on you · z snoozed · d draft pending review · D draft saved in your mailbox · q gone quiet';

function title(v: ThreadJson): string {
  const who = v.company ? safe(v.company) : v.subject ? `"${safe(v.subject)}"` : '(no subject)';
  return v.role ? `${who} — ${safe(v.role)}` : who;
}

export interface BoardOptions extends RenderOptions {
  skipped?: number;
  /** True when nothing has been read into state yet. */
  empty?: boolean;
}

/** A thread on the board: a card from the service, or a bare thread (`scan`, which has no drafts). */
type BoardThread = ThreadJson & { draft?: Card['draft'] };

/** The board: grouped by stage in pipeline order, overdue threads first within each stage. */
export function renderBoard(threads: BoardThread[], now: Date, opts: BoardOptions = {}): string {
  const time = opts.time ?? utcTime;
  const c = opts.color;
  const lines: string[] = [];
  const overdue = threads.filter((v) => v.stale).length;
  const waiting = threads.filter((v) => v.awaitingReply).length;
  lines.push(`${threads.length} tracked threads · ${waiting} waiting on you · ${overdue} overdue (at ${time(now.toISOString())})`);
  for (const stage of [...STAGES, 'none'] as const) {
    const group = threads.filter((v) => v.stage === stage);
    if (group.length === 0) continue;
    group.sort((a, b) => Number(b.stale) - Number(a.stale) || Number(b.awaitingReply) - Number(a.awaitingReply) || (a.dueAt ?? '').localeCompare(b.dueAt ?? '') || b.lastMessageAt.localeCompare(a.lastMessageAt));
    lines.push('', paint(c, 'bold', `${stage.toUpperCase()} (${group.length})`));
    for (const v of group) lines.push(...card(v, now, time, c));
  }
  const marks = [threads.some((v) => v.uncertain) ? '? uncertain: check it (offerwatch explain), fix it with offerwatch correct' : null, threads.some((v) => v.corrected) ? '✓ corrected by you' : null].filter(Boolean);
  if (threads.length) lines.push('', [BOARD_LEGEND, ...marks].join(' · '));
  if (opts.skipped) lines.push('', `${opts.skipped} message(s) could not be read and were skipped (offerwatch status --failures lists them).`);
  if (opts.empty) lines.push('', 'The state is empty: run offerwatch once to read your mailbox.');
  return lines.join('\n');
}

/** Two or three lines per thread: markers and title; whom it waits on; snooze, draft, quiet. */
function card(v: BoardThread, now: Date, time: TimeFormat, c: boolean | undefined): string[] {
  const draft = v.draft && v.draft.status !== 'sent' ? v.draft : null;
  const quiet = (v.stage === 'applied' || v.stage === 'interviewing') && v.waitingOn !== 'you' && now.getTime() - Date.parse(v.lastMessageAt) >= QUIET_AFTER_MS;
  const mark = v.stale ? paint(c, 'red', '!') : v.awaitingReply ? paint(c, 'yellow', '*') : ' ';
  const doubt = v.uncertain ? '?' : v.corrected ? '✓' : ' ';
  const flags = `${v.snoozedUntil ? 'z' : ' '}${draft ? (draft.status === 'saved' ? 'D' : 'd') : ' '}${quiet ? 'q' : ' '}`;
  let wait: string;
  if (v.waitingOn === 'you') {
    const late = v.stale && v.dueAt ? paint(c, 'red', `OVERDUE by ${humaniseDuration(now.getTime() - Date.parse(v.dueAt))}`) : `due ${time(v.dueAt)}`;
    wait = `waiting on you since ${time(v.waitingSince)} · ${late}`;
  } else if (v.waitingOn === 'them') wait = `waiting on them since ${time(v.lastMessageAt)}`;
  else wait = `closed · last message ${time(v.lastMessageAt)}`;
  const notes: string[] = [];
  if (v.snoozedUntil) notes.push(`snoozed until ${time(v.snoozedUntil)}`);
  if (draft) notes.push(draft.status === 'saved' ? `draft #${draft.id} saved: ${safe(draft.location)}` : `draft #${draft.id} ${draft.status === 'saving' ? 'being saved' : 'pending'} (offerwatch drafts show ${draft.id})`);
  if (quiet) notes.push(`quiet for ${humaniseDuration(now.getTime() - Date.parse(v.lastMessageAt))}`);
  const out = [` ${mark}${doubt}${flags} ${paint(c, 'cyan', `${v.source}:${v.threadId}`)}  ${title(v)}`, `        ${wait}`];
  if (notes.length) out.push(`        ${paint(c, 'dim', notes.join(' · '))}`);
  return out;
}

export function renderExplain(t: ThreadDetail, now: Date, opts: RenderOptions = {}): string {
  const time = opts.time ?? utcTime;
  const v = { ...t.card, awaitingRule: t.awaitingRule, awaitingSentence: t.awaitingSentence };
  const history = t.history;
  const out = [`${v.source}:${v.threadId}  "${safe(v.subject)}"`, `stage: ${v.stage}${v.tags.length ? `  tags: ${v.tags.map((x) => safe(x)).join(', ')}` : ''}`];
  out.push(`company: ${safe(v.company) || '-'}  role: ${safe(v.role) || '-'}  contact: ${safe(v.contactFirstName) || '-'}`);
  if (history.length === 0) out.push('no rule set a stage: the thread is not about your job search');
  for (const h of history) {
    if (h.rule === 'corrected-by-you') out.push(`  ${time(h.date)}  ${h.from} → ${h.to}  corrected by you`);
    else out.push(`  ${time(h.date)}  ${h.from} → ${h.to}  by rule ${h.rule} (${h.origin})`);
    if (h.sentence) out.push(`      "${safe(h.sentence, 300)}"`);
  }
  if (v.corrected) {
    const parts = [v.corrected.stage !== null ? `stage ${v.corrected.stage} (the rules say ${v.corrected.rulesStage})` : null, v.corrected.noReplyNeeded ? 'no reply needed' : null].filter(Boolean);
    out.push(`corrected by you on ${time(v.corrected.at)}: ${parts.join('; ')} — kept until a new message changes what the rules say`);
  }
  if (v.uncertain) for (const r of v.uncertainReasons) out.push(`uncertain: ${safe(r, 300)}`);
  if (v.snoozedUntil) out.push(`snoozed until ${time(v.snoozedUntil)}; a new message or your reply ends the snooze`);
  if (v.awaitingReply) {
    out.push(`waiting on you since ${time(v.waitingSince)}; reply due ${time(v.dueAt)}${v.stale ? ` — overdue by ${humaniseDuration(now.getTime() - Date.parse(v.dueAt!))}` : ''}`);
    if (v.awaitingRule) out.push(`  asked by rule ${v.awaitingRule}${v.awaitingSentence ? `: "${safe(v.awaitingSentence, 300)}"` : ''}`);
  } else out.push(`waiting on ${v.waitingOn}`);
  return out.join('\n');
}

export function renderProposals(list: ProposalData[], opts: RenderOptions = {}): string {
  const time = opts.time ?? utcTime;
  if (list.length === 0) return 'No drafts waiting for review.';
  return list
    .map((p) => {
      const edit = p.needsEdit.length ? `  NEEDS YOUR EDIT: ${p.needsEdit.join('; ')}` : '';
      const where = p.status === 'saved' ? `  saved: ${safe(p.draftLocation)}` : p.status === 'sent' ? `  sent by you${p.sentAt ? ` (seen ${time(p.sentAt)})` : ''}` : '';
      const status = p.status === 'sent' ? 'sent by you' : p.status;
      return `#${p.id}  [${status}]  ${p.templateId}  ${p.source}:${p.threadId}  to ${p.to ? safe(p.to.address) : '(nobody yet)'}  "${safe(p.subject)}"${edit}${where}`;
    })
    .join('\n');
}

export function renderProposal(p: ProposalData): string {
  const head = [
    `Draft #${p.id} (${p.status === 'sent' ? 'sent by you' : p.status}) — ${p.decision}${p.reason ? ` (${p.reason})` : ''}, template ${p.templateId}${p.rule ? `, chosen by rule ${p.rule}` : ''}`,
    `To: ${p.to ? safe(p.to.name ? `${p.to.name} <${p.to.address}>` : p.to.address) : '(nobody yet: add a recipient)'}`,
    `Subject: ${safe(p.subject, 300)}`,
  ];
  if (p.needsEdit.length) head.push(`Needs your edit: ${p.needsEdit.join('; ')}`);
  return `${head.join('\n')}\n\n${terminalSafe(p.body)}`;
}

export function renderAlertRows(rows: AlertData[]): string {
  if (rows.length === 0) return 'No open alerts.';
  return rows.map((r) => `#${r.id}  ${r.source}:${r.threadId}  ${r.text}`).join('\n');
}

/** The offers side by side: one row per priority, one column per open offer, then totals. */
export function renderOffers(o: Offers): string {
  const lines: string[] = [];
  if (o.offers.length === 0) lines.push('No open offers.');
  const cols = o.offers.map((x) => safe(x.company ?? x.subject, 24));
  const w0 = Math.max(10, ...o.priorities.map((p) => p.name.length + 12));
  const cell = (s: string, i: number) => s.padEnd(Math.max(8, cols[i]!.length) + 2);
  lines.push(`${'priority (weight)'.padEnd(w0)}${cols.map((c, i) => cell(c, i)).join('')}`.trimEnd());
  for (const p of o.priorities) {
    const label = `${p.name} (${p.weight})${p.nonNegotiable ? ' !' : ''}`;
    lines.push(`${label.padEnd(w0)}${o.offers.map((x, i) => cell(x.scores[String(p.id)] === undefined ? '-' : String(x.scores[String(p.id)]), i)).join('')}`.trimEnd());
  }
  if (o.offers.length) {
    lines.push(`${'weighted total'.padEnd(w0)}${o.offers.map((x, i) => cell(x.total === null ? '-' : x.total.toFixed(1), i)).join('')}`.trimEnd());
    lines.push('');
    for (const x of o.offers) {
      const notes = [
        x.missed.length ? `non-negotiable missed: ${x.missed.join(', ')}` : '',
        x.negotiableGaps.length ? `negotiable gaps: ${x.negotiableGaps.join(', ')}` : '',
      ].filter(Boolean).join(' · ');
      const next = x.suggestion === 'decline' ? ` → offerwatch decide ${x.source}:${x.threadId} decline` : x.suggestion === 'negotiate' ? ` → offerwatch decide ${x.source}:${x.threadId} negotiate` : '';
      lines.push(`${x.source}:${x.threadId}  ${safe(x.company ?? x.subject)}${x.role ? ` — ${safe(x.role)}` : ''}: ${notes || (x.total === null ? 'not scored yet' : 'no gaps')}${next}`);
    }
  }
  lines.push('', `! = non-negotiable (at most ${o.maxNonNegotiable}); a score below ${o.gapBelow} is a gap. Scores are 0–10.`);
  return lines.join('\n');
}
