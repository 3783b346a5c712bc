/**
 * The application layer: every operation a front end (the CLI, the web page) may perform, each
 * returning data described by a schema in ./schemas.ts. Front ends call this and nothing else;
 * this is the only place that reaches into the pipeline and the store on their behalf.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Store, ThreadRef, Proposal, AlertRow } from '../store/index.js';
import type { Decision } from '../store/proposals.js';
import type { Clock } from '../clock.js';
import type { ThreadVerdict } from '../classify/classify.js';
import type { StageChange } from '../rules/engine.js';
import type { CycleContext, CycleReport } from '../pipeline/cycle.js';
import { runCycle, syncSources, classifyChanged } from '../pipeline/cycle.js';
import { correctionTest, correctionsAsRuleFile } from '../rules/from-corrections.js';
import type { StageOrNone } from '../model/types.js';
import { updateAlerts, alertOf } from '../pipeline/alerting.js';
import { proposeOne } from '../pipeline/proposing.js';
import { discardProposal } from '../respond/discard.js';
import { checkEdit } from '../drafts/edit.js';
import { ownerAddressWarning } from '../config/owner-check.js';
import { buildProposal } from '../respond/propose.js';
import { saveProposal } from '../respond/save.js';
import { composeReply } from '../drafts/compose.js';
import { parseSnooze } from '../alerts/snooze.js';
import { formatAlert, formatDigest } from '../alerts/format.js';
import { deliverText } from '../alerts/channels.js';
import { OfferwatchError } from '../errors.js';
import type { Stage } from '../model/types.js';
import {
  type AlertData, type ApproveResult, type Board, type Card, type CycleEvent, type CycleResult, type DecideResult, type EditResult,
  type Offers, type OfferRow, type TemplateInfo, type CorrectResult, type CorrectionData, type Preview, type ProposalData, type SnoozeResult, type ThreadDetail, type ThreadJson,
} from './schemas.js';

/** The name of the lock that makes a cycle single-flight across processes. */
export const CYCLE_LOCK = 'cycle';
/** How long a cycle lock lasts without renewal; renewed every third of it while the cycle runs. */
export const CYCLE_LOCK_TTL_MS = 60_000;
/** A score below this is a gap. */
export const GAP_BELOW = 6;
export const MAX_NON_NEGOTIABLE = 3;

export class CycleBusyError extends OfferwatchError {
  constructor(readonly holder: string) {
    super('ETRANSIENT', `cannot start a cycle: one is already running (${holder}); try again when it ends`);
  }
}

/** The JSON form of a thread used by `scan --json` and `status --json`. */
export function threadJson(v: ThreadVerdict, snoozedUntil: string | null = null): ThreadJson {
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
    snoozedUntil,
    uncertain: v.uncertain ?? false,
    uncertainReasons: v.uncertainReasons ?? [],
    corrected: v.corrected ?? null,
  };
}

export function proposalData(p: Proposal): ProposalData {
  return { ...p };
}

export interface ServiceDeps {
  store: Store;
  clock: Clock;
  /** The full cycle context (connectors, rules, templates): needed by decide, approve, snooze and cycle. */
  ctx?: CycleContext;
}

export type BoardFilter = { all?: boolean; source?: string; text?: string };

export interface DecideOptions {
  reason?: string | null;
  template?: string;
  /** The owner already told them on a call (true), or on which day (a string): the draft confirms it. */
  afterCall?: string | boolean;
  /** Propose even though the decision, reason or template does not fit the thread's stage. */
  force?: boolean;
}

/** Template variables for a decision told on a call first. */
function callVars(afterCall: string | boolean | undefined): Record<string, string> {
  if (!afterCall) return {};
  return typeof afterCall === 'string' && afterCall.trim() ? { afterCall: 'yes', phoneCallDate: afterCall.trim() } : { afterCall: 'yes' };
}

export class Service {
  readonly store: Store;
  readonly clock: Clock;
  private readonly ctx: CycleContext | undefined;

  constructor(deps: ServiceDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.ctx = deps.ctx;
  }

  private needCtx(what: string): CycleContext {
    if (!this.ctx) throw new Error(`internal: ${what} needs the full app context`);
    return this.ctx;
  }

  now(): Date {
    return this.clock.now();
  }

  // ---------------------------------------------------------------- threads

  findThread(spec: string): ThreadRef {
    if (!spec.trim()) throw new OfferwatchError('EUSAGE', 'cannot find thread: give a thread id (offerwatch status lists them)');
    const hits = this.store.threads.find(spec);
    if (hits.length === 0) {
      const hint = this.store.isEmpty() ? 'the state is empty: run offerwatch once first' : 'offerwatch status lists them';
      throw new OfferwatchError('ENOTFOUND', `cannot find thread ${spec}: no such thread in state (${hint})`);
    }
    if (hits.length > 1) throw new OfferwatchError('EUSAGE', `cannot choose thread ${spec}: it matches ${hits.map((h) => `${h.source}:${h.id}`).join(', ')}`);
    return hits[0]!;
  }

  /** Verdicts from state, as classified (the CLI's board and `status --json`). */
  verdicts(opts: { all?: boolean } = {}): ThreadVerdict[] {
    return this.store.threads.list(this.now(), opts);
  }

  /** Threads as JSON, each with its snooze (`snoozedUntil`, null when none). */
  threads(opts: { all?: boolean } = {}): ThreadJson[] {
    const snoozes = this.store.alerts.snoozes(this.now());
    return this.verdicts(opts).map((v) => threadJson(v, snoozes.get(`${v.source}\0${v.threadId}`) ?? null));
  }

  /** True before the first cycle: nothing has been read into state. */
  isEmpty(): boolean {
    return this.store.isEmpty();
  }

  /**
   * One warning line when the mailbox holds sent mail and none of it is from the owner's
   * addresses (naming the most frequent sender, and `where` to add it); null otherwise.
   */
  ownerWarning(where: string): string | null {
    const ctx = this.needCtx('the owner check');
    return ownerAddressWarning(this.store, ctx.owner, where);
  }

  private card(v: ThreadVerdict, now: Date): Card {
    const ref = { source: v.source, id: v.threadId };
    const props = this.store.proposals.forThread(ref);
    const live = props.find((p) => p.status === 'pending' || p.status === 'saving') ?? [...props].reverse().find((p) => p.status === 'saved' || p.status === 'sent') ?? null;
    return {
      ...threadJson(v, this.store.alerts.snoozedUntil(ref, now)),
      draft: live ? { id: live.id, status: live.status, needsEdit: live.needsEdit.length > 0, location: live.draftLocation } : null,
    };
  }

  /** The board: every tracked thread as a card, overdue first, then waiting on you, then by deadline. */
  board(filter: BoardFilter = {}): Board {
    const now = this.now();
    const all = this.verdicts({ all: filter.all });
    const sources = [...new Set(all.map((v) => v.source))].sort();
    const text = filter.text?.trim().toLowerCase();
    const cards = all
      .filter((v) => !filter.source || v.source === filter.source)
      .filter((v) => !text || [v.company, v.role, v.subject, v.contactFirstName, v.threadId].some((f) => (f ?? '').toLowerCase().includes(text)))
      .sort(urgency)
      .map((v) => this.card(v, now));
    return {
      now: now.toISOString(),
      threads: cards,
      waiting: cards.filter((c) => c.awaitingReply).length,
      overdue: cards.filter((c) => c.stale).length,
      skipped: this.store.messages.failures().length,
      sources,
      empty: this.store.isEmpty(),
    };
  }

  failures(): { ref: string; reason: string }[] {
    return this.store.messages.failures().map((f) => ({ ref: f.ref, reason: f.reason }));
  }

  /** One thread: its card, stage history (explain), messages newest first, alerts and drafts. */
  thread(spec: string, owner?: { name: string | null; addresses: string[] }): ThreadDetail {
    const now = this.now();
    const ref = this.findThread(spec);
    const v = this.store.threads.get(ref, now);
    if (!v) throw new OfferwatchError('ENOTFOUND', `cannot show thread ${spec}: it has not been classified yet (run a cycle)`);
    const who = owner ?? this.ctx?.owner ?? { name: null, addresses: [] };
    const t = this.store.messages.loadThread(ref.source, ref.id, who);
    const messages = (t?.messages ?? []).slice().reverse().map((m) => {
      const body = m.text.replace(/\r\n?/g, '\n');
      const fresh = m.newText.trim();
      const quoted = fresh && body.includes(fresh) ? body.slice(body.indexOf(fresh) + fresh.length).trim() : fresh ? body.trim() : '';
      return {
        id: m.id,
        date: m.date,
        direction: m.direction,
        from: m.from,
        to: m.to,
        subject: m.subject,
        newText: fresh || body.trim(),
        quoted: fresh ? quoted : '',
      };
    });
    return {
      now: now.toISOString(),
      card: this.card(v, now),
      history: this.store.threads.history(ref).map(historyData),
      awaitingRule: v.awaitingRule,
      awaitingSentence: v.awaitingSentence,
      messages,
      alerts: this.store.alerts.open(ref).map((a) => this.alertData(a, v, now)),
      proposals: this.store.proposals.forThread(ref).map(proposalData),
    };
  }

  /** The verdict and its stage history (the CLI's `explain`). */
  explain(spec: string): { verdict: ThreadVerdict; history: StageChange[]; proposals: ProposalData[] } {
    const now = this.now();
    const ref = this.findThread(spec);
    const verdict = this.store.threads.get(ref, now);
    if (!verdict) throw new OfferwatchError('ENOTFOUND', `cannot explain thread ${spec}: it has not been classified yet (run a cycle)`);
    return { verdict, history: this.store.threads.history(ref), proposals: this.store.proposals.forThread(ref).map(proposalData) };
  }

  private alertData(a: AlertRow, v: ThreadVerdict, now: Date): AlertData {
    return { id: a.id, source: a.source, threadId: a.threadId, dueAt: a.dueAt, stage: a.stage, raisedAt: a.raisedAt, text: formatAlert(alertOf({ store: this.store }, a, v), now) };
  }

  alerts(): AlertData[] {
    const now = this.now();
    return this.store.alerts.open().flatMap((a) => {
      const v = this.store.threads.get({ source: a.source, id: a.threadId }, now);
      return v ? [this.alertData(a, v, now)] : [];
    });
  }

  /** The daily digest; times in `time` (the owner's zone), UTC when absent. */
  digest(time?: (iso: string) => string): string {
    const now = this.now();
    return formatDigest(this.verdicts().map(digestRow), now, time);
  }

  async deliverDigest(log: (line: string) => void, time?: (iso: string) => string): Promise<void> {
    const ctx = this.needCtx('digest');
    await deliverText(ctx.channels, this.digest(time), log);
  }

  // ---------------------------------------------------------------- decisions and drafts

  private trackedVerdict(spec: string, verb: string): { ref: ThreadRef; v: ThreadVerdict } {
    const ref = this.findThread(spec);
    const v = this.store.threads.get(ref, this.now());
    if (!v || !v.tracked) throw new OfferwatchError('EUSAGE', `cannot ${verb} ${spec}: it is not about your job search`);
    return { ref, v };
  }

  /** The draft a decision would produce, without recording anything. */
  preview(spec: string, decision: Decision, opts: DecideOptions = {}): Preview {
    const ctx = this.needCtx('preview');
    const { ref, v } = this.trackedVerdict(spec, 'preview a decision on');
    const thread = this.store.messages.loadThread(ref.source, ref.id, ctx.owner);
    if (!thread) throw new OfferwatchError('ENOTFOUND', `cannot preview: thread ${ref.id} has no messages in state`);
    const np = buildProposal({ thread, verdict: v, owner: ctx.owner, templates: ctx.templates, decision, reason: opts.reason ?? null, templateId: opts.template, extraVars: callVars(opts.afterCall), force: opts.force, rule: null });
    return { templateId: np.templateId, decision: np.decision, reason: np.reason, to: np.to, subject: np.subject, body: np.body, needsEdit: np.needsEdit };
  }

  /**
   * Records the owner's decision and proposes the matching draft for review. The decision,
   * reason and template must fit the thread's stage (or `force`); a new decision supersedes a
   * pending proposal, a saved draft blocks a new one, a discarded one does not.
   */
  decide(spec: string, decision: Decision, opts: DecideOptions = {}): DecideResult {
    const ctx = this.needCtx('decide');
    const { ref, v } = this.trackedVerdict(spec, 'decide on');
    const outcome = proposeOne(ctx, v, { ref, decision, reason: opts.reason ?? null, templateId: opts.template, extraVars: callVars(opts.afterCall), rule: null, force: opts.force, explicit: true });
    // Recorded only once a proposal fits: a refused decision leaves nothing behind.
    this.store.proposals.recordDecision(ref, decision, opts.reason ?? null, this.now());
    return { created: outcome.created, proposal: proposalData(outcome.proposal), superseded: outcome.superseded ? proposalData(outcome.superseded) : null };
  }

  /** The reply templates a decision can use. */
  templates(): TemplateInfo[] {
    return this.needCtx('templates').templates.list().map((t) => ({ id: t.id, title: t.title, decision: t.decision, reasons: [...t.reasons], stages: [...t.stages] }));
  }

  drafts(opts: { all?: boolean } = {}): ProposalData[] {
    return this.store.proposals.list(opts.all ? undefined : 'pending').map(proposalData);
  }

  draft(id: number): ProposalData {
    const p = this.store.proposals.get(id);
    if (!p) throw new OfferwatchError('ENOTFOUND', `cannot find draft #${id}`);
    return proposalData(p);
  }

  /**
   * The mail exactly as it is (saved, from the mailbox's copy when it is a file) or as it will
   * be saved (pending: composed now, as approve would). Null when it cannot be composed yet.
   */
  async draftMail(id: number, owner?: { name: string | null; addresses: string[] }): Promise<string | null> {
    const p = this.draft(id);
    if (p.status === 'saved' && p.draftLocation && existsSync(p.draftLocation)) return readFileSync(p.draftLocation, 'utf8');
    const who = owner ?? this.ctx?.owner;
    if (!who?.addresses[0]) return null;
    const thread = this.store.messages.loadThread(p.source, p.threadId, who);
    if (!thread) return null;
    try {
      const mime = await composeReply({ thread, from: { name: who.name, address: who.addresses[0] }, to: p.to, body: p.body, key: p.key, date: this.now() });
      return mime.toString('utf8');
    } catch {
      return null;
    }
  }

  /**
   * Replaces a pending draft's recipient (`Name <addr>` or one address; empty for none) and
   * text. An invalid address, several addresses or an empty text are refused and the draft kept.
   */
  editDraft(id: number, fields: { to: string; body: string }): EditResult {
    const p = this.draft(id);
    if (p.status !== 'pending') throw new OfferwatchError('EUSAGE', `cannot edit draft #${p.id}: it is ${p.status}`);
    const r = checkEdit(p.id, p, fields);
    if (r.changed) this.store.proposals.edit(p.id, r.draft, this.now());
    return { changed: r.changed, proposal: this.draft(id) };
  }

  /** Saves a draft into the mailbox, exactly once. Refuses one that still needs an edit unless forced. */
  async approve(id: number, opts: { force?: boolean } = {}): Promise<ApproveResult> {
    const ctx = this.needCtx('approve');
    const p = this.store.proposals.get(id);
    if (!p) throw new OfferwatchError('ENOTFOUND', `cannot find draft #${id}`);
    if (p.status === 'pending' && p.needsEdit.length && !opts.force) {
      throw new OfferwatchError('EUSAGE', `cannot save draft #${p.id} yet: it needs your edit (${p.needsEdit.join('; ')}); edit it first`, { overridable: true });
    }
    const connector = ctx.connectors.find((c) => c.name === p.source);
    const r = await saveProposal(this.store, connector, p, ctx.owner, this.now());
    const outcome = r.proposal.status === 'sent' ? 'sent' : r.outcome === 'unchanged' ? 'already' : r.outcome;
    return { outcome, proposal: proposalData(r.proposal), mail: await this.draftMail(id) };
  }

  /**
   * Discards a pending draft. A saved one is refused while it is still in the mailbox (offerwatch
   * never deletes mail); once the owner has deleted it there, it is discarded.
   */
  async discard(id: number): Promise<{ discarded: boolean; proposal: ProposalData }> {
    const ctx = this.needCtx('discard');
    const p = this.store.proposals.get(id);
    if (!p) throw new OfferwatchError('ENOTFOUND', `cannot find draft #${id}`);
    const connector = ctx.connectors.find((c) => c.name === p.source);
    const after = await discardProposal(this.store, connector, p, ctx.owner, this.now());
    return { discarded: after.status === 'discarded' && p.status !== 'discarded', proposal: proposalData(after) };
  }

  // ---------------------------------------------------------------- snoozes

  /** Silences a thread's alerts until `when`, or until a new message (or the owner's reply) arrives. */
  async snooze(spec: string, when: string[]): Promise<SnoozeResult> {
    const ctx = this.needCtx('snooze');
    const now = this.now();
    const ref = this.findThread(spec);
    const until = parseSnooze(when, now);
    const v = this.store.threads.get(ref, now);
    this.store.alerts.snooze(ref, until, v?.lastMessageAt ?? null);
    await updateAlerts(ctx, this.verdicts(), now);
    return { source: ref.source, threadId: ref.id, until: until.toISOString(), wasSnoozed: true };
  }

  /** Ends a snooze now; `wasSnoozed` says whether there was one. */
  async unsnooze(spec: string): Promise<SnoozeResult> {
    const ctx = this.needCtx('unsnooze');
    const now = this.now();
    const ref = this.findThread(spec);
    const had = this.store.alerts.unsnooze(ref);
    await updateAlerts(ctx, this.verdicts(), now);
    return { source: ref.source, threadId: ref.id, until: null, wasSnoozed: had };
  }

  // ---------------------------------------------------------------- corrections

  /**
   * The owner corrects a verdict: a stage (`none`: not about the job search), and/or no reply
   * needed; or clears their corrections. Kept until a new message changes what the rules say.
   */
  async correct(spec: string, c: { stage?: StageOrNone; noReplyNeeded?: boolean; clear?: boolean }): Promise<CorrectResult> {
    const ctx = this.needCtx('correct');
    const now = this.now();
    const ref = this.findThread(spec);
    const before = this.store.threads.get(ref, now);
    if (!before) throw new OfferwatchError('ENOTFOUND', `cannot correct ${spec}: the thread has not been classified yet (run offerwatch once)`);
    const rulesStage = before.corrected?.rulesStage ?? before.stage;
    const base = { source: ref.source, threadId: ref.id, rulesStage, anchorMessageId: before.lastMessageId, correctedAt: now.toISOString() };
    let hadCorrection = false;
    if (c.clear) hadCorrection = this.store.corrections.clear(ref) > 0;
    if (c.stage !== undefined) this.store.corrections.set({ ...base, kind: 'stage', stage: c.stage });
    if (c.noReplyNeeded) this.store.corrections.set({ ...base, kind: 'no-reply-needed', stage: null });
    classifyChanged(ctx);
    await updateAlerts(ctx, this.verdicts(), now);
    const after = this.store.threads.get(ref, now);
    return { source: ref.source, threadId: ref.id, rulesStage, stage: c.stage ?? null, noReplyNeeded: !!c.noReplyNeeded, cleared: !!c.clear, hadCorrection, thread: after ? threadJson(after) : null };
  }

  corrections(opts: { includeEnded?: boolean } = { includeEnded: true }): CorrectionData[] {
    return this.store.corrections.list(opts).map((c) => ({ ...c }));
  }

  /** Every correction as a rule test, in rule-file YAML. */
  exportCorrections(owner: { name: string | null; addresses: string[] }): { yaml: string; count: number } {
    const tests = this.store.corrections.list({ includeEnded: true }).flatMap((c) => {
      const thread = this.store.messages.loadThread(c.source, c.threadId, owner);
      return thread ? [correctionTest(c, thread)] : [];
    });
    return { yaml: correctionsAsRuleFile(tests, this.now()), count: tests.length };
  }

  // ---------------------------------------------------------------- offers

  offers(): Offers {
    const priorities = this.store.offers.priorities();
    const open = this.verdicts().filter((v) => v.stage === 'offer');
    const offers: OfferRow[] = open.map((v) => {
      const ref = { source: v.source, id: v.threadId };
      const s = this.store.offers.scores(ref);
      let sum = 0;
      let weights = 0;
      const missed: string[] = [];
      const gaps: string[] = [];
      const scores: Record<string, number> = {};
      for (const p of priorities) {
        const score = s.get(p.id);
        if (score === undefined) continue;
        scores[String(p.id)] = score;
        sum += score * p.weight;
        weights += p.weight;
        if (score < GAP_BELOW) (p.nonNegotiable ? missed : gaps).push(p.name);
      }
      const total = weights > 0 ? Math.round((sum / weights) * 10) / 10 : null;
      const suggestion = missed.length ? 'decline' : gaps.length ? 'negotiate' : 'none';
      return { source: v.source, threadId: v.threadId, company: v.company, role: v.role, subject: v.subject, scores, total, missed, negotiableGaps: gaps, suggestion };
    });
    // A stable order (by company), so that columns do not move while the owner scores them.
    offers.sort((a, b) => (a.company ?? a.subject).localeCompare(b.company ?? b.subject) || a.threadId.localeCompare(b.threadId));
    return { priorities, offers, gapBelow: GAP_BELOW, maxNonNegotiable: MAX_NON_NEGOTIABLE };
  }

  setPriority(name: string, fields: { weight?: number; nonNegotiable?: boolean }): Offers {
    const clean = name.replace(/\s+/g, ' ').trim();
    if (!clean || clean.length > 60) throw new OfferwatchError('EUSAGE', 'cannot set a priority: give it a name of 1 to 60 characters');
    if (fields.weight !== undefined && (!Number.isFinite(fields.weight) || fields.weight < 0 || fields.weight > 10)) {
      throw new OfferwatchError('EUSAGE', `cannot set priority "${clean}": the weight must be a number from 0 to 10`);
    }
    if (fields.nonNegotiable) {
      const others = this.store.offers.priorities().filter((p) => p.nonNegotiable && p.name.toLowerCase() !== clean.toLowerCase());
      if (others.length >= MAX_NON_NEGOTIABLE) {
        throw new OfferwatchError('EUSAGE', `cannot mark "${clean}" non-negotiable: at most ${MAX_NON_NEGOTIABLE} are (${others.map((p) => p.name).join(', ')}); unmark one first`);
      }
    }
    this.store.offers.setPriority(clean, fields);
    return this.offers();
  }

  removePriority(nameOrId: string): Offers {
    const p = this.priority(nameOrId);
    this.store.offers.removePriority(p.id);
    return this.offers();
  }

  private priority(nameOrId: string) {
    const all = this.store.offers.priorities();
    const p = all.find((x) => String(x.id) === nameOrId) ?? all.find((x) => x.name.toLowerCase() === nameOrId.trim().toLowerCase());
    if (!p) throw new OfferwatchError('ENOTFOUND', `cannot find priority "${nameOrId}": the priorities are ${all.map((x) => x.name).join(', ') || '(none)'}`);
    return p;
  }

  /** Scores one open offer on one priority, 0–10 (null clears it). */
  score(spec: string, priority: string, score: number | null): Offers {
    const ref = this.findThread(spec);
    const v = this.store.threads.get(ref, this.now());
    if (!v || v.stage !== 'offer') throw new OfferwatchError('EUSAGE', `cannot score ${spec}: only open offers are scored (its stage is ${v?.stage ?? 'unknown'})`);
    if (score !== null && (!Number.isInteger(score) || score < 0 || score > 10)) throw new OfferwatchError('EUSAGE', `cannot score ${spec}: a score is a whole number from 0 to 10`);
    this.store.offers.setScore(ref, this.priority(priority).id, score);
    return this.offers();
  }

  // ---------------------------------------------------------------- cycles

  /** Who holds the cycle lock, if anyone live does. */
  cycleHolder(): string | null {
    const l = this.store.locks.get(CYCLE_LOCK);
    return l && !this.store.locks.isStale(l) ? l.holder : null;
  }

  /**
   * One cycle, single-flight across every process sharing the state file. Throws CycleBusyError
   * when another holds the lock. `onEvent` receives the steps (start, progress, done).
   */
  async cycle(opts: { holder: string; signal?: AbortSignal; onEvent?: (e: CycleEvent) => void }): Promise<{ report: CycleReport; result: CycleResult }> {
    const ctx = this.needCtx('cycle');
    const token = randomBytes(16).toString('hex');
    const holder = `${opts.holder} (pid ${process.pid} on ${hostname()})`;
    const got = this.store.locks.acquire(CYCLE_LOCK, token, holder, CYCLE_LOCK_TTL_MS);
    if (!got.ok) throw new CycleBusyError(got.holder.holder);
    const renew = setInterval(() => {
      try { this.store.locks.renew(CYCLE_LOCK, token, CYCLE_LOCK_TTL_MS); } catch { /* the next renewal retries */ }
    }, CYCLE_LOCK_TTL_MS / 3);
    renew.unref();
    const previous = ctx.onProgress;
    try {
      opts.onEvent?.({ type: 'start', at: this.now().toISOString() });
      if (opts.onEvent) {
        ctx.onProgress = (source, done, total) => {
          previous?.(source, done, total);
          opts.onEvent!({ type: 'progress', source, done, total });
        };
      }
      const report = await runCycle(ctx, opts.signal);
      const result = cycleResult(report);
      opts.onEvent?.({ type: 'done', result });
      return { report, result };
    } finally {
      ctx.onProgress = previous;
      clearInterval(renew);
      this.store.locks.release(CYCLE_LOCK, token);
    }
  }

  /** Sync and classify only (what `scan` does with throwaway state). */
  async scan(signal?: AbortSignal) {
    const ctx = this.needCtx('scan');
    const reports = await syncSources(ctx, signal);
    classifyChanged(ctx);
    return reports;
  }
}

export function cycleResult(r: CycleReport): CycleResult {
  return {
    sources: r.sources.map((s) => ({ ...s })),
    classified: r.classified,
    raised: r.raised.length,
    cleared: r.cleared,
    proposed: r.proposed.map((p) => p.id),
    saved: r.saved.map((p) => p.id),
  };
}

function historyData(h: StageChange) {
  return { from: h.from, to: h.to, messageId: h.messageId, date: h.date, rule: h.rule, origin: h.origin, sentence: h.sentence };
}

/** Overdue first, then waiting on you, then the earliest deadline, then the latest message. */
function urgency(a: ThreadVerdict, b: ThreadVerdict): number {
  return Number(b.stale) - Number(a.stale) || Number(b.awaitingReply) - Number(a.awaitingReply) || (a.dueAt ?? '').localeCompare(b.dueAt ?? '') || b.lastMessageAt.localeCompare(a.lastMessageAt);
}

function digestRow(v: ThreadVerdict) {
  return { threadId: v.threadId, stage: v.stage as Stage, company: v.company, role: v.role, subject: v.subject, contactFirstName: v.contactFirstName, awaitingReply: v.awaitingReply, waitingSince: v.waitingSince, dueAt: v.dueAt, stale: v.stale };
}
