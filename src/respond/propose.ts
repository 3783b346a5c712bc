/**
 * From a decision to a proposed draft waiting for review: pick the template, fill it from
 * the thread, choose the recipient. Nothing is saved to the mailbox here.
 */
import { createHash } from 'node:crypto';
import type { MailThread, Owner } from '../model/types.js';
import type { ThreadVerdict } from '../classify/classify.js';
import type { Decision, NewProposal } from '../store/proposals.js';
import type { TemplateSet } from '../drafts/templates.js';
import { renderTemplate } from '../drafts/templates.js';
import { chooseRecipient } from '../drafts/recipients.js';
import { replySubject } from '../drafts/compose.js';
import { effectiveDecision, fittingTemplate } from './fit.js';
import type { ResponseRule } from './schema.js';

export interface OwnerProfile extends Owner {
  signature: string | null;
}

/** One key per thread and decision: the draft's idempotency key, stored in its headers. */
export function draftKey(source: string, threadId: string, decision: Decision, generation = 0): string {
  // Generation 0 keeps the original key; a later proposal for the thread (after a discard or a
  // superseded decision) gets its own, so that it is a different draft in the mailbox.
  const seed = generation === 0 ? `${source}\0${threadId}\0${decision}` : `${source}\0${threadId}\0${decision}\0${generation}`;
  return `ow-${createHash('sha256').update(seed).digest('hex').slice(0, 32)}`;
}

/** The first personal response rule that fits the thread, if any. */
export function matchResponse(rules: ResponseRule[], v: ThreadVerdict): ResponseRule | null {
  const lc = (s: string | null) => (s ?? '').toLowerCase();
  for (const r of rules) {
    const w = r.when;
    if (w.stage && !w.stage.includes(v.stage as never)) continue;
    if (w.company && !w.company.some((c) => lc(c) === lc(v.company))) continue;
    if (w.role && !w.role.some((p) => lc(v.role).includes(lc(p)))) continue;
    if (w.tags && !w.tags.some((t) => v.tags.includes(t))) continue;
    if (w.awaitingReply !== undefined && w.awaitingReply !== v.awaitingReply) continue;
    if (w.baseSalary) {
      const s = v.baseSalary;
      if (s === null) continue;
      const t = w.baseSalary;
      if ((t.lt !== undefined && !(s < t.lt)) || (t.lte !== undefined && !(s <= t.lte)) || (t.gt !== undefined && !(s > t.gt)) || (t.gte !== undefined && !(s >= t.gte))) continue;
    }
    return r;
  }
  return null;
}

export interface ProposalRequest {
  thread: MailThread;
  verdict: ThreadVerdict;
  owner: OwnerProfile;
  templates: TemplateSet;
  decision: Decision;
  reason: string | null;
  templateId?: string;
  extraVars?: Record<string, string>;
  rule: string | null;
  /** Propose even when the decision, reason or template does not fit the thread's stage. */
  force?: boolean;
  /** Which proposal of the thread this is (0 for the first): picks the draft key. */
  generation?: number;
}

export function buildProposal(req: ProposalRequest): NewProposal {
  const { thread, verdict, owner, templates, decision, reason } = req;
  // Saying no before any offer is a withdrawal; after an acceptance it is a rescinded acceptance.
  const effective = effectiveDecision(decision, verdict.stage);
  const template = fittingTemplate(templates, {
    decision, reason, templateId: req.templateId, stage: verdict.stage, force: req.force, thread: `${thread.source}:${thread.id}`,
  });
  const ownerName = owner.name ?? null;
  const vars: Record<string, string | null> = {
    contactFirstName: verdict.contactFirstName,
    company: verdict.company,
    role: verdict.role,
    ownerName,
    ownerFirstName: ownerName ? ownerName.split(/\s+/)[0]! : null,
    signature: owner.signature ?? ownerName,
    ...req.extraVars,
  };
  const rendered = renderTemplate(template, vars);
  const recipient = chooseRecipient(thread, owner);
  const needsEdit = [...rendered.needsEdit];
  if (!recipient.to) needsEdit.push(`recipient: ${recipient.note ?? 'no person to write to is known in this thread; add an address'}`);
  const lastSubject = [...thread.messages].reverse().find((m) => m.subject.trim())?.subject ?? '';
  return {
    key: draftKey(thread.source, thread.id, effective, req.generation ?? 0),
    source: thread.source,
    threadId: thread.id,
    decision: effective,
    reason,
    templateId: template.id,
    rule: req.rule,
    to: recipient.to,
    subject: replySubject(lastSubject),
    body: rendered.body,
    needsEdit,
  };
}
