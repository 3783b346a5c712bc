/**
 * Alerts: once per thread and reply deadline. A thread that is overdue and not snoozed gets
 * one alert; a new message (new deadline), an answer, a stage change or a snooze clears it.
 */
import type { ThreadVerdict } from '../classify/classify.js';
import type { AlertRow, ThreadRef } from '../store/index.js';
import type { Alert } from '../alerts/types.js';
import { deliver, deliverClear } from '../alerts/channels.js';
import type { CycleContext } from './cycle.js';
import type { Stage } from '../model/types.js';

export function alertOf(ctx: Pick<CycleContext, 'store'>, row: AlertRow, v: ThreadVerdict): Alert {
  const pending = ctx.store.proposals.forThread({ source: v.source, id: v.threadId }).find((p) => p.status === 'pending');
  return {
    id: row.id,
    threadId: v.threadId,
    source: v.source,
    stage: v.stage as Stage,
    company: v.company,
    role: v.role,
    contactFirstName: v.contactFirstName,
    subject: v.subject,
    waitingSince: v.waitingSince ?? v.lastMessageAt,
    dueAt: row.dueAt,
    proposal: pending ? { id: pending.id, templateId: pending.templateId } : null,
  };
}

export async function updateAlerts(ctx: CycleContext, verdicts: ThreadVerdict[], now: Date): Promise<{ raised: AlertRow[]; cleared: number }> {
  const { store } = ctx;
  const raised: AlertRow[] = [];
  let cleared = 0;
  const log = (m: string) => ctx.log(m);
  const byRef = new Map(verdicts.map((v) => [`${v.source}\0${v.threadId}`, v]));

  // Clear alerts whose reason is gone, including those of threads no longer tracked.
  for (const a of store.alerts.open()) {
    const v = byRef.get(`${a.source}\0${a.threadId}`) ?? ctx.store.threads.get({ source: a.source, id: a.threadId }, now);
    const ref: ThreadRef = { source: a.source, id: a.threadId };
    let reason: string | null = null;
    if (!v || !v.awaitingReply) reason = 'no longer waiting on you';
    else if (v.dueAt !== a.dueAt) reason = 'new message in the thread';
    else if (v.stage !== a.stage) reason = 'stage changed';
    else if (store.alerts.snoozedUntil(ref, now)) reason = 'snoozed';
    if (!reason) continue;
    store.alerts.clear(a.id, reason, now);
    cleared++;
    if (v) await deliverClear(ctx.channels, { ...alertOf(ctx, a, v), cleared: { reason, snoozedUntil: store.alerts.snoozedUntil(ref, now) } }, now, log);
  }

  // Each open alert goes to each channel once; a channel that failed is retried on later
  // cycles until it delivers. Failures are reported once per channel and cycle.
  const failures = new Map<string, { count: number; message: string }>();

  for (const v of verdicts) {
    if (!v.stale || !v.dueAt) continue;
    const ref: ThreadRef = { source: v.source, id: v.threadId };
    if (store.alerts.snoozedUntil(ref, now)) continue;
    let alert = store.alerts.get(ref, v.dueAt);
    if (alert?.clearedAt) {
      if (alert.clearedReason !== 'snoozed') continue; // answered once for this deadline
      store.alerts.reopen(alert.id, now);
      alert = store.alerts.get(ref, v.dueAt)!;
    } else if (!alert) {
      alert = store.alerts.raise(ref, v.dueAt, v.stage, now).alert;
    }
    if (alert.delivered) continue;
    const done = store.alerts.deliveredChannels(alert.id);
    const todo = ctx.channels.filter((ch) => !done.has(ch.name));
    if (done.size === 0) raised.push(alert);
    const results = await deliver(todo, alertOf(ctx, alert, v), now, () => {});
    let allOk = true;
    for (const r of results) {
      if (r.ok) store.alerts.markChannelDelivered(alert.id, r.channel, now);
      else {
        allOk = false;
        const f = failures.get(r.channel) ?? { count: 0, message: `${r.error.message} [${r.error.code}]` };
        f.count++;
        failures.set(r.channel, f);
      }
    }
    if (allOk) store.alerts.markDelivered(alert.id);
  }
  for (const [channel, f] of failures) {
    log(`cannot deliver ${f.count} alert(s) to ${channel}: ${f.message}; they stay open and are sent to ${channel} on the next cycle`);
  }
  return { raised, cleared };
}
