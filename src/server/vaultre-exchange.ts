/**
 * VaultRE's code exchange, as `createVaultreHandler` makes it: the call (server-side, as VaultRE requires: its CORS policy
 * blocks browsers) and what its reply means. The code and the token never reach an error message.
 */
import * as z from 'zod';
import { HttpError } from './http/replies.ts';
import { safeParse } from './options.ts';
import { callUpstream, isSuccess, redactUpstreamText } from './upstream.ts';

export const DEFAULT_VAULTRE_EXCHANGE_URL = 'https://login.vaultre.com.au/cgi-bin/clientvault/integrations/oauthexchange.cgi';
const UPSTREAM_BODY_LIMIT = 64 * 1024;
const UPSTREAM_MESSAGE_LIMIT = 200;

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
  const message = redactUpstreamText(value, secrets).replace(/\s+/g, ' ').trim();
  if (message === '' || message.length > UPSTREAM_MESSAGE_LIMIT || /[<>]/.test(message)) return undefined;
  return message;
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
  const what = isSuccess(status) ? 'answered without a token' : `answered HTTP ${status}`;
  return new HttpError(502, 'exchange_failed', `VaultRE could not exchange the authorization code (it ${what}).${quoted}`, {
    extra: { upstream_status: status },
  });
}

export interface ExchangeOptions {
  clientId: string;
  exchangeUrl: string;
  fetch: typeof fetch;
  timeoutMs: number;
}

/**
 * Exchanges the code for a token with `POST {exchangeUrl}` (form body `client_id=…&code=…`), or throws the `HttpError`
 * the handler answers with: `code_expired` (400), or `exchange_failed` (502 for a refusal, 504 when VaultRE cannot be
 * reached or does not answer in time).
 */
export async function exchangeCode(code: string, options: ExchangeOptions): Promise<string> {
  const { timeoutMs } = options;
  // The exchange is deliberately not tied to the request's signal: once VaultRE has the code it is burnt, so the token
  // must be stored even when the browser goes away meanwhile (its next `GET` then shows the connection).
  const { status, reply } = await callUpstream({
    url: options.exchangeUrl,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ client_id: options.clientId, code }).toString(),
    fetch: options.fetch,
    timeoutMs,
    replyLimit: UPSTREAM_BODY_LIMIT,
    unreachable: (timedOut) =>
      new HttpError(
        504,
        'exchange_failed',
        timedOut
          ? `VaultRE did not answer within ${timeoutMs / 1000} seconds.`
          : 'Could not reach VaultRE to exchange the authorization code.',
      ),
  });
  if (isSuccess(status)) {
    const success = safeParse(ExchangeReplySchema, reply);
    if (success.success) return success.data.token;
  }
  throw exchangeFailure(status, reply, code);
}
