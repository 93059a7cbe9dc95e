/**
 * An in-memory emulator of Apideck's Vault API (OpenAPI spec 10.34.0) as a Fetch handler: sessions, connections
 * (list, one, update, delete, import, token, confirm), Apideck's auth headers, its `{status_code, status, data}` replies
 * and its error envelope, the `authorize_url` consent page, plus a few `/__sandbox/*` routes the emulated Vault JS modal,
 * the demo's health control and the tests use. Like Apideck it refreshes imported OAuth tokens in the background and
 * sends signed webhooks when a connection changes (`webhookUrl`); it can inject 429s and 500s into the import endpoint
 * (`faults`).
 *
 * This file wires the parts in `vault-api/`: the store (each consumer gets its own copy of the seed on first use),
 * sessions (JWTs), auth, the route families, CORS. Secrets (the API key, session tokens, imported credentials) are never
 * logged and never written into a reply.
 */
import { randomBytes } from 'node:crypto';
import type { FetchHandler } from '../server/node-adapter.ts';
import type { Connection } from './seed/connection.ts';
import { createAuthenticate } from './vault-api/auth.ts';
import { withCors } from './vault-api/cors.ts';
import { parseWith } from './vault-api/errors.ts';
import { present, requireRefreshable } from './vault-api/records.ts';
import { type SessionInput, SessionSchema } from './vault-api/request-schemas.ts';
import { createRouter } from './vault-api/router.ts';
import { authorizeRoutes } from './vault-api/routes/authorize.ts';
import { connectionRoutes } from './vault-api/routes/connections.ts';
import type { RouteContext } from './vault-api/routes/context.ts';
import { credentialRoutes } from './vault-api/routes/credentials.ts';
import { sandboxControlRoutes } from './vault-api/routes/sandbox-controls.ts';
import { sessionRoutes } from './vault-api/routes/sessions.ts';
import { type SessionClaims, createSessions } from './vault-api/sessions.ts';
import { type AuthorizeStateTarget, ConnectionStore, type HealthInput } from './vault-api/store.ts';
import { type ImportFaults, createFaults } from './vault-api/faults.ts';
import { type SentWebhook, createWebhookSender } from './vault-api/webhook-sender.ts';

export type { Connection } from './seed/connection.ts';
export { VaultApiError } from './vault-api/errors.ts';
export type { SessionInput } from './vault-api/request-schemas.ts';
export { parseSessionLength, type SessionClaims } from './vault-api/sessions.ts';
export type { AuthorizeStateTarget, HealthInput } from './vault-api/store.ts';
export { REVOKED_REFRESH_TOKEN_PREFIX } from './vault-api/store.ts';
export type { ImportFaults } from './vault-api/faults.ts';
export type { SentWebhook } from './vault-api/webhook-sender.ts';

export interface VaultApiOptions {
  apiKey: string;
  applicationId: string;
  /** The emulator's own public origin, used in `authorize_url` and `revoke_url`. */
  vaultApiUrl: string;
  /** Which browser origins get CORS headers. */
  allowOrigin: (origin: string) => boolean;
  /** Synthetic connectors appended to the seed (benchmarks). */
  extra?: number;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
  /** HS256 key for session JWTs. Default: 32 random bytes. */
  sessionSecret?: Uint8Array;
  /** Hosted Vault base used in `session_uri`. Default `https://vault.apideck.com`. */
  hostedVaultUrl?: string;
  /**
   * Which absolute http(s) `redirect_uri`s `GET /vault/authorize/…` accepts. Apideck checks them against the
   * application's settings; the sandbox, by default, accepts any redirect to `localhost` or `127.0.0.1` (any port, path
   * and query) and nothing else.
   */
  allowRedirectUri?: (uri: URL) => boolean;
  /** Where to send Apideck's webhooks (signed with `apiKey`) when a connection changes. Default none; see `setWebhookUrl`. */
  webhookUrl?: string;
  /** Faults injected into the import endpoint: a share of 429s (with `Retry-After`) and of 500s. Default none. */
  faults?: ImportFaults;
  /** How long the background refresh of an imported OAuth token takes, in ms. Default 500. */
  refreshDelayMs?: number;
  /** Told of each import performed (tests and benchmarks count them). */
  onImport?: (consumerId: string, connectionId: string) => void;
  /** Source of randomness for the injected faults (tests). Default `Math.random`. */
  random?: () => number;
}

/** The sandbox's default `redirect_uri` rule: any http(s) URL on `localhost` or `127.0.0.1`. */
export function isLocalRedirectUri(uri: URL): boolean {
  return (uri.protocol === 'http:' || uri.protocol === 'https:') && (uri.hostname === 'localhost' || uri.hostname === '127.0.0.1');
}

export interface VaultApi {
  handler: FetchHandler;
  /** Forgets every consumer's connections (they are re-seeded on next use) and every pending confirm token. */
  reset(): void;
  /** Makes every session token issued so far invalid. */
  expireSessions(): void;
  /** Completes an OAuth authorization: `callable` when the required settings are present, else `authorized`. */
  authorize(consumerId: string, unifiedApi: string, serviceId: string): Connection;
  /**
   * Completes an OAuth authorization in CSRF-protected mode: the connection becomes `health: pending_confirmation` and
   * stays non-callable until `POST …/confirm` with the returned token (single use, valid 30 minutes).
   */
  createConfirmToken(consumerId: string, unifiedApi: string, serviceId: string): string;
  /** Issues a session JWT as `POST /vault/sessions` would. */
  createSessionToken(consumerId: string, session?: SessionInput): Promise<string>;
  /** Verifies a session JWT issued here; rejects with a `VaultApiError` (401) when it is invalid or expired. */
  verifySessionToken(token: string): Promise<SessionClaims>;
  /** Which consumer connection an `authorize_url`'s `state` belongs to. */
  resolveAuthorizeState(state: string): AuthorizeStateTarget | undefined;
  /** A copy of a consumer's connection, or `undefined`. */
  getConnection(consumerId: string, unifiedApi: string, serviceId: string): Connection | undefined;
  /**
   * Makes a connection's token refresh fail now, as a revoked refresh token does: `health: needs_auth`, and a
   * `vault.connection.token_refresh.failed` webhook. The connection must hold OAuth tokens.
   */
  failTokenRefresh(consumerId: string, unifiedApi: string, serviceId: string): Connection;
  /** Where webhooks go from now on (`undefined`: nowhere). */
  setWebhookUrl(url: string | undefined): void;
  /** Called after each webhook delivery attempt; returns the function that removes the listener. */
  onWebhookSent(listener: (sent: SentWebhook) => void): () => void;
  /** Sets the faults injected into the import endpoint (rates from 0 to 1). */
  setFaults(faults: ImportFaults): void;
  /** Stops the background refreshes and the webhook retries still waiting. */
  close(): void;
  /**
   * Puts a consumer's `callable` or `authorized` connection in a health state (timestamps dated from now unless given);
   * `ok` clears it. Throws a `VaultApiError` (404, 422) when the connection is unknown or was never authorized.
   */
  setHealth(consumerId: string, unifiedApi: string, serviceId: string, input: HealthInput): Connection;
}

export function createVaultApi(options: VaultApiOptions): VaultApi {
  const now = options.now ?? Date.now;
  const webhooks = createWebhookSender({ apiKey: options.apiKey, now });
  webhooks.setUrl(options.webhookUrl);
  const store = new ConnectionStore({
    vaultApiUrl: options.vaultApiUrl,
    applicationId: options.applicationId,
    extra: options.extra,
    now,
    refreshDelayMs: options.refreshDelayMs ?? 500,
    onChange: (record, events) => webhooks.send(record, events),
  });
  const faults = createFaults(options.faults, options.random);
  const sessions = createSessions({
    applicationId: options.applicationId,
    secret: options.sessionSecret ?? new Uint8Array(randomBytes(32)),
    now,
  });
  const context: RouteContext = {
    applicationId: options.applicationId,
    hostedVaultUrl: (options.hostedVaultUrl ?? 'https://vault.apideck.com').replace(/\/+$/, ''),
    allowRedirectUri: options.allowRedirectUri ?? isLocalRedirectUri,
    now,
    store,
    sessions,
    authenticate: createAuthenticate(options.apiKey, options.applicationId, sessions),
    faults,
    ...(options.onImport ? { onImport: options.onImport } : {}),
  };

  const consent = authorizeRoutes(context);
  const reset = () => {
    store.reset();
    consent.reset();
  };
  const expireSessions = () => sessions.expireAll();
  const routes = [
    ...sessionRoutes(context),
    ...connectionRoutes(context),
    ...credentialRoutes(context),
    ...consent.routes,
    ...sandboxControlRoutes(context, { reset, expireSessions }),
  ];

  return {
    handler: withCors(createRouter(routes), options.allowOrigin),
    reset,
    expireSessions,
    authorize(consumerId, unifiedApi, serviceId) {
      const record = store.find(consumerId, unifiedApi, serviceId);
      store.completeAuthorization(record);
      return present(record);
    },
    createConfirmToken(consumerId, unifiedApi, serviceId) {
      return store.issueConfirmToken(consumerId, store.find(consumerId, unifiedApi, serviceId));
    },
    createSessionToken(consumerId, session = {}) {
      return sessions.sign(consumerId, parseWith(SessionSchema, session));
    },
    verifySessionToken: (token) => sessions.verify(token),
    resolveAuthorizeState: (state) => store.authorizeTarget(state),
    getConnection(consumerId, unifiedApi, serviceId) {
      const record = store.record(consumerId, `${unifiedApi}+${serviceId}`);
      return record ? present(record) : undefined;
    },
    failTokenRefresh(consumerId, unifiedApi, serviceId) {
      const record = store.find(consumerId, unifiedApi, serviceId);
      requireRefreshable(record.connection, record.credentials !== undefined);
      store.failRefresh(record);
      return present(record);
    },
    setWebhookUrl: (url) => webhooks.setUrl(url),
    onWebhookSent: (listener) => webhooks.onSent(listener),
    setFaults: (next) => faults.set(next),
    close() {
      store.dispose();
      webhooks.close();
    },
    setHealth(consumerId, unifiedApi, serviceId, input) {
      const record = store.find(consumerId, unifiedApi, serviceId);
      store.setHealth(record, input);
      return present(record);
    },
  };
}
