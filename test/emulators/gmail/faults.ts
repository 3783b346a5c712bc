/**
 * Scriptable faults and Gmail-shaped error bodies.
 * A rule applies to the next `times` calls of a method ('*' for any method).
 */

export type FaultKind =
  /** Answer with an error status (429, 500, 403 …) without doing the work. */
  | 'error'
  /** Do the work (commit), then destroy the socket: the client never sees the answer. */
  | 'drop-response'
  /** Destroy the socket before doing anything. */
  | 'reset';

export interface FaultRule {
  method: string;
  kind?: FaultKind;
  status?: number;
  /** JSON error reason, e.g. rateLimitExceeded. */
  reason?: string;
  /** Seconds, sent as the Retry-After header. */
  retryAfter?: number;
  /** How many calls it applies to; default 1. */
  times?: number;
}

interface ActiveRule extends FaultRule {
  left: number;
}

export class FaultPlan {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, left: rule.times ?? 1 });
  }

  clear(): void {
    this.rules = [];
  }

  /** Takes the first live rule for this method, if any. */
  take(method: string): FaultRule | null {
    const r = this.rules.find((x) => x.left > 0 && (x.method === method || x.method === '*'));
    if (!r) return null;
    r.left -= 1;
    return r;
  }
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
};

const DEFAULT_REASONS: Record<number, string> = {
  400: 'invalidArgument',
  401: 'authError',
  403: 'forbidden',
  404: 'notFound',
  409: 'duplicate',
  429: 'rateLimitExceeded',
  500: 'backendError',
  503: 'backendError',
};

/** The JSON body Google APIs answer errors with. */
export function gmailErrorBody(status: number, message: string, reason?: string): string {
  const why = reason ?? DEFAULT_REASONS[status] ?? 'failed';
  const domain = /RateLimit|LimitExceeded/i.test(why) ? 'usageLimits' : 'global';
  return JSON.stringify({
    error: {
      code: status,
      message,
      errors: [{ message, domain, reason: why }],
      status: STATUS_NAMES[status] ?? 'UNKNOWN',
    },
  });
}
