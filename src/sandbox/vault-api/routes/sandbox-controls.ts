/**
 * The sandbox's own routes, beside Apideck's: `POST /__sandbox/authorize/{unified_api}/{service_id}` completes an OAuth
 * authorization for the session's consumer (what the emulated Vault JS modal and Hosted Vault call where the real ones
 * send the user to the provider), `POST /__sandbox/refresh-failure/{unified_api}/{service_id}` makes the connection's
 * token refresh fail (as a revoked refresh token does: `health: needs_auth` and a `token_refresh.failed` webhook),
 * `POST /__sandbox/health/{unified_api}/{service_id}` with `{health, credentials_expire_at?, last_downstream_error_at?}`
 * puts a consumer's connection in a health state (what Apideck reports after failed refreshes, a revoked grant or a
 * provider that stops answering; `ok` clears it), `GET|POST /__sandbox/faults` reads or sets the import endpoint's
 * injected 429s and 500s, and `POST /__sandbox/reset` and `POST /__sandbox/expire-sessions` (tests). The authorize,
 * refresh-failure and health routes authenticate as Apideck's API does (a session, or the API key with the consumer's
 * header).
 */
import { badRequest, parseWith } from '../errors.ts';
import { ImportFaultsSchema } from '../faults.ts';
import { present, requireRefreshable } from '../records.ts';
import { json, ok, readJson } from '../replies.ts';
import { HealthControlSchema } from '../request-schemas.ts';
import { type Route, SEGMENT } from '../router.ts';
import type { RouteContext } from './context.ts';

export interface SandboxControls {
  /** Forgets every consumer's connections and every pending token. */
  reset(): void;
  /** Makes every session token issued so far invalid. */
  expireSessions(): void;
}

export function sandboxControlRoutes({ authenticate, store, faults }: RouteContext, controls: SandboxControls): Route[] {
  async function sandboxAuthorize(request: Request, [unifiedApi, serviceId]: string[]): Promise<Response> {
    const { consumerId } = await authenticate(request);
    const record = store.find(consumerId, unifiedApi, serviceId);
    store.completeAuthorization(record);
    return ok(present(record));
  }

  async function failRefresh(request: Request, [unifiedApi, serviceId]: string[]): Promise<Response> {
    const { consumerId } = await authenticate(request);
    const record = store.find(consumerId, unifiedApi, serviceId);
    requireRefreshable(record.connection, record.credentials !== undefined);
    store.failRefresh(record);
    return ok(present(record));
  }

  async function setFaults(request: Request): Promise<Response> {
    faults.set(parseWith(ImportFaultsSchema, (await readJson(request)) ?? {}));
    return ok(faults.current);
  }

  async function sandboxHealth(request: Request, [unifiedApi, serviceId]: string[]): Promise<Response> {
    const { consumerId } = await authenticate(request);
    const record = store.find(consumerId, unifiedApi, serviceId);
    const body = await readJson(request);
    if (body === undefined) throw badRequest('Invalid Params', 'health: required');
    store.setHealth(record, parseWith(HealthControlSchema, body));
    return ok(present(record));
  }

  const done = () => Promise.resolve(json(200, { status_code: 200, status: 'OK' }));

  return [
    { pattern: new RegExp(`^/__sandbox/authorize/${SEGMENT}/${SEGMENT}$`), methods: { POST: sandboxAuthorize } },
    { pattern: new RegExp(`^/__sandbox/refresh-failure/${SEGMENT}/${SEGMENT}$`), methods: { POST: failRefresh } },
    { pattern: /^\/__sandbox\/faults$/, methods: { GET: () => Promise.resolve(ok(faults.current)), POST: setFaults } },
    { pattern: new RegExp(`^/__sandbox/health/${SEGMENT}/${SEGMENT}$`), methods: { POST: sandboxHealth } },
    {
      pattern: /^\/__sandbox\/reset$/,
      methods: {
        POST: () => {
          controls.reset();
          return done();
        },
      },
    },
    {
      pattern: /^\/__sandbox\/expire-sessions$/,
      methods: {
        POST: () => {
          controls.expireSessions();
          return done();
        },
      },
    },
  ];
}
