/**
 * One cycle, start to end: sync every source (each batch and its cursor in one transaction),
 * classify the threads that changed, raise or clear alerts, and propose drafts.
 * Every step reads its inputs from state, so a cycle killed anywhere converges on the next run.
 */
import type { Connector, CandidateFilter } from '../connectors/port.js';
import type { MailMessage } from '../model/types.js';
import type { Store, Proposal, AlertRow, Correction } from '../store/index.js';
import type { RuleSet } from '../rules/load.js';
import type { Clock } from '../clock.js';
import { classifyThread, type DeadlinePolicy, type ThreadVerdict } from '../classify/classify.js';
import type { AlertChannel } from '../alerts/types.js';
import type { TemplateSet } from '../drafts/templates.js';
import type { ResponseRule } from '../respond/schema.js';
import { isOfferwatchError } from '../errors.js';
import { updateAlerts } from './alerting.js';
import { proposeDrafts } from './proposing.js';
import type { OwnerProfile } from '../respond/propose.js';

export interface CycleContext {
  store: Store;
  connectors: Connector[];
  rules: RuleSet;
  /** Hash of everything classification depends on besides the messages (rules, owner, deadlines). */
  fingerprint: string;
  owner: OwnerProfile;
  deadlines: DeadlinePolicy;
  filter: CandidateFilter;
  channels: AlertChannel[];
  responses: ResponseRule[];
  templates: TemplateSet;
  autoSave: boolean;
  clock: Clock;
  log: (line: string) => void;
  onProgress?: (source: string, done: number, total: number | null, bytes?: { done: number; total: number }) => void;
}

export interface SourceReport {
  name: string;
  added: number;
  unchanged: number;
  failures: number;
  error: string | null;
}

export interface CycleReport {
  sources: SourceReport[];
  classified: number;
  raised: AlertRow[];
  cleared: number;
  proposed: Proposal[];
  saved: Proposal[];
}

/**
 * Unsent drafts (the owner's, or ours) are not part of the conversation: a draft is not a reply.
 * Only the mailbox says what is a draft (its role, or `X-Unsent: 1` on a saved file): a sent
 * message that still carries our draft key is the owner's reply and counts.
 */
export function isDraft(m: MailMessage): boolean {
  return m.role === 'drafts' || (m.headers['x-unsent'] ?? '').trim() === '1';
}

export async function syncSources(ctx: CycleContext, signal?: AbortSignal): Promise<SourceReport[]> {
  const reports: SourceReport[] = [];
  const tracked = new Map<string, Set<string>>();
  for (const v of ctx.store.threads.list(ctx.clock.now())) {
    const set = tracked.get(v.source) ?? new Set<string>();
    set.add(v.threadId);
    tracked.set(v.source, set);
  }
  for (const c of ctx.connectors) {
    const rep: SourceReport = { name: c.name, added: 0, unchanged: 0, failures: 0, error: null };
    reports.push(rep);
    try {
      const cursor = ctx.store.messages.getCursor(c.name);
      const batches = c.reader.sync(cursor, {
        now: ctx.clock.now(),
        filter: ctx.filter,
        trackedThreadIds: tracked.get(c.name) ?? new Set(),
        signal,
        onProgress: ctx.onProgress
          ? (p) => ctx.onProgress!(c.name, p.done, p.total, p.bytes !== undefined && p.totalBytes != null ? { done: p.bytes, total: p.totalBytes } : undefined)
          : undefined,
      });
      for await (const batch of batches) {
        const r = ctx.store.messages.ingest(c.name, { ...batch, messages: batch.messages.filter((m) => !isDraft(m)) }, ctx.owner, ctx.clock.now());
        rep.added += r.added;
        rep.unchanged += r.unchanged;
        rep.failures += r.failures;
        if (signal?.aborted) break;
      }
    } catch (e) {
      // One source failing (revoked token, provider outage) must not stop the others.
      // Reported once, by the caller (the per-source line of `once` and `run`, the error of `scan`).
      rep.error = isOfferwatchError(e) ? e.message : `cannot sync ${c.name}: ${(e as Error).message}`;
    }
  }
  return reports;
}

/**
 * Threads classified per page: their ids are read from the store a page at a time and their
 * verdicts saved in one transaction per page, so that memory stays flat whatever the mailbox's size.
 */
export const CLASSIFY_PAGE = 500;

export function classifyChanged(ctx: CycleContext, pageSize = CLASSIFY_PAGE): number {
  const { store } = ctx;
  if (store.meta('fingerprint') !== ctx.fingerprint) {
    store.threads.markAllDirty();
    store.setMeta('fingerprint', ctx.fingerprint);
  }
  const now = ctx.clock.now();
  let n = 0;
  // The owner's corrections in force, read once: few threads have one.
  const corrected = new Map<string, Correction[]>();
  for (const c of store.corrections.list()) {
    const k = `${c.source}\u0000${c.threadId}`;
    corrected.set(k, [...(corrected.get(k) ?? []), c]);
  }
  for (const page of store.threads.dirtyPages(pageSize)) {
    const verdicts: ThreadVerdict[] = [];
    for (const ref of page) {
      const thread = store.messages.loadThread(ref.source, ref.id, ctx.owner);
      if (!thread) continue;
      const corrections = corrected.get(`${ref.source}\u0000${ref.id}`) ?? [];
      verdicts.push(classifyThread(thread, ctx.rules, ctx.deadlines, now, corrections, (c, fate) => {
        const row = corrections.find((x) => x.kind === c.kind)!;
        if (fate === 'end') store.corrections.end(row, now);
        else if (fate === 'reanchor') store.corrections.reanchor(row, thread.messages[thread.messages.length - 1]!.id);
      }));
      n++;
    }
    if (verdicts.length) store.threads.saveAll(verdicts, ctx.fingerprint);
  }
  return n;
}

export async function runCycle(ctx: CycleContext, signal?: AbortSignal): Promise<CycleReport> {
  const sources = await syncSources(ctx, signal);
  const classified = classifyChanged(ctx);
  const now = ctx.clock.now();
  const verdicts: ThreadVerdict[] = ctx.store.threads.list(now);
  const proposals = await proposeDrafts(ctx, verdicts, now);
  const alerts = await updateAlerts(ctx, verdicts, now);
  return { sources, classified, raised: alerts.raised, cleared: alerts.cleared, proposed: proposals.proposed, saved: proposals.saved };
}
