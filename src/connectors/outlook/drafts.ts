/**
 * Drafts (DraftWriter) in Outlook: `createReply` on the message being answered (the draft
 * lands in Drafts, in the conversation), then one PATCH with the plain-text body and the
 * recipients. The draft key travels as a single-value extended property, set already by
 * `createReply` (so a crash right after it leaves a draft we can find) together with a
 * state property `created`; the PATCH moves it to `complete`. Before creating, the key is
 * looked up with `$filter` on that property: a `complete` draft (edited or not) is returned
 * as it is, never overwritten; a `created` one (our PATCH never landed) is completed.
 * createReply is never retried blindly: after a failure the key is looked up first.
 * Nothing here sends: no send, sendMail, reply or forward call exists in this folder.
 */
import type { Message } from '@microsoft/microsoft-graph-types';
import type { DraftRequest, DraftWriter, SavedDraft, ThreadHandle } from '../port.js';
import { OfferwatchError } from '../../errors.js';
import type { OutlookSourceConfig } from './config.js';
import type { GraphApi } from './graph.js';
import type { Retry } from './retry.js';
import { DRAFT_KEY_PROPERTY, DRAFT_STATE_PROPERTY, odataString } from './props.js';

type WithProps = Message & { singleValueExtendedProperties?: Array<{ id?: string; value?: string | null }> };

export interface DraftsDeps {
  graph: GraphApi;
  retry: Retry;
  cfg: OutlookSourceConfig;
  log: (line: string) => void;
}

interface Found {
  id: string;
  isDraft: boolean;
  state: string | null;
  conversationId: string | null;
}

function saved(f: { id: string; isDraft: boolean }): SavedDraft {
  const short = f.id.length > 16 ? `…${f.id.slice(-12)}` : f.id;
  return f.isDraft ? { draftId: f.id, location: `Outlook draft ${short} in Drafts` } : { draftId: f.id, location: `Outlook message ${short} (already sent)`, sent: true };
}

/** The message a reply answers: the latest one from the other side, else the latest. */
export function replyTarget(thread: ThreadHandle): string | null {
  const msgs = [...thread.messages].sort((a, b) => Date.parse(a.date) - Date.parse(b.date));
  const inbound = msgs.filter((m) => m.direction === 'in');
  return (inbound.at(-1) ?? msgs.at(-1))?.id ?? null;
}

export class OutlookDrafts implements DraftWriter {
  private readonly action: string;

  constructor(private readonly d: DraftsDeps) {
    this.action = `save draft in outlook account ${d.cfg.name}`;
  }

  private async lookup(key: string): Promise<Found | null> {
    const res = await this.d.graph.call<{ value?: WithProps[] }>(this.action, 'GET', '/me/messages', {
      query: {
        filter: `singleValueExtendedProperties/Any(ep: ep/id eq ${odataString(DRAFT_KEY_PROPERTY)} and ep/value eq ${odataString(key)})`,
        select: ['id', 'isDraft', 'conversationId'],
        expand: `singleValueExtendedProperties($filter=id eq ${odataString(DRAFT_STATE_PROPERTY)})`,
      },
    });
    const all = (res.value ?? []).filter((m) => m.id);
    // A sent message wins over a draft; among drafts the completed one.
    const pick = all.find((m) => m.isDraft === false) ?? all.find((m) => stateOf(m) !== 'created') ?? all[0];
    if (!pick?.id) return null;
    return { id: pick.id, isDraft: pick.isDraft !== false, state: stateOf(pick), conversationId: pick.conversationId ?? null };
  }

  async findDraftByKey(_thread: ThreadHandle, key: string): Promise<SavedDraft | null> {
    const f = await this.lookup(key);
    return f ? saved(f) : null;
  }

  private async complete(id: string, req: DraftRequest): Promise<void> {
    const body = {
      subject: req.reply.subject,
      body: { contentType: 'text', content: req.reply.text },
      toRecipients: req.reply.to.map((a) => ({ emailAddress: { address: a.address, ...(a.name ? { name: a.name } : {}) } })),
      singleValueExtendedProperties: [
        { id: DRAFT_KEY_PROPERTY, value: req.key },
        { id: DRAFT_STATE_PROPERTY, value: 'complete' },
      ],
    } satisfies WithProps;
    await this.d.graph.call(this.action, 'PATCH', `/me/messages/${encodeURIComponent(id)}`, { body });
  }

  async createDraft(req: DraftRequest): Promise<SavedDraft> {
    if (/[\r\n\0]/.test(req.key) || req.key.length === 0 || req.key.length > 255) {
      throw new OfferwatchError('EUNSAFE', `cannot ${this.action}: the draft key is empty, too long, or contains a line break or NUL`);
    }
    const existing = await this.lookup(req.key);
    if (existing) {
      if (existing.isDraft && existing.state === 'created') await this.complete(existing.id, req);
      return saved(existing);
    }
    const target = replyTarget(req.thread);
    if (!target) throw new OfferwatchError('EUNSUPPORTED', `cannot ${this.action}: thread ${req.thread.threadId} has no message to reply to`);
    const create = {
      message: {
        singleValueExtendedProperties: [
          { id: DRAFT_KEY_PROPERTY, value: req.key },
          { id: DRAFT_STATE_PROPERTY, value: 'created' },
        ],
      },
    };
    const got = await this.d.retry.once<Found>(
      'createReply',
      () => this.lookup(req.key),
      async () => {
        const m = await this.d.graph.once<Message>(this.action, 'POST', `/me/messages/${encodeURIComponent(target)}/createReply`, { body: create });
        if (!m.id) throw new OfferwatchError('EPROVIDER', `cannot ${this.action}: createReply answered without a message id`);
        return { id: m.id, isDraft: true, state: 'created', conversationId: m.conversationId ?? null };
      },
    );
    if (!got.isDraft) return saved(got); // sent meanwhile
    if (got.state === 'complete') return saved(got);
    const draftId = got.id;
    await this.complete(draftId, req);
    return saved({ id: draftId, isDraft: true });
  }
}

function stateOf(m: WithProps): string | null {
  const p = (m.singleValueExtendedProperties ?? []).find((x) => (x.id ?? '').toLowerCase() === DRAFT_STATE_PROPERTY.toLowerCase());
  return p?.value ?? null;
}
