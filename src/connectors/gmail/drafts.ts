/**
 * Drafts (DraftWriter): create only. A draft is never updated or deleted, and nothing in
 * this folder can send. drafts.create is not retried blindly: after a failure or a lost
 * answer we look the draft up by its X-Offerwatch-Draft-Key before trying again.
 */
import type { gmail_v1 } from 'googleapis/build/src/apis/gmail/v1.js';
import type { DraftRequest, DraftWriter, SavedDraft, ThreadHandle } from '../port.js';
import { DRAFT_KEY_HEADER, headerField } from '../../mail/headers.js';
import { OfferwatchError } from '../../errors.js';
import { createOnce } from '../../net/retry.js';
import type { GmailSourceConfig } from './config.js';
import type { GmailHttp } from './http.js';

export interface DraftsDeps {
  api: gmail_v1.Gmail;
  http: GmailHttp;
  cfg: GmailSourceConfig;
  log: (line: string) => void;
  maxAttempts?: number;
  /** Drafts per drafts.list page (default 500). */
  pageSize?: number;
}

/** Gmail addresses a thread by its own id; the store uses the same id for Gmail sources. */
export function gmailThreadOf(thread: ThreadHandle): string {
  return thread.providerThreadId ?? thread.threadId;
}

function saved(id: string, threadId: string): SavedDraft {
  return { draftId: id, location: `Gmail draft ${id} in thread ${threadId}` };
}

export class GmailDrafts implements DraftWriter {
  private readonly action: string;

  constructor(private readonly d: DraftsDeps) {
    this.action = `save draft in gmail account ${d.cfg.name}`;
  }

  async findDraftByKey(thread: ThreadHandle, key: string): Promise<SavedDraft | null> {
    const threadId = gmailThreadOf(thread);
    const inThread: string[] = [];
    const messageOf = new Map<string, string>();
    let pageToken: string | undefined;
    do {
      const page: gmail_v1.Schema$ListDraftsResponse = await this.d.http.call('drafts.list', this.action, () =>
        this.d.api.users.drafts.list({ userId: 'me', maxResults: this.d.pageSize ?? 500, pageToken }),
      );
      for (const dr of page.drafts ?? []) {
        if (dr.id && dr.message?.id && dr.message.threadId === threadId) {
          inThread.push(dr.id);
          messageOf.set(dr.id, dr.message.id);
        }
      }
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    for (const draftId of inThread) {
      let m: gmail_v1.Schema$Message;
      try {
        m = await this.d.http.call('messages.get', this.action, () =>
          this.d.api.users.messages.get({ userId: 'me', id: messageOf.get(draftId)!, format: 'metadata', metadataHeaders: [DRAFT_KEY_HEADER] }),
        );
      } catch (e) {
        if (e instanceof OfferwatchError && e.code === 'ENOTFOUND') continue; // sent or discarded meanwhile
        throw e;
      }
      const value = m.payload?.headers?.find((h) => (h.name ?? '').toLowerCase() === DRAFT_KEY_HEADER.toLowerCase())?.value;
      if (value !== undefined && value !== null && value.trim() === key) return saved(draftId, threadId);
    }
    return null;
  }

  async createDraft(req: DraftRequest): Promise<SavedDraft> {
    if (/[\r\n\0]/.test(req.key)) throw new OfferwatchError('EUNSAFE', `cannot save draft: the draft key contains a line break or NUL`);
    if (headerField(req.mime, DRAFT_KEY_HEADER) !== req.key) {
      throw new OfferwatchError('EUNSAFE', `cannot save draft: the message does not carry ${DRAFT_KEY_HEADER}: ${req.key}, so a retry could not find it`);
    }
    const threadId = gmailThreadOf(req.thread);
    const raw = req.mime.toString('base64url');
    // drafts.create is not idempotent: after a failure that may have landed, the key is looked up first.
    return createOnce({
      find: () => this.findDraftByKey(req.thread, req.key),
      create: async () => {
        const dr = await this.d.http.once('drafts.create', this.action, () =>
          this.d.api.users.drafts.create({ userId: 'me', requestBody: { message: { threadId, raw } } }),
        );
        if (!dr.id) throw new OfferwatchError('EPROVIDER', `cannot ${this.action}: gmail drafts.create answered without a draft id`);
        return saved(dr.id, dr.message?.threadId ?? threadId);
      },
      policy: { ...this.d.http.policy, ...(this.d.maxAttempts ? { maxAttempts: this.d.maxAttempts } : {}) },
      deps: this.d.http.deps,
      onRetry: (e, attempt, wait) => this.d.http.noteRetry('drafts.create', e, attempt, wait, 'looking the draft up by key before try'),
    });
  }
}
