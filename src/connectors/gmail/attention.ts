/**
 * The reply-due label (AttentionMarker): created on first use (labels.create), its id
 * cached, put on or taken off a thread with threads.modify (idempotent, so retried).
 */
import type { gmail_v1 } from 'googleapis/build/src/apis/gmail/v1.js';
import type { AttentionMarker, ThreadHandle } from '../port.js';
import { gmailThreadOf } from './drafts.js';
import { OfferwatchError } from '../../errors.js';
import type { GmailSourceConfig } from './config.js';
import { retryable, type FailureSummary, type GmailHttp } from './http.js';
import type { LabelCache } from './labels.js';

export interface AttentionDeps {
  api: gmail_v1.Gmail;
  http: GmailHttp;
  labels: LabelCache;
  cfg: GmailSourceConfig;
  sleep: (ms: number) => Promise<void>;
}

export class GmailAttention implements AttentionMarker {
  private labelId: string | null = null;
  private readonly action: string;

  constructor(private readonly d: AttentionDeps) {
    this.action = `mark thread in gmail account ${d.cfg.name}`;
  }

  /** Creates the label; a conflict or a lost answer is resolved by looking it up by name. */
  private async createLabel(): Promise<string> {
    const name = this.d.cfg.replyDueLabel;
    for (let attempt = 1; ; attempt++) {
      try {
        const l = await this.d.http.once('labels.create', this.action, () =>
          this.d.api.users.labels.create({ userId: 'me', requestBody: { name, labelListVisibility: 'labelShow', messageListVisibility: 'show' } }),
        );
        if (!l.id) throw new OfferwatchError('EPROVIDER', `cannot ${this.action}: gmail labels.create answered without an id`);
        this.d.labels.remember(l.id, name);
        return l.id;
      } catch (e) {
        const conflict = e instanceof OfferwatchError && (e.cause as FailureSummary | undefined)?.status === 409;
        if (!conflict && !retryable(e)) throw e;
        this.d.labels.invalidate();
        const id = await this.d.labels.idOf(name);
        if (id) return id;
        if (conflict || attempt >= 3) throw e;
        await this.d.sleep(this.d.http.delayFor(attempt, e as OfferwatchError));
      }
    }
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
      const status = e instanceof OfferwatchError ? (e.cause as FailureSummary | undefined)?.status : null;
      if (status !== 400) throw e;
      this.labelId = null;
      this.d.labels.invalidate();
      const again = (await this.d.labels.idOf(this.d.cfg.replyDueLabel)) ?? (on ? await this.createLabel() : null);
      if (!again) return;
      this.labelId = again;
      await this.modify(threadId, again, on);
    }
  }
}
