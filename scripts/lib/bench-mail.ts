/** What the provider benchmarks share: the same new arrivals for a busy poll, and draining a reader. */
import { generateMailItems, type GeneratedMail } from './gen-mbox.js';
import type { MailReader, SyncOptions } from '../../src/connectors/port.js';

/** First messages of fresh threads from another seed: `jobs` job-related, the rest not, the job ones interleaved. */
export function newArrivals(owner: string, total: number, jobs: number): GeneratedMail[] {
  const job: GeneratedMail[] = [];
  const other: GeneratedMail[] = [];
  const seen = new Set<string>();
  for (const m of generateMailItems({ seed: 77, messages: Infinity, jobShare: 0.2, owner })) {
    if (seen.has(m.threadId)) continue;
    seen.add(m.threadId);
    if (m.fromOwner) continue;
    if (m.job && job.length < jobs) job.push(m);
    if (!m.job && other.length < total - jobs) other.push(m);
    if (job.length === jobs && other.length === total - jobs) break;
  }
  const out = [...other];
  job.forEach((m, i) => out.splice(Math.floor(((i + 1) * out.length) / (jobs + 1)), 0, m));
  return out;
}

/** Runs a reader's sync to the end: messages and threads seen, and the last cursor. */
export async function drain(reader: MailReader, cursor: string | null, opts: SyncOptions) {
  let messages = 0;
  let last = cursor;
  const threads = new Set<string>();
  for await (const b of reader.sync(cursor, opts)) {
    messages += b.messages.length;
    for (const m of b.messages) if (m.threadId) threads.add(m.threadId);
    last = b.cursor;
  }
  return { messages, threads, cursor: last };
}
