/**
 * Where `createVaultreHandler` keeps each consumer's VaultRE token: the `VaultreTokenStore` interface and two ready
 * stores, `memoryStore()` (one process, for demos and tests) and `apideckImportStore()` (the token kept in Apideck Vault
 * through the Vault API's import endpoint, so any number of handler instances share it).
 *
 * A store may return the token from `get` (the handler itself never forwards it). Errors a store throws never carry the
 * token, the Apideck API key or an upstream reply's details, and nothing here logs.
 */
import * as z from 'zod';
import { readLimited } from './http.ts';
import { HEADER_SAFE, isFunction, isLoopbackHost, optionsError, parseUrl } from './options.ts';

/** The two kinds of VaultRE token: office-level (`oauth-authorize.cgi`) and user-level (`oauth-authorize-user.cgi`). */
export const VAULTRE_TOKEN_TYPES = ['account', 'user'] as const;
export type VaultreTokenType = (typeof VAULTRE_TOKEN_TYPES)[number];

/** A consumer's VaultRE token as the handler stores it. */
export interface StoredVaultreToken {
  /** The VaultRE API token. Secret: never sent to a browser. */
  token: string;
  token_type: VaultreTokenType;
  /** When the token was obtained, ISO 8601. */
  connected_at: string;
}

/**
 * Keeps one VaultRE token per consumer. `get` answers `undefined` when the consumer has no usable token. Every method may
 * reject; the handler answers 500 `store_failed` without detail.
 */
export interface VaultreTokenStore {
  get(consumerId: string): Promise<StoredVaultreToken | undefined>;
  /** Creates or replaces the consumer's token. */
  set(consumerId: string, value: StoredVaultreToken): Promise<void>;
  /** Forgets the consumer's token; forgetting a token that is not there is not an error. */
  delete(consumerId: string): Promise<void>;
}

const StoredValueSchema = z.strictObject({
  token: z.string().min(1),
  token_type: z.enum(VAULTRE_TOKEN_TYPES),
  connected_at: z.string().min(1),
});

/** Checks a value handed to `set`; the message never quotes the value. */
function checkValue(storeName: string, value: unknown): StoredVaultreToken {
  const parsed = StoredValueSchema.safeParse(value);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.map(String).join('.') || 'value'))];
    throw new Error(`${storeName}: invalid value for set() (${fields.join(', ')}).`);
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------------------------------
// memoryStore

/**
 * A store in this process's memory (a `Map`), for the demo and tests. Tokens are lost on restart and not shared between
 * processes: behind a load balancer use a shared store such as `apideckImportStore()`.
 */
export function memoryStore(): VaultreTokenStore {
  const tokens = new Map<string, StoredVaultreToken>();
  return {
    get(consumerId) {
      const value = tokens.get(consumerId);
      return Promise.resolve(value ? { ...value } : undefined);
    },
    set(consumerId, value) {
      // A throw in the executor (an invalid value) becomes the rejection.
      return new Promise<void>((resolve) => {
        tokens.set(consumerId, { ...checkValue('memoryStore', value) });
        resolve();
      });
    },
    delete(consumerId) {
      tokens.delete(consumerId);
      return Promise.resolve();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// apideckImportStore

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

const DEFAULT_UNIFY_BASE_URL = 'https://unify.apideck.com';
const DEFAULT_TIMEOUT_MS = 10_000;
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
  unifyBaseUrl: z
    .string()
    .refine((value) => {
      const url = parseUrl(value);
      if (url === null || url.search !== '' || url.hash !== '') return false;
      return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
    }, 'must be an https URL without query or fragment (http only for localhost)')
    .optional(),
  fetch: z.custom<typeof fetch>(isFunction, 'must be a function').optional(),
  timeoutMs: z.number().int().positive().max(120_000).optional(),
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

const ErrorEnvelopeSchema = z.looseObject({ message: z.string() });

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

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
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const base = (config.unifyBaseUrl ?? DEFAULT_UNIFY_BASE_URL).replace(/\/+$/, '');
  const connectionUrl = `${base}/vault/connections/${encodeURIComponent(config.unifiedApi)}/${encodeURIComponent(config.serviceId)}`;

  function headersFor(consumerId: string, withBody: boolean): Record<string, string> {
    if (typeof consumerId !== 'string' || consumerId.trim() === '' || !HEADER_SAFE.test(consumerId)) {
      throw new Error(`${name}: the consumer ID must be a non-empty string of printable ASCII characters.`);
    }
    return {
      authorization: `Bearer ${config.apiKey}`,
      'x-apideck-app-id': config.appId,
      'x-apideck-consumer-id': consumerId,
      accept: 'application/json',
      ...(withBody ? { 'content-type': 'application/json' } : {}),
    };
  }

  /** Apideck's error message, short and single-line, with the given secrets redacted; `undefined` when unusable. */
  function upstreamMessage(reply: unknown, secrets: string[]): string | undefined {
    const envelope = ErrorEnvelopeSchema.safeParse(reply);
    if (!envelope.success) return undefined;
    let message = envelope.data.message;
    for (const secret of secrets) if (secret) message = message.split(secret).join('[redacted]');
    // eslint-disable-next-line no-control-regex
    message = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
    if (message === '' || message.length > UPSTREAM_MESSAGE_LIMIT) return undefined;
    return message;
  }

  async function call(
    operation: string,
    method: string,
    url: string,
    consumerId: string,
    body?: string,
  ): Promise<{ status: number; reply: unknown }> {
    const headers = headersFor(consumerId, body !== undefined);
    let status: number;
    let bytes: Uint8Array | null;
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetchImpl(url, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        redirect: 'manual',
        signal: timeout,
      });
      status = response.status;
      bytes = await readLimited(response.body, UPSTREAM_BODY_LIMIT);
    } catch (error) {
      // The underlying error may quote the request; it is not attached.
      if (isTimeout(error) || timeout.aborted) {
        throw new Error(`${name}: Apideck did not answer the ${operation} within ${timeoutMs / 1000} seconds.`);
      }
      throw new Error(`${name}: could not reach Apideck for the ${operation}.`);
    }
    let reply: unknown;
    if (bytes !== null && bytes.byteLength > 0) {
      try {
        reply = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
      } catch {
        reply = undefined;
      }
    }
    return { status, reply };
  }

  function failure(operation: string, status: number, reply: unknown, secrets: string[]): Error {
    const message = upstreamMessage(reply, [config.apiKey, ...secrets]);
    return new Error(`${name}: Apideck answered HTTP ${status} to the ${operation}${message ? `: ${message}` : '.'}`);
  }

  return {
    async get(consumerId) {
      const { status, reply } = await call('connection read', 'GET', connectionUrl, consumerId);
      if (status === 404) return undefined;
      if (status < 200 || status > 299) throw failure('connection read', status, reply, []);
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
      if (status < 200 || status > 299) throw failure('import', status, reply, [checked.token]);
    },

    async delete(consumerId) {
      const { status, reply } = await call('connection delete', 'DELETE', connectionUrl, consumerId);
      if (status === 404) return;
      if (status < 200 || status > 299) throw failure('connection delete', status, reply, []);
    },
  };
}
