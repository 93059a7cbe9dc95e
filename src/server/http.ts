/**
 * Small helpers shared by the server handlers: JSON responses that are never cached, a typed `HttpError` that a handler
 * throws and turns into its JSON error reply, a JSON body reader with a byte limit enforced while streaming, and the
 * `Origin` / `Sec-Fetch-Site` check (CSRF) both handlers share.
 *
 * Nothing here logs, and no message built here includes request data beyond what the caller passes in.
 */

/** Default limit of `readJsonBody`, in bytes. */
export const DEFAULT_BODY_LIMIT = 16 * 1024;

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

/** Throws a 405 `method_not_allowed` unless the request's method is one of `allowed`. */
export function requireMethod(request: Request, allowed: readonly string[]): void {
  if (allowed.includes(request.method.toUpperCase())) return;
  throw new HttpError(405, 'method_not_allowed', `Only ${allowed.join(', ')} is accepted here.`, {
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
 * send and which makes a cross-origin `fetch` preflighted; the handlers never answer a preflight or send CORS headers.
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
 * Reads a stream up to `limit` bytes. Returns the bytes, or `null` as soon as the stream goes past the limit (the rest is
 * not read; the stream is cancelled).
 */
export async function readLimited(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array | null> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        void reader.cancel().catch(() => undefined);
        return null;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Whether a `content-type` header value names `application/json` (parameters such as `charset` are allowed). */
export function isJsonContentType(value: string | null): boolean {
  if (value === null) return false;
  const mediaType = value.split(';', 1)[0]?.trim().toLowerCase();
  return mediaType === 'application/json';
}

export interface ReadJsonBodyOptions {
  /** Maximum body size in bytes. Default 16 KiB. */
  limit?: number;
  /** Accept an empty body (still with `content-type: application/json`) and return `undefined` for it. Default false. */
  allowEmpty?: boolean;
}

/**
 * Reads and parses a JSON request body. Throws an `HttpError`:
 * - 415 `unsupported_media_type` unless `content-type` is `application/json`;
 * - 413 `payload_too_large` when the body (or its declared `content-length`) is over the limit — the rest is not read;
 * - 400 `invalid_json` when the body is not UTF-8 JSON (or is empty, unless `allowEmpty`).
 */
export async function readJsonBody(request: Request, options: ReadJsonBodyOptions = {}): Promise<unknown> {
  const limit = options.limit ?? DEFAULT_BODY_LIMIT;
  if (!isJsonContentType(request.headers.get('content-type'))) {
    throw new HttpError(415, 'unsupported_media_type', 'The request body must be JSON (content-type: application/json).');
  }
  const tooLarge = () => new HttpError(413, 'payload_too_large', `The request body must not exceed ${limit} bytes.`);
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    void request.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  let bytes: Uint8Array | null;
  try {
    bytes = await readLimited(request.body, limit);
  } catch {
    throw new HttpError(400, 'invalid_body', 'The request body could not be read.');
  }
  if (bytes === null) throw tooLarge();
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid UTF-8.');
  }
  if (text.trim() === '') {
    if (options.allowEmpty) return undefined;
    throw new HttpError(400, 'invalid_json', 'The request body is empty; a JSON value is required.');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
}
