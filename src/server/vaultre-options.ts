/** The options of `createVaultreHandler`: their type, and the schema that checks them when the handler is created. */
import * as z from 'zod';
import { type RateLimiter, limiterOption } from './limits/rate-limiter.ts';
import type { VaultreTokenStore, VaultreTokenType } from './stores/types.ts';
import { allowedOriginsOption, fetchOption, isFunction, isLoopbackHost, parseUrl, timeoutMsOption } from './options.ts';

export interface VaultreHandlerOptions {
  /** The VaultRE OAuth client ID (not the API key). */
  clientId: string;
  /**
   * Signs the `state` of each authorization (HMAC-SHA-256): a string of at least 32 characters or a `Uint8Array` of at
   * least 32 bytes, the same on every instance behind a load balancer. Keep it server-side; changing it voids the
   * authorizations in progress (at most 10 minutes' worth).
   */
  secret: string | Uint8Array;
  /**
   * The redirect URI registered with VaultRE, exactly as registered (VaultRE matches it to the byte, query included):
   * the page on your origin that runs the callback module. It goes into every authorize URL and every state.
   */
  redirectUri: string;
  /** VaultRE's authorize base. Default `https://login.vaultre.com.au/cgi-bin/clientvault`; plain http only on loopback. */
  authorizeUrl?: string;
  /**
   * VaultRE's code exchange endpoint. Default
   * `https://login.vaultre.com.au/cgi-bin/clientvault/integrations/oauthexchange.cgi`. Plain http is allowed only for
   * loopback hosts (the sandbox emulator).
   */
  exchangeUrl?: string;
  /**
   * Who is signed in for `request`: the key under which the token is stored. Returning an empty string or throwing means
   * nobody is signed in: the handler answers 401 (before any code is exchanged). An ID with whitespace at either end or
   * a control character is refused with 400 `invalid_consumer`, never trimmed.
   */
  consumerId: (request: Request) => string | Promise<string>;
  /** Where tokens are kept: `memoryStore()`, `apideckImportStore({...})` or your own `{get, set, delete}`. */
  store: VaultreTokenStore;
  /**
   * Browser origins allowed to call the endpoint, e.g. `["https://app.example.com"]`: they get CORS answers with
   * credentials (the element sends `credentials: 'include'` to an endpoint on another origin). A request whose `Origin`
   * header is present and not listed is refused with 403. Without the list, only the endpoint's own origin may call it:
   * a request the browser marks `Sec-Fetch-Site` `same-site` or `cross-site`, or whose `Origin` is not the request
   * URL's, is refused. See `checkRequestOrigin` (`src/server/http/request-checks.ts`) for the whole rule.
   */
  allowedOrigins?: string[];
  /** The `fetch` used to call VaultRE (injectable for tests). Default the global `fetch`. */
  fetch?: typeof fetch;
  /** Timeout of the code exchange in milliseconds. Default 10000. */
  timeoutMs?: number;
  /** Clock for `connected_at` and the state's expiry. Default `() => new Date()`. */
  now?: () => Date;
  /**
   * Limits how often one consumer may start a VaultRE authorization or exchange a code (each `POST`): `memoryLimiter()`
   * (20 a minute, counted in this process) by default; `redisLimiter({url})` or `postgresLimiter({connectionString})` to
   * share the counts between instances; `false` for no limit. Over the limit the reply is 429 `rate_limited` with
   * `Retry-After`. See docs/stores.md.
   */
  limiter?: RateLimiter | false;
  /**
   * Asks VaultRE whether a stored token still works, on every `GET` that finds one (the user "can revoke this token at
   * any time from within their VaultRE account"). You hold the VaultRE API key, so the call is yours to make: see
   * docs/vaultre.md for an example. Answer `'revoked'` only when VaultRE definitely refused the token (HTTP 401);
   * `'valid'` when it accepted it; `'unknown'` (or throw) for anything else — a timeout, a 5xx, a 429, a network
   * failure, a refused API key. Only `'revoked'` changes the answer, to `{"connected": false, "reason": "revoked"}`;
   * the stored token is kept (see docs/vaultre.md). Stop when `signal` aborts: the handler waits `verifyTimeoutMs`.
   */
  verifyToken?: (token: string, context: VerifyTokenContext) => VaultreTokenVerdict | Promise<VaultreTokenVerdict>;
  /** How long `GET` waits for `verifyToken` before it answers from the store alone, in milliseconds. Default 3000. */
  verifyTimeoutMs?: number;
}

/** What `verifyToken` answers: only `'revoked'` counts as "no longer valid". */
export type VaultreTokenVerdict = 'valid' | 'revoked' | 'unknown';

/** What `verifyToken` is told besides the token. */
export interface VerifyTokenContext {
  consumerId: string;
  tokenType: VaultreTokenType;
  /** Aborts once the handler stops waiting (`verifyTimeoutMs`) or the request goes away. */
  signal: AbortSignal;
}

const isStore = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  ['get', 'set', 'delete'].every((method) => typeof (value as Record<string, unknown>)[method] === 'function');

/** An https URL (plain http only for loopback hosts) without a fragment; `query` says whether it may have a query. */
const upstreamUrl = (query: boolean) =>
  z.string().refine((value) => {
    const url = parseUrl(value);
    if (url === null || url.hash !== '' || (!query && url.search !== '')) return false;
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  }, `must be an https URL${query ? '' : ' without query'} (http only for localhost)`);

const MIN_SECRET = 32;

/** The options, checked when the handler is created. */
export const VaultreHandlerOptionsSchema = z.strictObject({
  clientId: z
    .string('must be a non-empty string')
    .trim()
    .min(1, 'must be a non-empty string')
    .regex(/^[\x21-\x7e]+$/, 'must contain printable ASCII characters only'),
  secret: z.union(
    [
      z.string().min(MIN_SECRET, `must be a string of at least ${MIN_SECRET} characters or a Uint8Array of at least ${MIN_SECRET} bytes`),
      z.instanceof(Uint8Array).refine((bytes) => bytes.byteLength >= MIN_SECRET),
    ],
    `must be a string of at least ${MIN_SECRET} characters or a Uint8Array of at least ${MIN_SECRET} bytes`,
  ),
  redirectUri: z.string('must be the redirect URI registered with VaultRE').refine((value) => {
    const url = parseUrl(value);
    return url !== null && (url.protocol === 'https:' || url.protocol === 'http:') && url.hash === '';
  }, 'must be an absolute http(s) URL without a fragment, exactly as registered with VaultRE'),
  authorizeUrl: upstreamUrl(false).optional(),
  exchangeUrl: upstreamUrl(true).optional(),
  consumerId: z.custom<VaultreHandlerOptions['consumerId']>(isFunction, 'must be a function (request) => string'),
  store: z.custom<VaultreTokenStore>(isStore, 'must be an object with get, set and delete methods'),
  allowedOrigins: allowedOriginsOption,
  fetch: fetchOption,
  timeoutMs: timeoutMsOption,
  now: z.custom<() => Date>(isFunction, 'must be a function () => Date').optional(),
  verifyToken: z.custom<NonNullable<VaultreHandlerOptions['verifyToken']>>(isFunction, 'must be a function (token, context) => "valid" | "revoked" | "unknown"').optional(),
  verifyTimeoutMs: z.number().int().positive().max(30_000, 'must be at most 30000').optional(),
  limiter: limiterOption,
});

/** Options that existed once, with what to do instead (a clearer message than "unknown option"). */
export const REMOVED_OPTIONS: Record<string, string> = {
  redirectUris: 'was removed in 0.2.0: pass redirectUri, the one URI registered with VaultRE (the state binds it)',
};
