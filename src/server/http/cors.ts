/**
 * CORS for the host handlers, for the origins in their `allowedOrigins` only: a page on such an origin may call the
 * endpoint with credentials (its session cookie), so the preflight is answered and every reply names that origin.
 * Any other origin gets no CORS header at all (and `checkRequestOrigin` refuses it with 403), so its page reads
 * nothing. Without the list there is no CORS: the endpoint serves its own origin only.
 */
import { type FetchHandler, HttpError, toErrorResponse } from './replies.ts';
import { checkRequestOrigin } from './request-checks.ts';

/** How long a browser may keep a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE = '600';

export interface CorsOptions {
  /** The handler's `allowedOrigins`, normalised (`normalizeOrigin`); `undefined` for none. */
  allowedOrigins: readonly string[] | undefined;
  /** The methods the handler accepts (listed in the preflight's answer). */
  methods: readonly string[];
}

/** The CORS headers of a reply to `request`: its origin when listed, and `Vary: Origin` whenever there is a list. */
function corsHeaders(request: Request, allowedOrigins: readonly string[] | undefined): Record<string, string> {
  if (!allowedOrigins) return {};
  const origin = request.headers.get('origin');
  if (origin === null || !allowedOrigins.includes(origin)) return { vary: 'Origin' };
  return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' };
}

/**
 * Wraps a handler: an `OPTIONS` preflight from a listed origin is answered 204 with the methods and the headers the
 * element sends (`content-type`, `accept`); one from anywhere else is refused by `checkRequestOrigin` (403), and an
 * `OPTIONS` that is not a preflight goes on to the handler (which answers 405). Every reply gets `corsHeaders`.
 */
export function withCors(handler: FetchHandler, options: CorsOptions): FetchHandler {
  const { allowedOrigins, methods } = options;
  return async (request) => {
    const cors = corsHeaders(request, allowedOrigins);
    let response: Response;
    if (request.method.toUpperCase() === 'OPTIONS' && request.headers.get('origin') !== null) {
      try {
        checkRequestOrigin(request, allowedOrigins);
        if (!cors['access-control-allow-origin']) {
          throw new HttpError(403, 'origin_not_allowed', 'Requests from this origin are not allowed.');
        }
        response = new Response(null, {
          status: 204,
          headers: {
            'access-control-allow-methods': [...methods, 'OPTIONS'].join(', '),
            'access-control-allow-headers': 'content-type, accept',
            'access-control-expose-headers': 'retry-after',
            'access-control-max-age': PREFLIGHT_MAX_AGE,
            'cache-control': 'no-store',
          },
        });
      } catch (error) {
        response = toErrorResponse(error);
      }
    } else {
      response = await handler(request);
    }
    if (Object.keys(cors).length === 0) return response;
    const headers = new Headers(response.headers);
    for (const [name, value] of Object.entries(cors)) {
      if (name === 'vary') headers.append('vary', value);
      else headers.set(name, value);
    }
    if (cors['access-control-allow-origin']) headers.set('access-control-expose-headers', 'retry-after');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}
