/**
 * Posts alerts as JSON `{ text, alert }` to a webhook. The plain `text` field is what
 * Slack- and Mattermost-style incoming webhooks display. Retries network errors, timeouts,
 * 429 and 5xx with backoff; other statuses are permanent. Errors name the host only: the
 * URL's path or query may hold a token, and header values are never repeated anywhere.
 */
import { z } from 'zod';
import { OfferwatchError, ProviderError } from '../errors.js';
import { DEFAULT_RETRY, parseRetryAfter, realSleep, seededRandom, withRetry, type RetryPolicy } from '../net/retry.js';
import { formatAlert } from './format.js';
import type { Alert, AlertChannel, TextSink } from './types.js';

export const WEBHOOK_DEFAULT_TIMEOUT_SECONDS = 10;
export const WEBHOOK_DEFAULT_MAX_ATTEMPTS = 4;
/** A Retry-After longer than this is not waited out: the error carries `retryAfter` for a later cycle. */
export const WEBHOOK_MAX_RETRY_WAIT_MS = DEFAULT_RETRY.maxRetryAfterMs;
const DEFAULT_SEED = 0x0ffe4;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'connection', 'transfer-encoding']);

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

export const webhookConfigSchema = z.strictObject({
  type: z.literal('webhook'),
  url: z.string().refine(isHttpUrl, { message: 'must be an http:// or https:// URL' }),
  headers: z
    .record(
      z
        .string()
        .regex(HEADER_NAME, { message: 'header names must be HTTP tokens' })
        .refine((n) => !RESERVED_HEADERS.has(n.toLowerCase()), { message: 'this header is set by offerwatch' }),
      z.string().refine((v) => !/[\r\n\0]/.test(v), { message: 'header values must not contain CR, LF or NUL' }),
    )
    .optional(),
  timeoutSeconds: z.number().positive().max(300).optional(),
  maxAttempts: z.number().int().min(1).max(10).optional(),
});
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;

export interface WebhookDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1); defaults to a fixed-seed PRNG. */
  random?: () => number;
  /** Only used to read a Retry-After date when the response has no Date header. */
  now?: () => Date;
}

export interface WebhookChannel extends AlertChannel, TextSink {}

/** The fields of an alert as posted under `alert`. */
export function alertPayload(alert: Alert): Alert {
  const { id, threadId, source, stage, company, role, contactFirstName, subject, waitingSince, dueAt, proposal } = alert;
  return {
    id, threadId, source, stage, company, role, contactFirstName, subject, waitingSince, dueAt,
    proposal: proposal ? { id: proposal.id, templateId: proposal.templateId } : null,
  };
}

/**
 * Keeps text from mail from pinging a whole chat: Slack reads `<!channel>`/`<@U1>` and chat
 * tools read `@channel`, `@here`, `@all`, `@everyone`. Angle brackets become look-alikes and a
 * zero-width space follows the `@` of a mass mention.
 */
export function defuseMentions(text: string): string {
  return text
    .replace(/</g, '‹')
    .replace(/>/g, '›')
    .replace(/@(?=(channel|here|all|everyone)\b)/gi, '@\u200b');
}

function describeStatus(status: number): string {
  return status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
}

export function webhookChannel(cfg: WebhookConfig, deps: WebhookDeps = {}): WebhookChannel {
  const parsed = webhookConfigSchema.safeParse(cfg);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new OfferwatchError('ECONFIG', `cannot use webhook channel: ${why}`);
  }
  const conf = parsed.data;
  const url = conf.url;
  const host = new URL(url).host;
  const timeoutMs = Math.round((conf.timeoutSeconds ?? WEBHOOK_DEFAULT_TIMEOUT_SECONDS) * 1000);
  const maxAttempts = conf.maxAttempts ?? WEBHOOK_DEFAULT_MAX_ATTEMPTS;
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? realSleep;
  const random = deps.random ?? seededRandom(DEFAULT_SEED);
  const nowMs = () => (deps.now ? deps.now().getTime() : Date.now());
  const policy: RetryPolicy = { ...DEFAULT_RETRY, maxAttempts, maxRetryAfterMs: WEBHOOK_MAX_RETRY_WAIT_MS };

  /** One POST; any failure is a ProviderError (status, reason, retryAfter, retryable). */
  async function once(body: string, what: string): Promise<void> {
    const fail = (code: 'ETRANSIENT' | 'ERATELIMIT' | 'EPROVIDER', reason: string, status: number | null, retryAfterMs?: number, cause?: unknown) =>
      new ProviderError(code, `cannot deliver ${what} to webhook ${host}: ${reason}`, {
        status,
        reason,
        retryAfter: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
        cause,
      });
    const headers = new Headers(conf.headers ?? {});
    headers.set('content-type', 'application/json; charset=utf-8');
    if (!headers.has('user-agent')) headers.set('user-agent', 'offerwatch');
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const name = (e as { name?: unknown } | null)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') throw fail('ETRANSIENT', `no answer within ${timeoutMs / 1000} s`, null, undefined, e);
      const sysCode = (e as { cause?: { code?: unknown } } | null)?.cause?.code;
      const detail = typeof sysCode === 'string' && /^[A-Z_]{2,40}$/.test(sysCode) ? ` (${sysCode})` : '';
      throw fail('ETRANSIENT', `network error${detail}`, null, undefined, e);
    }
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), res.headers.get('date'), nowMs());
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return;
    const reason = describeStatus(res.status);
    if (res.status === 429) throw fail('ERATELIMIT', reason, res.status, retryAfterMs);
    if (res.status >= 500) throw fail('ETRANSIENT', reason, res.status, retryAfterMs);
    throw fail('EPROVIDER', reason, res.status);
  }

  async function post(payload: unknown, what: string): Promise<void> {
    const body = JSON.stringify(payload);
    let attempts = 0;
    try {
      await withRetry(
        async () => {
          attempts++;
          await once(body, what);
        },
        { policy, deps: { sleep, random } },
      );
    } catch (e) {
      // Say why it stopped: every attempt used, or a wait longer than we hold a cycle for.
      if (!(e instanceof ProviderError) || !e.retryable) throw e;
      const suffix =
        e.retryAfter !== undefined && e.retryAfter * 1000 > policy.maxRetryAfterMs
          ? ` (asked to wait ${e.retryAfter} s)`
          : attempts > 1
            ? ` (gave up after ${attempts} attempts)`
            : '';
      if (!suffix) throw e;
      throw new ProviderError(e.code, `${e.message}${suffix}`, { status: e.status, reason: e.reason, retryAfter: e.retryAfter, retryable: e.retryable, cause: e.cause });
    }
  }

  return {
    name: `webhook:${host}`,
    async raise(alert, now) {
      await post({ text: defuseMentions(formatAlert(alert, now)), alert: alertPayload(alert) }, 'alert');
    },
    async sendText(text) {
      await post({ text: defuseMentions(text) }, 'message');
    },
  };
}
