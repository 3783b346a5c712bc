/** Text output of the CLI: the board, a thread's explanation, alerts and the review queue. */
import type { AlertData, Offers, ProposalData, ThreadDetail, ThreadJson } from '../app/index.js';
import { STAGES } from '../model/types.js';
import { humaniseDuration } from '../alerts/format.js';

const short = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '-');

function title(v: ThreadJson): string {
  const who = v.company ?? (v.subject ? `"${v.subject}"` : '(no subject)');
  return v.role ? `${who} — ${v.role}` : who;
}

/** The board: grouped by stage in pipeline order, overdue threads first within each stage. */
export function renderBoard(verdicts: ThreadJson[], now: Date, opts: { skipped?: number } = {}): string {
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

export function renderExplain(t: ThreadDetail, now: Date): string {
  const v = { ...t.card, awaitingRule: t.awaitingRule, awaitingSentence: t.awaitingSentence };
  const history = t.history;
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

export function renderProposals(list: ProposalData[]): string {
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

export function renderProposal(p: ProposalData): string {
  const head = [
    `Draft #${p.id} (${p.status === 'sent' ? 'sent by you' : p.status}) — ${p.decision}${p.reason ? ` (${p.reason})` : ''}, template ${p.templateId}${p.rule ? `, chosen by rule ${p.rule}` : ''}`,
    `To: ${p.to ? (p.to.name ? `${p.to.name} <${p.to.address}>` : p.to.address) : '(nobody yet: add a recipient)'}`,
    `Subject: ${p.subject}`,
  ];
  if (p.needsEdit.length) head.push(`Needs your edit: ${p.needsEdit.join('; ')}`);
  return `${head.join('\n')}\n\n${p.body}`;
}

export function renderAlertRows(rows: AlertData[]): string {
  if (rows.length === 0) return 'No open alerts.';
  return rows.map((r) => `#${r.id}  ${r.text}`).join('\n');
}

/** The offers side by side: one row per priority, one column per open offer, then totals. */
export function renderOffers(o: Offers): string {
  const lines: string[] = [];
  if (o.offers.length === 0) lines.push('No open offers.');
  const cols = o.offers.map((x) => `${x.company ?? x.subject}`.slice(0, 24));
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
      lines.push(`${x.source}:${x.threadId}  ${x.company ?? x.subject}${x.role ? ` — ${x.role}` : ''}: ${notes || (x.total === null ? 'not scored yet' : 'no gaps')}${next}`);
    }
  }
  lines.push('', `! = non-negotiable (at most ${o.maxNonNegotiable}); a score below ${o.gapBelow} is a gap. Scores are 0–10.`);
  return lines.join('\n');
}
