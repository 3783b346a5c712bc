import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildChannels,
  channelConfigSchema,
  deliver,
  deliverClear,
  deliverText,
  mailboxChannel,
  mailboxLabel,
  terminalChannel,
  DEFAULT_ATTENTION_LABEL,
  type Alert,
  type AlertChannel,
  type ChannelConfig,
} from '../../src/alerts/index.js';
import type { AttentionMarker } from '../../src/connectors/port.js';
import { OfferwatchError } from '../../src/errors.js';

const NOW = new Date('2026-03-10T09:00:00Z');
const ALERT: Alert = {
  id: 3,
  threadId: 'thr-9',
  source: 'gmail:work',
  stage: 'interviewing',
  company: 'Contoso',
  role: null,
  contactFirstName: null,
  subject: 'Schedule a call',
  waitingSince: '2026-03-09T09:00:00.000Z',
  dueAt: '2026-03-11T09:00:00.000Z',
  proposal: null,
};

/** An in-test marker that records calls; idempotent like the real ones. */
function recordingMarker(): AttentionMarker & { calls: Array<[string, boolean]>; marked: Set<string> } {
  const calls: Array<[string, boolean]> = [];
  const marked = new Set<string>();
  return {
    calls,
    marked,
    async setNeedsReply(thread, on) {
      calls.push([thread.threadId, on]);
      if (on) marked.add(thread.threadId);
      else marked.delete(thread.threadId);
    },
  };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

async function serverAnswering(code: number): Promise<{ url: string; hits: () => number }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      res.writeHead(code).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook/SECRET-TOKEN`, hits: () => n };
}

describe('mailboxChannel', () => {
  it('marks on raise and unmarks on clear', async () => {
    const marker = recordingMarker();
    const ch = mailboxChannel(marker, 'needs-reply');
    await ch.raise(ALERT, NOW);
    expect(marker.marked.has('thr-9')).toBe(true);
    await ch.clear!(ALERT, NOW);
    expect(marker.calls).toEqual([
      ['thr-9', true],
      ['thr-9', false],
    ]);
    expect(marker.marked.size).toBe(0);
  });

  it('ignores alerts of other sources when bound to one source', async () => {
    const marker = recordingMarker();
    const ch = mailboxChannel(marker, 'needs-reply', { source: 'demo' });
    await ch.raise(ALERT, NOW);
    expect(marker.calls).toEqual([]);
  });
});

describe('terminalChannel', () => {
  it('prints one line per alert and one per clear', async () => {
    const lines: string[] = [];
    const ch = terminalChannel((l) => lines.push(l));
    await ch.raise(ALERT, NOW);
    await ch.clear!(ALERT, NOW);
    expect(lines).toEqual([
      'Interview request from Contoso has waited 1 day for your reply',
      'No longer waiting for your reply: Interview request from Contoso',
    ]);
  });
});

describe('channelConfigSchema', () => {
  it('accepts the three kinds, strictly', () => {
    expect(channelConfigSchema.parse({ type: 'terminal' })).toEqual({ type: 'terminal' });
    expect(channelConfigSchema.parse({ type: 'mailbox', label: 'job/reply' })).toEqual({ type: 'mailbox', label: 'job/reply' });
    expect(channelConfigSchema.safeParse({ type: 'webhook', url: 'https://h.example/x' }).success).toBe(true);
    expect(channelConfigSchema.safeParse({ type: 'terminal', colour: true }).success).toBe(false);
    expect(channelConfigSchema.safeParse({ type: 'mailbox', label: '' }).success).toBe(false);
    expect(channelConfigSchema.safeParse({ type: 'pager' }).success).toBe(false);
  });

  it('tells which label the markers should use', () => {
    expect(mailboxLabel([{ type: 'terminal' }])).toBeNull();
    expect(mailboxLabel([{ type: 'mailbox' }])).toBe(DEFAULT_ATTENTION_LABEL);
    expect(mailboxLabel([{ type: 'mailbox', label: 'x' }])).toBe('x');
  });
});

describe('buildChannels and deliver', () => {
  it('builds one mailbox channel per source that can mark threads', () => {
    const markers = new Map([
      ['gmail:work', recordingMarker()],
      ['gmail:home', recordingMarker()],
    ]);
    const chans = buildChannels([{ type: 'terminal' }, { type: 'mailbox' }], { write: () => undefined, markers });
    expect(chans.map((c) => c.name)).toEqual(['terminal', `mailbox:gmail:work:${DEFAULT_ATTENTION_LABEL}`, `mailbox:gmail:home:${DEFAULT_ATTENTION_LABEL}`]);
  });

  it('refuses a mailbox channel when no source can mark threads', () => {
    try {
      buildChannels([{ type: 'mailbox' }], { write: () => undefined });
      throw new Error('expected a failure');
    } catch (e) {
      expect((e as OfferwatchError).code).toBe('EUNSUPPORTED');
    }
  });

  it('isolates a failing channel: the others still deliver', async () => {
    const hook = await serverAnswering(400);
    const lines: string[] = [];
    const logs: string[] = [];
    const marker = recordingMarker();
    const broken: AlertChannel = {
      name: 'broken',
      async raise() {
        throw new Error('boom');
      },
    };
    const configs: ChannelConfig[] = [{ type: 'webhook', url: hook.url, headers: { Authorization: 'Bearer HEADER-SECRET' } }, { type: 'terminal' }, { type: 'mailbox' }];
    const chans = [broken, ...buildChannels(configs, { write: (l) => lines.push(l), markers: new Map([['gmail:work', marker]]) })];

    const results = await deliver(chans, ALERT, NOW, (m) => logs.push(m));

    expect(results.map((r) => [r.channel.split(':')[0], r.ok])).toEqual([
      ['broken', false],
      ['webhook', false],
      ['terminal', true],
      ['mailbox', true],
    ]);
    const webhookResult = results[1];
    expect(webhookResult.ok === false && webhookResult.error.code).toBe('EPROVIDER');
    const brokenResult = results[0];
    expect(brokenResult.ok === false && brokenResult.error).toBeInstanceOf(OfferwatchError);
    expect(hook.hits()).toBe(1);
    expect(lines).toEqual(['Interview request from Contoso has waited 1 day for your reply']);
    expect(marker.marked.has('thr-9')).toBe(true);
    expect(logs).toHaveLength(2);
    for (const l of logs) {
      expect(l).not.toContain('SECRET');
      expect(l).not.toContain('/hook');
    }
  });

  it('clears only on channels that can clear, and sends text only to channels that carry it', async () => {
    const hook = await serverAnswering(200);
    const lines: string[] = [];
    const marker = recordingMarker();
    const chans = buildChannels([{ type: 'webhook', url: hook.url }, { type: 'terminal' }, { type: 'mailbox' }], {
      write: (l) => lines.push(l),
      markers: new Map([['gmail:work', marker]]),
    });

    const cleared = await deliverClear(chans, ALERT, NOW, () => undefined);
    expect(cleared.map((r) => r.channel.split(':')[0])).toEqual(['terminal', 'mailbox']);
    expect(marker.calls).toEqual([['thr-9', false]]);
    expect(hook.hits()).toBe(0);

    const sent = await deliverText(chans, 'line one\nline two', () => undefined);
    expect(sent.map((r) => [r.channel.split(':')[0], r.ok])).toEqual([
      ['webhook', true],
      ['terminal', true],
    ]);
    expect(hook.hits()).toBe(1);
    expect(lines).toEqual(['No longer waiting for your reply: Interview request from Contoso', 'line one', 'line two']);
  });
});
