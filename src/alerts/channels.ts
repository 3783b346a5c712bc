/** Channel configuration, construction, and fan-out delivery with per-channel isolation. */
import { z } from 'zod';
import type { AttentionMarker } from '../connectors/port.js';
import { OfferwatchError, isOfferwatchError } from '../errors.js';
import { mailboxChannel, type HandleOf } from './mailbox.js';
import { terminalChannel } from './terminal.js';
import { hasSendText, type Alert, type AlertChannel } from './types.js';
import { webhookChannel, webhookConfigSchema, type WebhookDeps } from './webhook.js';

export const DEFAULT_ATTENTION_LABEL = 'offerwatch/needs-reply';

export const terminalConfigSchema = z.strictObject({ type: z.literal('terminal') });
export const mailboxConfigSchema = z.strictObject({
  type: z.literal('mailbox'),
  label: z
    .string()
    .min(1)
    .max(100)
    // eslint-disable-next-line no-control-regex
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { message: 'label must not contain control characters' })
    .optional(),
});
export const channelConfigSchema = z.discriminatedUnion('type', [terminalConfigSchema, webhookConfigSchema, mailboxConfigSchema]);
export type ChannelConfig = z.infer<typeof channelConfigSchema>;

export interface ChannelDeps {
  /** Where the terminal channel prints. */
  write: (line: string) => void;
  /** Attention markers of the sources whose connector can mark threads, by source name. */
  markers?: ReadonlyMap<string, AttentionMarker>;
  /** Builds a thread's handle from state, for the markers. */
  handleOf?: HandleOf;
  webhook?: WebhookDeps;
  /** How the terminal channel shows a time (the owner's zone). */
  time?: (iso: string) => string;
}

/** The label the mailbox channel asks for (give it to the connectors' markers), or null when none is configured. */
export function mailboxLabel(configs: readonly ChannelConfig[]): string | null {
  const m = configs.find((c) => c.type === 'mailbox');
  return m ? (m.label ?? DEFAULT_ATTENTION_LABEL) : null;
}

/** One channel per config; a mailbox config gives one channel per source that can mark threads. */
export function buildChannels(configs: readonly ChannelConfig[], deps: ChannelDeps): AlertChannel[] {
  const out: AlertChannel[] = [];
  for (const c of configs) {
    if (c.type === 'terminal') out.push(terminalChannel(deps.write, deps.time));
    else if (c.type === 'webhook') out.push(webhookChannel(c, deps.webhook));
    else {
      const markers = [...(deps.markers ?? new Map<string, AttentionMarker>())];
      if (markers.length === 0) {
        throw new OfferwatchError('EUNSUPPORTED', 'cannot use mailbox alerts: no configured source can mark threads');
      }
      const label = c.label ?? DEFAULT_ATTENTION_LABEL;
      for (const [source, marker] of markers) out.push(mailboxChannel(marker, label, { source, handleOf: deps.handleOf }));
    }
  }
  return out;
}

export type DeliveryResult = { channel: string; ok: true } | { channel: string; ok: false; error: OfferwatchError };
/** Receives one line per failed channel. Lines never hold webhook URLs' paths or header values. */
export type DeliveryLog = (message: string) => void;

function asOfferwatchError(e: unknown, what: string, channel: string): OfferwatchError {
  if (isOfferwatchError(e)) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new OfferwatchError('EPROVIDER', `cannot deliver ${what} to ${channel}: ${msg}`, { cause: e });
}

async function fanOut(
  channels: readonly AlertChannel[],
  what: string,
  log: DeliveryLog,
  send: (ch: AlertChannel) => Promise<void>,
): Promise<DeliveryResult[]> {
  return Promise.all(
    channels.map(async (ch): Promise<DeliveryResult> => {
      try {
        await send(ch);
        return { channel: ch.name, ok: true };
      } catch (e) {
        const error = asOfferwatchError(e, what, ch.name);
        log(`${error.message} [${error.code}]`);
        return { channel: ch.name, ok: false, error };
      }
    }),
  );
}

/** Raises the alert on every channel; one failing channel does not stop the others. Results follow channel order. */
export function deliver(channels: readonly AlertChannel[], alert: Alert, now: Date, log: DeliveryLog): Promise<DeliveryResult[]> {
  return fanOut(channels, `alert #${alert.id}`, log, (ch) => ch.raise(alert, now));
}

/** Clears the alert on the channels that support clearing; the others are left out of the results. */
export function deliverClear(channels: readonly AlertChannel[], alert: Alert, now: Date, log: DeliveryLog): Promise<DeliveryResult[]> {
  const able = channels.filter((ch) => typeof ch.clear === 'function');
  return fanOut(able, `cleared alert #${alert.id}`, log, (ch) => ch.clear!(alert, now));
}

/** Sends free text (the digest) to the channels that carry text; the others are left out of the results. */
export function deliverText(channels: readonly AlertChannel[], text: string, log: DeliveryLog): Promise<DeliveryResult[]> {
  const able = channels.filter(hasSendText);
  return fanOut(able, 'digest', log, (ch) => (hasSendText(ch) ? ch.sendText(text) : Promise.resolve()));
}
