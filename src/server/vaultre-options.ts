/** The options of `createVaultreHandler`: their type, and the schema that checks them when the handler is created. */
import * as z from 'zod';
import type { VaultreTokenStore } from './stores/types.ts';
import { allowedOriginsOption, fetchOption, isFunction, isLoopbackHost, parseUrl, timeoutMsOption } from './options.ts';

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
   * refused. See `checkRequestOrigin` (`src/server/http/request-checks.ts`) for the whole rule.
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

const isStore = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  ['get', 'set', 'delete'].every((method) => typeof (value as Record<string, unknown>)[method] === 'function');

/** The options, checked when the handler is created. */
export const VaultreHandlerOptionsSchema = z.strictObject({
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
  allowedOrigins: allowedOriginsOption,
  redirectUris: z.array(z.string().min(1, 'must list non-empty strings')).optional(),
  fetch: fetchOption,
  timeoutMs: timeoutMsOption,
  now: z.custom<() => Date>(isFunction, 'must be a function () => Date').optional(),
});
