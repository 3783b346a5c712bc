/** Turns alerts and the board into short human text: one line per alert, a few lines per digest. */
import type { Stage } from '../model/types.js';
import type { Alert, DigestRow } from './types.js';
import { terminalSafe } from '../util/text.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Most rows listed per digest section; the rest are counted. */
export const DIGEST_LIST_LIMIT = 10;

// C0, DEL, C1 controls and bidirectional overrides: none belongs in a one-line notice.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One-line, printable, bounded version of a value that came from mail. */
export function cleanText(value: string | null | undefined, max = 100): string {
  if (!value) return '';
  const flat = terminalSafe(value).replace(UNSAFE_CHARS, ' ').replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** "less than a minute", "5 minutes", "5 hours", "1 day", "13 days", "2 weeks" (rounded down). */
export function humaniseDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'an unknown time';
  const t = Math.max(0, ms);
  if (t < MINUTE) return 'less than a minute';
  if (t < HOUR) return plural(Math.floor(t / MINUTE), 'minute');
  if (t < DAY) return plural(Math.floor(t / HOUR), 'hour');
  if (t < 2 * WEEK) return plural(Math.floor(t / DAY), 'day');
  return plural(Math.floor(t / WEEK), 'week');
}

function since(iso: string, now: Date): number {
  return now.getTime() - Date.parse(iso);
}

export interface ThreadLabel {
  stage: Stage;
  company: string | null;
  role: string | null;
  contactFirstName?: string | null;
  subject: string;
}

/** "Offer from Northwind (Senior Data Engineer)", 'Message from "Re: next steps" (stage: accepted)'. */
export function describeThread(t: ThreadLabel): string {
  const who = cleanText(t.company) || cleanText(t.contactFirstName) || `"${cleanText(t.subject, 80) || '(no subject)'}"`;
  const role = cleanText(t.role);
  const details: string[] = role ? [role] : [];
  let head: string;
  switch (t.stage) {
    case 'offer':
      head = `Offer from ${who}`;
      break;
    case 'interviewing':
      head = `Interview request from ${who}`;
      break;
    case 'applied':
      head = `Message from ${who}`;
      break;
    default:
      head = `Message from ${who}`;
      details.push(`stage: ${t.stage}`);
  }
  return details.length > 0 ? `${head} (${details.join(', ')})` : head;
}

/**
 * One line, e.g. "Offer from Northwind (Senior Data Engineer) has waited 3 days for your reply;
 * proposed draft: decline-accepted-elsewhere #12".
 */
export function formatAlert(alert: Alert, now: Date): string {
  let line = `${describeThread(alert)} has waited ${humaniseDuration(since(alert.waitingSince, now))} for your reply`;
  if (alert.proposal) line += `; proposed draft: ${cleanText(alert.proposal.templateId, 60)} #${alert.proposal.id}`;
  return line;
}

/** The line printed when an alert is cleared. */
export function formatCleared(alert: Alert, opts: { time?: (iso: string) => string } = {}): string {
  const time = opts.time ?? ((iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`);
  const c = alert.cleared;
  if (c?.reason === 'snoozed' && c.snoozedUntil) return `Snoozed until ${time(c.snoozedUntil)}: ${describeThread(alert)}; a new message or your reply ends the snooze`;
  if (c?.reason === 'new message in the thread') return `New message, new reply deadline: ${describeThread(alert)}`;
  if (c?.reason === 'stage changed') return `Stage changed: ${describeThread(alert)}`;
  return `No longer waiting for your reply: ${describeThread(alert)}`;
}

function stamp(now: Date, time?: (iso: string) => string): string {
  return time ? time(now.toISOString()) : `${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function section(title: string, rows: DigestRow[], line: (r: DigestRow) => string): string[] {
  if (rows.length === 0) return [];
  const out = [`${title} (${rows.length}):`];
  for (const r of rows.slice(0, DIGEST_LIST_LIMIT)) out.push(`- ${line(r)}${r.stale ? ' [stale]' : ''}`);
  if (rows.length > DIGEST_LIST_LIMIT) out.push(`- … and ${rows.length - DIGEST_LIST_LIMIT} more`);
  return out;
}

/** Live rows before stale ones, then earliest deadline first. */
function byUrgency(a: DigestRow, b: DigestRow): number {
  if (a.stale !== b.stale) return a.stale ? 1 : -1;
  return Date.parse(a.dueAt ?? '') - Date.parse(b.dueAt ?? '') || a.threadId.localeCompare(b.threadId);
}

/**
 * A short daily summary: counts per stage, then overdue threads (most overdue first)
 * with how long they waited, then threads due in the next 24 hours.
 */
export function formatDigest(rows: readonly DigestRow[], now: Date, time?: (iso: string) => string): string {
  const lines = [`offerwatch digest, ${stamp(now, time)}`];
  if (rows.length === 0) {
    lines.push('No tracked threads.');
    return lines.join('\n');
  }
  const counts = new Map<Stage, number>();
  for (const r of rows) counts.set(r.stage, (counts.get(r.stage) ?? 0) + 1);
  const order: Stage[] = ['offer', 'interviewing', 'applied', 'accepted', 'declined', 'withdrawn', 'rejected'];
  const parts = order.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}`);
  const stale = rows.filter((r) => r.stale).length;
  lines.push(`Threads: ${parts.join(', ')} (${rows.length} total${stale > 0 ? `, ${stale} stale` : ''})`);

  const t = now.getTime();
  const waiting = rows.filter((r) => r.awaitingReply);
  const withDue = waiting.filter((r) => r.dueAt !== null && Number.isFinite(Date.parse(r.dueAt)));
  const overdue = withDue.filter((r) => Date.parse(r.dueAt!) <= t).sort(byUrgency);
  const soon = withDue.filter((r) => Date.parse(r.dueAt!) > t && Date.parse(r.dueAt!) <= t + DAY).sort(byUrgency);
  const later = waiting.length - overdue.length - soon.length;

  const waited = (r: DigestRow) => (r.waitingSince ? `waited ${humaniseDuration(since(r.waitingSince, now))}, ` : '');
  lines.push(
    ...section('Overdue', overdue, (r) => `${describeThread(r)}: ${waited(r)}overdue by ${humaniseDuration(t - Date.parse(r.dueAt!))}`),
  );
  lines.push(
    ...section('Due in the next 24 hours', soon, (r) => `${describeThread(r)}: ${waited(r)}due in ${humaniseDuration(Date.parse(r.dueAt!) - t)}`),
  );
  if (overdue.length === 0 && soon.length === 0) lines.push('Nothing is overdue or due in the next 24 hours.');
  if (later > 0) lines.push(`Also waiting for your reply, due later: ${later}.`);
  return lines.join('\n');
}
