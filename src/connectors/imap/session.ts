/**
 * One IMAP connection per account, reused by everything in a cycle (sync, drafts, reply-due
 * flags) and closed at the end. A broken connection is reopened once per cycle; the
 * operation that broke is retried only when it is safe to (reads; a write is first looked
 * up, see drafts.ts). imapflow's types stay in this folder; errors leave it as
 * OfferwatchError with one plain line and never the password.
 */
import { ImapFlow, type MailboxObject } from 'imapflow';
import { OfferwatchError } from '../../errors.js';
import { accountLabel, portOf, type ImapSourceConfig } from './config.js';

export interface SessionDeps {
  cfg: ImapSourceConfig;
  password: string;
  log: (line: string) => void;
  /** Extra certificate authority (PEM) to trust. */
  ca?: string;
  /** Socket inactivity limit (default 5 minutes). */
  socketTimeoutMs?: number;
}

const CONNECTION_CODES = new Set([
  'NoConnection',
  'EConnectionClosed',
  'StateLogout',
  'ClosedAfterConnectText',
  'ClosedAfterConnectTLS',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'UPGRADE_TIMEOUT',
  'ETIMEOUT',
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ERR_STREAM_DESTROYED',
]);

interface ImapErrorLike {
  code?: string;
  authenticationFailed?: boolean;
  responseText?: string;
  serverResponseCode?: string;
  responseStatus?: string;
  message?: string;
}

/** True when the error means the connection is gone (not that the server said NO). */
export function isConnectionError(e: unknown): boolean {
  const x = e as ImapErrorLike | null;
  if (!x || typeof x !== 'object') return false;
  if (x instanceof OfferwatchError) return x.code === 'ETRANSIENT';
  return (x.code !== undefined && CONNECTION_CODES.has(x.code)) || /connection (closed|not available)|socket (hang up|closed)/i.test(x.message ?? '');
}

export class ImapSession {
  private client: ImapFlow | null = null;
  private reopened = false;
  /** What the last LIST of this cycle found (mailboxes, roles); reset with the cycle. */
  listing: unknown = null;
  private opened = 0;
  readonly label: string;

  constructor(private readonly d: SessionDeps) {
    this.label = `IMAP source ${d.cfg.name} (${accountLabel(d.cfg)})`;
  }

  /** Connections opened so far (tests and the benchmark read it). */
  get connections(): number {
    return this.opened;
  }

  /** A new cycle: the previous connection is closed, the reopen allowance restored. */
  async beginCycle(): Promise<void> {
    await this.close();
    this.reopened = false;
    this.listing = null;
  }

  /** The server's capabilities, connecting if needed. */
  async capabilities(): Promise<Map<string, boolean | number>> {
    return (await this.connection()).capabilities;
  }

  async has(cap: string): Promise<boolean> {
    return (await this.capabilities()).has(cap);
  }

  /** True when CONDSTORE was enabled on this connection. */
  async condstore(): Promise<boolean> {
    const c = await this.connection();
    return c.enabled.has('CONDSTORE') || c.enabled.has('QRESYNC') || c.capabilities.has('CONDSTORE');
  }

  private async connection(): Promise<ImapFlow> {
    if (this.client && this.client.usable) return this.client;
    if (this.client) {
      this.client.close();
      this.client = null;
    }
    const { cfg } = this.d;
    const client = new ImapFlow({
      host: cfg.host,
      port: portOf(cfg),
      secure: cfg.tls === 'implicit',
      doSTARTTLS: cfg.tls === 'starttls' ? true : cfg.tls === 'none' ? false : undefined,
      auth: { user: cfg.user, pass: this.d.password },
      tls: this.d.ca ? { ca: [this.d.ca] } : undefined,
      logger: false,
      qresync: true,
      disableAutoIdle: true,
      disableCompression: false,
      socketTimeout: this.d.socketTimeoutMs ?? 5 * 60_000,
      clientInfo: { name: 'offerwatch' },
    });
    // An 'error' event without a listener would end the process; the failing command reports it.
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (e) {
      client.close();
      throw this.translate(e, 'connect');
    }
    this.opened++;
    this.client = client;
    return client;
  }

  /**
   * Runs `fn` on the connection. When the connection breaks, it is reopened once per cycle and
   * `fn` run again if `retry` (default true); otherwise the error is thrown as ETRANSIENT.
   */
  async run<T>(action: string, fn: (c: ImapFlow) => Promise<T>, opts: { retry?: boolean } = {}): Promise<T> {
    for (;;) {
      const c = await this.connection();
      try {
        return await fn(c);
      } catch (e) {
        if (!isConnectionError(e) && c.usable) throw this.translate(e, action);
        this.client = null;
        c.close();
        if (this.reopened || opts.retry === false) throw this.translate(e, action);
        this.reopened = true;
        this.d.log(`${this.label}: the connection broke during ${action}; reconnecting once`);
      }
    }
  }

  /** May the next broken connection still be reopened in this cycle? (drafts.ts asks before it looks a draft up again.) */
  get canReopen(): boolean {
    return !this.reopened;
  }

  /** Marks the allowance used (a write that broke is looked up on a fresh connection). */
  useReopen(): void {
    this.reopened = true;
  }

  /** Selects `path` unless it already is; read-only unless `write`. */
  async open(c: ImapFlow, path: string, write = false): Promise<MailboxObject> {
    const cur = c.mailbox;
    if (cur && cur.path === path && (write ? !cur.readOnly : true)) return cur;
    return c.mailboxOpen(path, { readOnly: !write });
  }

  translate(e: unknown, action: string): OfferwatchError {
    if (e instanceof OfferwatchError) return e;
    const x = (e ?? {}) as ImapErrorLike;
    const server = (x.responseText ?? '').replace(/[\r\n]+/g, ' ').trim();
    if (x.authenticationFailed) {
      return new OfferwatchError(
        'EAUTH',
        `cannot log in to ${this.label}: the server refused the user name or password${server ? ` (${server})` : ''}; check passwordFile/passwordEnv (many providers need an app password)`,
        { cause: e },
      );
    }
    if (isConnectionError(e) || /^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)$/.test(x.code ?? '')) {
      return new OfferwatchError('ETRANSIENT', `cannot ${action} on ${this.label}: ${x.code ?? 'connection failed'}${server ? ` (${server})` : ''}`, { cause: e });
    }
    if (/certificate|self.signed|SSL|TLS/i.test(`${x.code ?? ''} ${x.message ?? ''}`)) {
      return new OfferwatchError('EPROVIDER', `cannot ${action} on ${this.label}: TLS failed: ${x.message ?? x.code} (a self-hosted server may need caFile)`, { cause: e });
    }
    const what = server || x.message || String(e);
    return new OfferwatchError('EPROVIDER', `cannot ${action} on ${this.label}: ${what.replace(/[\r\n]+/g, ' ')}`, { cause: e });
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (!c) return;
    if (c.usable) {
      try {
        await c.logout();
        return;
      } catch {
        // closed below
      }
    }
    c.close();
  }
}
