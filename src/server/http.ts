/**
 * Small helpers shared by the server handlers: JSON responses that are never cached, a typed `HttpError` that a handler
 * throws and turns into its JSON error reply, a JSON body reader with a byte limit enforced while streaming, and an
 * `Origin` allow-list check.
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
 * When `allowedOrigins` is given, throws a 403 `origin_not_allowed` if the request carries an `Origin` header that is
 * not in the list (compared exactly, after normalising the list entries to `scheme://host[:port]`). A request without an
 * `Origin` header passes: browsers send it on every cross-origin request and on same-origin `POST`s.
 */
export function checkOrigin(request: Request, allowedOrigins?: readonly string[]): void {
  if (!allowedOrigins) return;
  const origin = request.headers.get('origin');
  if (origin === null) return;
  if (allowedOrigins.some((allowed) => normalizeOrigin(allowed) === origin)) return;
  throw new HttpError(403, 'origin_not_allowed', 'Requests from this origin are not allowed.');
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
