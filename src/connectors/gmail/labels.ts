/**
 * Label ids ↔ names, fetched with one labels.list only when a user label (Label_…)
 * shows up or a name is looked up; system labels (INBOX, SENT …) are their own names.
 */
import type { gmail_v1 } from 'googleapis/build/src/apis/gmail/v1.js';
import type { GmailHttp } from './http.js';
import type { MailboxRole } from '../port.js';

const SYSTEM_ID = /^(INBOX|SENT|DRAFT|SPAM|TRASH|UNREAD|STARRED|IMPORTANT|CHAT|CATEGORY_[A-Z]+|YELLOW_STAR)$/;

/** Gmail's system labels that say where a message lives. */
const ROLE_OF: Readonly<Record<string, MailboxRole>> = { DRAFT: 'drafts', SENT: 'sent', SPAM: 'junk', TRASH: 'trash', INBOX: 'inbox' };
const PRECEDENCE: readonly MailboxRole[] = ['drafts', 'sent', 'junk', 'trash', 'inbox', 'archive', 'other'];

/** Where a message lives and the owner's labels: system labels give the role; categories keep Takeout's names (`Category Promotions`) for the rules. */
export function placeOf(ids: readonly string[], nameOf: (id: string) => string): { role: MailboxRole; labels: string[] } {
  const roles = new Set<MailboxRole>();
  const labels: string[] = [];
  for (const id of ids) {
    const r = ROLE_OF[id];
    if (r) roles.add(r);
    else if (id.startsWith('CATEGORY_')) labels.push(`Category ${id.slice(9).charAt(0)}${id.slice(10).toLowerCase()}`);
    else if (!SYSTEM_ID.test(id)) labels.push(nameOf(id));
  }
  return { role: PRECEDENCE.find((r) => roles.has(r)) ?? 'archive', labels };
}

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

  /** Role and owner labels of a message with these label ids (labels.list only when a user label shows up). */
  async place(ids: readonly string[]): Promise<{ role: MailboxRole; labels: string[] }> {
    const map = ids.every((id) => SYSTEM_ID.test(id)) ? null : await this.load();
    return placeOf(ids, (id) => map?.get(id) ?? id);
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
