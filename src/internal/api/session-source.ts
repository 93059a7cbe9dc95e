/**
 * Where the Vault session JWT comes from: the `token` property, or `POST {session-url}` on the host. The token is kept
 * in memory only (never in storage) and its claims are decoded, not verified: the browser has no key, and the Vault
 * API verifies every request anyway.
 */
import { VaultConnectError, isRetryableStatus, toVaultConnectError } from './errors.ts';
import { decodeJwtPayload } from './jwt-payload.ts';
import { credentialsFor } from './url-rules.ts';
import { SessionClaimsSchema, SessionReplySchema, sessionTokenOf, type SessionClaims } from './schemas.ts';

export interface Session {
  readonly token: string;
  readonly claims: SessionClaims;
}

export interface SessionConfig {
  readonly sessionUrl?: string | undefined;
  readonly token?: string | undefined;
}

/** Reads the claims the element needs; a token that is not a JWT with them is `session_failed`. */
export function readSession(token: string): Session {
  let claims: ReturnType<typeof SessionClaimsSchema.safeParse>;
  try {
    // Both in the try: zod can throw on a hostile value (a `length` that cannot be compared with a number).
    claims = SessionClaimsSchema.safeParse(decodeJwtPayload(token));
  } catch (cause) {
    throw new VaultConnectError('session_failed', { cause });
  }
  if (!claims.success) {
    throw new VaultConnectError('session_failed', { cause: claims.error });
  }
  return { token, claims: claims.data };
}

export class SessionSource {
  #config: () => SessionConfig;
  #current: Promise<Session> | undefined;
  /**
   * The session in hand when it needed no request (a `token`, once `get()` has read it): the list request can then
   * leave at once, before the element's first render, instead of after a turn of the event loop. Set here only.
   */
  known: Session | undefined;

  constructor(config: () => SessionConfig) {
    this.#config = config;
  }

  /** Whether a session can be had at all (a `session-url` or a `token` is set). */
  get configured(): boolean {
    const { sessionUrl, token } = this.#config();
    return Boolean(sessionUrl || token);
  }

  /** Whether `renew()` can produce a different token than the one in hand. */
  get renewable(): boolean {
    return Boolean(this.#config().sessionUrl);
  }

  /** The session in hand, fetching one the first time. Concurrent callers share one request. */
  get(signal?: AbortSignal): Promise<Session> {
    // Shared by every caller, so no caller's signal may cancel it: each caller stops waiting on its own signal instead.
    this.#current ??= this.#obtain();
    const pending = this.#current;
    // A failed attempt is not cached: the next call (a retry) asks again.
    pending.catch(() => {
      if (this.#current === pending) this.#current = undefined;
    });
    return signal ? untilAborted(pending, signal) : pending;
  }

  /** Drops the session in hand and asks for a new one (after the Vault API answered 401). */
  renew(signal?: AbortSignal): Promise<Session> {
    this.#current = this.known = undefined;
    return this.get(signal);
  }

  /** Forgets the session in hand (the configuration changed). */
  reset(): void {
    this.#current = this.known = undefined;
  }

  async #obtain(): Promise<Session> {
    const { sessionUrl, token } = this.#config();
    if (token) return (this.known = readSession(token));
    if (!sessionUrl) {
      throw new VaultConnectError('session_failed');
    }
    let response: Response;
    try {
      response = await fetch(sessionUrl, {
        method: 'POST',
        // The host's session cookie goes along, to an endpoint on another origin too (its `allowedOrigins`).
        credentials: credentialsFor(sessionUrl),
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: '{}',
      });
    } catch (error) {
      throw toVaultConnectError(error);
    }
    if (!response.ok) {
      const status = response.status;
      const limited = status === 429;
      // A 429 is the host's rate limit: `rate_limited`, with the wait it names (`describeError` reads it).
      throw new VaultConnectError(limited ? 'rate_limited' : 'session_failed', {
        retryable: isRetryableStatus(status),
        status,
        retryAfter: limited ? Number(response.headers.get('retry-after')) : undefined,
      });
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (cause) {
      throw new VaultConnectError('session_failed', { cause });
    }
    const reply = SessionReplySchema.safeParse(body);
    const sessionToken = reply.success ? sessionTokenOf(reply.data) : undefined;
    if (!sessionToken) {
      throw new VaultConnectError('session_failed');
    }
    return readSession(sessionToken);
  }
}

/** Settles with `promise`, or rejects with the signal's reason (an `AbortError`) as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
