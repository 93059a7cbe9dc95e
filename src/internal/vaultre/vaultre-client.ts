/**
 * The one client of the host's VaultRE endpoint (`vaultre-exchange-url`), used by the VaultRE row and by the callback
 * page: `GET` the status, `POST` the code the moment it arrives (it lives 60 seconds), `DELETE` the token. One error
 * mapping for all of them: a 5xx or 429 is worth trying again; an expired code needs a new authorization.
 * The code goes into the request body only: never into a URL, a log, storage, or an error.
 */
import * as z from 'zod/mini';
import { VaultConnectError, isRetryableStatus, toVaultConnectError } from '../api/errors.ts';
import type { VaultreTokenType } from './authorize-url.ts';

/** `GET {vaultre-exchange-url}`. */
export const VaultreStatusSchema = z.looseObject({
  connected: z.boolean(),
  token_type: z.optional(z.enum(['account', 'user'])),
  connected_at: z.optional(z.string()),
});
export type VaultreStatus = z.infer<typeof VaultreStatusSchema>;

/** A host error reply: `{"error": "code_expired", "message": "…"}`. Either field is read only when both are well-formed. */
const HostErrorSchema = z.looseObject({ error: z.optional(z.string()), message: z.optional(z.string()) });

export interface ExchangeRequest {
  code: string;
  state: string;
  tokenType: VaultreTokenType;
  redirectUri: string | undefined;
}

/**
 * What the host answered a code exchange: its JSON when it connected, otherwise its status (0: the request never
 * arrived) with its error code and message when it sent them (`invalid_response`: 2xx without JSON). The callback page
 * stores a failed one as it is (see `RedirectResult`), so the element maps both paths with `exchangeError`.
 */
export type ExchangeOutcome = { ok: true; body: unknown } | FailedExchange;
export interface FailedExchange {
  ok: false;
  status: number;
  error?: string;
  message?: string;
}

/** How long after it arrived a code may still be posted again after a network failure (it lives 60 seconds). */
const YOUNG_CODE_MS = 30_000;
/** What is kept of the host's error code and message (they go into `sessionStorage` in the same-tab fallback). */
const MAX_TEXT = 4096;

/** The error a failed exchange is reported as; `code_expired` and a network failure ask for a new authorization. */
export function exchangeError(outcome: FailedExchange): VaultConnectError {
  if (outcome.error === 'code_expired') return new VaultConnectError('code_expired', { retryable: true });
  if (outcome.error === 'network_error' && outcome.status === 0) return new VaultConnectError('network_error', { retryable: true });
  return new VaultConnectError('exchange_failed', {
    detail: outcome.message?.slice(0, 200) ?? `(${outcome.status})`,
    status: outcome.status,
    retryable: isRetryableStatus(outcome.status),
  });
}

function statusError(response: Response): VaultConnectError {
  return new VaultConnectError('api_error', { detail: `(${response.status})`, retryable: isRetryableStatus(response.status) });
}

export class VaultreClient {
  readonly #url: string;
  readonly #fetch: typeof fetch;

  /** `fetch` is the page's own by default (the callback page passes its window's). */
  constructor(url: string, fetcher: typeof fetch = (input, init) => fetch(input, init)) {
    this.#url = url;
    this.#fetch = fetcher;
  }

  /** `GET`: whether the host holds a token for this consumer. */
  async status(signal?: AbortSignal): Promise<VaultreStatus> {
    const response = await this.#send({ credentials: 'same-origin', headers: { accept: 'application/json' }, signal });
    if (!response.ok) throw statusError(response);
    const parsed = VaultreStatusSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new VaultConnectError('invalid_response');
    return parsed.data;
  }

  /**
   * `POST {code, state, token_type, redirect_uri}`. Given `receivedAt` (when the code arrived), a network failure is
   * retried once, and only while the code is young; a code is never posted twice otherwise (an expired one means a
   * new authorization). Rejects only when `signal` aborts.
   */
  async exchange(request: ExchangeRequest, signal?: AbortSignal, receivedAt?: number): Promise<ExchangeOutcome> {
    const body = JSON.stringify({ code: request.code, state: request.state, token_type: request.tokenType, redirect_uri: request.redirectUri });
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await this.#fetch(this.#url, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body,
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        if (signal?.aborted) throw toVaultConnectError(error);
        if (attempt === 0 && receivedAt !== undefined && Date.now() - receivedAt < YOUNG_CODE_MS) continue;
        return { ok: false, status: 0, error: 'network_error' };
      }
      const reply: unknown = await response.json().catch(() => undefined);
      if (response.ok && reply !== undefined) return { ok: true, body: reply };
      const host = HostErrorSchema.safeParse(reply);
      const error = host.success ? host.data.error?.slice(0, MAX_TEXT) : undefined;
      const message = host.success ? host.data.message?.slice(0, MAX_TEXT) : undefined;
      return {
        ok: false,
        status: response.status,
        ...(error !== undefined ? { error } : response.ok ? { error: 'invalid_response' } : {}),
        ...(message !== undefined ? { message } : {}),
      };
    }
  }

  /** `DELETE`: the host forgets the token. */
  async forget(signal?: AbortSignal): Promise<void> {
    const response = await this.#send({ method: 'DELETE', credentials: 'same-origin', signal });
    if (!response.ok) throw statusError(response);
  }

  async #send(init: RequestInit): Promise<Response> {
    try {
      return await this.#fetch(this.#url, init);
    } catch (error) {
      throw toVaultConnectError(error);
    }
  }
}
