/**
 * Scriptable faults for the Graph emulator. A rule applies to the next `times` requests of a
 * route ('*' for any Graph route), inside `$batch` too (as that item's answer).
 */
export type FaultKind =
  /** Answer with an error status (429, 503, 500 …) and Graph's error JSON, without doing the work. */
  | 'error'
  /** Do the work (commit), then destroy the socket: the client never sees the answer. */
  | 'drop-response'
  /** Destroy the socket before doing anything. */
  | 'reset';

export interface FaultRule {
  route: string;
  kind?: FaultKind;
  status?: number;
  /** Graph error code, e.g. `ApplicationThrottled`, `ServiceUnavailable`. */
  code?: string;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
  times?: number;
}

export class FaultPlan {
  private rules: Array<FaultRule & { left: number }> = [];
  add(rule: FaultRule): void {
    this.rules.push({ ...rule, left: rule.times ?? 1 });
  }
  clear(): void {
    this.rules = [];
  }
  take(route: string): FaultRule | null {
    const r = this.rules.find((x) => x.left > 0 && (x.route === route || x.route === '*'));
    if (!r) return null;
    r.left -= 1;
    return r;
  }
}

const DEFAULT_CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'InvalidAuthenticationToken',
  403: 'ErrorAccessDenied',
  404: 'ErrorItemNotFound',
  410: 'SyncStateNotFound',
  429: 'ApplicationThrottled',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/** Graph's error JSON. */
export function graphError(status: number, message: string, code?: string): { error: { code: string; message: string; innerError: { date: string; 'request-id': string } } } {
  return { error: { code: code ?? DEFAULT_CODES[status] ?? 'UnknownError', message, innerError: { date: new Date(0).toISOString(), 'request-id': '00000000-0000-0000-0000-000000000000' } } };
}
