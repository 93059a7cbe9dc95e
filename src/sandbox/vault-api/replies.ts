/** Reading a JSON request body and writing Apideck's JSON replies. */
import { readLimited } from '../../server/http/read-limited.ts';
import { VaultApiError, badRequest } from './errors.ts';

const MAX_BODY_BYTES = 1_000_000;

export const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** Apideck's success envelope, `{status_code: 200, status: 'OK', data}`. */
export function ok(data: unknown): Response {
  return json(200, { status_code: 200, status: 'OK', data });
}

/** The body as JSON, `undefined` when it is empty; a 413 past 1 MB, a 400 when it is not JSON. */
export async function readJson(request: Request): Promise<unknown> {
  const length = Number(request.headers.get('content-length') ?? '0');
  if (length > MAX_BODY_BYTES) throw new VaultApiError(413, 'RequestTooLargeError', 'Request body too large');
  const bytes = await readLimited(request.body, MAX_BODY_BYTES);
  if (!bytes) throw new VaultApiError(413, 'RequestTooLargeError', 'Request body too large');
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('Invalid JSON', 'The request body is not valid JSON');
  }
}
