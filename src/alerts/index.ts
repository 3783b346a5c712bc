/** Public API of alert delivery. */
export type { Alert, AlertChannel, DigestRow, TextSink } from './types.js';
export { hasSendText } from './types.js';
export { cleanText, describeThread, formatAlert, formatCleared, formatDigest, humaniseDuration, DIGEST_LIST_LIMIT } from './format.js';
export type { ThreadLabel } from './format.js';
export { terminalChannel } from './terminal.js';
export {
  alertPayload,
  defuseMentions,
  webhookChannel,
  webhookConfigSchema,
  WEBHOOK_DEFAULT_MAX_ATTEMPTS,
  WEBHOOK_DEFAULT_TIMEOUT_SECONDS,
  WEBHOOK_MAX_RETRY_WAIT_MS,
} from './webhook.js';
export type { WebhookChannel, WebhookConfig, WebhookDeps } from './webhook.js';
export { mailboxChannel } from './mailbox.js';
export {
  buildChannels,
  channelConfigSchema,
  deliver,
  deliverClear,
  deliverText,
  mailboxLabel,
  mailboxConfigSchema,
  terminalConfigSchema,
  DEFAULT_ATTENTION_LABEL,
} from './channels.js';
export type { ChannelConfig, ChannelDeps, DeliveryLog, DeliveryResult } from './channels.js';
export { parseSnooze, MAX_SNOOZE_DAYS } from './snooze.js';
