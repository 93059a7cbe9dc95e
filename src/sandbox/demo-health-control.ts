/**
 * The demo's health control (`POST /api/sandbox/health`, sandbox only): puts one of the demo consumer's connections in
 * a health state, so that `npm start` can show every status the element draws. Body:
 * `{"unified_api", "service_id", "health", "retention"?}`; `retention: false` makes `pending_refresh` one without a
 * retention window (`credentials_expire_at: 0`), otherwise the credentials go in 5 days. Only the demo page's own origin
 * may call it (browsers send `Origin` on every POST). Answers the connection as the Vault API now serves it.
 */
import * as z from 'zod';
import { CONNECTION_HEALTH } from '../internal/api/vocabulary.ts';
import { readLimited } from '../server/http/read-limited.ts';
import type { FetchHandler } from '../server/node-adapter.ts';
import { VaultApiError, type VaultApi } from './vault-api.ts';

const HealthRequestSchema = z.strictObject({
  unified_api: z.string().min(1).max(100),
  service_id: z.string().min(1).max(100),
  health: z.enum(CONNECTION_HEALTH),
  retention: z.boolean().optional(),
});

const reply = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });

export function createDemoHealthControl(vaultApi: VaultApi, consumerId: string, pageOrigin: string): FetchHandler {
  return async (request) => {
    if (request.method !== 'POST') {
      return new Response(JSON.stringify({ error: 'method_not_allowed', message: 'Use POST /api/sandbox/health.' }), {
        status: 405,
        headers: { allow: 'POST', 'content-type': 'application/json' },
      });
    }
    const origin = request.headers.get('origin');
    if (origin !== null && origin !== pageOrigin) return reply(403, { error: 'origin_not_allowed', message: 'Requests from this origin are not allowed.' });
    const bytes = await readLimited(request.body, 4096);
    let parsed: z.ZodSafeParseResult<z.infer<typeof HealthRequestSchema>>;
    try {
      if (!bytes) throw new Error('too large');
      parsed = HealthRequestSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    } catch {
      return reply(400, { error: 'invalid_request', message: 'The body must be JSON, at most 4 kB.' });
    }
    if (!parsed.success) return reply(400, { error: 'invalid_request', message: z.prettifyError(parsed.error) });
    const { unified_api, service_id, health, retention } = parsed.data;
    try {
      const connection = vaultApi.setHealth(consumerId, unified_api, service_id, {
        health,
        ...(health === 'pending_refresh' && retention === false ? { credentials_expire_at: 0 } : {}),
      });
      return reply(200, { connection });
    } catch (error) {
      if (error instanceof VaultApiError) {
        const detail = typeof error.detail === 'string' ? error.detail : error.message;
        return reply(error.status, { error: 'sandbox_refused', message: detail });
      }
      throw error;
    }
  };
}
