/**
 * The checks every handler runs on a request: the method, the `Origin` / `Sec-Fetch-Site` check (CSRF) both handlers
 * share, and who is signed in. Nothing here logs, and no message quotes the request.
 */
import { CONSUMER_ID_PATTERN } from '../consumer-id.ts';
import { HttpError } from './replies.ts';

/** Throws a 405 `invalid_request` (with `Allow`) unless the request's method is one of `allowed`. */
export function requireMethod(request: Request, allowed: readonly string[]): void {
  if (allowed.includes(request.method.toUpperCase())) return;
  throw new HttpError(405, 'invalid_request', `Only ${allowed.join(', ')} is accepted here.`, {
    headers: { allow: allowed.join(', ') },
  });
}

/**
 * The CSRF defence both handlers run before they read a body: whether a browser request may come from where it says it
 * comes from. Throws a 403 `origin_not_allowed` otherwise. `allowedOrigins` is the handler's list, already normalised
 * with `normalizeOrigin`.
 *
 * - **No `Origin` header.** Browsers send `Origin` on every cross-origin `fetch` and on every `POST`/`DELETE`, so a
 *   browser request without it is a same-origin `GET` or a navigation. It passes only when `Sec-Fetch-Site` is absent (a
 *   server-to-server call or an old browser), `same-origin`, or `none` (typed into the address bar); a `same-site` or
 *   `cross-site` one (an `<img>`, a link from another site, an old-style form) is refused. This holds with and without
 *   the list.
 * - **With `allowedOrigins`:** the `Origin` must be listed, exactly (a listed origin may call cross-origin, and an
 *   unlisted one is refused even if it is the server's own).
 * - **Without the list**, only the server's own origin may call:
 *   - when the browser sends `Sec-Fetch-Site`, it decides: `same-origin` (or `none`) passes, `same-site` (a sibling
 *     subdomain), `cross-site` and anything else are refused. The browser sets this header itself and no page can
 *     forge it, and it stays right behind a proxy that changes the URL the server sees;
 *   - without it (a browser without Fetch Metadata, or a non-browser client that sends an `Origin`), the `Origin` must be
 *     the request's own origin, from `request.url` (which runtimes and `toFetchRequest` build from the `Host` header):
 *     the same host and port, and the same scheme, except that an `https:` `Origin` also matches an `http:` request URL
 *     (a proxy that terminates TLS hands the server plain http). `Origin: null` and anything that is not a serialised
 *     origin are refused.
 *
 * On top of this, `POST` only accepts `Content-Type: application/json` (`readJsonBody`), which a cross-site form cannot
 * send and which makes a cross-origin `fetch` preflighted; only an origin in `allowedOrigins` gets CORS headers
 * (`withCors`, `cors.ts`).
 */
export function checkRequestOrigin(request: Request, allowedOrigins: readonly string[] | undefined): void {
  const origin = request.headers.get('origin');
  const site = request.headers.get('sec-fetch-site')?.trim().toLowerCase() ?? null;
  const fromBrowserItself = site === 'same-origin' || site === 'none';
  if (origin === null) {
    if (site === null || fromBrowserItself) return;
    throw new HttpError(403, 'origin_not_allowed', 'Cross-site requests without an Origin header are not allowed.');
  }
  if (allowedOrigins) {
    if (allowedOrigins.includes(origin)) return;
  } else if (site !== null ? fromBrowserItself : isOwnOrigin(origin, request.url)) {
    return;
  }
  throw new HttpError(403, 'origin_not_allowed', 'Requests from this origin are not allowed.');
}

/** Whether `origin` (an `Origin` header) is the origin of `requestUrl`, allowing https in front of http (see above). */
function isOwnOrigin(origin: string, requestUrl: string): boolean {
  let from: URL;
  let own: URL;
  try {
    from = new URL(origin);
    own = new URL(requestUrl);
  } catch {
    return false;
  }
  // Only a serialised origin (what browsers send): no path, default port omitted, lower case; never "null".
  if (from.origin === 'null' || from.origin !== origin || from.host !== own.host) return false;
  return from.protocol === own.protocol || (from.protocol === 'https:' && own.protocol === 'http:');
}

/** `scheme://host[:port]` of an absolute URL; the input unchanged when it does not parse. */
export function normalizeOrigin(value: string): string {
  try {
    return new URL(value).origin;
  } catch {
    return value;
  }
}

/**
 * A consumer ID as it may travel in a header and name one consumer only: visible ASCII, spaces inside but none at either
 * end (a header value is trimmed on its way, so `"victim "` would reach Apideck as `"victim"`), no control characters.
 */
const CONSUMER_ID = CONSUMER_ID_PATTERN;

/**
 * Who is signed in, from the host's `consumerId(request)`: nobody (empty, not a string, or it threw) is a 401, and an
 * ID that is not exactly one header value (see `CONSUMER_ID`) is a 400; both `invalid_consumer`. It is refused, never
 * trimmed into someone else's ID. Neither message quotes the ID or the error.
 */
export async function resolveConsumerId(
  read: (request: Request) => string | Promise<string>,
  request: Request,
  messages: { notSignedIn: string; invalid: string },
): Promise<string> {
  let consumerId: unknown;
  try {
    consumerId = await read(request);
  } catch {
    consumerId = undefined;
  }
  if (typeof consumerId !== 'string' || consumerId === '') throw new HttpError(401, 'invalid_consumer', messages.notSignedIn);
  if (!CONSUMER_ID.test(consumerId)) throw new HttpError(400, 'invalid_consumer', messages.invalid);
  return consumerId;
}

/** Whether a consumer ID passes `resolveConsumerId` (the stores check it again before an upstream call). */
export function isValidConsumerId(value: unknown): value is string {
  return typeof value === 'string' && CONSUMER_ID.test(value);
}
