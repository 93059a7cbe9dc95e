/** Reading a handler's JSON request body: `application/json` only, a byte limit enforced while streaming, UTF-8. */
import { HttpError } from './replies.ts';
import { readLimited } from './read-limited.ts';

/** Default limit of `readJsonBody`, in bytes. */
export const DEFAULT_BODY_LIMIT = 16 * 1024;

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
 * Reads and parses a JSON request body. Throws an `HttpError` `invalid_request`, with the status saying which rule:
 * - 415 unless `content-type` is `application/json`;
 * - 413 when the body (or its declared `content-length`) is over the limit — the rest is not read;
 * - 400 when the body cannot be read or is not UTF-8 JSON (or is empty, unless `allowEmpty`).
 */
export async function readJsonBody(request: Request, options: ReadJsonBodyOptions = {}): Promise<unknown> {
  const limit = options.limit ?? DEFAULT_BODY_LIMIT;
  if (!isJsonContentType(request.headers.get('content-type'))) {
    throw new HttpError(415, 'invalid_request', 'The request body must be JSON (content-type: application/json).');
  }
  const tooLarge = () => new HttpError(413, 'invalid_request', `The request body must not exceed ${limit} bytes.`);
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    void request.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  let bytes: Uint8Array | null;
  try {
    bytes = await readLimited(request.body, limit);
  } catch {
    throw new HttpError(400, 'invalid_request', 'The request body could not be read.');
  }
  if (bytes === null) throw tooLarge();
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'invalid_request', 'The request body is not valid UTF-8.');
  }
  if (text.trim() === '') {
    if (options.allowEmpty) return undefined;
    throw new HttpError(400, 'invalid_request', 'The request body is empty; a JSON value is required.');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'invalid_request', 'The request body is not valid JSON.');
  }
}
