/**
 * The options of `createSessionHandler`: their types, which follow the Vault OpenAPI spec's `Session`, and the schema
 * that checks them when the handler is created.
 */
import * as z from 'zod';
import { unifyBaseUrlOption } from './apideck.ts';
import { type RateLimiter, limiterOption } from './limits/rate-limiter.ts';
import { allowedOriginsOption, fetchOption, isFunction, parseUrl, timeoutMsOption } from './options.ts';

/** `Session.settings` of the Vault OpenAPI spec. */
export interface SessionSettings {
  unified_apis?: string[];
  hide_resource_settings?: boolean;
  sandbox_mode?: boolean;
  isolation_mode?: boolean;
  session_length?: string;
  show_logs?: boolean;
  show_suggestions?: boolean;
  show_sidebar?: boolean;
  auto_redirect?: boolean;
  hide_guides?: boolean;
  allow_actions?: ('delete' | 'disconnect' | 'reauthorize' | 'disable')[];
}

/** `Session.theme` of the Vault OpenAPI spec. */
export interface SessionTheme {
  favicon?: string;
  logo?: string;
  primary_color?: string;
  sidepanel_background_color?: string;
  sidepanel_text_color?: string;
  vault_name?: string;
  privacy_url?: string;
  terms_url?: string;
}

/** `ConsumerMetadata` of the Vault OpenAPI spec. */
export interface ConsumerMetadata {
  account_name?: string;
  user_name?: string;
  email?: string;
  image?: string;
}

export interface SessionHandlerOptions {
  /** Apideck API key. Server-side secret; never sent to the browser. */
  apiKey: string;
  /** Apideck application ID. */
  appId: string;
  /**
   * The Apideck consumer ID of the signed-in user making `request`. Returning an empty string or throwing means nobody is
   * signed in: the handler answers 401. An ID with whitespace at either end or a control character is refused with 400
   * `invalid_consumer`, never trimmed (Apideck would get the trimmed header: someone else's ID).
   */
  consumerId: (request: Request) => string | Promise<string>;
  /**
   * Where Hosted Vault returns after a connection is authorized (absolute http(s) URL). When given, `settings.auto_redirect`
   * and `settings.isolation_mode` default to `true` (explicit settings win).
   */
  redirectUri?: string;
  /**
   * `Session.settings`. `session_length` defaults to `30m` here (Apideck's default is `1h`): the session JWT travels in
   * Hosted Vault's URL and stays in that window's history until it expires.
   */
  settings?: SessionSettings;
  /** `Session.theme`. */
  theme?: SessionTheme;
  /** `Session.consumer_metadata`: how the consumer is shown in Vault. */
  consumerMetadata?: ConsumerMetadata;
  /** Base URL of the Apideck Unify API. Default `https://unify.apideck.com`. Plain http is allowed only for loopback hosts. */
  unifyBaseUrl?: string;
  /**
   * Browser origins allowed to call the endpoint, e.g. `["https://app.example.com"]`: they get CORS answers with
   * credentials (the element sends `credentials: 'include'` to an endpoint on another origin). A request whose `Origin`
   * header is present and not listed is refused with 403. Without the list, only the endpoint's own origin may call it: a request
   * the browser marks `Sec-Fetch-Site` `same-site` or `cross-site`, or whose `Origin` is not the request URL's, is
   * refused. See `checkRequestOrigin` (`src/server/http/request-checks.ts`) for the whole rule.
   */
  allowedOrigins?: string[];
  /** Upstream timeout in milliseconds. Default 10000. */
  timeoutMs?: number;
  /** The `fetch` used to call Apideck (injectable for tests). Default the global `fetch`. */
  fetch?: typeof fetch;
  /**
   * Limits how often one consumer may mint a Vault session: `memoryLimiter()` (20 a minute, counted in this process) by default;
   * `redisLimiter({url})` or `postgresLimiter({connectionString})` to share the counts between instances; `false`
   * for no limit. Over the limit the reply is 429 `rate_limited` with `Retry-After`. See docs/stores.md.
   */
  limiter?: RateLimiter | false;
}

const ALLOW_ACTIONS = ['delete', 'disconnect', 'reauthorize', 'disable'] as const;

const SettingsSchema = z.strictObject({
  unified_apis: z.array(z.string().min(1)).optional(),
  hide_resource_settings: z.boolean().optional(),
  sandbox_mode: z.boolean().optional(),
  isolation_mode: z.boolean().optional(),
  session_length: z.string().min(1).optional(),
  show_logs: z.boolean().optional(),
  show_suggestions: z.boolean().optional(),
  show_sidebar: z.boolean().optional(),
  auto_redirect: z.boolean().optional(),
  hide_guides: z.boolean().optional(),
  allow_actions: z.array(z.enum(ALLOW_ACTIONS)).optional(),
});

const ThemeSchema = z.strictObject({
  favicon: z.string().optional(),
  logo: z.string().optional(),
  primary_color: z.string().optional(),
  sidepanel_background_color: z.string().optional(),
  sidepanel_text_color: z.string().optional(),
  vault_name: z.string().optional(),
  privacy_url: z.string().optional(),
  terms_url: z.string().optional(),
});

const ConsumerMetadataSchema = z.strictObject({
  account_name: z.string().optional(),
  user_name: z.string().optional(),
  email: z.string().optional(),
  image: z.string().optional(),
});

const httpUrl = z.string().refine((value) => {
  const url = parseUrl(value);
  return url !== null && (url.protocol === 'https:' || url.protocol === 'http:');
}, 'must be an absolute http(s) URL');

/** The options, checked when the handler is created. */
export const SessionHandlerOptionsSchema = z.strictObject({
  apiKey: z.string('must be a non-empty string').trim().min(1, 'must be a non-empty string'),
  appId: z.string('must be a non-empty string').trim().min(1, 'must be a non-empty string'),
  consumerId: z.custom<SessionHandlerOptions['consumerId']>(isFunction, 'must be a function (request) => string'),
  redirectUri: httpUrl.optional(),
  settings: SettingsSchema.optional(),
  theme: ThemeSchema.optional(),
  consumerMetadata: ConsumerMetadataSchema.optional(),
  unifyBaseUrl: unifyBaseUrlOption,
  allowedOrigins: allowedOriginsOption,
  timeoutMs: timeoutMsOption,
  fetch: fetchOption,
  limiter: limiterOption,
});
