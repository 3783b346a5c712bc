/**
 * The emulator's Gmail routes: paths under /gmail/v1/users/{userId}/, Gmail's JSON shapes.
 * Methods offerwatch must never call (send, update, delete, trash) answer 403 in the server.
 */
import type { gmail_v1 } from 'googleapis';
import type { Mailbox } from './mailbox.js';

export type Handler = (ctx: Ctx) => Promise<unknown> | unknown;

export interface Ctx {
  params: string[];
  query: URLSearchParams;
  body: unknown;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

function pageSize(q: URLSearchParams, def: number, max: number): number {
  const n = Number(q.get('maxResults') ?? def);
  return Math.max(1, Math.min(max, Number.isFinite(n) ? n : def));
}

function encodeToken(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}
function decodeToken<T>(s: string | null): T | null {
  if (!s) return null;
  try {
    return JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as T;
  } catch {
    throw new HttpError(400, 'Invalid pageToken', 'invalidArgument');
  }
}

export interface Route {
  verb: string;
  re: RegExp;
  method: string;
  handle: Handler;
}

export function buildRoutes(mailbox: Mailbox): Route[] {
  const getMessage = (id: string) => {
    const m = mailbox.messages.get(id);
    if (!m) throw new HttpError(404, 'Requested entity was not found.');
    return m;
  };

  return [
    { verb: 'GET', re: /^profile$/, method: 'getProfile', handle: () => mailbox.profile() },
    {
      verb: 'GET',
      re: /^messages$/,
      method: 'messages.list',
      handle: ({ query }) => {
        const all = mailbox.search(query.get('q') ?? '', query.getAll('labelIds'), query.get('includeSpamTrash') === 'true');
        const size = pageSize(query, 100, 500);
        const after = decodeToken<{ d: number; id: string }>(query.get('pageToken'));
        let start = 0;
        if (after) {
          start = all.findIndex((m) => m.internalDate < after.d || (m.internalDate === after.d && m.id < after.id));
          if (start < 0) start = all.length;
        }
        const page = all.slice(start, start + size);
        const res: gmail_v1.Schema$ListMessagesResponse = {
          messages: page.map((m) => ({ id: m.id, threadId: m.threadId })),
          resultSizeEstimate: all.length,
        };
        if (page.length === 0) delete res.messages;
        if (start + size < all.length) {
          const last = page[page.length - 1];
          res.nextPageToken = encodeToken({ d: last.internalDate, id: last.id });
        }
        return res;
      },
    },
    {
      verb: 'GET',
      re: /^messages\/([^/]+)$/,
      method: 'messages.get',
      handle: ({ params, query }) => mailbox.toGmail(getMessage(params[0]), query.get('format') ?? 'full', query.getAll('metadataHeaders')),
    },
    {
      verb: 'GET',
      re: /^threads\/([^/]+)$/,
      method: 'threads.get',
      handle: ({ params, query }) => {
        const ids = mailbox.threads.get(params[0]);
        if (!ids) throw new HttpError(404, 'Requested entity was not found.');
        const format = query.get('format') ?? 'full';
        if (format === 'raw') throw new HttpError(400, 'Invalid format: raw is not supported for threads', 'invalidArgument');
        const res: gmail_v1.Schema$Thread = {
          id: params[0],
          historyId: String(mailbox.threadHistoryId(params[0])),
          messages: ids.map((id) => mailbox.toGmail(mailbox.messages.get(id)!, format, query.getAll('metadataHeaders'))),
        };
        return res;
      },
    },
    {
      verb: 'POST',
      re: /^threads\/([^/]+)\/modify$/,
      method: 'threads.modify',
      handle: ({ params, body }) => {
        if (!mailbox.threads.has(params[0])) throw new HttpError(404, 'Requested entity was not found.');
        const req = (body ?? {}) as gmail_v1.Schema$ModifyThreadRequest;
        const add = req.addLabelIds ?? [];
        const remove = req.removeLabelIds ?? [];
        for (const l of [...add, ...remove]) if (!mailbox.labels.has(l)) throw new HttpError(400, `Invalid label: ${l}`, 'invalidArgument');
        mailbox.modifyThread(params[0], add, remove);
        const res: gmail_v1.Schema$Thread = {
          id: params[0],
          messages: (mailbox.threads.get(params[0]) ?? []).map((id) => mailbox.toGmail(mailbox.messages.get(id)!, 'minimal', [])),
        };
        return res;
      },
    },
    {
      verb: 'GET',
      re: /^history$/,
      method: 'history.list',
      handle: ({ query }) => {
        const startRaw = query.get('startHistoryId');
        if (!startRaw || !/^\d+$/.test(startRaw)) throw new HttpError(400, 'Invalid startHistoryId', 'invalidArgument');
        const start = Number(startRaw);
        if (start < mailbox.historyFloor) throw new HttpError(404, 'Requested entity was not found.');
        const size = pageSize(query, 100, 500);
        const types = query.getAll('historyTypes');
        const from = decodeToken<{ after: number }>(query.get('pageToken'));
        const records = mailbox.historySince(from ? from.after : start, types.length ? types : null, query.get('labelId'));
        const page = records.slice(0, size);
        const res: gmail_v1.Schema$ListHistoryResponse = { historyId: String(mailbox.historyId) };
        if (page.length) res.history = page;
        if (records.length > size) res.nextPageToken = encodeToken({ after: Number(page[page.length - 1].id) });
        return res;
      },
    },
    {
      verb: 'GET',
      re: /^labels$/,
      method: 'labels.list',
      handle: () => {
        const res: gmail_v1.Schema$ListLabelsResponse = { labels: [...mailbox.labels.values()] };
        return res;
      },
    },
    {
      verb: 'GET',
      re: /^labels\/([^/]+)$/,
      method: 'labels.get',
      handle: ({ params }) => {
        const l = mailbox.labels.get(params[0]);
        if (!l) throw new HttpError(404, 'Requested entity was not found.');
        return l;
      },
    },
    {
      verb: 'POST',
      re: /^labels$/,
      method: 'labels.create',
      handle: ({ body }) => {
        const req = (body ?? {}) as gmail_v1.Schema$Label;
        const name = (req.name ?? '').trim();
        if (!name) throw new HttpError(400, 'Invalid label name', 'invalidArgument');
        for (const l of mailbox.labels.values()) {
          if ((l.name ?? '').toLowerCase() === name.toLowerCase()) throw new HttpError(409, 'Label name exists or conflicts', 'duplicate');
        }
        const id = mailbox.ensureLabel(name);
        const label = mailbox.labels.get(id)!;
        if (req.labelListVisibility) label.labelListVisibility = req.labelListVisibility;
        if (req.messageListVisibility) label.messageListVisibility = req.messageListVisibility;
        return label;
      },
    },
    {
      verb: 'GET',
      re: /^drafts$/,
      method: 'drafts.list',
      handle: ({ query }) => {
        const all = [...mailbox.drafts.entries()].reverse();
        const size = pageSize(query, 100, 500);
        const offset = decodeToken<{ o: number }>(query.get('pageToken'))?.o ?? 0;
        const page = all.slice(offset, offset + size);
        const res: gmail_v1.Schema$ListDraftsResponse = {
          drafts: page.map(([id, mid]) => ({ id, message: { id: mid, threadId: mailbox.messages.get(mid)!.threadId } })),
          resultSizeEstimate: all.length,
        };
        if (page.length === 0) delete res.drafts;
        if (offset + size < all.length) res.nextPageToken = encodeToken({ o: offset + size });
        return res;
      },
    },
    {
      verb: 'GET',
      re: /^drafts\/([^/]+)$/,
      method: 'drafts.get',
      handle: ({ params, query }) => {
        const mid = mailbox.drafts.get(params[0]);
        if (!mid) throw new HttpError(404, 'Requested entity was not found.');
        const res: gmail_v1.Schema$Draft = { id: params[0], message: mailbox.toGmail(getMessage(mid), query.get('format') ?? 'full', []) };
        return res;
      },
    },
    {
      verb: 'POST',
      re: /^drafts$/,
      method: 'drafts.create',
      handle: async ({ body }) => {
        const req = (body ?? {}) as gmail_v1.Schema$Draft;
        const raw = req.message?.raw;
        if (!raw) throw new HttpError(400, 'Missing draft message', 'invalidArgument');
        const { draftId, message } = await mailbox.createDraft(Buffer.from(raw, 'base64url'), req.message?.threadId ?? null);
        const res: gmail_v1.Schema$Draft = { id: draftId, message: { id: message.id, threadId: message.threadId, labelIds: [...message.labelIds] } };
        return res;
      },
    },
    { verb: 'POST', re: /^messages\/send$/, method: 'messages.send', handle: () => null },
    { verb: 'POST', re: /^drafts\/send$/, method: 'drafts.send', handle: () => null },
    { verb: 'PUT', re: /^drafts\/([^/]+)$/, method: 'drafts.update', handle: () => null },
    { verb: 'DELETE', re: /^drafts\/([^/]+)$/, method: 'drafts.delete', handle: () => null },
    { verb: 'DELETE', re: /^messages\/([^/]+)$/, method: 'messages.delete', handle: () => null },
    { verb: 'POST', re: /^messages\/([^/]+)\/trash$/, method: 'messages.trash', handle: () => null },
    { verb: 'POST', re: /^messages\/([^/]+)\/modify$/, method: 'messages.modify', handle: () => null },
    { verb: 'DELETE', re: /^threads\/([^/]+)$/, method: 'threads.delete', handle: () => null },
    { verb: 'POST', re: /^threads\/([^/]+)\/trash$/, method: 'threads.trash', handle: () => null },
  ];
}
