/**
 * `apideckImportStore()`: the VaultRE token store that keeps each consumer's token in Apideck Vault, through the Vault
 * API's import endpoint, so any number of handler instances share it, encrypted under the host's `encryptionKey`:
 * Apideck, and the consumer's own Vault session (the JWT the browser holds, which can read and change the connection's
 * settings), see only ciphertext. Errors never carry the token, the API key or an upstream reply's details, and nothing
 * here logs.
 */
import * as z from 'zod';
import { apideckErrorMessage, apideckHeaders, unifyBase, unifyBaseUrlOption } from '../apideck.ts';
import { type EncryptionKeyOption, createTokenCipher } from '../encryption/token-cipher.ts';
import { isValidConsumerId } from '../http/request-checks.ts';
import { HEADER_SAFE, fetchOption, optionsError, safeParse, timeoutMsOption } from '../options.ts';
import { DEFAULT_UPSTREAM_TIMEOUT_MS, callUpstream, isSuccess, redactUpstreamText } from '../upstream.ts';
import { type StoredVaultreToken, type VaultreTokenStore, StoredValueSchema, checkValue } from './types.ts';

export interface ApideckImportStoreOptions {
  /** Apideck API key. Server-side secret. */
  apiKey: string;
  /** Apideck application ID. */
  appId: string;
  /** The unified API of the connector that holds the token, e.g. `crm`. */
  unifiedApi: string;
  /** The `service_id` of that connector; it must be an `apiKey` connector (the sealed token goes to `settings.api_key`). */
  serviceId: string;
  /**
   * The AES-256-GCM key that seals each token before it goes to Apideck: 32 bytes, as a base64 string or a
   * `Uint8Array`, or a keyring `{current, keys: {id: key}}` to rotate keys (the current one seals, every listed one
   * opens). Keep it server-side; without it the stored tokens cannot be read (they read as not connected).
   */
  encryptionKey: EncryptionKeyOption;
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
const NAME = 'apideckImportStore';

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
  // Checked by `createTokenCipher`, whose messages say what a key must be.
  encryptionKey: z.unknown(),
});

/** `GetConnectionResponse`, reduced to what the store reads; unknown fields are tolerated. */
const ConnectionReplySchema = z.looseObject({
  data: z.looseObject({
    state: z.string().optional(),
    settings: z.record(z.string(), z.unknown()).nullable().optional(),
  }),
});

/**
 * A store that keeps each consumer's VaultRE token in Apideck Vault, as the `api_key` setting of one `apiKey` connector
 * (`unifiedApi`/`serviceId`), sealed:
 *
 * - `set` seals `{token, token_type, connected_at}` with AES-256-GCM under `encryptionKey`, bound to the consumer ID
 *   (`createTokenCipher`, `src/server/encryption/token-cipher.ts`), and imports the connection with
 *   `POST {unifyBaseUrl}/vault/connections/{unifiedApi}/{serviceId}/import`, body `{"settings": {"api_key":
 *   "vc1.<key id>.<iv>.<ciphertext>"}}` (`ConnectionImportData`; for `apiKey` connectors the credentials go in
 *   `settings`). An import is an upsert, so a reconnect replaces the token.
 * - `get` reads `GET …/connections/{unifiedApi}/{serviceId}`: a connection in state `callable` (or `authorized`) whose
 *   `api_key` opens, for this consumer, into a valid value is connected. Anything else — a 404, another state, a value
 *   that was changed (the consumer's session can `PATCH` settings), copied from another consumer, sealed under a key
 *   no longer in `encryptionKey`, or stored in plain text by 0.1.x — is `undefined`: not connected, never a token.
 * - `delete` calls `DELETE …/connections/{unifiedApi}/{serviceId}` (a 404 is fine).
 *
 * Every call sends `Authorization: Bearer <apiKey>`, `x-apideck-app-id` and `x-apideck-consumer-id`. Throws at creation when
 * an option is invalid; each method rejects with an `Error` naming the operation and HTTP status (never the token or key).
 */
export function apideckImportStore(options: ApideckImportStoreOptions): VaultreTokenStore {
  const parsed = ImportStoreOptionsSchema.safeParse(options);
  if (!parsed.success) throw optionsError(NAME, parsed.error);
  const config = parsed.data;
  const cipher = createTokenCipher(config.encryptionKey as EncryptionKeyOption, `${NAME}: encryptionKey`);
  const fetchImpl = config.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = config.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  const connectionUrl = `${unifyBase(config.unifyBaseUrl)}/vault/connections/${encodeURIComponent(config.unifiedApi)}/${encodeURIComponent(config.serviceId)}`;

  function headersFor(consumerId: string, withBody: boolean): Record<string, string> {
    // The handlers refuse such IDs first; checked again because Apideck would receive the header trimmed.
    if (!isValidConsumerId(consumerId)) {
      throw new Error(`${NAME}: the consumer ID must be printable ASCII without whitespace at either end.`);
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
          ? new Error(`${NAME}: Apideck did not answer the ${operation} within ${timeoutMs / 1000} seconds.`)
          : new Error(`${NAME}: could not reach Apideck for the ${operation}.`),
    });
  }

  function failure(operation: string, status: number, reply: unknown, secrets: string[]): Error {
    const message = upstreamMessage(reply, [config.apiKey, ...secrets]);
    return new Error(`${NAME}: Apideck answered HTTP ${status} to the ${operation}${message ? `: ${message}` : '.'}`);
  }

  /** The sealed value opened for this consumer, or `undefined` when it is not one this store sealed for them. */
  async function unseal(sealed: unknown, consumerId: string): Promise<StoredVaultreToken | undefined> {
    if (typeof sealed !== 'string') return undefined;
    let stored: unknown;
    try {
      stored = JSON.parse(await cipher.open(sealed, consumerId)) as unknown;
    } catch {
      return undefined;
    }
    const value = safeParse(StoredValueSchema, stored);
    return value.success ? value.data : undefined;
  }

  return {
    async get(consumerId) {
      const { status, reply } = await call('connection read', 'GET', connectionUrl, consumerId);
      if (status === 404) return undefined;
      if (!isSuccess(status)) throw failure('connection read', status, reply, []);
      const connection = ConnectionReplySchema.safeParse(reply);
      if (!connection.success) throw new Error(`${NAME}: Apideck answered the connection read with an unexpected reply.`);
      const data = connection.data.data;
      if (data.state === undefined || !CONNECTED_STATES.includes(data.state)) return undefined;
      return unseal(data.settings?.api_key, consumerId);
    },

    async set(consumerId, value) {
      const checked = checkValue(NAME, value);
      headersFor(consumerId, true);
      const sealed = await cipher.seal(JSON.stringify(checked), consumerId);
      const body = JSON.stringify({ settings: { api_key: sealed } });
      const { status, reply } = await call('import', 'POST', `${connectionUrl}/import`, consumerId, body);
      if (!isSuccess(status)) throw failure('import', status, reply, [checked.token, sealed]);
    },

    async delete(consumerId) {
      const { status, reply } = await call('connection delete', 'DELETE', connectionUrl, consumerId);
      if (status === 404) return;
      if (!isSuccess(status)) throw failure('connection delete', status, reply, []);
    },
  };
}
