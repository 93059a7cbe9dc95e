/**
 * Runs a Fetch-API handler, `(request: Request) => Promise<Response>`, as a Node `http` request listener (also usable as
 * Connect/Express/Vite middleware). The request body is passed through as a stream; the handler enforces its own limits.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { FetchHandler } from './http/replies.ts';

export type { FetchHandler } from './http/replies.ts';

export interface NodeAdapterOptions {
  /** Origin used to build the absolute request URL when the request has no Host header. Default `http://localhost`. */
  baseUrl?: string;
}

/** Builds a Fetch `Request` from a Node request. */
export function toFetchRequest(req: IncomingMessage, options: NodeAdapterOptions = {}): Request {
  const host = req.headers.host;
  const base = host ? `http://${host}` : (options.baseUrl ?? 'http://localhost');
  const url = new URL(req.url ?? '/', base);
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
  return new Request(url, {
    method,
    headers,
    signal: controller.signal,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
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

/**
 * Adapts a Fetch handler to Node. Errors the handler throws become a JSON 500 with no detail (the detail may hold a
 * secret); they are not logged here for the same reason.
 */
export function toNodeHandler(handler: FetchHandler, options: NodeAdapterOptions = {}) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      try {
        const response = await handler(toFetchRequest(req, options));
        await writeFetchResponse(response, res);
      } catch {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'internal_error', message: 'The server could not handle the request.' }));
        } else {
          res.destroy();
        }
      }
    })();
  };
}
