/**
 * Saving an approved proposal into the mailbox as a draft — exactly once.
 *
 * 1. Claim: a compare-and-set in SQLite (pending → saving, with a claim token and time), so that
 *    of two processes (a daemon's autoSave and a `drafts approve`) only one talks to the
 *    provider. A claim left by a process that died is taken over (its holder is gone, or it is
 *    older than CLAIM_STALE_MS).
 * 2. Look the key up: the draft key travels inside the draft (each connector stores it its own
 *    way). A draft found with the key (a previous save whose answer was lost, or a crash before
 *    state was updated) is adopted as is, never overwritten: the owner may have edited it. A
 *    message the owner already sent with the key makes the proposal "sent by you".
 * 3. Create, record, release. When the create fails, the key is looked up once more (the write
 *    may have landed although its answer was lost) before the claim is given back.
 * Nothing here, or anywhere in offerwatch, sends mail.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Connector } from '../connectors/port.js';
import type { Store, Proposal } from '../store/index.js';
import type { Owner } from '../model/types.js';
import { composeReply, replyFields } from '../drafts/compose.js';
import { threadHandle } from '../pipeline/threading.js';
import { OfferwatchError } from '../errors.js';

/** A claim older than this is taken over even when its holder cannot be checked (another host). */
export const CLAIM_STALE_MS = 10 * 60_000;

export interface SaveResult {
  proposal: Proposal;
  /** created: a new draft; adopted: one with the key already existed; unchanged: already saved (or sent) before; sent: the owner already sent it. */
  outcome: 'created' | 'adopted' | 'unchanged' | 'sent';
}

export interface SaveOptions {
  /** Claim token (default: host, pid and random bytes); tests give their own. */
  token?: string;
  /** Whether the process that holds a claim is still alive (default: same host and `kill(pid, 0)`). */
  holderAlive?: (token: string) => boolean;
}

const HOST = hostname().replace(/[^A-Za-z0-9.-]/g, '_');

export function newClaimToken(): string {
  return `${HOST}:${process.pid}:${randomBytes(6).toString('hex')}`;
}

/** A claim of this host whose process has exited is dead; other hosts' claims are judged by age only. */
export function claimHolderAlive(token: string): boolean {
  const [host, pidText] = token.split(':');
  const pid = Number(pidText);
  if (host !== HOST || !Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function saveProposal(store: Store, connector: Connector | undefined, proposal: Proposal, owner: Owner, now: Date, opts: SaveOptions = {}): Promise<SaveResult> {
  const current = store.proposals.get(proposal.id) ?? proposal;
  if (current.status === 'saved' || current.status === 'sent') return { proposal: current, outcome: 'unchanged' };
  if (current.status === 'discarded' || current.status === 'superseded') {
    throw new OfferwatchError('EUSAGE', `cannot save draft #${proposal.id}: it was ${current.status}${current.status === 'superseded' ? ' by a later decision (offerwatch drafts lists the live one)' : ''}`);
  }
  if (!connector) throw new OfferwatchError('EUNSUPPORTED', `cannot save draft #${proposal.id}: source ${proposal.source} is not configured`);
  const writer = connector.drafts;
  if (!writer) throw new OfferwatchError('EUNSUPPORTED', `cannot save draft #${proposal.id}: source ${proposal.source} cannot store drafts`);

  const thread = store.messages.loadThread(proposal.source, proposal.threadId, owner);
  if (!thread) throw new OfferwatchError('ENOTFOUND', `cannot save draft #${proposal.id}: thread ${proposal.threadId} is not in state`);
  const fromAddress = owner.addresses[0];
  if (!fromAddress) throw new OfferwatchError('EUSAGE', `cannot save draft #${proposal.id}: no owner address is configured`);

  const token = opts.token ?? newClaimToken();
  const alive = opts.holderAlive ?? claimHolderAlive;
  const stale = (holder: string, claimedAt: string) => !alive(holder) || now.getTime() - Date.parse(claimedAt) >= CLAIM_STALE_MS;
  if (!store.proposals.claim(proposal.id, token, now, stale)) {
    const after = store.proposals.get(proposal.id)!;
    if (after.status === 'saved' || after.status === 'sent') return { proposal: after, outcome: 'unchanged' };
    if (after.status === 'saving') {
      throw new OfferwatchError('ECONFLICT', `cannot save draft #${proposal.id}: another offerwatch process is saving it right now (since ${after.claimedAt}); nothing was done twice`);
    }
    throw new OfferwatchError('EUSAGE', `cannot save draft #${proposal.id}: it is ${after.status}`);
  }

  try {
    const handle = threadHandle(thread);
    const found = await writer.findDraftByKey(handle, proposal.key);
    if (found?.sent) {
      store.proposals.markSentByKey(proposal.key, now, found.location);
      return { proposal: store.proposals.get(proposal.id)!, outcome: 'sent' };
    }
    if (found) {
      store.proposals.markSaved(proposal.id, found.draftId, found.location, now, token);
      return { proposal: store.proposals.get(proposal.id)!, outcome: 'adopted' };
    }
    const input = { thread, from: { name: owner.name, address: fromAddress }, to: current.to, body: current.body, key: proposal.key, date: now };
    const mime = await composeReply(input);
    let saved;
    try {
      saved = await writer.createDraft({ thread: handle, key: proposal.key, mime, reply: replyFields(input) });
    } catch (e) {
      // The write may have landed although its answer did not arrive: ask before giving up.
      const landed = await writer.findDraftByKey(handle, proposal.key).catch(() => null);
      if (!landed) throw e;
      store.proposals.markSaved(proposal.id, landed.draftId, landed.location, now, token);
      return { proposal: store.proposals.get(proposal.id)!, outcome: 'adopted' };
    }
    store.proposals.markSaved(proposal.id, saved.draftId, saved.location, now, token);
    return { proposal: store.proposals.get(proposal.id)!, outcome: 'created' };
  } catch (e) {
    // The provider failed (or the draft could not be built): the claim goes back. Whether a
    // draft was created anyway is answered by the key lookup on the next attempt.
    store.proposals.release(proposal.id, token, now);
    throw e;
  }
}
