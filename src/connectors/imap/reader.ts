/**
 * IMAP sync (MailReader). Every cycle:
 *
 * 1. One LIST (with LIST-STATUS where the server has it, else one STATUS per mailbox) gives the
 *    mailboxes, their SPECIAL-USE roles and UIDVALIDITY / UIDNEXT / HIGHESTMODSEQ. A watched
 *    mailbox whose numbers did not move costs nothing more: an idle poll is that one command.
 * 2. Mailboxes with new mail are opened read-only (EXAMINE) and their new messages' headers
 *    fetched: with CONDSTORE `UID FETCH last+1:* (…) (CHANGEDSINCE modseq)`, without it
 *    `UID SEARCH UID last+1:*` first. A mailbox seen for the first time, or whose UIDVALIDITY
 *    changed, is scanned within the look-back window (`UID SEARCH SINCE`): one scoped resync.
 * 3. Headers only (From, To, Subject, Message-ID, In-Reply-To, References): a message is a
 *    candidate when the candidate filter says so, or when it belongs to a job thread already
 *    fetched (Message-ID/References, or subject and the other side's domain), or to a thread
 *    of another candidate in the same scan. Only candidates' bodies are fetched
 *    (BODY.PEEK[]: nothing is marked read), and parsed by the shared normaliser.
 *
 * Message ids are RFC Message-IDs (else a content hash), as for mbox, so a resync after a
 * UIDVALIDITY change re-reads the same ids: the store sees them unchanged, and no alert or
 * draft is raised twice. Gmail (X-GM-EXT-1) gives its thread id, X-GM-THRID.
 */
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import type { MailMessage, MessageFailure } from '../../model/types.js';
import type { CandidateFilter, MailReader, MailboxRole, MessageMeta, SyncBatch, SyncOptions } from '../port.js';
import { OfferwatchError, isOfferwatchError } from '../../errors.js';
import { MAX_MESSAGE_BYTES, parseMessage, sha256Hex } from '../../mail/normalise.js';
import { normaliseSubject } from '../../pipeline/threading.js';
import { domainOf } from '../../mail/addresses.js';
import type { ImapSourceConfig } from './config.js';
import type { ImapSession } from './session.js';
import { resolveRoles, type FolderRole, type ListedMailbox } from './mailboxes.js';
import { META_HEADERS, parseHeaderMeta, type HeaderMeta } from './headers.js';
import { compactUids, decodeCursor, encodeCursor, expandUids, shortHash, type BoxCursor, type ImapCursor } from './cursor.js';

/** Roles read by default (Drafts, Junk and Trash never are). */
const WATCHED_ROLES: readonly FolderRole[] = ['inbox', 'sent', 'archive'];
/** Headers per FETCH command in a scan. */
const HEADER_CHUNK = 2000;
/** Bodies per FETCH command, and per yielded batch. */
const BODY_CHUNK = 50;

/** Flags that are the server's or a mail program's bookkeeping, not the owner's own keywords. */
const SYSTEM_KEYWORDS = new Set(['$junk', '$notjunk', 'junk', 'notjunk', 'nonjunk', '$forwarded', '$mdnsent', '$phishing', '$submitpending', '$submitted', '$mailflagbit0', '$mailflagbit1', '$mailflagbit2', '$hasattachment', '$hasnoattachment', '$important', '$offerwatchkeptflag']);

export interface Box {
  path: string;
  role: MailboxRole;
  uidValidity: string;
  uidNext: number;
  modseq: string | null;
}

export interface Head extends HeaderMeta {
  box: Box;
  uid: number;
  size: number;
  flags: string[];
  gmThreadId: string | null;
  /** The server's SEARCH found one of the filter's phrases in the body, or a sender domain. */
  serverHit: boolean;
}

export interface MailboxMap {
  roles: Map<FolderRole, string>;
  /** Selectable mailboxes with their status. */
  boxes: Map<string, Box>;
  gmail: boolean;
  condstore: boolean;
  /** Keywords the mailbox lets us set (PERMANENTFLAGS has `\*`), filled in when opened. */
}

export interface ReaderDeps {
  session: ImapSession;
  cfg: ImapSourceConfig;
  log: (line: string) => void;
  replyDueKeyword: string;
  /** Bodies per FETCH and per batch (default 50): a killed run loses at most this much work. */
  batchSize?: number;
}

function ownerKeywords(flags: Iterable<string>, exclude: string): string[] {
  const out: string[] = [];
  for (const f of flags) {
    if (f.startsWith('\\')) continue;
    const l = f.toLowerCase();
    if (SYSTEM_KEYWORDS.has(l) || l === exclude.toLowerCase()) continue;
    out.push(f);
  }
  return out.sort();
}

/**
 * The candidate filter as IMAP SEARCH keys: FROM for sender domains, SUBJECT and BODY for
 * phrases. Not TEXT: it also searches every header (Dovecot matched "application" in
 * `Content-Type: application/pdf` and fetched a third of a generated mailbox).
 */
export function searchTerms(filter: Pick<CandidateFilter, 'senderDomains' | 'phrases'>): ({ from: string } | { subject: string } | { body: string })[] {
  const out: ({ from: string } | { subject: string } | { body: string })[] = [];
  const seen = new Set<string>();
  for (const d of filter.senderDomains) {
    const domain = d.trim().toLowerCase().replace(/^@|^\*?\./, '');
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain) || seen.has(`f:${domain}`)) continue;
    seen.add(`f:${domain}`);
    out.push({ from: domain });
  }
  for (const p of filter.phrases) {
    const phrase = p.replace(/["\\\r\n]/g, ' ').replace(/\s+/g, ' ').trim();
    if (!phrase || seen.has(`b:${phrase}`)) continue;
    seen.add(`b:${phrase}`);
    out.push({ subject: phrase }, { body: phrase });
  }
  return out;
}

function subjectKeys(h: Pick<HeaderMeta, 'subject' | 'from' | 'to'>): string[] {
  const s = normaliseSubject(h.subject);
  if (s.length < 3) return [];
  const domains = new Set([h.from?.address, ...h.to.map((a) => a.address)].filter((a): a is string => !!a).map((a) => domainOf(a)));
  return [...domains].map((d) => shortHash(`${s}|${d}`));
}

/**
 * Lists mailboxes with their status in (ideally) one command, and resolves roles. `cached`:
 * what this cycle already listed will do (drafts and flags need roles, not fresh counts).
 */
export async function listMailboxes(session: ImapSession, cfg: ImapSourceConfig, opts: { cached?: boolean } = {}): Promise<MailboxMap> {
  if (opts.cached && session.listing) return session.listing as MailboxMap;
  const map = await session.run('list mailboxes', async (c) => {
    const condstore = c.enabled.has('CONDSTORE') || c.enabled.has('QRESYNC') || c.capabilities.has('CONDSTORE');
    const gmail = c.capabilities.has('X-GM-EXT-1');
    const statusQuery = { uidValidity: true, uidNext: true, messages: true, ...(condstore ? { highestModseq: true } : {}) };
    // LIST-STATUS: every mailbox's numbers with the list, one round trip. Without it, one
    // STATUS per watched mailbox only (imapflow's own fallback would STATUS every folder).
    const listStatus = c.capabilities.has('LIST-STATUS') || c.capabilities.has('IMAP4rev2');
    const listed = await c.list(listStatus ? { statusQuery } : {});
    const mailboxes: ListedMailbox[] = listed.map((l) => ({
      path: l.path,
      delimiter: l.delimiter,
      specialUse: [...l.flags].map((f) => f.toLowerCase()).filter((f) => ['\\sent', '\\drafts', '\\junk', '\\trash', '\\archive', '\\all', '\\inbox'].includes(f)).concat(l.specialUse && l.specialUseSource === 'extension' ? [l.specialUse.toLowerCase()] : []),
      selectable: !l.flags.has('\\Noselect') && !l.flags.has('\\NonExistent'),
    }));
    const roles = resolveRoles(mailboxes, cfg);
    if (!listStatus) {
      const wanted = new Set([...WATCHED_ROLES.map((r) => roles.get(r)), ...cfg.watch].filter((p): p is string => !!p));
      for (const l of listed) {
        if (!wanted.has(l.path) || l.flags.has('\\Noselect')) continue;
        const st = await c.status(l.path, statusQuery);
        if (st) l.status = st;
      }
    }
    const roleOf = new Map<string, MailboxRole>();
    for (const [role, path] of roles) if (!roleOf.has(path)) roleOf.set(path, role);
    const boxes = new Map<string, Box>();
    for (const l of listed) {
      const st = l.status;
      if (!st || st.uidValidity === undefined || st.uidNext === undefined) continue;
      boxes.set(l.path, {
        path: l.path,
        role: roleOf.get(l.path) ?? 'other',
        uidValidity: st.uidValidity.toString(),
        uidNext: st.uidNext,
        modseq: st.highestModseq !== undefined ? st.highestModseq.toString() : null,
      });
    }
    return { roles, boxes, gmail, condstore };
  });
  session.listing = map;
  return map;
}

export class ImapReader implements MailReader {
  constructor(private readonly d: ReaderDeps) {}

  async *sync(cursor: string | null, opts: SyncOptions): AsyncGenerator<SyncBatch> {
    const { session, cfg } = this.d;
    await session.beginCycle();
    if (opts.signal?.aborted) return;
    const prev = decodeCursor(cursor);
    if (prev === 'invalid') this.d.log(`imap ${cfg.name}: the stored cursor is not one this version wrote; resyncing within ${this.lookbackDays(opts)} days`);
    const state: ImapCursor = prev && prev !== 'invalid' ? { ...prev, boxes: [...prev.boxes], pending: [...prev.pending] } : { v: 1, boxes: [], pending: [], known: [], subjects: [] };
    const known = new Set(state.known);
    const subjects = new Set(state.subjects);

    const map = await listMailboxes(session, cfg);
    const watched = this.watched(map);

    // Pending candidates of an interrupted run whose mailbox is unchanged come first.
    const pending = new Map<string, { box: Box; uids: number[] }>();
    for (const p of state.pending) {
      const box = map.boxes.get(p.path);
      if (box && box.uidValidity === p.uidValidity) pending.set(p.path, { box, uids: expandUids(p.uids) });
    }

    // What to scan in each watched mailbox.
    const heads: Head[] = [];
    const nextBoxes = new Map<string, BoxCursor>(state.boxes.map((b) => [b.path, b]));
    const plans: { box: Box; from: number; since: Date | null; modseq: string | null }[] = [];
    for (const box of watched) {
      const seen = state.boxes.find((b) => b.path === box.path);
      const lastUid = Math.max(0, box.uidNext - 1);
      if (!seen || seen.uidValidity !== box.uidValidity) {
        if (seen) this.d.log(`imap ${cfg.name}: UIDVALIDITY of ${box.path} changed (${seen.uidValidity} → ${box.uidValidity}); resyncing it within ${this.lookbackDays(opts)} days`);
        pending.delete(box.path);
        plans.push({ box, from: 1, since: new Date(opts.now.getTime() - (this.lookbackDays(opts) + 1) * 86_400_000), modseq: null });
      } else if (lastUid > seen.lastUid) {
        plans.push({ box, from: seen.lastUid + 1, since: null, modseq: map.condstore ? seen.modseq : null });
      }
      nextBoxes.set(box.path, { path: box.path, uidValidity: box.uidValidity, lastUid, modseq: box.modseq });
    }
    // Mailboxes no longer watched are forgotten (a later return is a fresh scan).
    for (const path of [...nextBoxes.keys()]) if (!watched.some((b) => b.path === path)) nextBoxes.delete(path);

    let scanned = 0;
    for (const plan of plans) {
      if (opts.signal?.aborted) return;
      const got = await this.scanHeaders(plan, map, opts.filter, (n) => opts.onProgress?.({ done: scanned + n, total: null }));
      scanned += got.length;
      heads.push(...got);
    }

    // Decide which bodies to fetch.
    const decided = this.decide(heads, known, subjects, opts.filter);
    const chosen = [...decided, ...(await this.completeThreads(decided, heads, known, watched, map))];
    heads.push(...chosen.slice(decided.length));
    for (const h of chosen) {
      const p = pending.get(h.box.path) ?? { box: h.box, uids: [] };
      p.uids.push(h.uid);
      pending.set(h.box.path, p);
      if (h.messageId) known.add(shortHash(h.messageId));
      for (const r of [h.inReplyTo, ...h.references]) if (r) known.add(shortHash(r));
      for (const k of subjectKeys(h)) subjects.add(k);
    }
    const sizes = new Map(heads.map((h) => [`${h.box.path}\u0000${h.uid}`, h.size]));

    const cursorNow = (): string =>
      encodeCursor({
        v: 1,
        boxes: [...nextBoxes.values()],
        pending: [...pending.values()].map((p) => ({ path: p.box.path, uidValidity: p.box.uidValidity, uids: compactUids(p.uids) })),
        known: [...known],
        subjects: [...subjects],
      });

    const total = [...pending.values()].reduce((n, p) => n + p.uids.length, 0);
    let done = 0;
    let yielded = false;
    for (const [path, p] of [...pending.entries()]) {
      p.uids = [...new Set(p.uids)].sort((a, b) => a - b);
      while (p.uids.length > 0) {
        if (opts.signal?.aborted) return;
        const chunk = p.uids.slice(0, this.d.batchSize ?? BODY_CHUNK);
        const batch = await this.fetchBodies(p.box, chunk, map, sizes);
        p.uids = p.uids.slice(chunk.length);
        if (p.uids.length === 0) pending.delete(path);
        done += chunk.length;
        opts.onProgress?.({ done, total });
        yield { ...batch, cursor: cursorNow() };
        yielded = true;
      }
      pending.delete(path);
    }
    const final = cursorNow();
    if (!yielded || final !== cursor) yield { messages: [], failures: [], cursor: final };
  }

  private lookbackDays(opts: SyncOptions): number {
    return Math.min(opts.filter.lookbackDays ?? 180, this.d.cfg.lookbackDays ?? Infinity);
  }

  private watched(map: MailboxMap): Box[] {
    const paths: string[] = [];
    for (const role of WATCHED_ROLES) {
      const p = map.roles.get(role);
      if (p && !paths.includes(p)) paths.push(p);
    }
    for (const p of this.d.cfg.watch) if (!paths.includes(p)) paths.push(p);
    const out: Box[] = [];
    for (const p of paths) {
      const box = map.boxes.get(p);
      if (box) out.push(box);
      else if (this.d.cfg.watch.includes(p) || this.d.cfg.mailboxes.inbox === p) {
        throw new OfferwatchError('ENOTFOUND', `cannot sync imap ${this.d.cfg.name}: no mailbox named "${p}" (the config names it)`);
      }
    }
    return out;
  }

  /**
   * The headers worth looking at in a plan's range, found by the server: SEARCH for the
   * filter's sender domains and words (TEXT: subject and body), and SEARCH for replies
   * (In-Reply-To or References present: they may belong to a job thread already known). Only
   * those messages' header fields cross the wire. Retried once on a broken connection.
   */
  private async scanHeaders(plan: { box: Box; from: number; since: Date | null; modseq: string | null }, map: MailboxMap, filter: CandidateFilter, progress: (n: number) => void): Promise<Head[]> {
    const { session } = this.d;
    const { box } = plan;
    return session.run(`read headers in ${box.path}`, async (c) => {
      await this.openChecked(c, box);
      // With CONDSTORE, "changed since the stored MODSEQ" narrows the range on the server too.
      const scope = plan.since ? { since: plan.since } : { uid: `${plan.from}:*`, ...(plan.modseq ? { modseq: BigInt(plan.modseq) + 1n } : {}) };
      // `UID SEARCH UID n:*` always matches the highest UID, even when it is below n; and
      // anything past the status snapshot waits for the next cycle.
      const inRange = (u: number) => u >= plan.from && u < box.uidNext;
      const terms = searchTerms(filter);
      const hits = new Set(terms.length > 0 ? ((await c.search({ ...scope, ...(terms.length === 1 ? terms[0] : { or: terms }) }, { uid: true })) || []).filter(inRange) : []);
      const replies = ((await c.search({ ...scope, or: [{ header: { 'in-reply-to': '' } }, { header: { references: '' } }] }, { uid: true })) || []).filter(inRange);
      const uids = [...new Set([...hits, ...replies])].sort((a, b) => a - b);
      const heads = await this.fetchHeads(c, box, uids, map, progress);
      for (const h of heads) h.serverHit = hits.has(h.uid);
      return heads;
    });
  }

  private async fetchHeads(c: ImapFlow, box: Box, uids: number[], map: MailboxMap, progress: (n: number) => void = () => {}): Promise<Head[]> {
    const query = { uid: true, flags: true, size: true, headers: [...META_HEADERS], ...(map.gmail ? { threadId: true } : {}) };
    const out: Head[] = [];
    for (let i = 0; i < uids.length; i += HEADER_CHUNK) {
      for (const m of await c.fetchAll(compactUids(uids.slice(i, i + HEADER_CHUNK)), query, { uid: true })) {
        if (m.uid >= box.uidNext) continue;
        out.push({
          ...parseHeaderMeta(m.headers),
          box,
          uid: m.uid,
          size: m.size ?? 0,
          flags: [...(m.flags ?? [])],
          gmThreadId: map.gmail && m.threadId ? m.threadId : null,
          serverHit: false,
        });
      }
      progress(out.length);
    }
    return out;
  }

  /**
   * Messages that chosen messages refer to (In-Reply-To, References) but that this scan did
   * not look at — a thread's first message says nothing about a job more often than its
   * replies do. Found by `UID SEARCH HEADER Message-ID` in every watched mailbox.
   */
  private async completeThreads(chosen: Head[], heads: Head[], known: Set<string>, watched: Box[], map: MailboxMap): Promise<Head[]> {
    const have = new Set(heads.map((h) => h.messageId).filter((x): x is string => !!x));
    const extra: Head[] = [];
    let frontier = chosen;
    for (let round = 0; round < 3 && frontier.length > 0; round++) {
      const missing = new Set<string>();
      for (const h of frontier) for (const r of [h.inReplyTo, ...h.references]) if (r && !have.has(r) && !known.has(shortHash(r))) missing.add(r);
      if (missing.size === 0) break;
      for (const id of missing) have.add(id);
      const found: Head[] = [];
      for (const box of watched) {
        const got = await this.d.session.run(`look up thread messages in ${box.path}`, async (c) => {
          await this.openChecked(c, box);
          const ids = [...missing];
          const uids: number[] = [];
          for (let i = 0; i < ids.length; i += 50) {
            const part = ids.slice(i, i + 50).map((id) => ({ header: { 'message-id': id } }));
            const r = (await c.search(part.length === 1 ? part[0]! : { or: part }, { uid: true })) || [];
            uids.push(...r.filter((u) => u < box.uidNext));
          }
          return uids.length ? this.fetchHeads(c, box, [...new Set(uids)].sort((a, b) => a - b), map) : [];
        });
        // Header SEARCH matches substrings: keep exact Message-IDs only.
        found.push(...got.filter((h) => h.messageId && missing.has(h.messageId)));
      }
      extra.push(...found);
      frontier = found;
    }
    return extra;
  }

  private async openChecked(c: ImapFlow, box: Box): Promise<void> {
    const mb = await this.d.session.open(c, box.path);
    if (mb.uidValidity.toString() !== box.uidValidity) {
      throw new OfferwatchError('EPROVIDER', `cannot sync imap ${this.d.cfg.name}: UIDVALIDITY of ${box.path} changed during the cycle; the next cycle resyncs it`);
    }
  }

  /** Candidates, completed with the rest of their threads within the scan. */
  decide(heads: Head[], known: Set<string>, subjects: Set<string>, filter: CandidateFilter): Head[] {
    const chosen = new Set<Head>();
    const ids = new Set(known);
    const subj = new Set(subjects);
    const meta = (h: Head): MessageMeta => ({ from: h.from, subject: h.subject, snippet: '', role: h.box.role, labels: ownerKeywords(h.flags, this.d.replyDueKeyword) });
    const take = (h: Head) => {
      chosen.add(h);
      if (h.messageId) ids.add(shortHash(h.messageId));
      for (const r of [h.inReplyTo, ...h.references]) if (r) ids.add(shortHash(r));
      for (const k of subjectKeys(h)) subj.add(k);
    };
    for (const h of heads) if (h.serverHit || filter.isCandidate(meta(h))) take(h);
    // Spread to the rest of the threads until nothing changes (a few passes at most).
    for (let pass = 0; pass < 5; pass++) {
      let added = false;
      for (const h of heads) {
        if (chosen.has(h)) continue;
        const linked =
          (h.messageId && ids.has(shortHash(h.messageId))) ||
          [h.inReplyTo, ...h.references].some((r) => r && ids.has(shortHash(r))) ||
          subjectKeys(h).some((k) => subj.has(k));
        if (linked) {
          take(h);
          added = true;
        }
      }
      if (!added) break;
    }
    return heads.filter((h) => chosen.has(h));
  }

  private async fetchBodies(box: Box, uids: number[], map: MailboxMap, sizes: Map<string, number>): Promise<{ messages: MailMessage[]; failures: MessageFailure[] }> {
    const messages: MailMessage[] = [];
    const failures: MessageFailure[] = [];
    const ref = (uid: number) => `${box.path}/${box.uidValidity}/${uid}`;
    const wanted: number[] = [];
    for (const uid of uids) {
      const size = sizes.get(`${box.path}\u0000${uid}`) ?? 0;
      if (size > MAX_MESSAGE_BYTES) failures.push({ ref: ref(uid), reason: `cannot parse message: ${size} bytes, over the ${MAX_MESSAGE_BYTES}-byte limit`, contentHash: null });
      else wanted.push(uid);
    }
    if (wanted.length === 0) return { messages, failures };
    const fetched = await this.d.session.run(`fetch messages from ${box.path}`, async (c) => {
      await this.openChecked(c, box);
      return c.fetchAll(compactUids(wanted), { uid: true, flags: true, internalDate: true, source: true, ...(map.gmail ? { threadId: true } : {}) }, { uid: true });
    });
    for (const m of fetched) {
      if (!m.source) {
        failures.push({ ref: ref(m.uid), reason: 'the server returned no content', contentHash: null });
        continue;
      }
      const internal = m.internalDate ? new Date(m.internalDate) : null;
      try {
        const parsed = await parseMessage(m.source, { fallbackDate: internal && !Number.isNaN(internal.getTime()) ? internal.toISOString() : undefined });
        messages.push({
          ...parsed,
          threadId: map.gmail && m.threadId ? m.threadId : null,
          role: box.role,
          labels: ownerKeywords(m.flags ?? [], this.d.replyDueKeyword),
        } as MailMessage);
      } catch (e) {
        if (!isOfferwatchError(e, 'EPARSE')) throw e;
        failures.push({ ref: ref(m.uid), reason: e.message, contentHash: sha256Hex(m.source) });
      }
    }
    return { messages, failures };
  }
}
