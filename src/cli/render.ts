/** Text output of the CLI: the board, a thread's explanation, alerts and the review queue. */
import type { ThreadVerdict } from '../classify/classify.js';
import type { StageChange } from '../rules/engine.js';
import type { Proposal, AlertRow } from '../store/index.js';
import { STAGES } from '../model/types.js';
import { cleanText, humaniseDuration } from '../alerts/format.js';
import { terminalSafe } from '../util/text.js';
import { utcTime, type TimeFormat } from '../util/time.js';

/** The JSON form of a thread used by `scan --json` and `status --json`. */
export function verdictJson(v: ThreadVerdict, snoozes?: ReadonlyMap<string, string>) {
  return {
    threadId: v.threadId,
    source: v.source,
    subject: v.subject,
    stage: v.stage,
    awaitingReply: v.awaitingReply,
    stale: v.stale,
    waitingOn: v.waitingOn,
    waitingSince: v.waitingSince,
    dueAt: v.dueAt,
    company: v.company,
    role: v.role,
    contactFirstName: v.contactFirstName,
    lastMessageAt: v.lastMessageAt,
    tags: v.tags,
    /** ISO 8601 UTC when the thread's snooze ends; null when not snoozed. */
    snoozedUntil: snoozes?.get(`${v.source}\0${v.threadId}`) ?? null,
    uncertain: v.uncertain ?? false, uncertainReasons: v.uncertainReasons,
    corrected: v.corrected ?? null,
  };
}

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

function title(v: ThreadVerdict): string {
  const who = v.company ? safe(v.company) : v.subject ? `"${safe(v.subject)}"` : '(no subject)';
  return v.role ? `${who} — ${safe(v.role)}` : who;
}

export interface BoardOptions extends RenderOptions {
  skipped?: number;
  snoozes?: ReadonlyMap<string, string>;
  /** The live (pending or saved) proposal of each thread, keyed `source\0threadId`. */
  proposals?: ReadonlyMap<string, Proposal>;
  /** True when nothing has been read into state yet. */
  empty?: boolean;
}

/** The board: grouped by stage in pipeline order, overdue threads first within each stage. */
export function renderBoard(verdicts: ThreadVerdict[], now: Date, opts: BoardOptions = {}): string {
  const time = opts.time ?? utcTime;
  const c = opts.color;
  const lines: string[] = [];
  const overdue = verdicts.filter((v) => v.stale).length;
  const waiting = verdicts.filter((v) => v.awaitingReply).length;
  lines.push(`${verdicts.length} tracked threads · ${waiting} waiting on you · ${overdue} overdue (at ${time(now.toISOString())})`);
  for (const stage of [...STAGES, 'none'] as const) {
    const group = verdicts.filter((v) => v.stage === stage);
    if (group.length === 0) continue;
    group.sort((a, b) => Number(b.stale) - Number(a.stale) || Number(b.awaitingReply) - Number(a.awaitingReply) || (a.dueAt ?? '').localeCompare(b.dueAt ?? '') || b.lastMessageAt.localeCompare(a.lastMessageAt));
    lines.push('', paint(c, 'bold', `${stage.toUpperCase()} (${group.length})`));
    for (const v of group) {
      const key = `${v.source}\0${v.threadId}`;
      const snoozed = opts.snoozes?.get(key);
      const proposal = opts.proposals?.get(key);
      const quiet = (v.stage === 'applied' || v.stage === 'interviewing') && v.waitingOn !== 'you' && now.getTime() - Date.parse(v.lastMessageAt) >= QUIET_AFTER_MS;
      const mark = v.stale ? paint(c, 'red', '!') : v.awaitingReply ? paint(c, 'yellow', '*') : ' ';
      const doubt = v.uncertain ? '?' : v.corrected ? '✓' : ' ';
      const flags = `${snoozed ? 'z' : ' '}${proposal ? (proposal.status === 'saved' ? 'D' : 'd') : ' '}${quiet ? 'q' : ' '}`;
      let wait: string;
      if (v.waitingOn === 'you') {
        const late = v.stale && v.dueAt ? paint(c, 'red', `OVERDUE by ${humaniseDuration(now.getTime() - Date.parse(v.dueAt))}`) : `due ${time(v.dueAt)}`;
        wait = `waiting on you since ${time(v.waitingSince)} · ${late}`;
      } else if (v.waitingOn === 'them') wait = `waiting on them since ${time(v.lastMessageAt)}`;
      else wait = `closed · last message ${time(v.lastMessageAt)}`;
      const notes: string[] = [];
      if (snoozed) notes.push(`snoozed until ${time(snoozed)}`);
      if (proposal) notes.push(proposal.status === 'saved' ? `draft #${proposal.id} saved: ${safe(proposal.draftLocation)}` : `draft #${proposal.id} pending (offerwatch drafts show ${proposal.id})`);
      if (quiet) notes.push(`quiet for ${humaniseDuration(now.getTime() - Date.parse(v.lastMessageAt))}`);
      lines.push(` ${mark}${doubt}${flags} ${paint(c, 'cyan', `${v.source}:${v.threadId}`)}  ${title(v)}`);
      lines.push(`        ${wait}`);
      if (notes.length) lines.push(`        ${paint(c, 'dim', notes.join(' · '))}`);
    }
  }
  const marks = [verdicts.some((v) => v.uncertain) ? '? uncertain: check it (offerwatch explain), fix it with offerwatch correct' : null, verdicts.some((v) => v.corrected) ? '✓ corrected by you' : null].filter(Boolean);
  if (verdicts.length) lines.push('', [BOARD_LEGEND, ...marks].join(' · '));
  if (opts.skipped) lines.push('', `${opts.skipped} message(s) could not be read and were skipped (offerwatch status --failures lists them).`);
  if (opts.empty) lines.push('', 'The state is empty: run offerwatch once to read your mailbox.');
  return lines.join('\n');
}

export function renderExplain(v: ThreadVerdict, history: StageChange[], now: Date, opts: RenderOptions = {}): string {
  const time = opts.time ?? utcTime;
  const out = [`${v.source}:${v.threadId}  "${safe(v.subject)}"`, `stage: ${v.stage}${v.tags.length ? `  tags: ${v.tags.map((t) => safe(t)).join(', ')}` : ''}`];
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
  if (v.uncertain) for (const r of v.uncertainReasons) out.push(`uncertain: ${r}`);
  if (v.awaitingReply) {
    out.push(`waiting on you since ${time(v.waitingSince)}; reply due ${time(v.dueAt)}${v.stale ? ` — overdue by ${humaniseDuration(now.getTime() - Date.parse(v.dueAt!))}` : ''}`);
    if (v.awaitingRule) out.push(`  asked by rule ${v.awaitingRule}${v.awaitingSentence ? `: "${safe(v.awaitingSentence, 300)}"` : ''}`);
  } else out.push(`waiting on ${v.waitingOn}`);
  return out.join('\n');
}

export function renderProposals(list: Proposal[]): string {
  if (list.length === 0) return 'No drafts waiting for review.';
  return list
    .map((p) => {
      const edit = p.needsEdit.length ? `  NEEDS YOUR EDIT: ${p.needsEdit.join('; ')}` : '';
      const where = p.status === 'saved' ? `  saved: ${p.draftLocation}` : p.status === 'sent' ? `  sent by you${p.sentAt ? ` (seen ${p.sentAt})` : ''}` : '';
      const status = p.status === 'sent' ? 'sent by you' : p.status;
      return `#${p.id}  [${status}]  ${p.templateId}  ${p.source}:${p.threadId}  to ${p.to ? safe(p.to.address) : '(nobody yet)'}  "${safe(p.subject)}"${edit}${where}`;
    })
    .join('\n');
}

export function renderProposal(p: Proposal): string {
  const head = [
    `Draft #${p.id} (${p.status === 'sent' ? 'sent by you' : p.status}) — ${p.decision}${p.reason ? ` (${p.reason})` : ''}, template ${p.templateId}${p.rule ? `, chosen by rule ${p.rule}` : ''}`,
    `To: ${p.to ? safe(p.to.name ? `${p.to.name} <${p.to.address}>` : p.to.address) : '(nobody yet: add a recipient)'}`,
    `Subject: ${safe(p.subject, 300)}`,
  ];
  if (p.needsEdit.length) head.push(`Needs your edit: ${p.needsEdit.join('; ')}`);
  return `${head.join('\n')}\n\n${terminalSafe(p.body)}`;
}

export function renderAlertRows(rows: { alert: AlertRow; text: string }[]): string {
  if (rows.length === 0) return 'No open alerts.';
  return rows.map((r) => `#${r.alert.id}  ${r.alert.source}:${r.alert.threadId}  ${r.text}`).join('\n');
}

/** The JSON form of an open alert (`alerts --json`): times are ISO 8601 UTC. */
export function alertJson(r: { alert: AlertRow; text: string }) {
  return { id: r.alert.id, source: r.alert.source, threadId: r.alert.threadId, stage: r.alert.stage, dueAt: r.alert.dueAt, raisedAt: r.alert.raisedAt, text: r.text };
}
