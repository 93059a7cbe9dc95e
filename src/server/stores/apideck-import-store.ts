/**
 * `apideckImportStore()`: the VaultRE token store that keeps each consumer's token in Apideck Vault, through the Vault
 * API's import endpoint, so any number of handler instances share it. Errors never carry the token, the API key or an
 * upstream reply's details, and nothing here logs.
 */
import * as z from 'zod';
import { apideckErrorMessage, apideckHeaders, unifyBase, unifyBaseUrlOption } from '../apideck.ts';
import { HEADER_SAFE, fetchOption, optionsError, timeoutMsOption } from '../options.ts';
import { DEFAULT_UPSTREAM_TIMEOUT_MS, callUpstream, isSuccess, redactUpstreamText } from '../upstream.ts';
import { VAULTRE_TOKEN_TYPES, type VaultreTokenStore, checkValue } from './types.ts';

export interface ApideckImportStoreOptions {
  /** Apideck API key. Server-side secret. */
  apiKey: string;
  /** Apideck application ID. */
  appId: string;
  /** The unified API of the connector that holds the token, e.g. `crm`. */
  unifiedApi: string;
  /** The `service_id` of that connector; it must be an `apiKey` connector (the token goes to `settings.api_key`). */
  serviceId: string;
  /** Base URL of the Apideck Unify API. Default `https://unify.apideck.com`. Plain http is allowed only for loopback hosts. */
  unifyBaseUrl?: string;
  /** The `fetch` used to call Apideck (injectable for tests). Default the global `fetch`. */
  fetch?: typeof fetch;
  /** Timeout of each Apideck call in milliseconds. Default 10000. */
  timeoutMs?: number;
}

const UPSTREAM_BODY_LIMIT = 1024 * 1024;
const UPSTREAM_MESSAGE_LIMIT = 200;
/** Connection states in which Apideck holds usable credentials. */
const CONNECTED_STATES: readonly string[] = ['callable', 'authorized'];

const nonEmpty = z.string('must be a non-empty string').trim().min(1, 'must be a non-empty string');
const headerValue = nonEmpty.regex(HEADER_SAFE, 'must contain printable ASCII characters only');

const ImportStoreOptionsSchema = z.strictObject({
  apiKey: headerValue,
  appId: headerValue,
  unifiedApi: nonEmpty,
  serviceId: nonEmpty,
  unifyBaseUrl: unifyBaseUrlOption,
  fetch: fetchOption,
  timeoutMs: timeoutMsOption,
});

/** `GetConnectionResponse`, reduced to what the store reads; unknown fields are tolerated. */
const ConnectionReplySchema = z.looseObject({
  data: z.looseObject({
    state: z.string().optional(),
    settings: z.record(z.string(), z.unknown()).nullable().optional(),
    updated_at: z.number().nullable().optional(),
    created_at: z.number().nullable().optional(),
  }),
});

function epochToIso(value: number | null | undefined): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  // Apideck's timestamps are milliseconds; tolerate seconds.
  const date = new Date(value < 1e12 ? value * 1000 : value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * A store that keeps each consumer's VaultRE token in Apideck Vault, as the `api_key` setting of one `apiKey` connector
 * (`unifiedApi`/`serviceId`), with `token_type` and `connected_at` beside it:
 *
 * - `set` imports the connection with `POST {unifyBaseUrl}/vault/connections/{unifiedApi}/{serviceId}/import`, body
 *   `{"settings": {"api_key", "token_type", "connected_at"}}` (`ConnectionImportData`; for `apiKey` connectors the
 *   credentials go in `settings`). An import is an upsert, so a reconnect replaces the token.
 * - `get` reads `GET …/connections/{unifiedApi}/{serviceId}`: a connection in state `callable` (or `authorized`) is
 *   connected; a 404 or any other state is `undefined`. `token` is `settings.api_key` as Apideck returns it (empty when
 *   Apideck does not return it); `token_type` and `connected_at` come from `settings`, falling back to `account` and the
 *   connection's `updated_at` for a connection this store did not write.
 * - `delete` calls `DELETE …/connections/{unifiedApi}/{serviceId}` (a 404 is fine).
 *
 * Every call sends `Authorization: Bearer <apiKey>`, `x-apideck-app-id` and `x-apideck-consumer-id`. Throws at creation when
 * an option is invalid; each method rejects with an `Error` naming the operation and HTTP status (never the token or key).
 */
export function apideckImportStore(options: ApideckImportStoreOptions): VaultreTokenStore {
  const name = 'apideckImportStore';
  const parsed = ImportStoreOptionsSchema.safeParse(options);
  if (!parsed.success) throw optionsError(name, parsed.error);
  const config = parsed.data;
  const fetchImpl = config.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = config.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  const connectionUrl = `${unifyBase(config.unifyBaseUrl)}/vault/connections/${encodeURIComponent(config.unifiedApi)}/${encodeURIComponent(config.serviceId)}`;

  function headersFor(consumerId: string, withBody: boolean): Record<string, string> {
    if (typeof consumerId !== 'string' || consumerId.trim() === '' || !HEADER_SAFE.test(consumerId)) {
      throw new Error(`${name}: the consumer ID must be a non-empty string of printable ASCII characters.`);
    }
    return {
      ...apideckHeaders(config.apiKey, config.appId, consumerId),
      ...(withBody ? { 'content-type': 'application/json' } : {}),
    };
  }

  /** Apideck's error message, short and single-line, with the given secrets redacted; `undefined` when unusable. */
  function upstreamMessage(reply: unknown, secrets: string[]): string | undefined {
    const text = apideckErrorMessage(reply);
    if (text === undefined) return undefined;
    const message = redactUpstreamText(text, secrets);
    if (message === '' || message.length > UPSTREAM_MESSAGE_LIMIT) return undefined;
    return message;
  }

  function call(
    operation: string,
    method: string,
    url: string,
    consumerId: string,
    body?: string,
  ): Promise<{ status: number; reply: unknown }> {
    const headers = headersFor(consumerId, body !== undefined);
    return callUpstream({
      url,
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      fetch: fetchImpl,
      timeoutMs,
      replyLimit: UPSTREAM_BODY_LIMIT,
      unreachable: (timedOut) =>
        timedOut
          ? new Error(`${name}: Apideck did not answer the ${operation} within ${timeoutMs / 1000} seconds.`)
          : new Error(`${name}: could not reach Apideck for the ${operation}.`),
    });
  }

  function failure(operation: string, status: number, reply: unknown, secrets: string[]): Error {
    const message = upstreamMessage(reply, [config.apiKey, ...secrets]);
    return new Error(`${name}: Apideck answered HTTP ${status} to the ${operation}${message ? `: ${message}` : '.'}`);
  }

  return {
    async get(consumerId) {
      const { status, reply } = await call('connection read', 'GET', connectionUrl, consumerId);
      if (status === 404) return undefined;
      if (!isSuccess(status)) throw failure('connection read', status, reply, []);
      const connection = ConnectionReplySchema.safeParse(reply);
      if (!connection.success) throw new Error(`${name}: Apideck answered the connection read with an unexpected reply.`);
      const data = connection.data.data;
      if (data.state === undefined || !CONNECTED_STATES.includes(data.state)) return undefined;
      const settings = data.settings ?? {};
      const tokenType = z.enum(VAULTRE_TOKEN_TYPES).safeParse(settings.token_type);
      const connectedAt = settings.connected_at;
      return {
        token: typeof settings.api_key === 'string' ? settings.api_key : '',
        token_type: tokenType.success ? tokenType.data : 'account',
        connected_at:
          typeof connectedAt === 'string' && connectedAt !== ''
            ? connectedAt
            : (epochToIso(data.updated_at) ?? epochToIso(data.created_at) ?? ''),
      };
    },

    async set(consumerId, value) {
      const checked = checkValue(name, value);
      const body = JSON.stringify({
        settings: { api_key: checked.token, token_type: checked.token_type, connected_at: checked.connected_at },
      });
      const { status, reply } = await call('import', 'POST', `${connectionUrl}/import`, consumerId, body);
      if (!isSuccess(status)) throw failure('import', status, reply, [checked.token]);
    },

    async delete(consumerId) {
      const { status, reply } = await call('connection delete', 'DELETE', connectionUrl, consumerId);
      if (status === 404) return;
      if (!isSuccess(status)) throw failure('connection delete', status, reply, []);
    },
  };
}
