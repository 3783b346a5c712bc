/**
 * One catalogue of error codes. Errors are typed once, at the boundary where they
 * happen (a parser, a config loader, a connector's HTTP layer); everything above
 * branches on `code`, never on message text. Messages read "cannot <action>: <context>".
 */
export const ERROR_CODES = {
  /** A config or rule file is missing, unreadable or invalid. Exit code 2. */
  ECONFIG: 'ECONFIG',
  /** A mail source could not be read (missing file, a directory, no permission, provider down). Exit code 3. */
  ESOURCE: 'ESOURCE',
  /** The state directory or database cannot be opened or used. Exit code 2. */
  ESTATE: 'ESTATE',
  /** A message could not be parsed; it is recorded and skipped. */
  EPARSE: 'EPARSE',
  /** The connector cannot do what was asked (no draft support, read-only source). */
  EUNSUPPORTED: 'EUNSUPPORTED',
  /** Credentials are missing, revoked or expired beyond refresh; the owner must re-authorise. */
  EAUTH: 'EAUTH',
  /** The provider throttled us or ran out of quota; retryable after a delay. */
  ERATELIMIT: 'ERATELIMIT',
  /** A transient provider or network failure; retryable. */
  ETRANSIENT: 'ETRANSIENT',
  /** The provider says the sync cursor is too old; a resync is needed. */
  ECURSOR: 'ECURSOR',
  /** A requested thing (thread, draft, alert) does not exist. */
  ENOTFOUND: 'ENOTFOUND',
  /** A value would corrupt a mail header (CR, LF or NUL) or is otherwise unsafe. */
  EUNSAFE: 'EUNSAFE',
  /** A template could not be rendered. */
  ETEMPLATE: 'ETEMPLATE',
  /** The user asked for something that does not make sense in the current state. */
  EUSAGE: 'EUSAGE',
  /** A request to a provider failed permanently. */
  EPROVIDER: 'EPROVIDER',
  /** Another process holds what was asked for (a draft being saved right now); try again later. */
  ECONFLICT: 'ECONFLICT',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export class OfferwatchError extends Error {
  readonly code: ErrorCode;
  /** Seconds to wait before retrying, when the provider said so. */
  retryAfter?: number;
  /**
   * A refusal the owner may override (a decision that does not fit the stage, a draft that still
   * needs an edit). The message names no front end's control: the CLI adds its `--force`, the web
   * page offers to go ahead anyway.
   */
  readonly overridable: boolean;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfter?: number; overridable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OfferwatchError';
    this.code = code;
    this.overridable = options?.overridable ?? false;
    if (options?.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }
}

/**
 * A failed request to a provider (a mail API, a token endpoint, a webhook), classified once where it
 * happened: the HTTP status (null: no answer), the provider's own reason (Gmail `rateLimitExceeded`,
 * Graph `syncStateNotFound`, an OAuth `invalid_grant`), Retry-After in seconds, and whether trying
 * again can help. Everything above branches on these fields, never on the message or `cause`.
 * It carries no request headers, bodies or URLs (they may hold tokens).
 */
export class ProviderError extends OfferwatchError {
  /** HTTP status; null when no answer came (network failure, timeout). */
  readonly status: number | null;
  /** The provider's machine-readable reason, when it gave one. */
  readonly reason: string | null;
  /** True for rate limits and transient failures that a later attempt may get past. */
  readonly retryable: boolean;
  constructor(
    code: ErrorCode,
    message: string,
    fields: { status: number | null; reason?: string | null; retryAfter?: number; retryable?: boolean; cause?: unknown },
  ) {
    super(code, message, { cause: fields.cause, retryAfter: fields.retryAfter });
    this.name = 'ProviderError';
    this.status = fields.status;
    this.reason = fields.reason ?? null;
    this.retryable = fields.retryable ?? (code === 'ERATELIMIT' || code === 'ETRANSIENT');
  }
}

export function isProviderError(e: unknown): e is ProviderError {
  return e instanceof ProviderError;
}

/** Where in a file a problem is: used by config and rule errors ("file:line:col key: message"). */
export interface FileLocation {
  file: string;
  line?: number;
  col?: number;
  /** Dotted path of the offending key, e.g. `rules[3].when.subject`. */
  key?: string;
}

export class ConfigError extends OfferwatchError {
  readonly location: FileLocation;
  constructor(location: FileLocation, message: string, options?: { cause?: unknown }) {
    super('ECONFIG', formatLocated(location, message), options);
    this.name = 'ConfigError';
    this.location = location;
  }
}

export function formatLocated(loc: FileLocation, message: string): string {
  let where = loc.file;
  if (loc.line !== undefined) where += `:${loc.line}`;
  if (loc.line !== undefined && loc.col !== undefined) where += `:${loc.col}`;
  return `${where}: ${loc.key ? `${loc.key}: ` : ''}${message}`;
}

export function isOfferwatchError(e: unknown, code?: ErrorCode): e is OfferwatchError {
  return e instanceof OfferwatchError && (code === undefined || e.code === code);
}

/**
 * Exit codes of the CLI — one table, documented in the README, followed by every command:
 *
 * | code | meaning |
 * |---|---|
 * | 0  | done |
 * | 1  | failure: the command ran but what it checks or asks failed (a rule test, a provider refusal, authorisation) |
 * | 2  | usage or config error: a bad flag or argument, an invalid config, state that cannot be opened |
 * | 3  | source failed: at least one source could not be read; the healthy ones were still processed |
 * | 4  | not found: no such thread, draft or file |
 * | 70 | internal error: a bug (the message is one line; `--debug` prints the stack) |
 */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, CONFIG: 2, SOURCE: 3, NOT_FOUND: 4, INTERNAL: 70 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code for an error that reached the top of a command. */
export function exitCodeFor(e: unknown): ExitCode {
  if (!isOfferwatchError(e)) return EXIT.INTERNAL;
  switch (e.code) {
    case 'ECONFIG':
    case 'EUSAGE':
    case 'ESTATE':
      return EXIT.USAGE;
    case 'ENOTFOUND':
      return EXIT.NOT_FOUND;
    case 'ESOURCE':
      return EXIT.SOURCE;
    default:
      return EXIT.FAILURE;
  }
}
