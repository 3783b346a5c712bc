/** Scores verdicts against a labels.json in the shared corpus format. */
export interface Label {
  thread: string;
  subject: string;
  stage: string;
  awaitingReply: boolean | null;
  stale: boolean | null;
  company: string | null;
  role: string | null;
  contactFirstName: string | null;
  note?: string | null;
}

export interface Scored {
  threadId: string;
  stage: string;
  awaitingReply: boolean;
  stale: boolean;
  company: string | null;
  role: string | null;
  contactFirstName: string | null;
}

export interface Score {
  threads: number;
  stageAccuracy: number;
  awaiting: { precision: number; recall: number };
  stale: { precision: number; recall: number };
  fields: { company: number; role: number; contactFirstName: number };
  mistakes: string[];
  summary: string;
}

function pr(pairs: [boolean, boolean][]): { precision: number; recall: number } {
  const tp = pairs.filter(([p, l]) => p && l).length;
  const fp = pairs.filter(([p, l]) => p && !l).length;
  const fn = pairs.filter(([p, l]) => !p && l).length;
  return { precision: tp + fp ? tp / (tp + fp) : 1, recall: tp + fn ? tp / (tp + fn) : 1 };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function scoreVerdicts(verdicts: Scored[], labels: Label[]): Score {
  const byId = new Map(verdicts.map((v) => [v.threadId, v]));
  let stageOk = 0;
  const aw: [boolean, boolean][] = [];
  const st: [boolean, boolean][] = [];
  const mistakes: string[] = [];
  const fieldOk = { company: 0, role: 0, contactFirstName: 0 };
  let fieldN = 0;
  for (const l of labels) {
    const v = byId.get(l.thread) ?? { threadId: l.thread, stage: 'none', awaitingReply: false, stale: false, company: null, role: null, contactFirstName: null };
    if (v.stage === l.stage) stageOk++;
    else mistakes.push(`stage   ${l.thread} "${l.subject}": expected ${l.stage}, got ${v.stage}`);
    if (l.awaitingReply !== null) {
      aw.push([v.awaitingReply, l.awaitingReply]);
      if (v.awaitingReply !== l.awaitingReply) mistakes.push(`waiting ${l.thread} "${l.subject}": expected ${l.awaitingReply}, got ${v.awaitingReply}`);
    }
    if (l.stale !== null) st.push([v.stale, l.stale]);
    if (l.stage !== 'none') {
      fieldN++;
      for (const k of ['company', 'role', 'contactFirstName'] as const) {
        if ((v[k] ?? null) === (l[k] ?? null)) fieldOk[k]++;
        else mistakes.push(`${k.padEnd(7)} ${l.thread} "${l.subject}": expected ${l[k]}, got ${v[k]}`);
      }
    }
  }
  const s: Score = {
    threads: labels.length,
    stageAccuracy: stageOk / labels.length,
    awaiting: pr(aw),
    stale: pr(st),
    fields: { company: fieldOk.company / (fieldN || 1), role: fieldOk.role / (fieldN || 1), contactFirstName: fieldOk.contactFirstName / (fieldN || 1) },
    mistakes,
    summary: '',
  };
  s.summary = [
    `threads ${s.threads}`,
    `stage accuracy ${pct(s.stageAccuracy)}`,
    `awaiting-reply precision ${pct(s.awaiting.precision)} recall ${pct(s.awaiting.recall)}`,
    `stale precision ${pct(s.stale.precision)} recall ${pct(s.stale.recall)}`,
    `company ${pct(s.fields.company)} role ${pct(s.fields.role)} contact ${pct(s.fields.contactFirstName)}`,
  ].join('; ');
  return s;
}
