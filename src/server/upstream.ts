/**
 * Calling an upstream service (Apideck, VaultRE) from a handler or a store: one request with a timeout, the reply body
 * read up to a byte limit and parsed when it is JSON, and the caller's own error when the service cannot be reached.
 * The underlying error is never attached: it may quote the request, and the request carries secrets.
 */
import { readLimited } from './http/read-limited.ts';

/** How long an upstream call may take by default, in milliseconds. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 10_000;

export interface UpstreamCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** The `fetch` to call with (the host's option, injectable for tests). */
  fetch: typeof fetch;
  timeoutMs: number;
  /** The most bytes of the reply body read; a longer body reads as no reply. */
  replyLimit: number;
  /** Ends the call early as well (the browser went away). The timeout applies either way. */
  signal?: AbortSignal;
  /** The error to throw when the service cannot be reached; `timedOut` when the timeout ended the call. */
  unreachable: (timedOut: boolean) => Error;
}

export interface UpstreamReply {
  status: number;
  /** The reply's headers (`Retry-After`, say). */
  headers: Headers;
  /** The reply body parsed as JSON; `undefined` when it is empty, over the limit or not JSON. */
  reply: unknown;
}

/** Makes the call; throws `call.unreachable(…)` when there is no reply (network failure, timeout, abort). */
export async function callUpstream(call: UpstreamCall): Promise<UpstreamReply> {
  // A timer cleared when the call ends, and a listener removed then: `AbortSignal.timeout()` and `AbortSignal.any()`
  // keep each call's signal alive for the whole timeout, which a caller making thousands of calls (the import) feels.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('The upstream call timed out.', 'TimeoutError'));
  }, call.timeoutMs);
  const onAbort = () => controller.abort(call.signal?.reason);
  if (call.signal?.aborted) onAbort();
  else call.signal?.addEventListener('abort', onAbort, { once: true });
  const signal = controller.signal;
  let status: number;
  let headers: Headers;
  let bytes: Uint8Array | null;
  try {
    const response = await call.fetch(call.url, {
      method: call.method,
      headers: call.headers,
      ...(call.body !== undefined ? { body: call.body } : {}),
      redirect: 'manual',
      signal,
    });
    status = response.status;
    headers = response.headers;
    bytes = await readLimited(response.body, call.replyLimit);
  } catch (error) {
    throw call.unreachable(isTimeout(error) || timedOut);
  } finally {
    clearTimeout(timer);
    call.signal?.removeEventListener('abort', onAbort);
  }
  return { status, headers, reply: parseJson(bytes) };
}

/** Whether an upstream status is a success (2xx). */
export function isSuccess(status: number): boolean {
  return status >= 200 && status <= 299;
}

/** A reply body as JSON; `undefined` for no body, an empty one or one that is not JSON. */
export function parseJson(bytes: Uint8Array | null): unknown {
  if (bytes === null || bytes.byteLength === 0) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

/** Whether `fetch` failed because an `AbortSignal.timeout` fired. */
export function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

/**
 * Upstream text made fit to quote in an error message: each secret replaced by `[redacted]`, runs of control characters
 * by a space, trimmed. Callers apply their own length rule.
 */
export function redactUpstreamText(text: string, secrets: readonly string[]): string {
  let cleaned = text;
  for (const secret of secrets) if (secret !== '') cleaned = cleaned.split(secret).join('[redacted]');
  // eslint-disable-next-line no-control-regex
  return cleaned.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}
