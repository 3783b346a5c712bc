/**
 * Saving an approved proposal into the mailbox as a draft — exactly once.
 *
 * The draft key travels inside the draft (a header). Before creating, the connector is asked
 * whether a draft with that key exists; if so (a previous approve whose response was lost, or
 * a crash before state was updated) it is adopted as is, never overwritten: the owner may have
 * edited it. Nothing here, or anywhere in offerwatch, sends mail.
 */
import type { Connector } from '../connectors/port.js';
import type { Store, Proposal } from '../store/index.js';
import type { Owner } from '../model/types.js';
import { composeReply } from '../drafts/compose.js';
import { OfferwatchError } from '../errors.js';

export interface SaveResult {
  proposal: Proposal;
  /** created: a new draft; adopted: one with the key already existed; unchanged: already saved before. */
  outcome: 'created' | 'adopted' | 'unchanged';
}

export async function saveProposal(store: Store, connector: Connector | undefined, proposal: Proposal, owner: Owner, now: Date): Promise<SaveResult> {
  if (proposal.status === 'saved') return { proposal, outcome: 'unchanged' };
  if (proposal.status !== 'pending') throw new OfferwatchError('EUSAGE', `cannot save draft #${proposal.id}: it was ${proposal.status}${proposal.status === 'superseded' ? ' by a later decision (offerwatch drafts lists the live one)' : ''}`);
  if (!connector) throw new OfferwatchError('EUNSUPPORTED', `cannot save draft #${proposal.id}: source ${proposal.source} is not configured`);
  const writer = connector.drafts;
  if (!writer) throw new OfferwatchError('EUNSUPPORTED', `cannot save draft #${proposal.id}: source ${proposal.source} cannot store drafts`);

  const found = await writer.findDraftByKey(proposal.threadId, proposal.key);
  if (found) {
    store.proposals.markSaved(proposal.id, found.draftId, found.location, now);
    return { proposal: store.proposals.get(proposal.id)!, outcome: 'adopted' };
  }
  const thread = store.messages.loadThread(proposal.source, proposal.threadId, owner);
  if (!thread) throw new OfferwatchError('ENOTFOUND', `cannot save draft #${proposal.id}: thread ${proposal.threadId} is not in state`);
  const fromAddress = owner.addresses[0];
  if (!fromAddress) throw new OfferwatchError('EUSAGE', `cannot save draft #${proposal.id}: no owner address is configured`);
  const mime = await composeReply({
    thread,
    from: { name: owner.name, address: fromAddress },
    to: proposal.to,
    body: proposal.body,
    key: proposal.key,
    date: now,
  });
  const saved = await writer.createDraft({ threadId: proposal.threadId, key: proposal.key, mime });
  store.proposals.markSaved(proposal.id, saved.draftId, saved.location, now);
  return { proposal: store.proposals.get(proposal.id)!, outcome: 'created' };
}
