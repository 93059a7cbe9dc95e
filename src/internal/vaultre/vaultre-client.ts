/**
 * The one client of the host's VaultRE endpoint (`vaultre-exchange-url`), used by the VaultRE row and by the callback
 * page: `POST {action: "authorize"}` for the authorize URL (with the state the server signed), `GET` the status, `POST`
 * the code the moment it arrives (it lives 60 seconds), `DELETE` the token. One error mapping for all of them: a 5xx or
 * 429 is worth trying again; an expired code or a token the server could not store needs a new authorization.
 * The code goes into the request body only: never into a URL, a log, storage, a message or an error. An endpoint on
 * another origin is called with `credentials: 'include'`.
 */
import * as z from 'zod/mini';
import { VaultConnectError, isRetryableStatus, toVaultConnectError } from '../api/errors.ts';
import { credentialsFor, isSecureUrl } from '../api/url-rules.ts';

export type VaultreTokenType = 'account' | 'user';

/** `GET {vaultre-exchange-url}`; `reason: "revoked"` when VaultRE no longer accepts the stored token. */
export const VaultreStatusSchema = z.looseObject({
  connected: z.boolean(),
  token_type: z.optional(z.enum(['account', 'user'])),
  connected_at: z.optional(z.string()),
  reason: z.optional(z.string()),
});
export type VaultreStatus = z.infer<typeof VaultreStatusSchema>;

/** `POST {action: "authorize"}`. */
const AuthorizeReplySchema = z.looseObject({ authorize_url: z.string() });

/** A host error reply: `{"error": "code_expired", "message": "…"}`. Either field is read only when both are well-formed. */
const HostErrorSchema = z.looseObject({ error: z.optional(z.string()), message: z.optional(z.string()) });

/** Where to send the popup, and what the server put in that URL. */
export interface Authorization {
  url: string;
  /** The state the server signed; the callback page must get it back. */
  state: string;
  /** The redirect URI the server registered: where VaultRE returns (the callback page). */
  redirectUri: string;
}

export interface ExchangeRequest {
  code: string;
  state: string;
  /**
   * The connection from before the flow: its `connected_at` ('' when it had none), or `undefined` when there was none.
   * Tells a new connection from the old one after a lost reply.
   */
  previous?: string | undefined;
}

/**
 * What the host answered a code exchange: its JSON when it connected, otherwise its status (0: the reply never came)
 * with its error code and message when it sent them (`invalid_response`: 2xx without JSON). The callback page relays
 * or stores a failed one as it is, so the element maps every path with `exchangeError`.
 */
export type ExchangeOutcome = { ok: true; body: unknown } | FailedExchange;
export interface FailedExchange {
  ok: false;
  status: number;
  error?: string;
  message?: string;
  /** A 429's wait in seconds, when the host said. */
  retryAfter?: number;
}

/** What is kept of the host's error code and message (they are relayed, and stored in the same-tab fallback). */
const MAX_TEXT = 512;

/** The error a failed exchange is reported as; those that need a new authorization are retryable (Try again connects). */
export function exchangeError(outcome: FailedExchange): VaultConnectError {
  if (outcome.status === 429) {
    // A relayed or stored wait was read from a Retry-After header; whole seconds up to a day, or none.
    const wait = outcome.retryAfter;
    const seconds = wait !== undefined && wait >= 1 && wait <= 86_400 ? Math.ceil(wait) : undefined;
    return new VaultConnectError('rate_limited', { retryable: true, status: 429, retryAfter: seconds });
  }
  switch (outcome.error) {
    case 'code_expired':
      return new VaultConnectError('code_expired', { retryable: true });
    case 'store_failed':
      return new VaultConnectError('store_failed', { retryable: true, status: outcome.status });
    case 'state_mismatch':
      return new VaultConnectError('state_mismatch', { retryable: true });
    case 'network_error':
      if (outcome.status === 0) return new VaultConnectError('network_error', { retryable: true });
  }
  return new VaultConnectError('exchange_failed', {
    detail: outcome.message?.slice(0, 200) ?? `(${outcome.status})`,
    status: outcome.status,
    retryable: isRetryableStatus(outcome.status),
  });
}

/** The wait a 429 names in its `Retry-After` header, in whole seconds (an HTTP date or a hidden header is no wait). */
function retryAfterOf(response: Response): number | undefined {
  const seconds = Math.ceil(Number(response.headers.get('retry-after')));
  return seconds > 0 ? seconds : undefined;
}

/** A 429 from the exchange endpoint: `rate_limited`, retryable, with the wait its `Retry-After` names. */
function rateLimitedError(response: Response): VaultConnectError {
  return new VaultConnectError('rate_limited', { retryable: true, status: 429, retryAfter: retryAfterOf(response) });
}

function statusError(response: Response): VaultConnectError {
  if (response.status === 429) return rateLimitedError(response);
  return new VaultConnectError('api_error', { detail: `(${response.status})`, retryable: isRetryableStatus(response.status) });
}

/** The host's `{error, message}`, each cut to `MAX_TEXT`. */
async function hostError(response: Response): Promise<{ error?: string; message?: string }> {
  const host = HostErrorSchema.safeParse(await response.json().catch(() => undefined));
  if (!host.success) return {};
  const { error, message } = host.data;
  return { ...(error !== undefined ? { error: error.slice(0, MAX_TEXT) } : {}), ...(message !== undefined ? { message: message.slice(0, MAX_TEXT) } : {}) };
}

export class VaultreClient {
  readonly #url: string;
  readonly #fetch: typeof fetch;
  readonly #credentials: RequestCredentials;

  /** `fetch` is the page's own by default (the callback page passes its window's). */
  constructor(url: string, fetcher: typeof fetch = (input, init) => fetch(input, init)) {
    this.#url = url;
    this.#fetch = fetcher;
    this.#credentials = credentialsFor(url);
  }

  /**
   * `POST {action: "authorize", token_type}`: the authorize URL the server built, with its signed state. Refused as
   * `invalid_response` unless it is an `https:` URL (`http:` only on loopback, the sandbox) with a `state` and a
   * `redirect_uri`.
   */
  async authorize(tokenType: VaultreTokenType, signal?: AbortSignal): Promise<Authorization> {
    const response = await this.#send({
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ action: 'authorize', token_type: tokenType }),
      signal,
    });
    if (response.status === 429) throw rateLimitedError(response);
    if (!response.ok) {
      const { error, message } = await hostError(response);
      throw exchangeError({ ok: false, status: response.status, ...(error !== undefined ? { error } : {}), ...(message !== undefined ? { message } : {}) });
    }
    const reply = AuthorizeReplySchema.safeParse(await response.json().catch(() => undefined));
    let url: URL | undefined;
    try {
      url = reply.success ? new URL(reply.data.authorize_url) : undefined;
    } catch {
      url = undefined;
    }
    const state = url?.searchParams.get('state');
    const redirectUri = url?.searchParams.get('redirect_uri');
    if (!url || !isSecureUrl(url) || !state || !redirectUri) throw new VaultConnectError('invalid_response', { detail: 'authorize_url' });
    return { url: url.href, state, redirectUri };
  }

  /** `GET`: whether the host holds a token for this consumer. */
  async status(signal?: AbortSignal): Promise<VaultreStatus> {
    const response = await this.#send({ headers: { accept: 'application/json' }, signal });
    if (!response.ok) throw statusError(response);
    const parsed = VaultreStatusSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new VaultConnectError('invalid_response');
    return parsed.data;
  }

  /**
   * `POST {code, state}`, once: a code is never posted twice (the first post may have spent it). When the reply is
   * lost (the request failed after it may have arrived), the status is asked instead: connected, and not with the
   * connection from before the flow (`previous`), means the exchange went through. Rejects only when `signal` aborts.
   */
  async exchange(request: ExchangeRequest, signal?: AbortSignal): Promise<ExchangeOutcome> {
    let response: Response;
    try {
      response = await this.#fetch(this.#url, {
        method: 'POST',
        credentials: this.#credentials,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ code: request.code, state: request.state }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw toVaultConnectError(error);
      return this.#afterLostReply(request.previous, signal);
    }
    const reply: unknown = await response.json().catch(() => undefined);
    if (response.ok && reply !== undefined) return { ok: true, body: reply };
    const host = HostErrorSchema.safeParse(reply);
    const error = host.success ? host.data.error?.slice(0, MAX_TEXT) : undefined;
    const message = host.success ? host.data.message?.slice(0, MAX_TEXT) : undefined;
    const retryAfter = response.status === 429 ? retryAfterOf(response) : undefined;
    return {
      ok: false,
      status: response.status,
      ...(retryAfter !== undefined ? { retryAfter } : {}),
      ...(error !== undefined ? { error } : response.ok ? { error: 'invalid_response' } : {}),
      ...(message !== undefined ? { message } : {}),
    };
  }

  /** After a lost reply: connected since the flow began (the status says so) or `network_error`. */
  async #afterLostReply(previous: string | undefined, signal: AbortSignal | undefined): Promise<ExchangeOutcome> {
    try {
      const status = await this.status(signal);
      if (status.connected && (previous === undefined || (status.connected_at ?? '') !== previous)) return { ok: true, body: status };
    } catch (error) {
      if (signal?.aborted) throw toVaultConnectError(error);
    }
    return { ok: false, status: 0, error: 'network_error' };
  }

  /** `DELETE`: the host forgets the token. */
  async forget(signal?: AbortSignal): Promise<void> {
    const response = await this.#send({ method: 'DELETE', signal });
    if (!response.ok) throw statusError(response);
  }

  async #send(init: RequestInit): Promise<Response> {
    try {
      return await this.#fetch(this.#url, { credentials: this.#credentials, ...init });
    } catch (error) {
      throw toVaultConnectError(error);
    }
  }
}
