/** Text output of the CLI: the board, a thread's explanation, alerts and the review queue. */
import type { ThreadVerdict } from '../classify/classify.js';
import type { StageChange } from '../rules/engine.js';
import type { Proposal, AlertRow } from '../store/index.js';
import { STAGES } from '../model/types.js';
import { humaniseDuration } from '../alerts/format.js';

/** The JSON form of a thread used by `scan --json` and `status --json`. */
export function verdictJson(v: ThreadVerdict) {
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
    uncertain: v.uncertain ?? false, uncertainReasons: v.uncertainReasons,
    corrected: v.corrected ?? null,
  };
}

const short = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '-');

function title(v: ThreadVerdict): string {
  const who = v.company ?? (v.subject ? `"${v.subject}"` : '(no subject)');
  return v.role ? `${who} — ${v.role}` : who;
}

/** The board: grouped by stage in pipeline order, overdue threads first within each stage. */
export function renderBoard(verdicts: ThreadVerdict[], now: Date, opts: { skipped?: number } = {}): string {
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
      const doubt = v.uncertain ? '?' : v.corrected ? '✓' : ' ';
      let wait: string;
      if (v.waitingOn === 'you') {
        const late = v.stale && v.dueAt ? `OVERDUE by ${humaniseDuration(now.getTime() - Date.parse(v.dueAt))}` : `due ${short(v.dueAt)}`;
        wait = `waiting on you since ${short(v.waitingSince)} · ${late}`;
      } else if (v.waitingOn === 'them') wait = `waiting on them since ${short(v.lastMessageAt)}`;
      else wait = `closed · last message ${short(v.lastMessageAt)}`;
      lines.push(` ${mark}${doubt}${v.source}:${v.threadId}  ${title(v)}`);
      lines.push(`     ${wait}`);
    }
  }
  const marks = [verdicts.some((v) => v.uncertain) ? '? uncertain: check it (offerwatch explain), fix it with offerwatch correct' : null, verdicts.some((v) => v.corrected) ? '✓ corrected by you' : null].filter(Boolean);
  if (marks.length) lines.push('', marks.join(' · '));
  if (opts.skipped) lines.push('', `${opts.skipped} message(s) could not be read and were skipped (offerwatch status --failures lists them).`);
  return lines.join('\n');
}

export function renderExplain(v: ThreadVerdict, history: StageChange[], now: Date): string {
  const out = [`${v.source}:${v.threadId}  "${v.subject}"`, `stage: ${v.stage}${v.tags.length ? `  tags: ${v.tags.join(', ')}` : ''}`];
  out.push(`company: ${v.company ?? '-'}  role: ${v.role ?? '-'}  contact: ${v.contactFirstName ?? '-'}`);
  if (history.length === 0) out.push('no rule set a stage: the thread is not about your job search');
  for (const h of history) {
    if (h.rule === 'corrected-by-you') out.push(`  ${short(h.date)}  ${h.from} → ${h.to}  corrected by you`);
    else out.push(`  ${short(h.date)}  ${h.from} → ${h.to}  by rule ${h.rule} (${h.origin})`);
    if (h.sentence) out.push(`      "${h.sentence}"`);
  }
  if (v.corrected) {
    const parts = [v.corrected.stage !== null ? `stage ${v.corrected.stage} (the rules say ${v.corrected.rulesStage})` : null, v.corrected.noReplyNeeded ? 'no reply needed' : null].filter(Boolean);
    out.push(`corrected by you on ${short(v.corrected.at)}: ${parts.join('; ')} — kept until a new message changes what the rules say`);
  }
  if (v.uncertain) for (const r of v.uncertainReasons) out.push(`uncertain: ${r}`);
  if (v.awaitingReply) {
    out.push(`waiting on you since ${short(v.waitingSince)}; reply due ${short(v.dueAt)}${v.stale ? ` — overdue by ${humaniseDuration(now.getTime() - Date.parse(v.dueAt!))}` : ''}`);
    if (v.awaitingRule) out.push(`  asked by rule ${v.awaitingRule}${v.awaitingSentence ? `: "${v.awaitingSentence}"` : ''}`);
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
      return `#${p.id}  [${status}]  ${p.templateId}  ${p.source}:${p.threadId}  to ${p.to ? p.to.address : '(nobody yet)'}  "${p.subject}"${edit}${where}`;
    })
    .join('\n');
}

export function renderProposal(p: Proposal): string {
  const head = [
    `Draft #${p.id} (${p.status === 'sent' ? 'sent by you' : p.status}) — ${p.decision}${p.reason ? ` (${p.reason})` : ''}, template ${p.templateId}${p.rule ? `, chosen by rule ${p.rule}` : ''}`,
    `To: ${p.to ? (p.to.name ? `${p.to.name} <${p.to.address}>` : p.to.address) : '(nobody yet: add a recipient)'}`,
    `Subject: ${p.subject}`,
  ];
  if (p.needsEdit.length) head.push(`Needs your edit: ${p.needsEdit.join('; ')}`);
  return `${head.join('\n')}\n\n${p.body}`;
}

export function renderAlertRows(rows: { alert: AlertRow; text: string }[]): string {
  if (rows.length === 0) return 'No open alerts.';
  return rows.map((r) => `#${r.alert.id}  ${r.text}`).join('\n');
}
