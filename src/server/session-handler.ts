/**
 * `createSessionHandler`: the host's `session-url` endpoint. It answers the element's `POST {}` with
 * `{"session_token": "…"}` after creating a Vault session through `POST {unifyBaseUrl}/vault/sessions` with the host's
 * API key, for the consumer the host's `consumerId(request)` names.
 *
 * The API key never reaches a response (body or header) and nothing is logged.
 */
import * as z from 'zod';
import { apideckErrorMessage, apideckHeaders, unifyBase } from './apideck.ts';
import { withCors } from './http/cors.ts';
import { readJsonBody } from './http/json-body.ts';
import { type FetchHandler, HttpError, json, toErrorResponse } from './http/replies.ts';
import { checkRequestOrigin, normalizeOrigin, requireMethod, resolveConsumerId } from './http/request-checks.ts';
import { handlerLimiter, limitRequest } from './limits/limit-request.ts';
import { optionsError, safeParse } from './options.ts';
import { type SessionHandlerOptions, SessionHandlerOptionsSchema } from './session-options.ts';
import { DEFAULT_UPSTREAM_TIMEOUT_MS, callUpstream, isSuccess, redactUpstreamText } from './upstream.ts';

const CONSUMER_MESSAGES = {
  notSignedIn: 'Sign in to manage your connections.',
  invalid: 'The consumer ID has whitespace at an end, or characters that cannot be sent to Apideck; it is refused rather than changed.',
};

/**
 * How long a session lasts unless the host says otherwise (`Session.settings.session_length`, a duration such as `30m`;
 * Apideck's own default is `1h`). Shorter, because Hosted Vault's URL carries the session JWT (`?jwt=`) into the
 * popup's history, where it stays usable until it expires.
 */
export const DEFAULT_SESSION_LENGTH = '30m';

const REQUEST_BODY_LIMIT = 16 * 1024;
const UPSTREAM_BODY_LIMIT = 256 * 1024;
const UPSTREAM_MESSAGE_LIMIT = 300;

/** Apideck's `CreateSessionResponse`; only `data.session_token` is required, unknown fields are tolerated. */
const CreateSessionResponseSchema = z.looseObject({
  status_code: z.number().optional(),
  status: z.string().optional(),
  data: z.looseObject({
    session_uri: z.string().optional(),
    session_token: z.string().min(1),
  }),
});

/** The body the element sends: nothing, or a JSON object (its fields are ignored). */
const RequestBodySchema = z.union([z.undefined(), z.record(z.string(), z.unknown())]);

function buildSessionBody(options: SessionHandlerOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (options.redirectUri !== undefined) body.redirect_uri = options.redirectUri;
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options.settings ?? {})) {
    if (value !== undefined) settings[key] = value;
  }
  settings.session_length ??= DEFAULT_SESSION_LENGTH;
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
  const text = apideckErrorMessage(parsed);
  if (text === undefined) return undefined;
  const cleaned = redactUpstreamText(text, [apiKey]);
  if (cleaned === '') return undefined;
  return cleaned.length > UPSTREAM_MESSAGE_LIMIT ? `${cleaned.slice(0, UPSTREAM_MESSAGE_LIMIT - 1)}…` : cleaned;
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

/**
 * Creates the `session-url` handler, `(request: Request) => Promise<Response>`. Throws at creation when an option is
 * invalid (the message names the option and never quotes the API key).
 */
export function createSessionHandler(options: SessionHandlerOptions): FetchHandler {
  const parsed = SessionHandlerOptionsSchema.safeParse(options);
  if (!parsed.success) throw optionsError('createSessionHandler', parsed.error);
  const config: SessionHandlerOptions = parsed.data;
  const apiKey = config.apiKey;
  const fetchImpl = config.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = config.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  const sessionsUrl = `${unifyBase(config.unifyBaseUrl)}/vault/sessions`;
  const allowedOrigins = config.allowedOrigins?.map(normalizeOrigin);
  const sessionBody = JSON.stringify(buildSessionBody(config));
  const limiter = handlerLimiter(config.limiter);

  async function callApideck(consumerId: string, request: Request): Promise<Response> {
    const { status, reply } = await callUpstream({
      url: sessionsUrl,
      method: 'POST',
      headers: { ...apideckHeaders(apiKey, config.appId, consumerId), 'content-type': 'application/json' },
      body: sessionBody,
      fetch: fetchImpl,
      timeoutMs,
      replyLimit: UPSTREAM_BODY_LIMIT,
      signal: request.signal,
      unreachable: (timedOut) =>
        timedOut
          ? new HttpError(504, 'upstream_unreachable', `Apideck did not answer within ${timeoutMs / 1000} seconds.`)
          : new HttpError(502, 'upstream_unreachable', 'Could not reach Apideck to create the Vault session.'),
    });
    if (!isSuccess(status)) throw upstreamFailure(status, reply, apiKey);
    const session = safeParse(CreateSessionResponseSchema, reply);
    if (!session.success) {
      throw new HttpError(502, 'upstream_invalid_response', 'Apideck answered with a reply that is not a Vault session.');
    }
    return json(200, { session_token: session.data.data.session_token });
  }

  const handler: FetchHandler = async (request) => {
    try {
      requireMethod(request, ['POST']);
      checkRequestOrigin(request, allowedOrigins);
      const body = await readJsonBody(request, { limit: REQUEST_BODY_LIMIT, allowEmpty: true });
      if (!RequestBodySchema.safeParse(body).success) {
        throw new HttpError(400, 'invalid_request', 'The request body must be a JSON object, such as {}.');
      }
      const consumerId = await resolveConsumerId(config.consumerId, request, CONSUMER_MESSAGES);
      await limitRequest(limiter, 'session', consumerId);
      return await callApideck(consumerId, request);
    } catch (error) {
      return toErrorResponse(error);
    }
  };
  return withCors(handler, { allowedOrigins, methods: ['POST'] });
}
