/**
 * Drafts (DraftWriter): APPEND to the Drafts mailbox with \Draft and \Seen, the draft key in
 * its header. Before appending, `UID SEARCH HEADER X-Offerwatch-Draft-Key <key>` in Drafts
 * and in Sent (found in Sent: the owner already sent it). IMAP header search matches
 * substrings, so every hit is checked by fetching its key header. An APPEND whose answer was
 * lost (the connection broke) is never repeated blindly: the key is looked up again on a fresh
 * connection first, so a retry, a crash or a dropped connection never leaves two drafts.
 * Nothing here can send (IMAP has no way to), delete or expunge.
 */
import type { ImapFlow } from 'imapflow';
import type { DraftRequest, DraftWriter, SavedDraft, ThreadHandle } from '../port.js';
import { OfferwatchError } from '../../errors.js';
import type { ImapSourceConfig } from './config.js';
import type { ImapSession } from './session.js';
import { isConnectionError } from './session.js';
import { headerMap } from './headers.js';
import { DRAFT_KEY_HEADER, headerField } from '../../mail/headers.js';
import { listMailboxes } from './reader.js';
import type { FolderRole } from './mailboxes.js';

const DRAFT_KEY = DRAFT_KEY_HEADER;

export interface DraftsDeps {
  session: ImapSession;
  cfg: ImapSourceConfig;
  log: (line: string) => void;
  now: () => Date;
}

export class ImapDrafts implements DraftWriter {
  constructor(private readonly d: DraftsDeps) {}

  private async role(role: FolderRole): Promise<string | null> {
    return (await listMailboxes(this.d.session, this.d.cfg, { cached: true })).roles.get(role) ?? null;
  }

  /** UIDs in `path` whose key header is exactly `key`. */
  private async searchKey(c: ImapFlow, path: string, key: string): Promise<{ uid: number; uidValidity: string }[]> {
    const mb = await this.d.session.open(c, path);
    const found = (await c.search({ header: { [DRAFT_KEY]: key } }, { uid: true })) || [];
    if (found.length === 0) return [];
    const out: { uid: number; uidValidity: string }[] = [];
    for (const m of await c.fetchAll(found.join(','), { uid: true, headers: [DRAFT_KEY] }, { uid: true })) {
      if (headerMap(m.headers ?? '').get(DRAFT_KEY.toLowerCase()) === key) out.push({ uid: m.uid, uidValidity: mb.uidValidity.toString() });
    }
    return out;
  }

  async findDraftByKey(_thread: ThreadHandle, key: string): Promise<SavedDraft | null> {
    const drafts = await this.role('drafts');
    const sent = await this.role('sent');
    return this.d.session.run('look up a draft', async (c) => {
      for (const [path, isSent] of [[drafts, false], [sent, true]] as const) {
        if (!path) continue;
        const hits = await this.searchKey(c, path, key);
        if (hits.length > 0) {
          const h = hits[0]!;
          return {
            draftId: `${path}/${h.uidValidity}/${h.uid}`,
            location: `${isSent ? 'sent message' : 'draft'} in "${path}" (UID ${h.uid}) of IMAP account ${this.d.cfg.name}`,
            ...(isSent ? { sent: true } : {}),
          };
        }
      }
      return null;
    });
  }

  async createDraft(req: DraftRequest): Promise<SavedDraft> {
    if (/[\r\n\0]/.test(req.key)) throw new OfferwatchError('EUNSAFE', `cannot save draft: the draft key contains a line break or NUL`);
    if (headerField(req.mime, DRAFT_KEY) !== req.key) {
      throw new OfferwatchError('EUNSAFE', `cannot save draft: the message does not carry ${DRAFT_KEY}: ${req.key}, so a retry could not find it`);
    }
    const existing = await this.findDraftByKey(req.thread, req.key);
    if (existing) return existing;
    const path = await this.role('drafts');
    if (!path) {
      throw new OfferwatchError('ENOTFOUND', `cannot save draft in IMAP account ${this.d.cfg.name}: no Drafts mailbox (no \\Drafts SPECIAL-USE and no well-known name); name it in the config under mailboxes.drafts`);
    }
    try {
      // Not retried by the session: a broken APPEND may have been stored.
      const res = await this.d.session.run(`save a draft in ${path}`, (c) => c.append(path, req.mime, ['\\Draft', '\\Seen'], this.d.now()), { retry: false });
      if (!res) throw new OfferwatchError('EPROVIDER', `cannot save draft in IMAP account ${this.d.cfg.name}: the server refused APPEND to ${path}`);
      return {
        draftId: `${path}/${res.uidValidity ?? '?'}/${res.uid ?? '?'}`,
        location: `draft in "${path}"${res.uid ? ` (UID ${res.uid})` : ''} of IMAP account ${this.d.cfg.name}`,
      };
    } catch (e) {
      if (!(isConnectionError(e) || (e instanceof OfferwatchError && e.code === 'ETRANSIENT')) || !this.d.session.canReopen) throw e;
      // The answer was lost: was it stored? Look again on a fresh connection before appending again.
      this.d.session.useReopen();
      this.d.log(`imap ${this.d.cfg.name}: the connection broke while saving a draft; looking it up by key before trying again`);
      const found = await this.findDraftByKey(req.thread, req.key);
      if (found) return found;
      const res = await this.d.session.run(`save a draft in ${path}`, (c) => c.append(path, req.mime, ['\\Draft', '\\Seen'], this.d.now()), { retry: false });
      if (!res) throw new OfferwatchError('EPROVIDER', `cannot save draft in IMAP account ${this.d.cfg.name}: the server refused APPEND to ${path}`);
      return { draftId: `${path}/${res.uidValidity ?? '?'}/${res.uid ?? '?'}`, location: `draft in "${path}"${res.uid ? ` (UID ${res.uid})` : ''} of IMAP account ${this.d.cfg.name}` };
    }
  }
}
