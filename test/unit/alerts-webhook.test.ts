import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter, seededRandom } from '../../src/net/retry.js';
import type { Alert } from '../../src/alerts/types.js';
import { webhookChannel, webhookConfigSchema, type WebhookConfig } from '../../src/alerts/webhook.js';
import { OfferwatchError } from '../../src/errors.js';

const NOW = new Date('2026-03-10T09:00:00Z');
const SECRET_PATH = '/hooks/T000-SECRET-PATH';
const SECRET_QUERY = 'token=QUERY-SECRET';
const SECRET_HEADER = 'Bearer HEADER-SECRET';

const ALERT: Alert = {
  id: 7,
  threadId: 'thr-1',
  source: 'demo',
  stage: 'offer',
  company: 'Northwind',
  role: 'Senior Data Engineer',
  contactFirstName: 'Dana',
  subject: 'Your offer',
  waitingSince: '2026-03-07T09:00:00.000Z',
  dueAt: '2026-03-11T09:00:00.000Z',
  proposal: { id: 12, templateId: 'decline-accepted-elsewhere' },
};

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type Reply = (res: ServerResponse) => void;

const servers: Server[] = [];

/** A real HTTP server on 127.0.0.1 that answers request n with script[n] (the last entry repeats). */
async function scripted(script: Reply[]): Promise<{ base: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      script[Math.min(requests.length - 1, script.length - 1)](res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, requests };
}

const status = (code: number, headers: Record<string, string> = {}): Reply => (res) => {
  res.writeHead(code, { 'content-type': 'text/plain', ...headers });
  res.end(code < 300 ? 'ok' : 'no');
};
const silent: Reply = () => undefined;

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

function setup(base: string, over: Partial<WebhookConfig> = {}) {
  const sleeps: number[] = [];
  const cfg: WebhookConfig = {
    type: 'webhook',
    url: `${base}${SECRET_PATH}?${SECRET_QUERY}`,
    headers: { Authorization: SECRET_HEADER },
    ...over,
  };
  const channel = webhookChannel(cfg, {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  });
  return { channel, sleeps };
}

async function failure(p: Promise<unknown>): Promise<OfferwatchError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(OfferwatchError);
    return e as OfferwatchError;
  }
  throw new Error('expected a failure');
}

function expectNoSecrets(e: OfferwatchError): void {
  const all = [e.message, String(e.stack), String((e.cause as Error | undefined)?.message ?? '')].join('\n');
  for (const secret of ['SECRET-PATH', 'QUERY-SECRET', 'HEADER-SECRET', '/hooks']) expect(all).not.toContain(secret);
}

describe('webhookChannel', () => {
  it('posts JSON with a text field, the alert fields and the configured headers', async () => {
    const { base, requests } = await scripted([status(200)]);
    const { channel, sleeps } = setup(base);
    await channel.raise(ALERT, NOW);

    expect(requests).toHaveLength(1);
    const [r] = requests;
    expect(r.method).toBe('POST');
    expect(r.url).toBe(`${SECRET_PATH}?${SECRET_QUERY}`);
    expect(r.headers['content-type']).toMatch(/^application\/json\b/);
    expect(r.headers.authorization).toBe(SECRET_HEADER);
    const body = JSON.parse(r.body) as { text: unknown; alert: Alert };
    expect(typeof body.text).toBe('string');
    expect(body.text).toBe(
      'Offer from Northwind (Senior Data Engineer) has waited 3 days for your reply; proposed draft: decline-accepted-elsewhere #12',
    );
    expect(body.alert).toEqual(ALERT);
    expect(sleeps).toEqual([]);
    expect(channel.name).toBe(`webhook:${new URL(base).host}`);
  });

  it('sends free text for the digest', async () => {
    const { base, requests } = await scripted([status(204)]);
    const { channel } = setup(base);
    await channel.sendText('offerwatch digest\nNo tracked threads.');
    expect(JSON.parse(requests[0].body)).toEqual({ text: 'offerwatch digest\nNo tracked threads.' });
  });

  it('keeps mail text from pinging a whole chat', async () => {
    const { base, requests } = await scripted([status(200)]);
    const { channel } = setup(base);
    await channel.raise({ ...ALERT, company: '<!channel> @here Corp' }, NOW);
    const text = (JSON.parse(requests[0].body) as { text: string }).text;
    expect(text).not.toContain('<!channel>');
    expect(text).not.toMatch(/@here\b/);
    expect(text).toContain('‹!channel› @\u200bhere Corp');
  });

  it('retries a 500 and succeeds on the next attempt, after a jittered backoff', async () => {
    const { base, requests } = await scripted([status(500), status(200)]);
    const { channel, sleeps } = setup(base);
    await channel.raise(ALERT, NOW);
    expect(requests).toHaveLength(2);
    expect(requests[1].body).toBe(requests[0].body);
    expect(sleeps).toEqual([backoffDelay(1, () => 0.5)]);
    expect(sleeps[0]).toBe(750);
  });

  it('honours Retry-After in seconds on 429', async () => {
    const { base, requests } = await scripted([status(429, { 'retry-after': '7' }), status(200)]);
    const { channel, sleeps } = setup(base);
    await channel.raise(ALERT, NOW);
    expect(requests).toHaveLength(2);
    expect(sleeps).toEqual([7000]);
  });

  it('honours Retry-After as an HTTP date, measured against the response Date', async () => {
    const { base } = await scripted([
      status(429, { date: 'Tue, 01 Dec 2026 09:00:00 GMT', 'retry-after': 'Tue, 01 Dec 2026 09:00:12 GMT' }),
      status(200),
    ]);
    const { channel, sleeps } = setup(base);
    await channel.raise(ALERT, NOW);
    expect(sleeps).toEqual([12_000]);
  });

  it('does not wait out a very long Retry-After: fails with ERATELIMIT and retryAfter', async () => {
    const { base, requests } = await scripted([status(429, { 'retry-after': '3600' })]);
    const { channel, sleeps } = setup(base);
    const e = await failure(channel.raise(ALERT, NOW));
    expect(e.code).toBe('ERATELIMIT');
    expect(e.retryAfter).toBe(3600);
    expect(requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expectNoSecrets(e);
  });

  it('gives up after maxAttempts on repeated 503 with ETRANSIENT', async () => {
    const { base, requests } = await scripted([status(503)]);
    const { channel, sleeps } = setup(base, { maxAttempts: 3 });
    const e = await failure(channel.raise(ALERT, NOW));
    expect(e.code).toBe('ETRANSIENT');
    expect(requests).toHaveLength(3);
    expect(sleeps).toEqual([750, 1500]);
    expect(e.message).toBe(`cannot deliver alert to webhook ${new URL(base).host}: HTTP 503 (gave up after 3 attempts)`);
    expectNoSecrets(e);
  });

  it('treats 400 as permanent: no retry, EPROVIDER, host only in the message', async () => {
    const { base, requests } = await scripted([status(400)]);
    const { channel, sleeps } = setup(base);
    const e = await failure(channel.raise(ALERT, NOW));
    expect(e.code).toBe('EPROVIDER');
    expect(e.message).toBe(`cannot deliver alert to webhook ${new URL(base).host}: HTTP 400`);
    expect(requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expectNoSecrets(e);
  });

  it('does not follow redirects', async () => {
    const { base, requests } = await scripted([status(302, { location: '/elsewhere' })]);
    const { channel } = setup(base);
    const e = await failure(channel.raise(ALERT, NOW));
    expect(e.code).toBe('EPROVIDER');
    expect(requests).toHaveLength(1);
  });

  it('times out a server that never answers, retries, then fails with ETRANSIENT', async () => {
    const { base, requests } = await scripted([silent]);
    const { channel, sleeps } = setup(base, { timeoutSeconds: 0.2, maxAttempts: 2 });
    const e = await failure(channel.raise(ALERT, NOW));
    expect(e.code).toBe('ETRANSIENT');
    expect(e.message).toMatch(/no answer within 0\.2 s \(gave up after 2 attempts\)$/);
    expect(requests).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
    expectNoSecrets(e);
  });

  it('reports a refused connection as ETRANSIENT', async () => {
    const { base } = await scripted([status(200)]);
    const s = servers.pop()!;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    const { channel, sleeps } = setup(base, { maxAttempts: 2 });
    const e = await failure(channel.raise(ALERT, NOW));
    expect(e.code).toBe('ETRANSIENT');
    expect(e.message).toContain('network error');
    expect(sleeps).toHaveLength(1);
    expectNoSecrets(e);
  });
});

describe('webhookConfigSchema', () => {
  it('accepts the documented shape and rejects the rest', () => {
    expect(webhookConfigSchema.safeParse({ type: 'webhook', url: 'https://hooks.example.com/x' }).success).toBe(true);
    expect(
      webhookConfigSchema.safeParse({ type: 'webhook', url: 'http://h.example/x', headers: { Authorization: 'x' }, timeoutSeconds: 5, maxAttempts: 2 })
        .success,
    ).toBe(true);
    for (const bad of [
      { type: 'webhook', url: 'ftp://h.example/x' },
      { type: 'webhook', url: 'not a url' },
      { type: 'webhook', url: 'https://h.example/x', extra: 1 },
      { type: 'webhook', url: 'https://h.example/x', headers: { 'Bad Name': 'x' } },
      { type: 'webhook', url: 'https://h.example/x', headers: { 'X-A': 'a\r\nX-B: b' } },
      { type: 'webhook', url: 'https://h.example/x', headers: { 'Content-Type': 'text/plain' } },
      { type: 'webhook', url: 'https://h.example/x', maxAttempts: 0 },
      { type: 'webhook', url: 'https://h.example/x', timeoutSeconds: -1 },
    ]) {
      expect(webhookConfigSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('refuses an invalid config at construction with ECONFIG, without echoing the URL', () => {
    try {
      webhookChannel({ type: 'webhook', url: 'ftp://h.example/SECRET' });
      throw new Error('expected a failure');
    } catch (e) {
      expect((e as OfferwatchError).code).toBe('ECONFIG');
      expect((e as Error).message).not.toContain('SECRET');
    }
  });
});

describe('backoff helpers', () => {
  it('grows exponentially within [half, full] of the ceiling and caps', () => {
    expect(backoffDelay(1, () => 0)).toBe(500);
    expect(backoffDelay(1, () => 0.999999)).toBe(1000);
    expect(backoffDelay(3, () => 0.5)).toBe(3000);
    expect(backoffDelay(20, () => 1)).toBe(32_000);
  });

  it('seeded random is deterministic and in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    for (let i = 0; i < 100; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it('parses Retry-After', () => {
    expect(parseRetryAfter(null, null, 0)).toBeUndefined();
    expect(parseRetryAfter('garbage', null, 0)).toBeUndefined();
    expect(parseRetryAfter(' 5 ', null, 0)).toBe(5000);
    const now = Date.parse('2026-12-01T09:00:00Z');
    expect(parseRetryAfter('Tue, 01 Dec 2026 09:00:30 GMT', null, now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 08:00:00 GMT', null, now)).toBe(0);
  });
});
