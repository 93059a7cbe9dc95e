/**
 * `createVaultreHandler`: the host's `vaultre-exchange-url` endpoint.
 *
 * - `POST {"code", "state", "token_type", "redirect_uri"}` exchanges the VaultRE authorization code for a token with
 *   `POST {exchangeUrl}` (form body `client_id=…&code=…`, server-side as VaultRE requires: its CORS policy blocks browsers),
 *   stores the token with `store.set(consumerId, …)` and answers `{"connected": true, "token_type", "connected_at"}`.
 * - `GET` answers `{"connected": boolean, "token_type"?, "connected_at"?}` from `store.get(consumerId)`.
 * - `DELETE` forgets the token with `store.delete(consumerId)` and answers 204.
 *
 * The token and the code never reach a response (body or header) and nothing is logged. The handler keeps no state of
 * its own: everything lives in the store, so any number of instances can run behind a load balancer.
 */
import * as z from 'zod';
import { HttpError, checkRequestOrigin, json, normalizeOrigin, readJsonBody, readLimited, requireMethod, toErrorResponse } from './http.ts';
import { VAULTRE_TOKEN_TYPES, type VaultreTokenStore, type VaultreTokenType } from './stores.ts';
import { isFunction, isLoopbackHost, optionsError, parseUrl, resolveConsumerId, safeParse } from './options.ts';

const CONSUMER_MESSAGES = {
  notSignedIn: 'Sign in to manage your VaultRE connection.',
  invalid: 'The consumer ID contains characters that cannot be stored.',
};

export interface VaultreHandlerOptions {
  /** The VaultRE OAuth client ID (not the API key). */
  clientId: string;
  /**
   * VaultRE's code exchange endpoint. Default
   * `https://login.vaultre.com.au/cgi-bin/clientvault/integrations/oauthexchange.cgi`. Plain http is allowed only for
   * loopback hosts (the sandbox emulator).
   */
  exchangeUrl?: string;
  /**
   * Who is signed in for `request`: the key under which the token is stored. Returning an empty string or throwing means
   * nobody is signed in: the handler answers 401 (before any code is exchanged).
   */
  consumerId: (request: Request) => string | Promise<string>;
  /** Where tokens are kept: `memoryStore()`, `apideckImportStore({...})` or your own `{get, set, delete}`. */
  store: VaultreTokenStore;
  /**
   * Browser origins allowed to call the endpoint, e.g. `["https://app.example.com"]`. A request whose `Origin` header is
   * present and not listed is refused with 403. Without the list, only the endpoint's own origin may call it: a request
   * the browser marks `Sec-Fetch-Site` `same-site` or `cross-site`, or whose `Origin` is not the request URL's, is
   * refused. See `checkRequestOrigin` (`src/server/http.ts`) for the whole rule.
   */
  allowedOrigins?: string[];
  /** When given, a `POST` whose `redirect_uri` is not exactly one of these is refused with 400. */
  redirectUris?: string[];
  /** The `fetch` used to call VaultRE (injectable for tests). Default the global `fetch`. */
  fetch?: typeof fetch;
  /** Timeout of the code exchange in milliseconds. Default 10000. */
  timeoutMs?: number;
  /** Clock for `connected_at`. Default `() => new Date()`. */
  now?: () => Date;
}

/** `POST` reply (and `GET` reply when connected). */
export interface VaultreStatus {
  connected: boolean;
  token_type?: VaultreTokenType;
  connected_at?: string;
}

export const DEFAULT_VAULTRE_EXCHANGE_URL = 'https://login.vaultre.com.au/cgi-bin/clientvault/integrations/oauthexchange.cgi';
const DEFAULT_TIMEOUT_MS = 10_000;
const REQUEST_BODY_LIMIT = 16 * 1024;
const UPSTREAM_BODY_LIMIT = 64 * 1024;
const UPSTREAM_MESSAGE_LIMIT = 200;
const METHODS = ['GET', 'POST', 'DELETE'] as const;

// ---------------------------------------------------------------------------------------------------------------------
// Options

const isStore = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  ['get', 'set', 'delete'].every((method) => typeof (value as Record<string, unknown>)[method] === 'function');

const OptionsSchema = z.strictObject({
  clientId: z
    .string('must be a non-empty string')
    .trim()
    .min(1, 'must be a non-empty string')
    .regex(/^[\x21-\x7e]+$/, 'must contain printable ASCII characters only'),
  exchangeUrl: z
    .string()
    .refine((value) => {
      const url = parseUrl(value);
      if (url === null || url.hash !== '') return false;
      return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
    }, 'must be an https URL (http only for localhost)')
    .optional(),
  consumerId: z.custom<VaultreHandlerOptions['consumerId']>(isFunction, 'must be a function (request) => string'),
  store: z.custom<VaultreTokenStore>(isStore, 'must be an object with get, set and delete methods'),
  allowedOrigins: z
    .array(
      z.string().refine((value) => {
        const url = parseUrl(value);
        return url !== null && url.origin !== 'null' && url.origin === value.replace(/\/$/, '');
      }, 'must list origins such as "https://app.example.com" (scheme, host and port only)'),
    )
    .optional(),
  redirectUris: z.array(z.string().min(1, 'must list non-empty strings')).optional(),
  fetch: z.custom<typeof fetch>(isFunction, 'must be a function').optional(),
  timeoutMs: z.number().int().positive().max(120_000).optional(),
  now: z.custom<() => Date>(isFunction, 'must be a function () => Date').optional(),
});

// ---------------------------------------------------------------------------------------------------------------------
// Request body

/** What the element posts. Unknown keys are refused. Messages never quote the values. */
const ExchangeBodySchema = z.strictObject({
  code: z
    .string('code must be a string')
    .min(1, 'code must not be empty')
    .max(2048, 'code must be at most 2048 characters')
    .regex(/^[\x21-\x7e]+$/, 'code must contain printable ASCII characters only'),
  state: z
    .string('state must be a string')
    .min(1, 'state must not be empty')
    .max(512, 'state must be at most 512 characters'),
  token_type: z.enum(VAULTRE_TOKEN_TYPES, 'token_type must be "account" or "user"'),
  redirect_uri: z
    .string('redirect_uri must be a string')
    .max(2048, 'redirect_uri must be at most 2048 characters')
    .refine((value) => {
      const url = parseUrl(value);
      return url !== null && (url.protocol === 'https:' || url.protocol === 'http:');
    }, 'redirect_uri must be an absolute http(s) URL'),
});

function bodyError(error: z.ZodError, body: unknown): HttpError {
  const issue = error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    return new HttpError(400, 'invalid_body', `Unknown field ${issue.keys.map((key) => `"${key}"`).join(', ')} in the request body.`);
  }
  if (issue === undefined || issue.path.length === 0) {
    return new HttpError(400, 'invalid_body', 'The request body must be a JSON object {code, state, token_type, redirect_uri}.');
  }
  const field = issue.path.map(String).join('.');
  // A missing field would read "… must be a string": say so plainly.
  const missing = typeof body === 'object' && body !== null && !Array.isArray(body) && !(field in body);
  const message = missing ? `${field} is required` : issue.message;
  return new HttpError(400, 'invalid_body', `Invalid request body: ${message}.`, { extra: { field } });
}

// ---------------------------------------------------------------------------------------------------------------------
// VaultRE's reply

/** A successful exchange: `{"token": "…", "message": "Token generated successfully"}`. */
const ExchangeReplySchema = z.looseObject({ token: z.string().min(1), message: z.string().optional() });

/** Fields an error reply may carry (VaultRE documents none; these cover `message` and OAuth-style errors). */
const ErrorReplySchema = z.looseObject({
  message: z.unknown().optional(),
  error: z.unknown().optional(),
  error_description: z.unknown().optional(),
});

/**
 * Whether a failed exchange means the code itself is no good (expired after its 60 seconds, already used, or unknown),
 * so that the user must authorize again. VaultRE does not document its error replies, so the detection is deliberately
 * broad but specific to the code:
 *
 * - an OAuth-style `"error": "invalid_grant"` (the standard error for an expired or used authorization code); or
 * - a `message` (or `error_description`/`error` text) that mentions the code (`code`) together with a word saying it is no
 *   longer good (`invalid`, `expired`, `used`, `unknown`, `not found`, `not valid`, `already`, `revoked`), and does not
 *   mention the client (`client`, as in "Invalid client_id"), which is a configuration error instead.
 *
 * The HTTP status does not matter (a non-2xx reply, or a 2xx JSON without a token). The sandbox's emulator answers such
 * codes with HTTP 400 and `{"message": "Invalid or expired code"}`.
 */
export function isCodeRejection(texts: readonly string[], oauthError: string | undefined): boolean {
  if (oauthError?.trim().toLowerCase() === 'invalid_grant') return true;
  return texts.some((text) => {
    const lower = text.toLowerCase();
    if (/client/.test(lower)) return false;
    if (!/\b(auth(ori[sz]ation)?[ _-]?)?code\b/.test(lower)) return false;
    return /\b(invalid|expired?|used|unknown|not found|not valid|no longer valid|already|revoked)\b/.test(lower);
  });
}

/** VaultRE's message if it is a short plain sentence, with the secrets redacted; otherwise `undefined`. */
function plainMessage(value: unknown, secrets: readonly string[]): string | undefined {
  if (typeof value !== 'string') return undefined;
  let message = value;
  for (const secret of secrets) if (secret !== '') message = message.split(secret).join('[redacted]');
  // eslint-disable-next-line no-control-regex
  message = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (message === '' || message.length > UPSTREAM_MESSAGE_LIMIT || /[<>]/.test(message)) return undefined;
  return message;
}

function parseJson(bytes: Uint8Array | null): unknown {
  if (bytes === null || bytes.byteLength === 0) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

/** The reply to a failed exchange: `code_expired` (400) or `exchange_failed` (502). */
function exchangeFailure(status: number, reply: unknown, code: string): HttpError {
  const fields = ErrorReplySchema.safeParse(reply);
  // Any token-like string in the reply is redacted too, whatever the reply says.
  const token = typeof (reply as { token?: unknown } | null)?.token === 'string' ? (reply as { token: string }).token : '';
  const secrets = [code, token];
  const texts: string[] = [];
  let oauthError: string | undefined;
  if (fields.success) {
    for (const value of [fields.data.message, fields.data.error_description, fields.data.error]) {
      if (typeof value === 'string') texts.push(value);
    }
    if (typeof fields.data.error === 'string') oauthError = fields.data.error;
  }
  const message = fields.success
    ? (plainMessage(fields.data.message, secrets) ?? plainMessage(fields.data.error_description, secrets))
    : undefined;
  const quoted = message ? ` VaultRE said: ${message}` : '';
  if (isCodeRejection(texts, oauthError)) {
    return new HttpError(
      400,
      'code_expired',
      `The VaultRE authorization code has expired or was already used; codes are valid once, for 60 seconds. Connect again.${quoted}`,
    );
  }
  const what = status >= 200 && status <= 299 ? 'answered without a token' : `answered HTTP ${status}`;
  return new HttpError(502, 'exchange_failed', `VaultRE could not exchange the authorization code (it ${what}).${quoted}`, {
    extra: { upstream_status: status },
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// The handler

/** The public part of a stored token: never the token. */
function statusOf(value: unknown): VaultreStatus {
  if (value === undefined || value === null) return { connected: false };
  const stored = value as { token_type?: unknown; connected_at?: unknown };
  const status: VaultreStatus = { connected: true };
  if (stored.token_type === 'account' || stored.token_type === 'user') status.token_type = stored.token_type;
  if (typeof stored.connected_at === 'string' && stored.connected_at !== '') status.connected_at = stored.connected_at;
  return status;
}

const storeFailed = (action: string) =>
  new HttpError(500, 'store_failed', `The server could not ${action} the VaultRE connection. Try again later.`);

/**
 * Creates the `vaultre-exchange-url` handler, `(request: Request) => Promise<Response>`. Throws at creation when an option
 * is invalid (the message names the option and never quotes its value).
 */
export function createVaultreHandler(options: VaultreHandlerOptions): (request: Request) => Promise<Response> {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw optionsError('createVaultreHandler', parsed.error);
  const config: VaultreHandlerOptions = parsed.data;
  const store = config.store;
  const fetchImpl = config.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const exchangeUrl = config.exchangeUrl ?? DEFAULT_VAULTRE_EXCHANGE_URL;
  const now = config.now ?? (() => new Date());
  const allowedOrigins = config.allowedOrigins?.map(normalizeOrigin);
  const redirectUris = config.redirectUris ? new Set(config.redirectUris) : undefined;

  /** Exchanges the code for a token, or throws the `HttpError` to answer with. */
  async function exchange(code: string): Promise<string> {
    // The exchange is deliberately not tied to `request.signal`: once VaultRE has the code it is burnt, so the token must
    // be stored even when the browser goes away meanwhile (its next `GET` then shows the connection).
    const timeout = AbortSignal.timeout(timeoutMs);
    let status: number;
    let bytes: Uint8Array | null;
    try {
      const upstream = await fetchImpl(exchangeUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ client_id: config.clientId, code }).toString(),
        redirect: 'manual',
        signal: timeout,
      });
      status = upstream.status;
      bytes = await readLimited(upstream.body, UPSTREAM_BODY_LIMIT);
    } catch (error) {
      if (isTimeout(error) || timeout.aborted) {
        throw new HttpError(504, 'exchange_unreachable', `VaultRE did not answer within ${timeoutMs / 1000} seconds.`);
      }
      throw new HttpError(504, 'exchange_unreachable', 'Could not reach VaultRE to exchange the authorization code.');
    }
    const reply = parseJson(bytes);
    if (status >= 200 && status <= 299) {
      const success = safeParse(ExchangeReplySchema, reply);
      if (success.success) return success.data.token;
    }
    throw exchangeFailure(status, reply, code);
  }

  async function handlePost(request: Request): Promise<Response> {
    const raw = await readJsonBody(request, { limit: REQUEST_BODY_LIMIT });
    const body = safeParse(ExchangeBodySchema, raw);
    if (!body.success) throw bodyError(body.error, raw);
    const { code, token_type, redirect_uri } = body.data;
    if (redirectUris && !redirectUris.has(redirect_uri)) {
      throw new HttpError(400, 'redirect_uri_not_allowed', 'The redirect_uri is not one this server accepts.');
    }
    // Who is signed in is settled before the code is spent.
    const consumerId = await resolveConsumerId(config.consumerId, request, CONSUMER_MESSAGES);
    const token = await exchange(code);
    const connected_at = now().toISOString();
    try {
      await store.set(consumerId, { token, token_type, connected_at });
    } catch {
      throw storeFailed('save');
    }
    return json(200, { connected: true, token_type, connected_at } satisfies VaultreStatus);
  }

  async function handleGet(request: Request): Promise<Response> {
    const consumerId = await resolveConsumerId(config.consumerId, request, CONSUMER_MESSAGES);
    let stored: unknown;
    try {
      stored = await store.get(consumerId);
    } catch {
      throw storeFailed('read');
    }
    return json(200, statusOf(stored));
  }

  async function handleDelete(request: Request): Promise<Response> {
    const consumerId = await resolveConsumerId(config.consumerId, request, CONSUMER_MESSAGES);
    try {
      await store.delete(consumerId);
    } catch {
      throw storeFailed('remove');
    }
    return new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } });
  }

  return async (request: Request): Promise<Response> => {
    try {
      requireMethod(request, METHODS);
      checkRequestOrigin(request, allowedOrigins);
      switch (request.method.toUpperCase()) {
        case 'POST':
          return await handlePost(request);
        case 'DELETE':
          return await handleDelete(request);
        default:
          return await handleGet(request);
      }
    } catch (error) {
      return toErrorResponse(error);
    }
  };
}
