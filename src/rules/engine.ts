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
import type { MessageContext } from './conditions.js';
import type { CompiledRule, RuleSet } from './load.js';
import { nextStage } from './machine.js';

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

  thread.messages.forEach((msg: ThreadMessage, index) => {
    const ctx: MessageContext = { msg, previous: thread.messages[index - 1], index, count, stage, tags, vars };
    const out: MessageOutcome = {
      messageId: msg.id, ignored: false, stage, asks: undefined, asksRule: null, asksSentence: null, deadlineMs: undefined, rulesFired: [],
    };
    let stageDecided = false;
    for (const rule of rules.rules) {
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
        target = nextStage(stage, then.stage);
        if (target === null) continue; // this rule describes a move the thread cannot make
      }
      out.rulesFired.push(rule.name);
      for (const t of then.tag ?? []) tags.add(t);
      if (target !== null) {
        stageDecided = true;
        if (target !== stage) {
          history.push({ from: stage, to: target, messageId: msg.id, date: msg.date, rule: rule.name, origin: rule.origin, sentence: ev.sentence });
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
  return { stage, history, tags: [...tags].sort(), messages: outcomes };
}

export type { CompiledRule };
