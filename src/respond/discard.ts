/**
 * Discarding a proposal. A pending one is dropped (and the decision that asked for it is
 * forgotten, so a cycle does not bring it back). A saved one is a real draft in the owner's
 * mailbox, which offerwatch never deletes: discarding it is refused while the draft is still
 * there, with where it is; once the owner has deleted it in the mail program, it is discarded.
 */
import type { Connector } from '../connectors/port.js';
import type { Proposal, Store } from '../store/index.js';
import { OfferwatchError } from '../errors.js';
import type { Owner } from '../model/types.js';
import { threadHandle } from '../pipeline/threading.js';

export async function discardProposal(store: Store, connector: Connector | undefined, p: Proposal, owner: Owner, now: Date): Promise<Proposal> {
  if (p.status === 'discarded' || p.status === 'superseded' || p.status === 'sent') return p;
  if (p.status === 'saving') throw new OfferwatchError('EUSAGE', `cannot discard draft #${p.id}: it is being saved right now; try again when that has finished`);
  if (p.status === 'saved') {
    const thread = store.messages.loadThread(p.source, p.threadId, owner);
    const found = connector?.drafts && thread ? await connector.drafts.findDraftByKey(threadHandle(thread), p.key) : { location: p.draftLocation ?? 'your mailbox' };
    if (found) {
      throw new OfferwatchError('EUSAGE', `cannot discard draft #${p.id}: it is saved as a draft in ${found.location ?? p.draftLocation}; offerwatch never deletes mail, so delete it in your mail program, then run this again`);
    }
  }
  const ref = { source: p.source, id: p.threadId };
  store.db.transaction(() => {
    store.proposals.discard(p.id, now);
    if (!p.rule) store.proposals.clearDecision(ref);
  })();
  return store.proposals.get(p.id)!;
}
