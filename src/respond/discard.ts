/**
 * Discarding a proposal. A pending one is dropped (and the decision that asked for it is
 * forgotten, so a cycle does not bring it back). A saved one is a real draft in the owner's
 * mailbox, which offerwatch never deletes: discarding it is refused while the draft is still
 * there, with where it is; once the owner has deleted it in the mail program, it is discarded.
 */
import type { Connector } from '../connectors/port.js';
import type { Proposal, Store } from '../store/index.js';
import { OfferwatchError } from '../errors.js';

export async function discardProposal(store: Store, connector: Connector | undefined, p: Proposal, now: Date): Promise<Proposal> {
  if (p.status === 'discarded' || p.status === 'superseded') return p;
  if (p.status === 'saved') {
    const found = connector?.drafts ? await connector.drafts.findDraftByKey(p.threadId, p.key) : { location: p.draftLocation ?? 'your mailbox' };
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
