/**
 * The reply-due label (AttentionMarker): created on first use (labels.create), its id
 * cached, put on or taken off a thread with threads.modify (idempotent, so retried).
 */
import type { gmail_v1 } from 'googleapis/build/src/apis/gmail/v1.js';
import type { AttentionMarker, ThreadHandle } from '../port.js';
import { gmailThreadOf } from './drafts.js';
import { OfferwatchError, ProviderError } from '../../errors.js';
import { createOnce } from '../../net/retry.js';
import type { GmailSourceConfig } from './config.js';
import type { GmailHttp } from './http.js';
import type { LabelCache } from './labels.js';

export interface AttentionDeps {
  api: gmail_v1.Gmail;
  http: GmailHttp;
  labels: LabelCache;
  cfg: GmailSourceConfig;
}

const status = (e: unknown): number | null => (e instanceof ProviderError ? e.status : null);

export class GmailAttention implements AttentionMarker {
  private labelId: string | null = null;
  private readonly action: string;

  constructor(private readonly d: AttentionDeps) {
    this.action = `mark thread in gmail account ${d.cfg.name}`;
  }

  /** Creates the label; a conflict (it exists) or a lost answer is resolved by looking it up by name. */
  private async createLabel(): Promise<string> {
    const name = this.d.cfg.replyDueLabel;
    return createOnce({
      skipFirstFind: true, // setNeedsReply has just looked
      find: async () => {
        this.d.labels.invalidate();
        return this.d.labels.idOf(name);
      },
      create: async () => {
        const l = await this.d.http.once('labels.create', this.action, () =>
          this.d.api.users.labels.create({ userId: 'me', requestBody: { name, labelListVisibility: 'labelShow', messageListVisibility: 'show' } }),
        );
        if (!l.id) throw new OfferwatchError('EPROVIDER', `cannot ${this.action}: gmail labels.create answered without an id`);
        this.d.labels.remember(l.id, name);
        return l.id;
      },
      exists: (e) => status(e) === 409,
      policy: { ...this.d.http.policy, maxAttempts: 3 },
      deps: this.d.http.deps,
      onRetry: (e, attempt, wait) => this.d.http.noteRetry('labels.create', e, attempt, wait, 'looking the label up by name before try'),
    });
  }

  private async modify(threadId: string, id: string, on: boolean): Promise<void> {
    await this.d.http.call('threads.modify', this.action, () =>
      this.d.api.users.threads.modify({ userId: 'me', id: threadId, requestBody: on ? { addLabelIds: [id] } : { removeLabelIds: [id] } }),
    );
  }

  async setNeedsReply(thread: ThreadHandle, on: boolean): Promise<void> {
    const threadId = gmailThreadOf(thread);
    let id = this.labelId ?? (await this.d.labels.idOf(this.d.cfg.replyDueLabel));
    if (!id) {
      if (!on) return; // no label, nothing to take off
      id = await this.createLabel();
    }
    this.labelId = id;
    try {
      await this.modify(threadId, id, on);
    } catch (e) {
      // The owner may have deleted the label since we cached its id: look again once.
      if (status(e) !== 400) throw e;
      this.labelId = null;
      this.d.labels.invalidate();
      const again = (await this.d.labels.idOf(this.d.cfg.replyDueLabel)) ?? (on ? await this.createLabel() : null);
      if (!again) return;
      this.labelId = again;
      await this.modify(threadId, again, on);
    }
  }
}
