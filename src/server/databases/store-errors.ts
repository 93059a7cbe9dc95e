/**
 * What the database-backed stores and limiters report through their `onError` hook: failures they cannot answer by
 * rejecting a call, because nobody is waiting on one (a stored value that no longer opens reads as "not connected"; a
 * connection lost in the background; a limiter counting in memory while its database is away). Messages name the
 * store and what happened, never a token, a key or a password.
 */

export const STORE_ERROR_CODES = [
  /** A stored value that does not open: sealed under a key id not in the keyring, altered, or not a sealed value. */
  'unreadable_value',
  /**
   * A call to the database failed: unreachable, connection lost, timed out, or refused by the database. Calls fail
   * meanwhile (a limiter counts in memory instead). Reported once, and again only after a call has succeeded.
   */
  'database_error',
  /** The client package is missing, or the table could not be created. Reported once until setup succeeds. */
  'setup_failed',
] as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

/**
 * An error passed to `onError`; its message starts with the store's name. `consumerId` and `keyId` are set for an
 * unreadable value.
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  /** Which store or limiter reports it, e.g. `postgresStore`. */
  readonly source: string;
  readonly code: StoreErrorCode;
  readonly consumerId: string | undefined;
  readonly keyId: string | undefined;

  constructor(
    source: string,
    code: StoreErrorCode,
    message: string,
    details: { consumerId?: string; keyId?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.source = source;
    this.code = code;
    this.consumerId = details.consumerId;
    this.keyId = details.keyId;
  }
}

/** The `onError` option of the stores and limiters. */
export type StoreErrorHandler = (error: StoreError) => void;

/**
 * The function a store reports through: the host's `onError`, or a one-line `console.warn` without it (a failure is
 * never silent). A hook that throws is ignored: reporting must not break the request that found the problem.
 */
export function errorReporter(onError: StoreErrorHandler | undefined): StoreErrorHandler {
  return (error) => {
    try {
      if (onError) onError(error);
      else console.warn(`[vault-connect] ${error.message}`);
    } catch {
      // The host's hook failed; nothing more can be done here.
    }
  };
}

/**
 * Remembers what was reported, so that each thing is reported once per process. Bounded: past `limit` entries it
 * starts over, so a flood of distinct bad values costs memory once, not forever.
 */
export class ReportedOnce {
  readonly #seen = new Set<string>();
  readonly #limit: number;

  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  /** True the first time `key` is seen (then it is remembered); false after. */
  first(key: string): boolean {
    if (this.#seen.has(key)) return false;
    if (this.#seen.size >= this.#limit) this.#seen.clear();
    this.#seen.add(key);
    return true;
  }

  forget(key: string): void {
    this.#seen.delete(key);
  }
}

/** A database error described in one short line: its code and message, with the given secrets taken out. */
export function describeDatabaseError(error: unknown, secrets: readonly (string | undefined)[]): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  let text = typeof message === 'string' ? message : String(error);
  for (const secret of secrets) if (secret) text = text.split(secret).join('[redacted]');
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (text.length > 200) text = `${text.slice(0, 199)}…`;
  return typeof code === 'string' && code !== '' ? `${text} (${code})` : text;
}

/** What an error message must never quote of a connection URL: the URL itself and its password. */
export function secretsOf(url: string): (string | undefined)[] {
  try {
    const password = new URL(url).password;
    return [url, password === '' ? undefined : password, password === '' ? undefined : decodeURIComponent(password)];
  } catch {
    return [url];
  }
}

/**
 * One database's failures, reported once per outage: after a failure nothing more is reported until a call succeeds.
 * Messages name the store and the engine, and never quote the connection URL or its password.
 */
export class OutageReporter {
  readonly #who: string;
  readonly #engine: string;
  readonly #report: StoreErrorHandler;
  readonly #secrets: (string | undefined)[];
  #healthy = true;

  constructor(who: string, engine: string, url: string, report: StoreErrorHandler) {
    this.#who = who;
    this.#engine = engine;
    this.#report = report;
    this.#secrets = secretsOf(url);
  }

  /** Whether the last call succeeded. */
  get healthy(): boolean {
    return this.#healthy;
  }

  /** A database error in one line, without the URL or its password. */
  describe(error: unknown): string {
    return describeDatabaseError(error, this.#secrets);
  }

  /** Reports `message` unless this outage has been reported already. */
  report(code: StoreErrorCode, message: string): void {
    if (this.#healthy) this.#report(new StoreError(this.#who, code, message));
    this.#healthy = false;
  }

  /** The error a failed call rejects with, naming `operation`; reported once per outage. */
  failure(operation: string, error: unknown): Error {
    const message = `${this.#who}: ${this.#engine} failed to ${operation}: ${this.describe(error)}`;
    this.report('database_error', message);
    return new Error(message);
  }

  succeeded(): void {
    this.#healthy = true;
  }
}
