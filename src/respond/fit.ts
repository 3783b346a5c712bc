/**
 * Which decisions, reasons and templates fit a thread. A decision's templates declare the
 * stages they fit (front matter `stages`) and the reasons they are written for; a proposal
 * that does not fit is refused with the stage named, unless the owner forces it.
 */
import type { Stage, StageOrNone } from '../model/types.js';
import type { Template, TemplateSet } from '../drafts/templates.js';
import type { Decision } from '../store/proposals.js';
import type { ResponseRule } from './schema.js';
import { ConfigError, OfferwatchError, type FileLocation } from '../errors.js';

/** Saying no before any offer is a withdrawal; after an acceptance it is a rescinded acceptance. */
export function effectiveDecision(decision: Decision, stage: StageOrNone): Decision {
  if (decision === 'decline' && (stage === 'applied' || stage === 'interviewing')) return 'withdraw';
  if (decision === 'decline' && stage === 'accepted') return 'rescind';
  return decision;
}

/** Every reason some template is written for, sorted. */
export function knownReasons(templates: TemplateSet): string[] {
  return [...new Set(templates.list().flatMap((t) => t.reasons))].sort();
}

/** The stages some template of `decision` fits, in pipeline order. */
export function stagesFor(templates: TemplateSet, decision: Decision): Stage[] {
  const set = new Set(templates.list().filter((t) => t.decision === decision).flatMap((t) => t.stages));
  return (['applied', 'interviewing', 'offer', 'accepted', 'declined', 'withdrawn', 'rejected'] as Stage[]).filter((s) => set.has(s));
}

export interface FitRequest {
  decision: Decision;
  reason: string | null;
  templateId?: string;
  stage: StageOrNone;
  /** Propose even though the decision, reason or template does not fit the stage. */
  force?: boolean;
  /** How the thread is named in messages. */
  thread: string;
}

const usage = (m: string) => new OfferwatchError('EUSAGE', m);
/** A refusal the owner may override (force). */
const unfit = (m: string) => new OfferwatchError('EUSAGE', m, { overridable: true });

/** Checks a reason on its own: it must be one some template knows. */
export function checkReason(templates: TemplateSet, reason: string | null): void {
  if (reason === null) return;
  const known = knownReasons(templates);
  if (!known.includes(reason)) throw usage(`cannot use reason "${reason.slice(0, 60)}": known reasons are ${known.join(', ')} (or none, for the neutral template)`);
}

/** The template for a proposal, or a refusal that says why it does not fit. */
export function fittingTemplate(templates: TemplateSet, req: FitRequest): Template {
  const eff = effectiveDecision(req.decision, req.stage);
  const named = eff === req.decision ? eff : `${eff} (what ${req.decision} means at stage ${req.stage})`;
  const force = req.force ?? false;
  checkReason(templates, req.reason);
  if (req.templateId) {
    const t = templates.get(req.templateId);
    if (!t) throw usage(`cannot propose a draft for ${req.thread}: template "${req.templateId}" does not exist (templates: ${templates.list().map((x) => x.id).join(', ')})`);
    if (!force && t.decision !== eff) throw unfit(`cannot propose a draft for ${req.thread}: template ${t.id} is for ${t.decision}, not ${named}`);
    if (!force && (req.stage === 'none' || !t.stages.includes(req.stage))) {
      throw unfit(`cannot propose a draft for ${req.thread}: template ${t.id} fits stage ${t.stages.join(', ')}, and the thread is at stage ${req.stage}`);
    }
    return t;
  }
  if (req.reason && !force && !templates.list().some((t) => t.decision === eff && t.reasons.includes(req.reason!))) {
    const theirs = [...new Set(templates.list().filter((t) => t.decision === eff).flatMap((t) => t.reasons))];
    throw unfit(`cannot propose ${named} for ${req.thread} with reason ${req.reason}: ${eff} ${theirs.length ? `uses the reasons ${theirs.join(', ')}` : 'uses no reason'}; leave the reason out for its neutral template`);
  }
  const t = templates.choose(eff, req.reason ?? undefined, req.stage);
  if (t) return t;
  if (force) {
    const any = templates.choose(eff, req.reason ?? undefined) ?? templates.list().find((x) => x.decision === eff);
    if (any) return any;
  }
  const fits = stagesFor(templates, eff);
  throw unfit(`cannot propose ${named} for ${req.thread}: the thread is at stage ${req.stage}, and ${eff} fits ${fits.length ? `stage ${fits.join(', ')}` : 'no stage'}`);
}

/**
 * Checks the config's response rules against the templates at load time: the template
 * exists and is for the rule's decision and stages, the reason is known, and the decision
 * has a template for every stage the rule names. Errors are `file:line:col: key: message`.
 */
export function validateResponseRules(
  rules: readonly ResponseRule[],
  templates: TemplateSet,
  where: (path: (string | number)[]) => FileLocation,
): void {
  const known = knownReasons(templates);
  rules.forEach((r, i) => {
    const at = (key: string) => where(['responses', i, 'propose', key]);
    const fail = (key: string, m: string): never => { throw new ConfigError({ ...at(key), key: `responses[${i}].propose.${key}` }, m); };
    const d = r.propose.decision;
    const stages = r.when.stage ?? null;
    if (r.propose.reason !== undefined && !known.includes(r.propose.reason)) fail('reason', `unknown reason "${r.propose.reason}": known reasons are ${known.join(', ')}`);
    if (r.propose.template !== undefined) {
      const t = templates.get(r.propose.template);
      if (!t) return fail('template', `template "${r.propose.template}" does not exist (templates: ${templates.list().map((x) => x.id).join(', ')})`);
      const allowed: Decision[] = d === 'decline' ? ['decline', 'withdraw', 'rescind'] : [d];
      if (!allowed.includes(t.decision)) fail('template', `template ${t.id} is for ${t.decision}, not ${d}`);
      const misfit = stages?.find((s) => !t.stages.includes(s));
      if (misfit) fail('template', `template ${t.id} fits stage ${t.stages.join(', ')}, but the rule also matches stage ${misfit}; narrow when.stage or pick another template`);
      return;
    }
    for (const s of stages ?? []) {
      const eff = effectiveDecision(d, s);
      if (!templates.choose(eff, r.propose.reason, s)) {
        const fits = stagesFor(templates, eff);
        fail(r.propose.reason ? 'reason' : 'decision', `${d}${r.propose.reason ? ` (${r.propose.reason})` : ''} has no template for stage ${s}${fits.length ? `; ${eff} fits stage ${fits.join(', ')}` : ''}`);
      }
    }
  });
}
