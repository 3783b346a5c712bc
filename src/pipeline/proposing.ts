/**
 * Proposals: for each tracked thread with a decision (recorded by hand with `decide`, or
 * chosen by a personal response rule), one proposed draft per decision, rendered once and
 * kept in the review queue. With `autoSave`, it is saved into the mailbox right away.
 */
import type { ThreadVerdict } from '../classify/classify.js';
import type { Proposal, ThreadRef } from '../store/index.js';
import { buildProposal, matchResponse } from '../respond/propose.js';
import { OfferwatchError } from '../errors.js';
import { saveProposal } from '../respond/save.js';
import type { CycleContext } from './cycle.js';
import type { Decision } from '../store/proposals.js';

export interface ProposeRequest {
  ref: ThreadRef;
  decision: Decision;
  reason: string | null;
  templateId?: string;
  extraVars?: Record<string, string>;
  rule: string | null;
  /** Propose even when the decision or template does not fit the thread's stage. */
  force?: boolean;
  /**
   * True when the owner asks now (`decide`): a new decision supersedes a pending proposal and
   * a discarded one does not block. False for the cycle: it never replaces what exists, and
   * does not bring back what the owner discarded.
   */
  explicit?: boolean;
}

export interface ProposeOutcome {
  proposal: Proposal;
  created: boolean;
  /** The pending proposal this one replaced. */
  superseded?: Proposal;
}

/** A proposal that stands for the thread: in review, being saved, or saved in the mailbox. */
const live = (p: Proposal) => p.status === 'pending' || p.status === 'saving' || p.status === 'saved';

/**
 * One live (pending or saved) proposal per thread. Returns the proposal for the request:
 * the existing one when it is the same draft, else a new one (superseding a pending one
 * when the owner asked). A saved draft blocks a different one until the owner discards it.
 */
export function proposeOne(ctx: Pick<CycleContext, 'store' | 'owner' | 'templates' | 'clock'>, v: ThreadVerdict, req: ProposeRequest): ProposeOutcome {
  const all = ctx.store.proposals.forThread(req.ref);
  const current = all.find(live);
  if (!req.explicit) {
    if (current) return { proposal: current, created: false };
    const dropped = all.find((p) => p.status === 'discarded' && (req.rule ? p.rule === req.rule : p.rule === null));
    if (dropped) return { proposal: dropped, created: false };
  }
  const thread = ctx.store.messages.loadThread(req.ref.source, req.ref.id, ctx.owner);
  if (!thread) throw new Error(`cannot propose a draft: thread ${req.ref.id} has no messages in state`);
  const build = (generation: number) => buildProposal({
    thread, verdict: v, owner: ctx.owner, templates: ctx.templates, decision: req.decision, reason: req.reason,
    templateId: req.templateId, extraVars: req.extraVars, rule: req.rule, force: req.force, generation,
  });
  let np = build(0);
  const same = (p: Proposal) => p.decision === np.decision && p.templateId === np.templateId && p.reason === np.reason && bodyVarsSame(p, np.body);
  if (current && same(current)) return { proposal: current, created: false };
  if (current && current.status !== 'pending') {
    throw new OfferwatchError('EUSAGE', `cannot propose another draft for ${req.ref.source}:${req.ref.id}: draft #${current.id} is already saved (${current.draftLocation ?? 'in your mailbox'}); delete it in your mail program and run offerwatch drafts discard ${current.id} first`);
  }
  let generation = 0;
  while (ctx.store.proposals.byKey(np.key)) np = build(++generation);
  const now = ctx.clock.now();
  if (current) {
    const r = ctx.store.proposals.supersede(current.id, np, now);
    return { ...r, superseded: current };
  }
  return ctx.store.proposals.propose(np, now);
}

/** The same draft: an unedited proposal whose text is what the request renders, or an edited one (the owner's text wins). */
function bodyVarsSame(p: Proposal, body: string): boolean {
  return p.updatedAt !== p.createdAt || p.body === body;
}

export async function proposeDrafts(ctx: CycleContext, verdicts: ThreadVerdict[], now: Date): Promise<{ proposed: Proposal[]; saved: Proposal[] }> {
  const proposed: Proposal[] = [];
  const saved: Proposal[] = [];
  for (const v of verdicts) {
    const ref: ThreadRef = { source: v.source, id: v.threadId };
    const manual = ctx.store.proposals.decision(ref);
    const rule = manual ? null : matchResponse(ctx.responses, v);
    if (!manual && !rule) continue;
    const req: ProposeRequest = manual
      ? { ref, decision: manual.decision, reason: manual.reason, rule: null }
      : { ref, decision: rule!.propose.decision, reason: rule!.propose.reason ?? null, templateId: rule!.propose.template, extraVars: rule!.propose.vars, rule: rule!.name };
    try {
      const { proposal, created } = proposeOne(ctx, v, req);
      if (created) proposed.push(proposal);
      if (ctx.autoSave && proposal.status === 'pending') {
        const connector = ctx.connectors.find((c) => c.name === proposal.source);
        const res = await saveProposal(ctx.store, connector, proposal, ctx.owner, now);
        saved.push(res.proposal);
      }
    } catch (e) {
      ctx.log((e as Error).message);
    }
  }
  return { proposed, saved };
}
