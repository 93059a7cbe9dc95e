/**
 * The Vault API calls of an import, with their retries: read a connection (the connector's auth type, and `--verify`),
 * and `POST /vault/connections/{unified_api}/{service_id}/import`, each with the API key and the row's consumer in
 * Apideck's headers. A 401, 402 or 403 means the key or the account is wrong for every row: it stops the run.
 */
import * as z from 'zod';
import { apideckHeaders } from '../apideck.ts';
import { callUpstream, isSuccess } from '../upstream.ts';
import { type RetryPolicy, isRetryableStatus, parseRetryAfter, retryDelay, sleep } from './retry.ts';
import { ImportError, type RowErrorCode } from './types.ts';

const REPLY_LIMIT = 1024 * 1024;

export interface VaultCallsOptions {
  /** The Unify API base, without a trailing slash. */
  base: string;
  apiKey: string;
  appId: string;
  fetch: typeof fetch;
  timeoutMs: number;
  retry: RetryPolicy;
  /** Abandons calls and waits on their way. */
  signal: AbortSignal;
}

export type CallResult =
  | { ok: true; status: number; reply: unknown; attempts: number }
  | { ok: false; code: RowErrorCode; status?: number; reply?: unknown; attempts: number };

/** `GetConnectionResponse` / `CreateConnectionResponse`, reduced to what an import reads. */
export const ConnectionReplySchema = z.looseObject({
  data: z.looseObject({
    id: z.string().optional(),
    auth_type: z.string().optional(),
    integration_state: z.string().optional(),
    state: z.string().optional(),
    health: z.string().optional(),
    form_fields: z.array(z.looseObject({ id: z.string(), required: z.boolean().nullable().optional() })).optional(),
  }),
});

const FATAL: Record<number, string> = {
  401: 'Apideck refused the API key or the application ID (HTTP 401): check APIDECK_API_KEY and APIDECK_APP_ID.',
  402: 'Apideck answered HTTP 402 (payment required): the account cannot make this call.',
  403: 'Apideck answered HTTP 403 (forbidden): the API key may not import connections.',
};

export function createVaultCalls(options: VaultCallsOptions) {
  async function call(method: 'GET' | 'POST', path: string, consumerId: string, body?: string): Promise<CallResult> {
    const headers: Record<string, string> = {
      ...apideckHeaders(options.apiKey, options.appId, consumerId),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    };
    let attempts = 0;
    for (;;) {
      if (options.signal.aborted) return { ok: false, code: 'aborted', attempts };
      attempts++;
      let status: number | undefined;
      let reply: unknown;
      let retryAfterMs: number | undefined;
      try {
        const answer = await callUpstream({
          url: `${options.base}${path}`,
          method,
          headers,
          ...(body !== undefined ? { body } : {}),
          fetch: options.fetch,
          timeoutMs: options.timeoutMs,
          replyLimit: REPLY_LIMIT,
          signal: options.signal,
          unreachable: () => new Error('unreachable'),
        });
        status = answer.status;
        reply = answer.reply;
        retryAfterMs = status === 429 ? parseRetryAfter(answer.headers.get('retry-after')) : undefined;
      } catch {
        if (options.signal.aborted) return { ok: false, code: 'aborted', attempts };
      }
      if (status !== undefined && FATAL[status]) throw new ImportError(status === 401 ? 'unauthorized' : 'forbidden', FATAL[status]);
      if (status !== undefined && isSuccess(status)) return { ok: true, status, reply, attempts };
      if (status !== undefined && !isRetryableStatus(status)) return { ok: false, code: 'import_rejected', status, reply, attempts };
      const code: RowErrorCode = status === 429 ? 'rate_limited' : status === undefined ? 'network_error' : 'upstream_error';
      const tooLong = retryAfterMs !== undefined && retryAfterMs > options.retry.maxRetryAfterMs;
      if (attempts >= options.retry.maxAttempts || tooLong) {
        return { ok: false, code, ...(status !== undefined ? { status, reply } : {}), attempts };
      }
      if (!(await sleep(retryDelay(options.retry, attempts, retryAfterMs), options.signal))) return { ok: false, code: 'aborted', attempts };
    }
  }

  const connectionPath = (unifiedApi: string, serviceId: string) =>
    `/vault/connections/${encodeURIComponent(unifiedApi)}/${encodeURIComponent(serviceId)}`;

  return {
    readConnection: (consumerId: string, unifiedApi: string, serviceId: string) =>
      call('GET', connectionPath(unifiedApi, serviceId), consumerId),
    importConnection: (consumerId: string, unifiedApi: string, serviceId: string, body: string) =>
      call('POST', `${connectionPath(unifiedApi, serviceId)}/import`, consumerId, body),
  };
}

export type VaultCalls = ReturnType<typeof createVaultCalls>;
