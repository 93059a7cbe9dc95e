/**
 * CORS for the Vault API emulator, as Apideck answers a browser: an allowed origin is echoed back (with `Vary: Origin`)
 * on every reply, errors included, and a preflight lists the methods and Apideck's headers. Any other origin gets no
 * CORS header at all, so the browser refuses the reply.
 */
import type { FetchHandler } from '../../server/node-adapter.ts';
import { JSON_HEADERS } from './replies.ts';

function corsHeaders(request: Request, allowOrigin: (origin: string) => boolean): Record<string, string> {
  const origin = request.headers.get('origin');
  if (!origin || !allowOrigin(origin)) return {};
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

function preflight(cors: Record<string, string>): Response {
  if (Object.keys(cors).length === 0) return new Response(null, { status: 204, headers: JSON_HEADERS });
  return new Response(null, {
    status: 204,
    headers: {
      ...JSON_HEADERS,
      ...cors,
      'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
      'access-control-allow-headers':
        'authorization, content-type, x-apideck-app-id, x-apideck-consumer-id, x-apideck-auth-type, x-apideck-service-id',
      'access-control-max-age': '600',
    },
  });
}

/** Answers preflights (any path) and adds the CORS headers to every reply of `handler`. */
export function withCors(handler: FetchHandler, allowOrigin: (origin: string) => boolean): FetchHandler {
  return async (request) => {
    const cors = corsHeaders(request, allowOrigin);
    const response = request.method.toUpperCase() === 'OPTIONS' ? preflight(cors) : await handler(request);
    for (const [name, value] of Object.entries(cors)) response.headers.set(name, value);
    return response;
  };
}
