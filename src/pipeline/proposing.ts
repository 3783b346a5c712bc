/**
 * Proposals: for each tracked thread with a decision (recorded by hand with `decide`, or
 * chosen by a personal response rule), one proposed draft per decision, rendered once and
 * kept in the review queue. With `autoSave`, it is saved into the mailbox right away.
 */
import type { ThreadVerdict } from '../classify/classify.js';
import type { Proposal, ThreadRef } from '../store/index.js';
import { buildProposal, draftKey, matchResponse } from '../respond/propose.js';
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
}

/** Creates the proposal for one thread and decision unless it exists. Returns it and whether it is new. */
export function proposeOne(ctx: Pick<CycleContext, 'store' | 'owner' | 'templates' | 'clock'>, v: ThreadVerdict, req: ProposeRequest): { proposal: Proposal; created: boolean } {
  const existing = ctx.store.proposals.byKey(draftKey(req.ref.source, req.ref.id, req.decision));
  if (existing) return { proposal: existing, created: false };
  const thread = ctx.store.messages.loadThread(req.ref.source, req.ref.id, ctx.owner);
  if (!thread) throw new Error(`cannot propose a draft: thread ${req.ref.id} has no messages in state`);
  const np = buildProposal({
    thread, verdict: v, owner: ctx.owner, templates: ctx.templates, decision: req.decision, reason: req.reason,
    templateId: req.templateId, extraVars: req.extraVars, rule: req.rule,
  });
  return ctx.store.proposals.propose(np, ctx.clock.now());
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
