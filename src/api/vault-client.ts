/**
 * The Vault API client the element uses, with the headers Apideck's own UI sends from a browser. Every reply is parsed
 * with the zod/mini schemas; a 401 renews the session once and retries once.
 */
import type * as z from 'zod/mini';
import { VaultConnectError, toVaultConnectError } from './errors.ts';
import {
  ConfirmResponseSchema,
  ConnectionListResponseSchema,
  ConnectionResponseSchema,
  ErrorEnvelopeSchema,
  type Connection,
} from './schemas.ts';
import type { Session, SessionSource } from './session-source.ts';

export const DEFAULT_UNIFY_BASE_URL = 'https://unify.apideck.com';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Fields of a connection the element ever writes. */
export interface ConnectionPatch {
  enabled?: boolean;
}

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
    const reply = await this.#request('GET', `/vault/connections${query}`, ConnectionListResponseSchema, undefined, signal);
    return reply.data;
  }

  /** `GET /vault/connections/{unified_api}/{service_id}`. */
  async getConnection(unifiedApi: string, serviceId: string, signal?: AbortSignal): Promise<Connection> {
    const reply = await this.#request('GET', connectionPath(unifiedApi, serviceId), ConnectionResponseSchema, undefined, signal);
    return reply.data;
  }

  /** `PATCH /vault/connections/{unified_api}/{service_id}`. */
  async updateConnection(unifiedApi: string, serviceId: string, patch: ConnectionPatch, signal?: AbortSignal): Promise<Connection> {
    const reply = await this.#request('PATCH', connectionPath(unifiedApi, serviceId), ConnectionResponseSchema, patch, signal);
    return reply.data;
  }

  /** `DELETE /vault/connections/{unified_api}/{service_id}` (204, no body). */
  async deleteConnection(unifiedApi: string, serviceId: string, signal?: AbortSignal): Promise<void> {
    await this.#request('DELETE', connectionPath(unifiedApi, serviceId), undefined, undefined, signal);
  }

  /** `POST …/confirm` with the `confirm_token` of a CSRF-protected authorization. */
  async confirmConnection(unifiedApi: string, serviceId: string, confirmToken: string, signal?: AbortSignal): Promise<boolean> {
    const path = `${connectionPath(unifiedApi, serviceId)}/confirm`;
    const reply = await this.#request('POST', path, ConfirmResponseSchema, { confirm_token: confirmToken }, signal);
    return reply.data.confirmed;
  }

  /** `POST …/token` for `client_credentials` and `password` grants. */
  async authorizeToken(unifiedApi: string, serviceId: string, signal?: AbortSignal): Promise<Connection> {
    const path = `${connectionPath(unifiedApi, serviceId)}/token`;
    const reply = await this.#request('POST', path, ConnectionResponseSchema, {}, signal);
    return reply.data;
  }

  /** The session token in hand, for the flows that hand it to Vault JS or Hosted Vault. */
  session(signal?: AbortSignal): Promise<Session> {
    return this.#session.get(signal);
  }

  async #request<S extends z.ZodMiniType>(
    method: Method,
    path: string,
    schema: S | undefined,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<z.infer<S>> {
    let session = await this.#session.get(signal);
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
    try {
      json = await response.json();
    } catch (cause) {
      throw new VaultConnectError('invalid_response', { cause });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new VaultConnectError('invalid_response', { cause: parsed.error });
    }
    return parsed.data;
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

function connectionPath(unifiedApi: string, serviceId: string): string {
  return `/vault/connections/${encodeURIComponent(unifiedApi)}/${encodeURIComponent(serviceId)}`;
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
    retryable: status >= 500 || status === 429,
  });
}
