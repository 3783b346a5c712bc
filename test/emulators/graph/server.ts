/**
 * The loopback Microsoft Graph emulator: HTTPS on 127.0.0.1 (certificate made in the test),
 * Graph's v1.0 paths and JSON shapes for the calls offerwatch makes — delta queries with https
 * nextLink/deltaLink and token expiry, message list/get with $select/$filter/$expand,
 * createReply, PATCH, JSON $batch — plus throttling (a fifth concurrent request is answered
 * 429 with Retry-After, as Outlook's 4-per-mailbox limit does), scriptable faults, an Entra ID
 * style device-code + token endpoint, and counters: HTTP requests, bytes, in-flight maximum,
 * and send attempts (always refused; every test asserts zero).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Message } from '@microsoft/microsoft-graph-types';
import { testCertificate } from './cert.js';
import { FaultPlan, graphError, type FaultRule } from './faults.js';
import { FOLDERS, GraphMailbox, htmlOf, splitMbox, type FolderName, type StoredMessage } from './mailbox.js';

export const CLIENT_ID = '8c1f6a2e-7b3d-4e5f-9a0b-1c2d3e4f5a6b';
const TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';
const USER_OID = '00000000-0000-0000-66f3-3332eca7ea81';
/** Outlook's limit of concurrent requests per mailbox. */
export const MAX_CONCURRENT = 4;
const SEND_ACTIONS = new Set(['send', 'reply', 'replyAll', 'forward']);

export interface Counters {
  /** HTTP requests to Graph paths (a $batch is one). */
  requests: number;
  /** Requests inside $batch bodies. */
  batchItems: number;
  /** Per route, counting batch items. */
  calls: Record<string, number>;
  bytesOut: number;
  maxInFlight: number;
  /** Requests refused because 4 were already in flight. */
  concurrencyRejections: number;
  sendAttempts: number;
  /** Writes offerwatch must never make: DELETE, a body PATCH of a completed draft, moves. */
  forbiddenWrites: number;
  tokenRequests: number;
}

function newCounters(): Counters {
  return { requests: 0, batchItems: 0, calls: {}, bytesOut: 0, maxInFlight: 0, concurrencyRejections: 0, sendAttempts: 0, forbiddenWrites: 0, tokenRequests: 0 };
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Destroy the socket after the work is done (drop-response fault). */
  drop?: boolean;
}

interface DeltaRound {
  folder: FolderName;
  select: string[] | null;
  since: string | null;
  /** Entries still to page out: message ids, or removals. */
  entries: Array<{ id: string; removed: boolean }>;
  /** Sequence the round covers up to. */
  seq: number;
  pageSize: number;
}

export interface EmulatorOptions {
  owner: string;
  ownerName?: string;
  /** Access-token lifetime in seconds (default 3600; under 300 makes MSAL refresh on every use). */
  accessTokenSeconds?: number;
  /** Device codes are approved on the first poll (as if the owner signed in at once). Default true. */
  autoApprove?: boolean;
  /** Scopes the "app registration" grants beyond the requested ones (to test a registration that allows Mail.Send). */
  extraScopes?: string[];
  /** Default delta page size when no Prefer: odata.maxpagesize (Graph's is 10). */
  defaultPageSize?: number;
}

export interface GraphEmulator {
  readonly baseUrl: string;
  readonly caFile: string;
  readonly clientId: string;
  readonly mailbox: GraphMailbox;
  readonly counters: Counters;
  readonly faults: FaultPlan;
  fault(rule: FaultRule): void;
  loadMbox(buf: Buffer): Promise<number>;
  /** Every delta and skip token issued so far answers 410 from now on. */
  expireDeltaTokens(code?: 'SyncStateNotFound' | 'resyncRequired'): void;
  /** Refresh tokens stop working (invalid_grant); access tokens too. */
  revokeTokens(): void;
  /** From now on every delta page lists each of its entries twice (Graph may repeat items). */
  repeatDeltaEntries(on: boolean): void;
  /** Access tokens stop working before their expiry (refresh tokens still work). */
  invalidateAccessTokens(): void;
  /** Holds every Graph answer until the returned function is called (to build up concurrency). */
  hold(): () => void;
  /** Requests in flight right now. */
  inFlight(): number;
  /** Resets the request counters (not the send/forbidden ones). */
  resetCounters(): void;
  close(): Promise<void>;
}

function b64url(o: unknown): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

function parsePrefer(h: string | string[] | undefined): { pageSize: number | null; text: boolean } {
  const v = (Array.isArray(h) ? h.join(',') : h ?? '').toLowerCase();
  const m = /odata\.maxpagesize=(\d+)/.exec(v);
  return { pageSize: m ? Number(m[1]) : null, text: /outlook\.body-content-type="?text"?/.test(v) };
}

function unquote(s: string): string {
  return s.replace(/''/g, "'");
}

/** The few $filter forms Graph supports that offerwatch uses. */
function compileFilter(f: string | null, mb: GraphMailbox): ((s: StoredMessage) => boolean) | 'bad' {
  if (!f) return () => true;
  let m = /^conversationId eq '((?:[^']|'')*)'$/.exec(f.trim());
  if (m) {
    const v = unquote(m[1]!);
    return (s) => s.msg.conversationId === v;
  }
  m = /^receivedDateTime (ge|gt) (\S+)$/.exec(f.trim());
  if (m) {
    const t = Date.parse(m[2]!);
    const gt = m[1] === 'gt';
    return (s) => (gt ? Date.parse(s.msg.receivedDateTime ?? '') > t : Date.parse(s.msg.receivedDateTime ?? '') >= t);
  }
  m = /^singleValueExtendedProperties\/Any\((\w+): \1\/id eq '((?:[^']|'')*)' and \1\/value eq '((?:[^']|'')*)'\)$/.exec(f.trim());
  if (m) {
    const id = unquote(m[2]!).toLowerCase();
    const value = unquote(m[3]!).toLowerCase();
    return (s) => [...s.props].some(([k, v]) => k.toLowerCase() === id && v.toLowerCase() === value);
  }
  void mb;
  return 'bad';
}

export async function startGraphEmulator(opts: EmulatorOptions): Promise<GraphEmulator> {
  const cert = testCertificate();
  const owner = opts.owner.toLowerCase();
  const mailbox = new GraphMailbox(owner);
  let counters = newCounters();
  const faults = new FaultPlan();
  const rounds = new Map<string, DeltaRound>();
  const deltaTokens = new Map<string, Omit<DeltaRound, 'entries' | 'pageSize'>>();
  const expired = new Map<string, string>();
  const accessTokens = new Map<string, number>();
  const refreshTokens = new Set<string>();
  const deviceCodes = new Map<string, { approved: boolean; scope: string }>();
  let gate: Promise<void> | null = null;
  let repeat = false;
  let inFlight = 0;
  let base = '';

  const project = (s: StoredMessage, select: string[] | null, text: boolean, expandAll: string | null): Record<string, unknown> => {
    const full: Record<string, unknown> = {
      '@odata.etag': `W/"${s.msg.changeKey}"`,
      ...s.msg,
      body: text ? { contentType: 'text', content: s.text } : { contentType: 'html', content: htmlOf(s.text) },
    };
    delete full.attachments;
    const out: Record<string, unknown> = {};
    if (select) {
      out['@odata.etag'] = full['@odata.etag'];
      out.id = s.msg.id;
      for (const k of select) if (k in full) out[k] = full[k];
      else if (k === 'body' || k === 'flag' || k === 'categories') out[k] = full[k] ?? null;
      else out[k] = null;
    } else Object.assign(out, full);
    for (const expand of splitTop(expandAll ?? '')) {
      if (/^attachments/.test(expand)) out.attachments = (s.msg.attachments ?? []).map((a, i) => ({ '@odata.type': '#microsoft.graph.fileAttachment', id: `att${i}`, name: a.name, contentType: a.contentType }));
      const ep = /^singleValueExtendedProperties\(\$filter=id eq '((?:[^']|'')*)'\)$/.exec(expand);
      if (ep) {
        const want = unquote(ep[1]!).toLowerCase();
        const hit = [...s.props].filter(([k]) => k.toLowerCase() === want).map(([id, value]) => ({ id, value }));
        if (hit.length) out.singleValueExtendedProperties = hit;
      }
    }
    return out;
  };

  const count = (route: string) => {
    counters.calls[route] = (counters.calls[route] ?? 0) + 1;
  };

  const tokenAnswer = (scope: string): Answer => {
    const access = `at-${randomBytes(12).toString('hex')}`;
    const refresh = `rt-${randomBytes(12).toString('hex')}`;
    const seconds = opts.accessTokenSeconds ?? 3600;
    accessTokens.set(access, Date.now() + seconds * 1000);
    refreshTokens.add(refresh);
    const now = Math.floor(Date.now() / 1000);
    const idToken = [
      b64url({ typ: 'JWT', alg: 'none' }),
      b64url({ aud: CLIENT_ID, iss: `${base}/${TENANT_ID}/v2.0`, iat: now, nbf: now, exp: now + 3600, name: opts.ownerName ?? 'Mailbox Owner', oid: USER_OID, preferred_username: owner, sub: 'emulated-subject', tid: TENANT_ID, ver: '2.0' }),
      'c2ln',
    ].join('.');
    const granted = [...new Set([...scope.split(/\s+/).filter((s) => s && !['openid', 'profile', 'offline_access'].includes(s)), ...(opts.extraScopes ?? [])])];
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        scope: [...granted, 'openid', 'profile'].join(' '),
        expires_in: seconds,
        ext_expires_in: seconds,
        access_token: access,
        refresh_token: refresh,
        id_token: idToken,
        client_info: b64url({ uid: USER_OID, utid: TENANT_ID }),
      },
    };
  };

  /** Sign-in endpoints: /{tenant}/v2.0/.well-known/openid-configuration, /{tenant}/oauth2/v2.0/{devicecode,token}. */
  const identity = (method: string, path: string, form: URLSearchParams): Answer | null => {
    const m = /^\/(common|consumers|organizations|[0-9a-f-]{36})(\/.*)$/i.exec(path);
    if (!m) return null;
    const tenant = m[1]!;
    const rest = m[2]!;
    const origin = `${base}/${tenant}`;
    if (rest === '/v2.0/.well-known/openid-configuration') {
      return {
        status: 200,
        body: {
          token_endpoint: `${origin}/oauth2/v2.0/token`,
          authorization_endpoint: `${origin}/oauth2/v2.0/authorize`,
          device_authorization_endpoint: `${origin}/oauth2/v2.0/devicecode`,
          end_session_endpoint: `${origin}/oauth2/v2.0/logout`,
          jwks_uri: `${origin}/discovery/v2.0/keys`,
          issuer: `${base}/{tenantid}/v2.0`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        },
      };
    }
    if (method !== 'POST') return { status: 405, body: { error: 'invalid_request' } };
    counters.tokenRequests++;
    if (form.get('client_id') !== CLIENT_ID) return { status: 400, body: { error: 'unauthorized_client', error_description: 'AADSTS700016: Application not found in the directory.' } };
    if (rest === '/oauth2/v2.0/devicecode') {
      const scope = form.get('scope') ?? '';
      if (/\bMail\.Send\b/i.test(scope)) return { status: 400, body: { error: 'invalid_scope', error_description: 'offerwatch never asks for Mail.Send' } };
      const device = `dc-${randomBytes(12).toString('hex')}`;
      const user = randomBytes(4).toString('hex').toUpperCase();
      deviceCodes.set(device, { approved: opts.autoApprove ?? true, scope });
      return {
        status: 200,
        body: {
          user_code: user,
          device_code: device,
          verification_uri: `${base}/devicelogin`,
          expires_in: 900,
          interval: 1,
          message: `To sign in, use a web browser to open the page ${base}/devicelogin and enter the code ${user} to authenticate.`,
        },
      };
    }
    if (rest === '/oauth2/v2.0/token') {
      const grant = form.get('grant_type');
      if (grant === 'urn:ietf:params:oauth:grant-type:device_code' || grant === 'device_code') {
        const dc = deviceCodes.get(form.get('device_code') ?? '');
        if (!dc) return { status: 400, body: { error: 'expired_token', error_description: 'AADSTS70020: The provided value for the input parameter device_code is not valid.' } };
        if (!dc.approved) return { status: 400, body: { error: 'authorization_pending', error_description: 'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.' } };
        deviceCodes.delete(form.get('device_code')!);
        return tokenAnswer(dc.scope);
      }
      if (grant === 'refresh_token') {
        const rt = form.get('refresh_token') ?? '';
        if (!refreshTokens.has(rt)) return { status: 400, body: { error: 'invalid_grant', error_description: 'AADSTS70008: The provided authorization code or refresh token has expired or was revoked.', error_codes: [70008] } };
        refreshTokens.delete(rt); // rotated
        return tokenAnswer(form.get('scope') ?? '');
      }
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    }
    return { status: 404, body: { error: 'invalid_request' } };
  };

  const deltaPage = (roundId: string, round: DeltaRound, text: boolean): Answer => {
    const page = round.entries.splice(0, round.pageSize);
    const value = page.map((e) => {
      const s = mailbox.messages.get(e.id);
      if (e.removed || !s || s.folder !== round.folder) return { '@odata.type': '#microsoft.graph.message', id: e.id, '@removed': { reason: s ? 'changed' : 'deleted' } };
      return { '@odata.type': '#microsoft.graph.message', ...project(s, round.select, text, null) };
    });
    const path = `${base}/v1.0/me/mailFolders/${round.folder}/messages/delta`;
    const body: Record<string, unknown> = { '@odata.context': `${base}/v1.0/$metadata#Collection(message)`, value: repeat ? [...value, ...value] : value };
    if (round.entries.length > 0) {
      body['@odata.nextLink'] = `${path}?$skiptoken=${roundId}`;
    } else {
      rounds.delete(roundId);
      const token = `dt${randomBytes(9).toString('base64url')}`;
      deltaTokens.set(token, { folder: round.folder, select: round.select, since: round.since, seq: round.seq });
      body['@odata.deltaLink'] = `${path}?$deltatoken=${token}`;
    }
    return { status: 200, body, headers: { 'preference-applied': `odata.maxpagesize=${round.pageSize}` } };
  };

  const startRound = (folder: FolderName, fromSeq: number | null, select: string[] | null, since: string | null, pageSize: number): string => {
    const inFolder = mailbox
      .inFolder(folder)
      .filter((s) => (fromSeq === null ? true : s.seq > fromSeq))
      .filter((s) => (since && fromSeq === null ? Date.parse(s.msg.receivedDateTime ?? '') >= Date.parse(since) : true))
      .sort((a, b) => Date.parse(b.msg.receivedDateTime ?? '') - Date.parse(a.msg.receivedDateTime ?? ''));
    const entries = inFolder.map((s) => ({ id: s.msg.id!, removed: false }));
    if (fromSeq !== null) {
      for (const r of mailbox.removals) if (r.folder === folder && r.seq > fromSeq && !entries.some((e) => e.id === r.id)) entries.push({ id: r.id, removed: true });
    }
    const id = `st${randomBytes(9).toString('base64url')}`;
    rounds.set(id, { folder, select, since, entries, seq: mailbox.seq, pageSize });
    return id;
  };

  /** One Graph request (top-level or inside $batch). */
  const graph = (method: string, rawUrl: string, headers: Record<string, string | string[] | undefined>, body: unknown): Answer => {
    const url = new URL(rawUrl, 'https://x');
    const path = url.pathname.replace(/\/+$/, '');
    const q = url.searchParams;
    const prefer = parsePrefer(headers['prefer']);
    const select = q.get('$select') ? q.get('$select')!.split(',').map((s) => s.trim()) : null;
    const expand = q.get('$expand');
    let m: RegExpExecArray | null;
    const route = routeOf(method, path);
    count(route);
    const fault = faults.take(route);
    if (fault && (fault.kind ?? 'error') === 'error') {
      const status = fault.status ?? 503;
      return { status, body: graphError(status, 'Injected fault.', fault.code), headers: fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {} };
    }
    const answer = ((): Answer => {
      if (method === 'DELETE') {
        counters.forbiddenWrites++;
        return { status: 403, body: graphError(403, 'offerwatch never deletes.', 'ErrorAccessDenied') };
      }
      if (path === '/me/sendMail' || ((m = /^\/me\/messages\/([^/]+)\/(\w+)$/.exec(path)) && SEND_ACTIONS.has(m[2]!))) {
        counters.sendAttempts++;
        return { status: 403, body: graphError(403, 'Access is denied. Check credentials and try again.', 'ErrorAccessDenied') };
      }
      if (path === '/me' && method === 'GET') return { status: 200, body: { id: USER_OID, displayName: opts.ownerName ?? 'Mailbox Owner', mail: owner, userPrincipalName: owner } };
      if ((m = /^\/me\/mailFolders\/([^/]+)$/.exec(path)) && method === 'GET') {
        const f = mailbox.folderOfId(decodeURIComponent(m[1]!));
        if (!f) return { status: 404, body: graphError(404, 'The specified folder could not be found in the store.', 'ErrorFolderNotFound') };
        const id = mailbox.folderIds.get(f)!;
        return { status: 200, body: select ? { id } : { id, displayName: f, totalItemCount: mailbox.inFolder(f).length } };
      }
      if ((m = /^\/me\/mailFolders\/([^/]+)\/messages\/delta$/.exec(path)) && method === 'GET') {
        const folder = mailbox.folderOfId(decodeURIComponent(m[1]!));
        if (!folder) return { status: 404, body: graphError(404, 'The specified folder could not be found in the store.', 'ErrorFolderNotFound') };
        const skip = q.get('$skiptoken');
        const dtok = q.get('$deltatoken');
        for (const t of [skip, dtok]) {
          if (t && expired.has(t)) return { status: 410, body: graphError(410, 'The sync state is not found or has expired.', expired.get(t)) };
        }
        if (skip) {
          const round = rounds.get(skip);
          if (!round) return { status: 410, body: graphError(410, 'The sync state is not found or has expired.', 'SyncStateNotFound') };
          return deltaPage(skip, round, prefer.text);
        }
        const pageSize = Math.min(prefer.pageSize ?? opts.defaultPageSize ?? 10, 1000);
        if (dtok) {
          const st = deltaTokens.get(dtok);
          if (!st || st.folder !== folder) return { status: 410, body: graphError(410, 'The sync state is not found or has expired.', 'SyncStateNotFound') };
          const id = startRound(folder, st.seq, st.select, st.since, pageSize);
          return deltaPage(id, rounds.get(id)!, prefer.text);
        }
        const f = q.get('$filter');
        let since: string | null = null;
        if (f) {
          const fm = /^receivedDateTime (ge|gt) (\S+)$/.exec(f.trim());
          if (!fm) return { status: 400, body: graphError(400, 'The query filter contains one or more invalid nodes.', 'ErrorInvalidUrlQueryFilter') };
          since = fm[2]!;
        }
        const id = startRound(folder, null, select, since, pageSize);
        return deltaPage(id, rounds.get(id)!, prefer.text);
      }
      if ((m = /^\/me(?:\/mailFolders\/([^/]+))?\/messages$/.exec(path)) && method === 'GET') {
        const folder = m[1] ? mailbox.folderOfId(decodeURIComponent(m[1])) : null;
        if (m[1] && !folder) return { status: 404, body: graphError(404, 'The specified folder could not be found in the store.', 'ErrorFolderNotFound') };
        const filter = compileFilter(q.get('$filter'), mailbox);
        if (filter === 'bad') return { status: 400, body: graphError(400, 'The query filter contains one or more invalid nodes.', 'ErrorInvalidUrlQueryFilter') };
        let list = [...mailbox.messages.values()].filter((s) => (!folder || s.folder === folder) && filter(s));
        const order = q.get('$orderby') ?? 'receivedDateTime desc';
        const asc = /\basc\b/.test(order);
        list.sort((a, b) => (Date.parse(a.msg.receivedDateTime ?? '') - Date.parse(b.msg.receivedDateTime ?? '')) * (asc ? 1 : -1));
        const top = Math.min(Number(q.get('$top') ?? prefer.pageSize ?? 10), 1000);
        const skip = Number(q.get('$skip') ?? 0);
        const page = list.slice(skip, skip + top);
        const bodyOut: Record<string, unknown> = { value: page.map((s) => project(s, select, prefer.text, expand)) };
        if (skip + top < list.length) {
          const next = new URL(`${base}/v1.0${path}`);
          for (const [k, v] of q) if (k !== '$skip') next.searchParams.set(k, v);
          next.searchParams.set('$top', String(top));
          next.searchParams.set('$skip', String(skip + top));
          bodyOut['@odata.nextLink'] = next.toString();
        }
        list = [];
        return { status: 200, body: bodyOut };
      }
      if ((m = /^\/me\/messages\/([^/]+)$/.exec(path))) {
        const id = decodeURIComponent(m[1]!);
        const s = mailbox.messages.get(id);
        if (!s) return { status: 404, body: graphError(404, 'The specified object was not found in the store.', 'ErrorItemNotFound') };
        if (method === 'GET') return { status: 200, body: project(s, select, prefer.text, expand) };
        if (method === 'PATCH') return patchMessage(s, (body ?? {}) as PatchBody);
      }
      if ((m = /^\/me\/messages\/([^/]+)\/createReply$/.exec(path)) && method === 'POST') {
        const s = mailbox.messages.get(decodeURIComponent(m[1]!));
        if (!s) return { status: 404, body: graphError(404, 'The specified object was not found in the store.', 'ErrorItemNotFound') };
        const original = s.msg;
        const quoted = `\n\nFrom: ${original.from?.emailAddress?.name ?? ''}\nSent: ${original.sentDateTime}\nSubject: ${original.subject}\n\n${s.text}`;
        const at = new Date().toISOString();
        const draft: StoredMessage["msg"] = {
          internetMessageId: `<emu-${randomBytes(6).toString('hex')}@outlook.example>`,
          conversationId: original.conversationId,
          subject: `RE: ${original.subject ?? ''}`,
          bodyPreview: '',
          from: { emailAddress: { address: owner, name: opts.ownerName ?? owner } },
          sender: { emailAddress: { address: owner, name: opts.ownerName ?? owner } },
          toRecipients: original.replyTo?.length ? original.replyTo : original.from ? [original.from] : [],
          ccRecipients: [],
          replyTo: [],
          receivedDateTime: at,
          sentDateTime: at,
          createdDateTime: at,
          lastModifiedDateTime: at,
          isDraft: true,
          categories: [],
          flag: { flagStatus: 'notFlagged' },
          internetMessageHeaders: [],
        };
        const id = mailbox.put(draft, quoted, 'drafts');
        const d = mailbox.messages.get(id)!;
        const extra = ((body ?? {}) as { message?: PatchBody }).message;
        if (extra) applyPatch(d, extra);
        return { status: 201, body: project(d, null, prefer.text, null) };
      }
      if ((m = /^\/me\/messages\/([^/]+)\/(move|copy)$/.exec(path))) {
        counters.forbiddenWrites++;
        return { status: 403, body: graphError(403, 'offerwatch never moves mail.', 'ErrorAccessDenied') };
      }
      return { status: 404, body: graphError(404, `Resource not found for the segment '${path.split('/').pop()}'.`, 'ResourceNotFound') };
    })();
    if (fault?.kind === 'drop-response') answer.drop = true;
    return answer;
  };

  type PatchBody = Message & { singleValueExtendedProperties?: Array<{ id?: string; value?: string }> };

  const applyPatch = (s: StoredMessage, p: PatchBody): void => {
    mailbox.touch(s.msg.id!, (x) => {
      if (p.subject !== undefined) x.msg.subject = p.subject;
      if (p.body) {
        x.text = p.body.contentType === 'html' ? (p.body.content ?? '').replace(/<[^>]+>/g, '') : p.body.content ?? '';
        x.msg.bodyPreview = x.text.slice(0, 255);
      }
      if (p.toRecipients) x.msg.toRecipients = p.toRecipients;
      if (p.ccRecipients) x.msg.ccRecipients = p.ccRecipients;
      if (p.categories) x.msg.categories = [...p.categories];
      if (p.flag) x.msg.flag = { ...p.flag };
      for (const e of p.singleValueExtendedProperties ?? []) if (e.id) x.props.set(e.id, e.value ?? '');
    }, new Date().toISOString());
  };

  const patchMessage = (s: StoredMessage, p: PatchBody): Answer => {
    const contentKeys = ['subject', 'body', 'toRecipients', 'ccRecipients', 'singleValueExtendedProperties'].filter((k) => k in p);
    if (!s.msg.isDraft && contentKeys.length > 0) {
      counters.forbiddenWrites++;
      return { status: 400, body: graphError(400, 'Only drafts can be edited.', 'ErrorInvalidPropertyUpdateSentMessage') };
    }
    if (p.flag?.flagStatus === 'flagged' && (!p.flag.startDateTime) !== (!p.flag.dueDateTime)) {
      return { status: 400, body: graphError(400, 'startDateTime and dueDateTime must be set together.', 'ErrorInvalidRequest') };
    }
    if (s.msg.isDraft && p.body) {
      const state = [...s.props].find(([k]) => /Name X-Offerwatch-Draft-State$/.test(k))?.[1];
      if (state === 'complete') counters.forbiddenWrites++; // an existing draft would be overwritten
    }
    applyPatch(s, p);
    return { status: 200, body: project(s, null, true, null) };
  };

  const server: Server = createServer({ key: cert.key, cert: cert.cert }, (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks));
    });
  });

  const send = (res: ServerResponse, a: Answer): void => {
    const payload = a.body === undefined ? '' : JSON.stringify(a.body);
    counters.bytesOut += Buffer.byteLength(payload);
    res.writeHead(a.status, { 'content-type': 'application/json; odata.metadata=minimal; charset=utf-8', ...(a.headers ?? {}) });
    res.end(payload);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> => {
    const url = new URL(req.url ?? '/', base);
    const method = (req.method ?? 'GET').toUpperCase();
    if (!url.pathname.startsWith('/v1.0/')) {
      const form = new URLSearchParams(raw.toString('utf8'));
      const a = identity(method, url.pathname, form);
      send(res, a ?? { status: 404, body: { error: 'not_found' } });
      return;
    }
    counters.requests++;
    if (inFlight >= MAX_CONCURRENT) {
      counters.concurrencyRejections++;
      send(res, { status: 429, body: graphError(429, 'Application is over its MailboxConcurrency limit.', 'ApplicationThrottled'), headers: { 'retry-after': '1' } });
      return;
    }
    inFlight++;
    if (inFlight > counters.maxInFlight) counters.maxInFlight = inFlight;
    try {
      if (gate) await gate;
      const auth = req.headers.authorization ?? '';
      const token = /^Bearer (\S+)$/.exec(auth)?.[1];
      const exp = token ? accessTokens.get(token) : undefined;
      if (!token || exp === undefined || exp < Date.now()) {
        send(res, { status: 401, body: graphError(401, 'Access token has expired or is not yet valid.', 'InvalidAuthenticationToken') });
        return;
      }
      const path = url.pathname.slice('/v1.0'.length) + url.search;
      let body: unknown;
      try {
        body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        send(res, { status: 400, body: graphError(400, 'Unable to read JSON request payload.', 'BadRequest') });
        return;
      }
      const top = routeOf(method, url.pathname.slice('/v1.0'.length));
      const topFault = top === 'batch' ? faults.take('batch') : null;
      if (topFault?.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (topFault && (topFault.kind ?? 'error') === 'error') {
        const status = topFault.status ?? 503;
        send(res, { status, body: graphError(status, 'Injected fault.', topFault.code), headers: topFault.retryAfter !== undefined ? { 'retry-after': String(topFault.retryAfter) } : {} });
        return;
      }
      if (top === 'batch' && method === 'POST') {
        const reqs = ((body ?? {}) as { requests?: Array<{ id: string; method: string; url: string; headers?: Record<string, string>; body?: unknown }> }).requests ?? [];
        if (reqs.length === 0 || reqs.length > 20) {
          send(res, { status: 400, body: graphError(400, 'Number of batch requests must be between 1 and 20.', 'BadRequest') });
          return;
        }
        let drop = topFault?.kind === 'drop-response';
        const responses = reqs.map((r) => {
          counters.batchItems++;
          const h = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
          const peek = routeOf(r.method.toUpperCase(), new URL(r.url, 'https://x').pathname);
          const f = faults.take(`batch:${peek}`);
          if (f?.kind === 'reset') drop = true;
          const a = graph(r.method.toUpperCase(), r.url, h, r.body);
          if (a.drop) drop = true;
          return { id: r.id, status: a.status, headers: { 'content-type': 'application/json', ...(a.headers ?? {}) }, body: a.body };
        });
        if (drop) {
          req.socket.destroy();
          return;
        }
        send(res, { status: 200, body: { responses } });
        return;
      }
      const faultPeek = faults.take(`reset:${top}`);
      if (faultPeek) {
        req.socket.destroy();
        return;
      }
      const a = graph(method, path, req.headers as Record<string, string>, body);
      if (a.drop) {
        req.socket.destroy();
        return;
      }
      send(res, a);
    } finally {
      inFlight--;
    }
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl: base,
    caFile: cert.caFile,
    clientId: CLIENT_ID,
    mailbox,
    get counters() {
      return counters;
    },
    faults,
    fault: (r) => faults.add(r),
    async loadMbox(buf) {
      const raws = splitMbox(buf);
      for (const r of raws) await mailbox.addRaw(r);
      return raws.length;
    },
    expireDeltaTokens(code = 'SyncStateNotFound') {
      for (const t of [...rounds.keys(), ...deltaTokens.keys()]) expired.set(t, code);
      rounds.clear();
      deltaTokens.clear();
    },
    revokeTokens() {
      refreshTokens.clear();
      accessTokens.clear();
    },
    repeatDeltaEntries(on) {
      repeat = on;
    },
    invalidateAccessTokens() {
      accessTokens.clear();
    },
    hold() {
      let release!: () => void;
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        gate = null;
        release();
      };
    },
    inFlight: () => inFlight,
    resetCounters() {
      const keep = { sendAttempts: counters.sendAttempts, forbiddenWrites: counters.forbiddenWrites };
      counters = { ...newCounters(), ...keep };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Splits `a(b,c),d` at top-level commas. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Route names for counters and faults. */
export function routeOf(method: string, path: string): string {
  const p = path.replace(/\?.*$/, '').replace(/\/+$/, '');
  if (p === '/$batch') return 'batch';
  if (/\/messages\/delta$/.test(p)) return 'delta';
  if (/^\/me\/mailFolders\/[^/]+$/.test(p)) return 'folders.get';
  if (/^\/me(\/mailFolders\/[^/]+)?\/messages$/.test(p)) return 'messages.list';
  if (/\/createReply$/.test(p)) return 'createReply';
  if (/^\/me\/messages\/[^/]+$/.test(p)) return method === 'PATCH' ? 'messages.patch' : method === 'DELETE' ? 'messages.delete' : 'messages.get';
  if (p === '/me/sendMail' || /\/(send|reply|replyAll|forward)$/.test(p)) return 'send';
  if (p === '/me') return 'me';
  return 'other';
}

export { FOLDERS };
