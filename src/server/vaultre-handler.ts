/**
 * `createVaultreHandler`: the host's `vaultre-exchange-url` endpoint.
 *
 * - `POST {"action": "authorize", "token_type"}` answers `{"authorize_url"}`: VaultRE's authorize page with the
 *   registered `redirectUri` and a `state` this handler signs for the signed-in consumer (`vaultre-state.ts`).
 * - `POST {"code", "state"}` (optionally `token_type` and `redirect_uri`, which must then match the state) refuses any
 *   state the handler did not issue for this consumer, unexpired, with 400 `state_mismatch` without calling VaultRE;
 *   otherwise it exchanges the code with `POST {exchangeUrl}` (form body `client_id=…&code=…`, server-side as VaultRE
 *   requires: its CORS policy blocks browsers), stores the token with `store.set(consumerId, …)` (retried, see
 *   `STORE_RETRY_DELAYS_MS`) and answers `{"connected": true, "token_type", "connected_at"}`.
 * - `GET` answers `{"connected": boolean, "token_type"?, "connected_at"?}` from `store.get(consumerId)`; with a
 *   `verifyToken` hook, a stored token the hook calls `'revoked'` is `{"connected": false, "reason": "revoked"}` (the
 *   store is left as it is; see `vaultre-verify.ts` for what counts).
 * - `DELETE` forgets the token with `store.delete(consumerId)` and answers 204.
 *
 * Errors are `{"error", "message"}` with `error` one of `state_mismatch`, `code_expired`, `exchange_failed`,
 * `store_failed`, `invalid_consumer`, `invalid_request`, `origin_not_allowed`. The token and the code never reach a
 * response (body or header) and nothing is logged. The handler keeps no state of its own: the state travels signed and
 * the token lives in the store, so any number of instances sharing the `secret` and the store can run side by side.
 */
import * as z from 'zod';
import { withCors } from './http/cors.ts';
import { readJsonBody } from './http/json-body.ts';
import { type FetchHandler, HttpError, json, toErrorResponse } from './http/replies.ts';
import { checkRequestOrigin, normalizeOrigin, requireMethod, resolveConsumerId } from './http/request-checks.ts';
import { handlerLimiter, limitRequest } from './limits/limit-request.ts';
import { optionsError, parseUrl, safeParse } from './options.ts';
import { VAULTRE_TOKEN_TYPES, type VaultreTokenStore, type VaultreTokenType } from './stores/types.ts';
import { DEFAULT_UPSTREAM_TIMEOUT_MS } from './upstream.ts';
import { DEFAULT_VAULTRE_AUTHORIZE_URL, vaultreAuthorizeUrl } from './vaultre-authorize.ts';
import { DEFAULT_VAULTRE_EXCHANGE_URL, exchangeCode } from './vaultre-exchange.ts';
import { REMOVED_OPTIONS, type VaultreHandlerOptions, VaultreHandlerOptionsSchema } from './vaultre-options.ts';
import { createStateSigner } from './vaultre-state.ts';
import { DEFAULT_VERIFY_TIMEOUT_MS, isRevoked } from './vaultre-verify.ts';

const CONSUMER_MESSAGES = {
  notSignedIn: 'Sign in to manage your VaultRE connection.',
  invalid: 'The consumer ID has whitespace at an end, or characters that cannot be stored; it is refused rather than changed.',
};

/** `POST` reply (and `GET` reply when connected). */
export interface VaultreStatus {
  connected: boolean;
  token_type?: VaultreTokenType;
  connected_at?: string;
  /** `GET` only: the store holds a token that VaultRE no longer accepts (`verifyToken` said so). */
  reason?: 'revoked';
}

const REQUEST_BODY_LIMIT = 16 * 1024;
const METHODS = ['GET', 'POST', 'DELETE'] as const;
/**
 * The waits between attempts of `store.set` (three attempts in all). The code is spent by then, so a store that fails
 * for a moment must not lose the token; a store that keeps failing gets a 500 within half a second.
 */
export const STORE_RETRY_DELAYS_MS = [100, 300] as const;

// ---------------------------------------------------------------------------------------------------------------------
// Request bodies

const tokenType = z.enum(VAULTRE_TOKEN_TYPES, 'token_type must be "account" or "user"');

/** `{"action": "authorize", "token_type"}`. */
const AuthorizeBodySchema = z.strictObject({
  action: z.literal('authorize', 'action must be "authorize"'),
  token_type: tokenType,
});

/** `{"code", "state"}` and optionally what the state binds. Unknown keys are refused. Messages never quote the values. */
const ExchangeBodySchema = z.strictObject({
  code: z
    .string('code must be a string')
    .min(1, 'code must not be empty')
    .max(2048, 'code must be at most 2048 characters')
    .regex(/^[\x21-\x7e]+$/, 'code must contain printable ASCII characters only'),
  state: z
    .string('state must be a string')
    .min(1, 'state must not be empty')
    .max(2048, 'state must be at most 2048 characters'),
  token_type: tokenType.optional(),
  redirect_uri: z
    .string('redirect_uri must be a string')
    .max(2048, 'redirect_uri must be at most 2048 characters')
    .refine((value) => {
      const url = parseUrl(value);
      return url !== null && (url.protocol === 'https:' || url.protocol === 'http:');
    }, 'redirect_uri must be an absolute http(s) URL')
    .optional(),
});

function bodyError(error: z.ZodError, body: unknown, shape: string): HttpError {
  const issue = error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    return new HttpError(400, 'invalid_request', `Unknown field ${issue.keys.map((key) => `"${key}"`).join(', ')} in the request body.`);
  }
  if (issue === undefined || issue.path.length === 0) {
    return new HttpError(400, 'invalid_request', `The request body must be a JSON object ${shape}.`);
  }
  const field = issue.path.map(String).join('.');
  // A missing field would read "… must be a string": say so plainly.
  const missing = typeof body === 'object' && body !== null && !Array.isArray(body) && !(field in body);
  const message = missing ? `${field} is required` : issue.message;
  return new HttpError(400, 'invalid_request', `Invalid request body: ${message}.`, { extra: { field } });
}

const isAuthorizeRequest = (body: unknown): boolean => typeof body === 'object' && body !== null && !Array.isArray(body) && 'action' in body;

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

const stateMismatch = () =>
  new HttpError(400, 'state_mismatch', 'This authorization was not started here for you, or it is over 10 minutes old. Connect again.');

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `store.set`, tried again after each of `STORE_RETRY_DELAYS_MS`; throws `store_failed` when every attempt failed. */
async function storeWithRetries(store: VaultreTokenStore, consumerId: string, value: Parameters<VaultreTokenStore['set']>[1]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await store.set(consumerId, value);
      return;
    } catch {
      const delay = STORE_RETRY_DELAYS_MS[attempt];
      if (delay === undefined) throw storeFailed('save');
      await wait(delay);
    }
  }
}

function checkedOptions(options: VaultreHandlerOptions): VaultreHandlerOptions {
  if (typeof options === 'object' && options !== null) {
    for (const [name, advice] of Object.entries(REMOVED_OPTIONS)) {
      if (name in options) throw new Error(`createVaultreHandler: option "${name}" ${advice}.`);
    }
  }
  const parsed = VaultreHandlerOptionsSchema.safeParse(options);
  if (!parsed.success) throw optionsError('createVaultreHandler', parsed.error);
  return parsed.data;
}

/**
 * Creates the `vaultre-exchange-url` handler, `(request: Request) => Promise<Response>`. Throws at creation when an option
 * is invalid (the message names the option and never quotes its value).
 */
export function createVaultreHandler(options: VaultreHandlerOptions): FetchHandler {
  const config = checkedOptions(options);
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
  const redirectUri = config.redirectUri;
  const states = createStateSigner(config.secret, now);
  const limiter = handlerLimiter(config.limiter);

  async function handleAuthorize(request: Request, raw: unknown): Promise<Response> {
    const body = safeParse(AuthorizeBodySchema, raw);
    if (!body.success) throw bodyError(body.error, raw, '{action: "authorize", token_type}');
    const consumerId = await resolveConsumerId(config.consumerId, request, CONSUMER_MESSAGES);
    await limitRequest(limiter, 'vaultre', consumerId);
    const tokenType = body.data.token_type;
    const state = await states.issue({ consumerId, tokenType, redirectUri });
    const base = config.authorizeUrl ?? DEFAULT_VAULTRE_AUTHORIZE_URL;
    return json(200, { authorize_url: vaultreAuthorizeUrl({ base, tokenType, clientId: config.clientId, redirectUri, state }) });
  }

  async function handleExchange(request: Request, raw: unknown): Promise<Response> {
    const body = safeParse(ExchangeBodySchema, raw);
    if (!body.success) throw bodyError(body.error, raw, '{code, state}');
    const { code, state } = body.data;
    // Who is signed in, and whether this state was issued to them, is settled before the code is spent.
    const consumerId = await resolveConsumerId(config.consumerId, request, CONSUMER_MESSAGES);
    const token_type = await states.verify(state, { consumerId, redirectUri });
    if (token_type === undefined) throw stateMismatch();
    if (body.data.token_type !== undefined && body.data.token_type !== token_type) throw stateMismatch();
    if (body.data.redirect_uri !== undefined && body.data.redirect_uri !== redirectUri) throw stateMismatch();
    await limitRequest(limiter, 'vaultre', consumerId);
    const token = await exchangeCode(code, exchange);
    const connected_at = now().toISOString();
    await storeWithRetries(store, consumerId, { token, token_type, connected_at });
    return json(200, { connected: true, token_type, connected_at } satisfies VaultreStatus);
  }

  async function handlePost(request: Request): Promise<Response> {
    const raw = await readJsonBody(request, { limit: REQUEST_BODY_LIMIT });
    return isAuthorizeRequest(raw) ? handleAuthorize(request, raw) : handleExchange(request, raw);
  }

  async function handleGet(request: Request): Promise<Response> {
    const consumerId = await resolveConsumerId(config.consumerId, request, CONSUMER_MESSAGES);
    let stored: unknown;
    try {
      stored = await store.get(consumerId);
    } catch {
      throw storeFailed('read');
    }
    const status = statusOf(stored);
    if (status.connected && config.verifyToken && typeof (stored as { token?: unknown }).token === 'string') {
      const revoked = await isRevoked({
        verify: config.verifyToken,
        token: (stored as { token: string }).token,
        consumerId,
        tokenType: status.token_type ?? 'account',
        timeoutMs: config.verifyTimeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS,
        signal: request.signal,
      });
      if (revoked) return json(200, { connected: false, reason: 'revoked' } satisfies VaultreStatus);
    }
    return json(200, status);
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

  const handler: FetchHandler = async (request) => {
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
  return withCors(handler, { allowedOrigins, methods: METHODS });
}
