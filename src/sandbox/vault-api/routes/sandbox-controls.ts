/**
 * The sandbox's own routes, beside Apideck's: `POST /__sandbox/authorize/{unified_api}/{service_id}` completes an OAuth
 * authorization for the session's consumer (what the emulated Vault JS modal and Hosted Vault call where the real ones
 * send the user to the provider), `POST /__sandbox/reset` and `POST /__sandbox/expire-sessions` (tests).
 */
import { present } from '../records.ts';
import { json, ok } from '../replies.ts';
import { type Route, SEGMENT } from '../router.ts';
import type { RouteContext } from './context.ts';

export interface SandboxControls {
  /** Forgets every consumer's connections and every pending token. */
  reset(): void;
  /** Makes every session token issued so far invalid. */
  expireSessions(): void;
}

export function sandboxControlRoutes({ authenticate, store }: RouteContext, controls: SandboxControls): Route[] {
  async function sandboxAuthorize(request: Request, [unifiedApi, serviceId]: string[]): Promise<Response> {
    const { consumerId } = await authenticate(request);
    const record = store.find(consumerId, unifiedApi, serviceId);
    store.completeAuthorization(record);
    return ok(present(record));
  }

  const done = () => Promise.resolve(json(200, { status_code: 200, status: 'OK' }));

  return [
    { pattern: new RegExp(`^/__sandbox/authorize/${SEGMENT}/${SEGMENT}$`), methods: { POST: sandboxAuthorize } },
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
