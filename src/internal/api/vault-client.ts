/**
 * The Vault API client the element uses, with the headers Apideck's own UI sends from a browser. Every reply is parsed
 * with the zod/mini schemas; a 401 renews the session once and retries once. A Vault API base that is not `https:`
 * (`http:` only on loopback) is refused as `invalid_config` before any request: the JWT would travel in clear.
 */
import type * as z from 'zod/mini';
import { VaultConnectError, isRetryableStatus, toVaultConnectError } from './errors.ts';
import { isSecureUrl } from './url-rules.ts';
import { ConnectionListResponseSchema, ErrorEnvelopeSchema, type Connection } from './schemas.ts';
import type { Session, SessionSource } from './session-source.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export class VaultClient {
  #session: SessionSource;
  #baseUrl: () => string;

  constructor(session: SessionSource, baseUrl: () => string) {
    this.#session = session;
    this.#baseUrl = baseUrl;
  }

  /** `GET /vault/connections`, filtered by unified API when given. */
  async listConnections(unifiedApi?: string, signal?: AbortSignal): Promise<Connection[]> {
    const query = unifiedApi ? `?api=${encodeURIComponent(unifiedApi)}` : '';
    const reply = await this.request('GET', `/vault/connections${query}`, ConnectionListResponseSchema, undefined, signal);
    return reply.data;
  }

  /** The session token in hand, for the flows that hand it to Vault JS or Hosted Vault. */
  session(signal?: AbortSignal): Promise<Session> {
    return this.#session.get(signal);
  }

  /**
   * One Vault API call: the session's headers, one renewal on a 401, Apideck's error envelope turned into an error,
   * and the reply parsed with `schema` (none for a 204). The single-connection calls in `connection-requests.ts` use it.
   */
  async request<S extends z.ZodMiniType>(
    method: Method,
    path: string,
    schema: S | undefined,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<z.infer<S>> {
    let base: URL | undefined;
    try {
      base = new URL(this.#baseUrl());
    } catch {
      // Not a URL: refused below.
    }
    if (!base || !isSecureUrl(base)) throw new VaultConnectError('invalid_config', { detail: 'unify-base-url must be https: (http: only on localhost).' });
    let session = this.#session.known ?? (await this.#session.get(signal));
    let response = await this.#send(method, path, session, body, signal);
    if (response.status === 401 && this.#session.renewable) {
      session = await this.#session.renew(signal);
      response = await this.#send(method, path, session, body, signal);
    }
    if (response.status === 401) {
      throw new VaultConnectError('session_failed', {
        status: 401,
        retryable: this.#session.renewable,
      });
    }
    if (!response.ok) throw await apiError(response);
    if (!schema) return undefined as z.infer<S>;
    let json: unknown;
    let parsed: ReturnType<S['safeParse']>;
    try {
      json = await response.json();
      // In the try too: zod can throw on a hostile value (a `length` that cannot be compared with a number).
      parsed = schema.safeParse(json) as ReturnType<S['safeParse']>;
    } catch (cause) {
      throw new VaultConnectError('invalid_response', { cause });
    }
    if (!parsed.success) {
      throw new VaultConnectError('invalid_response', { cause: parsed.error });
    }
    // The reply as sent, now that it passed: the schemas transform nothing, and zod's copy would drop (and spend time
    // copying) the fields the element does not read but hosts receive in the events.
    return json as z.infer<S>;
  }

  async #send(method: Method, path: string, session: Session, body: unknown, signal: AbortSignal | undefined): Promise<Response> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${session.token}`,
      'x-apideck-app-id': session.claims.application_id,
      'x-apideck-consumer-id': session.claims.consumer_id,
      'x-apideck-auth-type': 'JWT',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(new URL(path, this.#baseUrl()), {
        method,
        headers,
        credentials: 'omit',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw toVaultConnectError(error);
    }
  }
}

/** Turns a non-2xx reply into an `api_error` whose detail is Apideck's own message (when it sends one) and the status. */
async function apiError(response: Response): Promise<VaultConnectError> {
  let message: string | undefined;
  try {
    const envelope = ErrorEnvelopeSchema.safeParse(await response.json());
    if (envelope.success) message = envelope.data.message ?? envelope.data.error;
  } catch {
    // Not JSON: the status alone has to do.
  }
  const status = response.status;
  return new VaultConnectError('api_error', {
    detail: `${message ?? 'HTTP'} (${status})`,
    status,
    retryable: isRetryableStatus(status),
  });
}
