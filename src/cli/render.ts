/** Text output of the CLI: the board, a thread's explanation, alerts and the review queue. */
import type { ThreadVerdict } from '../classify/classify.js';
import type { StageChange } from '../rules/engine.js';
import type { Proposal, AlertRow } from '../store/index.js';
import { STAGES } from '../model/types.js';
import { cleanText, humaniseDuration } from '../alerts/format.js';
import { terminalSafe } from '../util/text.js';

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
  };
}

const short = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '-');

/** Mail text on one terminal line: no escape sequences or control characters. */
const safe = (s: string | null | undefined, max = 200) => cleanText(s, max);

function title(v: ThreadVerdict): string {
  const who = v.company ? safe(v.company) : v.subject ? `"${safe(v.subject)}"` : '(no subject)';
  return v.role ? `${who} — ${safe(v.role)}` : who;
}

/** The board: grouped by stage in pipeline order, overdue threads first within each stage. */
export function renderBoard(verdicts: ThreadVerdict[], now: Date, opts: { skipped?: number; snoozes?: ReadonlyMap<string, string> } = {}): string {
  const lines: string[] = [];
  const overdue = verdicts.filter((v) => v.stale).length;
  const waiting = verdicts.filter((v) => v.awaitingReply).length;
  lines.push(`${verdicts.length} tracked threads · ${waiting} waiting on you · ${overdue} overdue (at ${now.toISOString()})`);
  for (const stage of [...STAGES, 'none'] as const) {
    const group = verdicts.filter((v) => v.stage === stage);
    if (group.length === 0) continue;
    group.sort((a, b) => Number(b.stale) - Number(a.stale) || Number(b.awaitingReply) - Number(a.awaitingReply) || (a.dueAt ?? '').localeCompare(b.dueAt ?? '') || b.lastMessageAt.localeCompare(a.lastMessageAt));
    lines.push('', `${stage.toUpperCase()} (${group.length})`);
    for (const v of group) {
      const mark = v.stale ? '!' : v.awaitingReply ? '*' : ' ';
      let wait: string;
      if (v.waitingOn === 'you') {
        const late = v.stale && v.dueAt ? `OVERDUE by ${humaniseDuration(now.getTime() - Date.parse(v.dueAt))}` : `due ${short(v.dueAt)}`;
        wait = `waiting on you since ${short(v.waitingSince)} · ${late}`;
      } else if (v.waitingOn === 'them') wait = `waiting on them since ${short(v.lastMessageAt)}`;
      else wait = `closed · last message ${short(v.lastMessageAt)}`;
      lines.push(` ${mark} ${v.source}:${v.threadId}  ${title(v)}`);
      const snoozed = opts.snoozes?.get(`${v.source}\0${v.threadId}`);
      lines.push(`     ${wait}${snoozed ? ` · snoozed until ${short(snoozed)}` : ''}`);
    }
  }
  if (opts.skipped) lines.push('', `${opts.skipped} message(s) could not be read and were skipped (offerwatch status --failures lists them).`);
  return lines.join('\n');
}

export function renderExplain(v: ThreadVerdict, history: StageChange[], now: Date): string {
  const out = [`${v.source}:${v.threadId}  "${safe(v.subject)}"`, `stage: ${v.stage}${v.tags.length ? `  tags: ${v.tags.map((t) => safe(t)).join(', ')}` : ''}`];
  out.push(`company: ${safe(v.company) || '-'}  role: ${safe(v.role) || '-'}  contact: ${safe(v.contactFirstName) || '-'}`);
  if (history.length === 0) out.push('no rule set a stage: the thread is not about your job search');
  for (const h of history) {
    out.push(`  ${short(h.date)}  ${h.from} → ${h.to}  by rule ${h.rule} (${h.origin})`);
    if (h.sentence) out.push(`      "${safe(h.sentence, 300)}"`);
  }
  if (v.awaitingReply) {
    out.push(`waiting on you since ${short(v.waitingSince)}; reply due ${short(v.dueAt)}${v.stale ? ` — overdue by ${humaniseDuration(now.getTime() - Date.parse(v.dueAt!))}` : ''}`);
    if (v.awaitingRule) out.push(`  asked by rule ${v.awaitingRule}${v.awaitingSentence ? `: "${safe(v.awaitingSentence, 300)}"` : ''}`);
  } else out.push(`waiting on ${v.waitingOn}`);
  return out.join('\n');
}

export function renderProposals(list: Proposal[]): string {
  if (list.length === 0) return 'No drafts waiting for review.';
  return list
    .map((p) => {
      const edit = p.needsEdit.length ? `  NEEDS YOUR EDIT: ${p.needsEdit.join('; ')}` : '';
      const where = p.status === 'saved' ? `  saved: ${p.draftLocation}` : '';
      return `#${p.id}  [${p.status}]  ${p.templateId}  ${p.source}:${p.threadId}  to ${p.to ? safe(p.to.address) : '(nobody yet)'}  "${safe(p.subject)}"${edit}${where}`;
    })
    .join('\n');
}

export function renderProposal(p: Proposal): string {
  const head = [
    `Draft #${p.id} (${p.status}) — ${p.decision}${p.reason ? ` (${p.reason})` : ''}, template ${p.templateId}${p.rule ? `, chosen by rule ${p.rule}` : ''}`,
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
