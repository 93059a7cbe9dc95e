/**
 * Runs a Fetch-API handler, `(request: Request) => Promise<Response>`, as a Node `http` request listener (also usable as
 * Connect/Express/Vite middleware). The request body is passed through as a stream, or, when a body parser in front
 * (`express.json()`, `body-parser`) has already read it, rebuilt from `req.rawBody` / `req.body`; either way the handler
 * enforces its own limits.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { bodyFromParser, bodyWasRead } from './http/parsed-body.ts';
import type { FetchHandler } from './http/replies.ts';

export type { FetchHandler } from './http/replies.ts';

export interface NodeAdapterOptions {
  /** Origin used to build the absolute request URL when the request has no Host header. Default `http://localhost`. */
  baseUrl?: string;
  /**
   * Called with anything the adapter or the handler throws, before the JSON 500 goes out (the reply carries no detail).
   * `request` is the Node request, for its method and URL. Default: `console.error` of the error's name and message
   * only, never a stack, body or header, which could hold a secret.
   */
  onError?: (error: unknown, request: IncomingMessage) => void;
}

/** Builds a Fetch `Request` from a Node request. */
export function toFetchRequest(req: IncomingMessage, options: NodeAdapterOptions = {}): Request {
  const host = req.headers.host;
  const base = host ? `http://${host}` : (options.baseUrl ?? 'http://localhost');
  // Express's `originalUrl` is the path as the client sent it, where `url` lost the path the handler is mounted on.
  const { originalUrl } = req as IncomingMessage & { originalUrl?: unknown };
  const url = new URL(typeof originalUrl === 'string' ? originalUrl : (req.url ?? '/'), base);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const controller = new AbortController();
  req.once('close', () => {
    if (!req.complete) controller.abort();
  });
  // Read already (a body parser ran first): what the parser left, re-serialised. Otherwise the stream itself.
  const parsed = hasBody && bodyWasRead(req) ? bodyFromParser(req, headers) : undefined;
  return new Request(url, {
    method,
    headers,
    signal: controller.signal,
    ...(hasBody ? { body: parsed ?? (Readable.toWeb(req) as ReadableStream<Uint8Array>), duplex: 'half' } : {}),
  });
}

/** Writes a Fetch `Response` to a Node response. */
export async function writeFetchResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie') return;
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  // A handler may answer before reading the whole request body (a 413, say). The unread rest would otherwise be parsed as
  // the next request on a kept-alive connection, or leave it stuck; close the connection after this response instead.
  if (res.req && !res.req.complete) headers.connection = 'close';
  // An empty statusText (the usual case for `new Response(…)`) would send an empty reason phrase; let Node supply it.
  if (response.statusText) res.writeHead(response.status, response.statusText, headers);
  else res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const body = Buffer.from(await response.arrayBuffer());
  res.end(body);
}

/** The default `onError`: the error's name and message, nothing the request carried. */
function logError(error: unknown, request: IncomingMessage): void {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : `a thrown ${typeof error}`;
  console.error(`vault-connect: ${request.method ?? 'GET'} request failed (500): ${what}`);
}

/**
 * Adapts a Fetch handler to Node. Anything thrown on the way (a body that cannot be passed on, an error the handler
 * throws) goes to `options.onError`, then becomes a JSON 500 with no detail (the detail may hold a secret).
 */
export function toNodeHandler(handler: FetchHandler, options: NodeAdapterOptions = {}) {
  const onError = options.onError ?? logError;
  return (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      try {
        const response = await handler(toFetchRequest(req, options));
        await writeFetchResponse(response, res);
      } catch (error) {
        try {
          onError(error, req);
        } catch {
          // A failing hook must not keep the client waiting.
        }
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
          res.end(JSON.stringify({ error: 'internal_error', message: 'The server could not handle the request.' }));
        } else {
          res.destroy();
        }
      }
    })();
  };
}
