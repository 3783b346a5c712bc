/**
 * Label ids ↔ names, fetched with one labels.list only when a user label (Label_…)
 * shows up or a name is looked up; system labels (INBOX, SENT …) are their own names.
 */
import type { gmail_v1 } from 'googleapis/build/src/apis/gmail/v1.js';
import type { GmailHttp } from './http.js';

const SYSTEM_ID = /^(INBOX|SENT|DRAFT|SPAM|TRASH|UNREAD|STARRED|IMPORTANT|CHAT|CATEGORY_[A-Z]+|YELLOW_STAR)$/;

export class LabelCache {
  private byId: Map<string, string> | null = null;

  constructor(
    private readonly api: gmail_v1.Gmail,
    private readonly http: GmailHttp,
    private readonly action: string,
  ) {}

  /** Forgets what it knows (a label was created or may have been deleted). */
  invalidate(): void {
    this.byId = null;
  }

  private async load(): Promise<Map<string, string>> {
    if (!this.byId) {
      const res = await this.http.call('labels.list', this.action, () => this.api.users.labels.list({ userId: 'me' }));
      this.byId = new Map((res.labels ?? []).filter((l) => l.id).map((l) => [l.id!, l.name ?? l.id!]));
    }
    return this.byId;
  }

  async names(ids: readonly string[]): Promise<string[]> {
    if (ids.every((id) => SYSTEM_ID.test(id))) return [...ids];
    const map = await this.load();
    return ids.map((id) => map.get(id) ?? id);
  }

  /** The id of the label with this exact name, or null. */
  async idOf(name: string): Promise<string | null> {
    const map = await this.load();
    for (const [id, n] of map) if (n === name) return id;
    return null;
  }

  remember(id: string, name: string): void {
    this.byId?.set(id, name);
  }
}
