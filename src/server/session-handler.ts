/**
 * `createSessionHandler`: the host's `session-url` endpoint. It answers the element's `POST {}` with
 * `{"session_token": "…"}` after creating a Vault session through `POST {unifyBaseUrl}/vault/sessions` with the host's
 * API key, for the consumer the host's `consumerId(request)` names.
 *
 * The API key never reaches a response (body or header) and nothing is logged.
 */
import * as z from 'zod';
import { HttpError, checkRequestOrigin, json, normalizeOrigin, readJsonBody, readLimited, requireMethod, toErrorResponse } from './http.ts';
import { isFunction, isLoopbackHost, optionsError, parseUrl, resolveConsumerId, safeParse } from './options.ts';

const CONSUMER_MESSAGES = {
  notSignedIn: 'Sign in to manage your connections.',
  invalid: 'The consumer ID contains characters that cannot be sent to Apideck.',
};

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
   * signed in: the handler answers 401.
   */
  consumerId: (request: Request) => string | Promise<string>;
  /**
   * Where Hosted Vault returns after a connection is authorized (absolute http(s) URL). When given, `settings.auto_redirect`
   * and `settings.isolation_mode` default to `true` (explicit settings win).
   */
  redirectUri?: string;
  /** `Session.settings`. */
  settings?: SessionSettings;
  /** `Session.theme`. */
  theme?: SessionTheme;
  /** `Session.consumer_metadata`: how the consumer is shown in Vault. */
  consumerMetadata?: ConsumerMetadata;
  /** Base URL of the Apideck Unify API. Default `https://unify.apideck.com`. Plain http is allowed only for loopback hosts. */
  unifyBaseUrl?: string;
  /**
   * Browser origins allowed to call the endpoint, e.g. `["https://app.example.com"]`. A request whose `Origin` header is
   * present and not listed is refused with 403. Without the list, only the endpoint's own origin may call it: a request
   * the browser marks `Sec-Fetch-Site` `same-site` or `cross-site`, or whose `Origin` is not the request URL's, is
   * refused. See `checkRequestOrigin` (`src/server/http.ts`) for the whole rule.
   */
  allowedOrigins?: string[];
  /** Upstream timeout in milliseconds. Default 10000. */
  timeoutMs?: number;
  /** The `fetch` used to call Apideck (injectable for tests). Default the global `fetch`. */
  fetch?: typeof fetch;
}

export const DEFAULT_UNIFY_BASE_URL = 'https://unify.apideck.com';
const DEFAULT_TIMEOUT_MS = 10_000;
const REQUEST_BODY_LIMIT = 16 * 1024;
const UPSTREAM_BODY_LIMIT = 256 * 1024;
const UPSTREAM_MESSAGE_LIMIT = 300;

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


const OptionsSchema = z.strictObject({
  apiKey: z.string('must be a non-empty string').trim().min(1, 'must be a non-empty string'),
  appId: z.string('must be a non-empty string').trim().min(1, 'must be a non-empty string'),
  consumerId: z.custom<SessionHandlerOptions['consumerId']>(isFunction, 'must be a function (request) => string'),
  redirectUri: httpUrl.optional(),
  settings: SettingsSchema.optional(),
  theme: ThemeSchema.optional(),
  consumerMetadata: ConsumerMetadataSchema.optional(),
  unifyBaseUrl: z
    .string()
    .refine((value) => {
      const url = parseUrl(value);
      if (url === null || url.search !== '' || url.hash !== '') return false;
      return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
    }, 'must be an https URL without query or fragment (http only for localhost)')
    .optional(),
  allowedOrigins: z
    .array(
      z.string().refine((value) => {
        const url = parseUrl(value);
        return url !== null && url.origin !== 'null' && url.origin === value.replace(/\/$/, '');
      }, 'must list origins such as "https://app.example.com" (scheme, host and port only)'),
    )
    .optional(),
  timeoutMs: z.number().int().positive().max(120_000).optional(),
  fetch: z.custom<typeof fetch>(isFunction, 'must be a function').optional(),
});

/** Apideck's `CreateSessionResponse`; only `data.session_token` is required, unknown fields are tolerated. */
const CreateSessionResponseSchema = z.looseObject({
  status_code: z.number().optional(),
  status: z.string().optional(),
  data: z.looseObject({
    session_uri: z.string().optional(),
    session_token: z.string().min(1),
  }),
});

/** Apideck's error envelope, reduced to the one field the handler passes on. */
const ErrorEnvelopeSchema = z.looseObject({ message: z.string() });

/** The body the element sends: nothing, or a JSON object (its fields are ignored). */
const RequestBodySchema = z.union([z.undefined(), z.record(z.string(), z.unknown())]);

function buildSessionBody(options: SessionHandlerOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (options.redirectUri !== undefined) body.redirect_uri = options.redirectUri;
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options.settings ?? {})) {
    if (value !== undefined) settings[key] = value;
  }
  if (options.redirectUri !== undefined) {
    settings.auto_redirect ??= true;
    settings.isolation_mode ??= true;
  }
  if (Object.keys(settings).length > 0) body.settings = settings;
  if (options.theme !== undefined) body.theme = options.theme;
  if (options.consumerMetadata !== undefined) body.consumer_metadata = options.consumerMetadata;
  return body;
}

/** The upstream envelope's `message`, with the API key redacted, control characters removed and cut to 300 characters. */
function upstreamMessage(parsed: unknown, apiKey: string): string | undefined {
  const envelope = ErrorEnvelopeSchema.safeParse(parsed);
  if (!envelope.success) return undefined;
  // eslint-disable-next-line no-control-regex
  const cleaned = envelope.data.message.split(apiKey).join('[redacted]').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (cleaned === '') return undefined;
  return cleaned.length > UPSTREAM_MESSAGE_LIMIT ? `${cleaned.slice(0, UPSTREAM_MESSAGE_LIMIT - 1)}…` : cleaned;
}

function parseJson(bytes: Uint8Array | null): unknown {
  if (bytes === null) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

function upstreamFailure(status: number, parsed: unknown, apiKey: string): HttpError {
  const extra = { upstream_status: status };
  if (status === 401 || status === 403) {
    return new HttpError(
      502,
      'upstream_unauthorized',
      `Apideck rejected the API key or app ID (HTTP ${status}). Check the apiKey and appId options of the session handler.`,
      { extra },
    );
  }
  if (status === 402) {
    return new HttpError(
      502,
      'upstream_payment_required',
      'Apideck refused the request because of the account plan or billing (HTTP 402).',
      { extra },
    );
  }
  const message = upstreamMessage(parsed, apiKey);
  return new HttpError(
    502,
    'upstream_error',
    `Apideck could not create the Vault session (HTTP ${status})${message ? `: ${message}` : '.'}`,
    { extra },
  );
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

/**
 * Creates the `session-url` handler, `(request: Request) => Promise<Response>`. Throws at creation when an option is
 * invalid (the message names the option and never quotes the API key).
 */
export function createSessionHandler(options: SessionHandlerOptions): (request: Request) => Promise<Response> {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw optionsError('createSessionHandler', parsed.error);
  const config: SessionHandlerOptions = parsed.data;
  const apiKey = config.apiKey;
  const fetchImpl = config.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const base = (config.unifyBaseUrl ?? DEFAULT_UNIFY_BASE_URL).replace(/\/+$/, '');
  const sessionsUrl = `${base}/vault/sessions`;
  const allowedOrigins = config.allowedOrigins?.map(normalizeOrigin);
  const sessionBody = JSON.stringify(buildSessionBody(config));

  async function callApideck(consumerId: string, request: Request): Promise<Response> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([timeout, request.signal]);
    let status: number;
    let bytes: Uint8Array | null;
    try {
      const upstream = await fetchImpl(sessionsUrl, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${apiKey}`,
          'x-apideck-app-id': config.appId,
          'x-apideck-consumer-id': consumerId,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: sessionBody,
        redirect: 'manual',
        signal,
      });
      status = upstream.status;
      bytes = await readLimited(upstream.body, UPSTREAM_BODY_LIMIT);
    } catch (error) {
      if (isTimeout(error) || timeout.aborted) {
        throw new HttpError(504, 'upstream_unreachable', `Apideck did not answer within ${timeoutMs / 1000} seconds.`);
      }
      throw new HttpError(502, 'upstream_unreachable', 'Could not reach Apideck to create the Vault session.');
    }
    const reply = parseJson(bytes);
    if (status < 200 || status > 299) throw upstreamFailure(status, reply, apiKey);
    const session = safeParse(CreateSessionResponseSchema, reply);
    if (!session.success) {
      throw new HttpError(502, 'upstream_invalid_response', 'Apideck answered with a reply that is not a Vault session.');
    }
    return json(200, { session_token: session.data.data.session_token });
  }

  return async (request: Request): Promise<Response> => {
    try {
      requireMethod(request, ['POST']);
      checkRequestOrigin(request, allowedOrigins);
      const body = await readJsonBody(request, { limit: REQUEST_BODY_LIMIT, allowEmpty: true });
      if (!RequestBodySchema.safeParse(body).success) {
        throw new HttpError(400, 'invalid_body', 'The request body must be a JSON object, such as {}.');
      }
      const consumerId = await resolveConsumerId(config.consumerId, request, CONSUMER_MESSAGES);
      return await callApideck(consumerId, request);
    } catch (error) {
      return toErrorResponse(error);
    }
  };
}
