/**
 * The stage state machine. Rules propose a stage for a message; the machine says whether
 * the thread may move there from where it is. Forward moves only (applied → interviewing
 * → offer → accepted), any open stage may end (declined, withdrawn, rejected), an accepted
 * offer may still be declined (a rescinded acceptance) or rescinded by the employer, and
 * ended processes stay ended — except that a rule marked `reopen` may put a declined offer
 * back to `offer` (the employer came back with a better one).
 */
import type { Stage, StageOrNone } from '../model/types.js';

const RANK: Record<string, number> = { none: 0, applied: 1, interviewing: 2, offer: 3, accepted: 4 };
const ENDED = new Set<StageOrNone>(['declined', 'withdrawn', 'rejected']);

/** Returns the stage the thread moves to, or null when the move is not allowed. */
export function nextStage(current: StageOrNone, proposed: Stage, opts: { reopen?: boolean } = {}): StageOrNone | null {
  if (opts.reopen && current === 'declined' && proposed === 'offer') return 'offer';
  let target: Stage = proposed;
  // The owner saying no means "declined" once an offer exists and "withdrawn" before it.
  if (target === 'declined' && (current === 'applied' || current === 'interviewing')) target = 'withdrawn';
  if (target === 'withdrawn' && (current === 'offer' || current === 'accepted')) target = 'declined';
  if (ENDED.has(current)) return target === current ? current : null;
  if (current === 'accepted') return target === 'accepted' || target === 'declined' || target === 'rejected' ? target : null;
  if (ENDED.has(target)) return target;
  return RANK[target]! >= RANK[current]! ? target : null;
}
