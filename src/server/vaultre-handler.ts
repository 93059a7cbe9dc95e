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
import { readJsonBody } from './http/json-body.ts';
import { type FetchHandler, HttpError, json, toErrorResponse } from './http/replies.ts';
import { checkRequestOrigin, normalizeOrigin, requireMethod, resolveConsumerId } from './http/request-checks.ts';
import { optionsError, parseUrl, safeParse } from './options.ts';
import { VAULTRE_TOKEN_TYPES, type VaultreTokenType } from './stores/types.ts';
import { DEFAULT_UPSTREAM_TIMEOUT_MS } from './upstream.ts';
import { DEFAULT_VAULTRE_EXCHANGE_URL, exchangeCode } from './vaultre-exchange.ts';
import { type VaultreHandlerOptions, VaultreHandlerOptionsSchema } from './vaultre-options.ts';

const CONSUMER_MESSAGES = {
  notSignedIn: 'Sign in to manage your VaultRE connection.',
  invalid: 'The consumer ID contains characters that cannot be stored.',
};

/** `POST` reply (and `GET` reply when connected). */
export interface VaultreStatus {
  connected: boolean;
  token_type?: VaultreTokenType;
  connected_at?: string;
}

const REQUEST_BODY_LIMIT = 16 * 1024;
const METHODS = ['GET', 'POST', 'DELETE'] as const;

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
export function createVaultreHandler(options: VaultreHandlerOptions): FetchHandler {
  const parsed = VaultreHandlerOptionsSchema.safeParse(options);
  if (!parsed.success) throw optionsError('createVaultreHandler', parsed.error);
  const config: VaultreHandlerOptions = parsed.data;
  const store = config.store;
  const fetchImpl = config.fetch ?? globalThis.fetch.bind(globalThis);
  const exchange = {
    clientId: config.clientId,
    exchangeUrl: config.exchangeUrl ?? DEFAULT_VAULTRE_EXCHANGE_URL,
    fetch: fetchImpl,
    timeoutMs: config.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS,
  };
  const now = config.now ?? (() => new Date());
  const allowedOrigins = config.allowedOrigins?.map(normalizeOrigin);
  const redirectUris = config.redirectUris ? new Set(config.redirectUris) : undefined;

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
    const token = await exchangeCode(code, exchange);
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
