/**
 * The modal page's Vault API client. It calls the API with the session JWT the way Apideck's own UI does
 * (`Authorization: Bearer`, `x-apideck-app-id` and `x-apideck-consumer-id` from the claims, `x-apideck-auth-type: JWT`)
 * and checks every reply against its schema. A refusal becomes an `Error` with Apideck's message (and its `detail`).
 */
import type * as z from 'zod/mini';
import {
  type Connection,
  ConnectionListReplySchema,
  ConnectionReplySchema,
  ErrorReplySchema,
  type SessionClaims,
} from './vault-modal-schemas.ts';

/** `/vault/connections/{unified_api}/{service_id}`. */
export function connectionPath(connection: Pick<Connection, 'unified_api' | 'service_id'>): string {
  return `/vault/connections/${encodeURIComponent(connection.unified_api)}/${encodeURIComponent(connection.service_id)}`;
}

function errorMessage(reply: unknown, status: number): string {
  const envelope = ErrorReplySchema.safeParse(reply);
  const { message: apiMessage, detail } = envelope.success ? envelope.data : { message: undefined, detail: undefined };
  let message = apiMessage || `Request failed (${status})`;
  if (typeof detail === 'string' && detail !== message) message += `: ${detail}`;
  return message;
}

function parseReply<T>(schema: z.ZodMiniType<T>, reply: unknown): T {
  const parsed = schema.safeParse(reply);
  if (!parsed.success) throw new Error('The Vault API sent a reply this page could not read.');
  return parsed.data;
}

export class VaultModalApi {
  readonly #base: string;
  readonly #token: string;
  readonly #claims: SessionClaims;

  constructor(base: string, token: string, claims: SessionClaims) {
    this.#base = base;
    this.#token = token;
    this.#claims = claims;
  }

  /** Every connection of the session's consumer, or those of one unified API. */
  async list(unifiedApi?: string): Promise<Connection[]> {
    const query = unifiedApi ? `?api=${encodeURIComponent(unifiedApi)}` : '';
    return parseReply(ConnectionListReplySchema, await this.#send('GET', `/vault/connections${query}`)).data;
  }

  /** A call whose reply is `{data: Connection}`: GET, PATCH, the token grant, the sandbox's authorize. */
  async connection(method: 'GET' | 'PATCH' | 'POST', path: string, body?: unknown): Promise<Connection> {
    return parseReply(ConnectionReplySchema, await this.#send(method, path, body)).data;
  }

  async delete(connection: Connection): Promise<void> {
    await this.#send('DELETE', connectionPath(connection));
  }

  async #send(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.#token}`,
      'x-apideck-app-id': this.#claims.application_id,
      'x-apideck-consumer-id': this.#claims.consumer_id,
      'x-apideck-auth-type': 'JWT',
    };
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(`${this.#base}${path}`, init);
    if (response.status === 204) return null;
    let reply: unknown = null;
    try {
      reply = await response.json();
    } catch {
      reply = null;
    }
    if (!response.ok) throw new Error(errorMessage(reply, response.status));
    return reply;
  }
}
