/**
 * Runs a rule set over a thread, message by message, oldest first.
 *
 * For each message the rules are tried in order. A rule whose `when` holds applies; a rule
 * that would move the stage somewhere the state machine forbids is skipped as a whole.
 * The first applying rule that sets the stage decides the stage for that message, and later
 * rules that set a stage are skipped for it (they describe a different kind of message).
 * The first applying rule that sets `awaiting` or `deadline` decides those; tags accumulate;
 * `ignore` ends the message's evaluation.
 */
import type { MailThread, StageOrNone, ThreadMessage } from '../model/types.js';
import { MessageTexts, type MessageContext } from './conditions.js';
import type { CompiledRule, RuleSet } from './load.js';
import { nextStage } from './machine.js';

/** A `score` that cleared its minimum by less than this is weak evidence. */
export const WEAK_SCORE_MARGIN = 1;

const ENDED = new Set<StageOrNone>(['declined', 'withdrawn', 'rejected']);
const HIGH = new Set<StageOrNone>(['offer', 'accepted']);

/**
 * Two readings of one message conflict when the difference matters to the owner: two different
 * endings (accepted or declined, rejected or withdrawn), or an ending against an offer or an
 * acceptance (a hidden offer). A rejection that also thanks them for applying does not.
 */
function conflicts(a: StageOrNone, b: StageOrNone): boolean {
  if (a === b) return false;
  if (ENDED.has(a) && ENDED.has(b)) return true;
  return (ENDED.has(a) && HIGH.has(b)) || (HIGH.has(a) && ENDED.has(b)) || (a === 'accepted' && b === 'declined') || (a === 'declined' && b === 'accepted');
}

export interface StageChange {
  from: StageOrNone;
  to: StageOrNone;
  messageId: string;
  date: string;
  rule: string;
  origin: string;
  sentence: string | null;
}

export interface MessageOutcome {
  messageId: string;
  ignored: boolean;
  stage: StageOrNone;
  /** Whether this message, were it the last, asks the owner for a reply (undefined: no rule said). */
  asks: boolean | undefined;
  asksRule: string | null;
  asksSentence: string | null;
  deadlineMs: number | undefined;
  rulesFired: string[];
}

export interface Evaluation {
  stage: StageOrNone;
  history: StageChange[];
  /** Why the final stage is uncertain (empty: it is not): weak evidence, or rules that disagree. */
  uncertain: string[];
  tags: string[];
  messages: MessageOutcome[];
}

/** Facts about the thread that rules may read (`vars`); computed only if a rule asks. */
export type ThreadVars = () => Readonly<Record<string, string | number | null>>;

export function evaluateThread(thread: MailThread, rules: RuleSet, vars: ThreadVars = () => ({})): Evaluation {
  let stage: StageOrNone = 'none';
  const tags = new Set<string>();
  const history: StageChange[] = [];
  const outcomes: MessageOutcome[] = [];
  const count = thread.messages.length;
  // The rule that made the last stage change, where, and with what evidence: checked for doubt afterwards.
  let decisive: { ctx: MessageContext; ruleIndex: number; margin: number | undefined; target: StageOrNone } | null = null;

  thread.messages.forEach((msg: ThreadMessage, index) => {
    const ctx: MessageContext = { msg, previous: thread.messages[index - 1], index, count, stage, tags, vars, texts: new MessageTexts(msg) };
    const out: MessageOutcome = {
      messageId: msg.id, ignored: false, stage, asks: undefined, asksRule: null, asksSentence: null, deadlineMs: undefined, rulesFired: [],
    };
    let stageDecided = false;
    for (let ri = 0; ri < rules.rules.length; ri++) {
      const rule = rules.rules[ri]!;
      const ev = rule.test(ctx);
      if (!ev) continue;
      const then = rule.then;
      if (then.ignore) {
        out.ignored = true;
        out.rulesFired.push(rule.name);
        break;
      }
      let target: StageOrNone | null = null;
      if (then.stage) {
        // An earlier rule already said what this message is; this one describes something else.
        if (stageDecided) continue;
        target = nextStage(stage, then.stage, { reopen: then.reopen });
        if (target === null) continue; // this rule describes a move the thread cannot make
      }
      out.rulesFired.push(rule.name);
      for (const t of then.tag ?? []) tags.add(t);
      if (target !== null) {
        stageDecided = true;
        if (target !== stage) {
          history.push({ from: stage, to: target, messageId: msg.id, date: msg.date, rule: rule.name, origin: rule.origin, sentence: ev.sentence });
          decisive = { ctx: { ...ctx, tags: new Set(tags) }, ruleIndex: ri, margin: ev.margin, target };
          stage = target;
          ctx.stage = stage;
        }
      }
      if (then.awaiting !== undefined && out.asks === undefined) {
        out.asks = then.awaiting;
        out.asksRule = rule.name;
        out.asksSentence = ev.sentence;
      }
      if (rule.deadlineMs !== undefined && out.deadlineMs === undefined) out.deadlineMs = rule.deadlineMs;
    }
    out.stage = stage;
    outcomes.push(out);
  });
  const uncertain = decisive && stage !== 'none' ? doubts(rules, decisive) : [];
  return { stage, history, uncertain, tags: [...tags].sort(), messages: outcomes };
}

/**
 * Doubts about the last stage change: it rests on a score that barely cleared its minimum, or a
 * later rule that also holds for that message would have moved the thread somewhere that
 * conflicts. Only the deciding message is re-examined, so this costs one message per thread.
 */
function doubts(rules: RuleSet, d: { ctx: MessageContext; ruleIndex: number; margin: number | undefined; target: StageOrNone }): string[] {
  const out: string[] = [];
  const rule = rules.rules[d.ruleIndex]!;
  if (d.margin !== undefined && d.margin < WEAK_SCORE_MARGIN) out.push(`weak evidence: rule ${rule.name} only just held (score margin ${d.margin})`);
  for (let ri = d.ruleIndex + 1; ri < rules.rules.length; ri++) {
    const other = rules.rules[ri]!;
    if (!other.then.stage || other.then.ignore) continue;
    const target = nextStage(d.ctx.stage, other.then.stage, { reopen: other.then.reopen });
    if (target === null || target === d.ctx.stage || !conflicts(target, d.target)) continue;
    if (!other.test(d.ctx)) continue;
    out.push(`rules disagree: ${rule.name} says ${d.target}, ${other.name} (${other.origin}) says ${target}`);
    break;
  }
  return out;
}

export type { CompiledRule };
