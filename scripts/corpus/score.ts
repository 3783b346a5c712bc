/**
 * Scores the classifier on a labelled mailbox (an mbox plus labels.json in the shared corpus
 * format) through the product's own path: `offerwatch scan --json --all`, run in-process, so the
 * mail is split, parsed, threaded and classified exactly as users get it.
 */
import { readFileSync } from 'node:fs';
import { main } from '../../src/cli/main.js';
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
  awaiting: { precision: number; recall: number; f1: number };
  stale: { precision: number; recall: number };
  fields: { company: number; role: number; contactFirstName: number };
  mistakes: string[];
  summary: string;
}

function pr(pairs: [boolean, boolean][]): { precision: number; recall: number; f1: number } {
  const tp = pairs.filter(([p, l]) => p && l).length;
  const fp = pairs.filter(([p, l]) => p && !l).length;
  const fn = pairs.filter(([p, l]) => !p && l).length;
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp + fn ? tp / (tp + fn) : 1;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
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
    `awaiting-reply precision ${pct(s.awaiting.precision)} recall ${pct(s.awaiting.recall)} F1 ${s.awaiting.f1.toFixed(2)}`,
    `stale precision ${pct(s.stale.precision)} recall ${pct(s.stale.recall)}`,
    `company ${pct(s.fields.company)} role ${pct(s.fields.role)} contact ${pct(s.fields.contactFirstName)}`,
  ].join('; ');
  return s;
}

export interface Mailbox {
  mbox: string;
  labels: string;
  /** The owner's addresses, primary first. */
  me: string[];
  /** Reference time, ISO 8601. */
  now: string;
}

/** Runs `offerwatch --now NOW scan --source mbox:MBOX --me ME --json --all` and returns its verdicts. */
export async function scanVerdicts(box: Omit<Mailbox, 'labels'>): Promise<Scored[]> {
  let out = '';
  let err = '';
  const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t), env: { HOME: process.env.HOME } };
  const code = await main(['node', 'offerwatch', '--now', box.now, 'scan', '--source', `mbox:${box.mbox}`, '--me', box.me.join(','), '--json', '--all'], io);
  if (code !== 0) throw new Error(`scan of ${box.mbox} failed (exit ${code}): ${err.trim()}`);
  return JSON.parse(out) as Scored[];
}

/** Scans a labelled mailbox with the product and scores it against its labels. */
export async function scoreMailbox(box: Mailbox): Promise<Score> {
  return scoreVerdicts(await scanVerdicts(box), JSON.parse(readFileSync(box.labels, 'utf8')) as Label[]);
}
