/**
 * How a handler answers: JSON replies that are never cached, and the typed `HttpError` a handler throws and turns into
 * its JSON error reply. Nothing here logs, and no message built here includes request data beyond what the caller passes.
 */

/** A Fetch-API handler, usable in any runtime: every handler of `vault-connect/server` has this shape. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** A JSON response with `content-type: application/json; charset=utf-8` and `cache-control: no-store`. */
export function json(status: number, body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('content-type', 'application/json; charset=utf-8');
  headers.set('cache-control', 'no-store');
  headers.set('x-content-type-options', 'nosniff');
  return new Response(JSON.stringify(body), { ...init, status, headers });
}

/** The JSON error reply every handler uses: `{"error": <machine code>, "message": <human sentence>}`. */
export function errorResponse(status: number, error: string, message: string, init: ResponseInit = {}): Response {
  return json(status, { error, message }, init);
}

/**
 * An error a handler throws to answer with a given status and JSON error body. `extra` fields are merged into the body
 * after `error` and `message`; `headers` are added to the response (for example `Allow` on a 405).
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = options.headers ?? {};
    this.extra = options.extra ?? {};
  }

  toResponse(): Response {
    return json(this.status, { error: this.code, message: this.message, ...this.extra }, { headers: this.headers });
  }
}

/**
 * Turns anything a handler threw into a response: an `HttpError` becomes its own reply, anything else a 500 with no
 * detail (the detail may hold a secret).
 */
export function toErrorResponse(error: unknown): Response {
  if (error instanceof HttpError) return error.toResponse();
  return errorResponse(500, 'internal_error', 'The server could not handle the request.');
}
