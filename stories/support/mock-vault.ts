/**
 * A fake Apideck Vault API for stories: no server, no network. Each mock owns one made-up origin
 * (`https://<name>.vault-api.storybook.invalid`); a single `fetch` wrapper answers requests to registered origins from
 * an in-memory copy of the fixtures and passes everything else to the real `fetch`. The wrapper is removed again when
 * the last mock is disposed.
 *
 * It speaks just enough of the Vault API for the element: `GET /vault/connections[?api=]`,
 * `GET|PATCH|DELETE /vault/connections/{unified_api}/{service_id}`, in Apideck's `{status_code, status, data}` replies
 * and error envelopes.
 */
import type { Connection } from '../../src/internal/api/schemas.ts';
import { FIXTURE_APPLICATION_ID, FIXTURE_CONNECTIONS, FIXTURE_VAULT_API_URL } from '../fixtures/connections.ts';

/** What the list request does. */
export const MOCK_MODES = ['ok', 'pending', 'server-error', 'network-error', 'unauthorized', 'invalid-response'] as const;
export type MockMode = (typeof MOCK_MODES)[number];

export interface MockVaultScenario {
  /** The consumer's connections. Default: the sandbox catalogue (`stories/fixtures/connections.ts`). */
  connections?: readonly Connection[];
  /** What `GET /vault/connections` answers. Default `ok`. */
  mode?: MockMode;
  /** In a failing mode, how many list requests fail before the list loads (so "Try again" works). Default: all. */
  failures?: number;
  /** Answer PATCH and DELETE with a 500, to show a row's error. */
  failActions?: boolean;
  /** Milliseconds before each reply. Default 250, so the loading state is visible for a moment. */
  latency?: number;
  /** `settings.allow_actions` in the session token. Default: absent (every action allowed). */
  allowActions?: string[];
  /** More of the session token's `settings` (`sandbox_mode`, `unified_apis`, …). */
  settings?: Record<string, unknown>;
}

export interface MockRequestLog {
  method: string;
  path: string;
  status: number | 'pending' | 'network-error';
}

export interface MockVault {
  /** The made-up Vault API origin: give it to the element as `unify-base-url`. */
  readonly origin: string;
  /** An unsigned session JWT with `application_id`, `consumer_id` (and `settings.allow_actions` if asked). */
  readonly token: string;
  /** The mock's current data (a copy of the scenario's). */
  readonly connections: readonly Connection[];
  /** Changes a connection as the real Vault would after a flow (used by the fake modal). */
  update(unifiedApi: string, serviceId: string, patch: Partial<Connection>): Connection | undefined;
  /** Disconnects a connection: it is listed again as `available`. */
  reset(unifiedApi: string, serviceId: string): Connection | undefined;
  /** Stops answering for this origin; the real `fetch` is restored when no mock is left. */
  dispose(): void;
}

export { FIXTURE_CONNECTIONS };
export const MOCK_APPLICATION_ID = FIXTURE_APPLICATION_ID;
export const MOCK_CONSUMER_ID = 'storybook-consumer';

// ---------------------------------------------------------------------------------------------------------------------
// The session token

function base64url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** An unsigned JWT (`alg: none`). The element decodes its claims and never verifies it; neither does the mock. */
export function unsignedJwt(claims: Record<string, unknown>): string {
  return `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}.`;
}

// ---------------------------------------------------------------------------------------------------------------------
// The fetch wrapper

export type Route = (request: Request) => Promise<Response>;

const routes = new Map<string, Route>();
let realFetch: typeof fetch | undefined;

function requestUrl(input: RequestInfo | URL): URL | undefined {
  try {
    return new URL(input instanceof Request ? input.url : String(input), globalThis.location?.href);
  } catch {
    return undefined;
  }
}

function install(): void {
  if (realFetch) return;
  const original = globalThis.fetch;
  realFetch = original;
  globalThis.fetch = function mockVaultFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const url = requestUrl(input);
    const route = url && routes.get(url.origin);
    if (!route) return original.call(globalThis, input, init);
    let request: Request;
    try {
      request = new Request(input, init);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new TypeError(String(error)));
    }
    return route(request);
  };
}

function uninstall(): void {
  if (!realFetch || routes.size > 0) return;
  globalThis.fetch = realFetch;
  realFetch = undefined;
}

/**
 * Answers every `fetch` to `origin` with `route` (the other story mocks, such as the VaultRE host endpoint, share this
 * wrapper). Returns the function that stops it.
 */
export function mockOrigin(origin: string, route: Route): () => void {
  routes.set(origin, route);
  install();
  return () => {
    if (routes.get(origin) === route) routes.delete(origin);
    uninstall();
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Replies

const JSON_HEADERS = { 'content-type': 'application/json' };

function reply(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
}

function ok(data: unknown): Response {
  return reply(200, { status_code: 200, status: 'OK', data });
}

function errorEnvelope(status: number, error: string, typeName: string, message: string, detail?: unknown): Response {
  return reply(status, {
    status_code: status,
    error,
    type_name: typeName,
    message,
    ...(detail !== undefined ? { detail } : {}),
    ref: `https://developers.apideck.com/errors#${typeName.toLowerCase()}`,
  });
}

const serverError = () =>
  errorEnvelope(500, 'Internal Server Error', 'UnexpectedError', 'Unexpected error', 'The Vault API is having a bad day (mock).');
const notFound = (detail: string) => errorEnvelope(404, 'Not Found', 'EntityNotFoundError', 'Unknown Connection', detail);

function abortError(): DOMException {
  return new DOMException('The operation was aborted.', 'AbortError');
}

/** Resolves after `ms` (never for `Infinity`), or rejects like `fetch` when the request's signal aborts. */
export function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError());
      return;
    }
    const timer = ms === Infinity ? undefined : setTimeout(done, ms);
    function done() {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(abortError());
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// The mock

let counter = 0;

/** A fresh made-up origin per call: `https://<name>-<n>.<domain>.storybook.invalid`. */
export function mockUrl(name: string, domain: string): string {
  return `https://${hostLabel(name)}-${++counter}.${domain}.storybook.invalid`;
}

/**
 * The fixtures point their `authorize_url` at one made-up origin; each mock answers on its own, and the element opens
 * an `authorize_url` (`open-mode="direct"`) only on its Vault API's origin.
 */
function onOrigin(connection: Connection, origin: string): Connection {
  const url = connection.authorize_url;
  if (!url?.startsWith(FIXTURE_VAULT_API_URL)) return connection;
  return { ...connection, authorize_url: origin + url.slice(FIXTURE_VAULT_API_URL.length) };
}

function hostLabel(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  return label || 'mock';
}

/**
 * Starts a fake Vault API. `name` makes the origin readable in the network log (a story id is a good one); every call
 * gets its own origin, so two mocks on one docs page never answer for each other.
 */
export function createMockVault(
  name: string,
  scenario: MockVaultScenario = {},
  onRequest?: (entry: MockRequestLog) => void,
): MockVault {
  const origin = mockUrl(name, 'vault-api');
  const mode = scenario.mode ?? 'ok';
  const latency = scenario.latency ?? 250;
  let failuresLeft = mode === 'ok' || mode === 'pending' ? 0 : (scenario.failures ?? Infinity);
  let data: Connection[] = structuredClone([...(scenario.connections ?? FIXTURE_CONNECTIONS)]).map((c) => onOrigin(c, origin));

  const token = unsignedJwt({
    application_id: MOCK_APPLICATION_ID,
    consumer_id: MOCK_CONSUMER_ID,
    iat: Math.floor(Date.now() / 1000),
    ...(scenario.allowActions || scenario.settings
      ? { settings: { ...scenario.settings, ...(scenario.allowActions ? { allow_actions: scenario.allowActions } : {}) } }
      : {}),
  });

  const find = (unifiedApi: string, serviceId: string) =>
    data.findIndex((c) => c.unified_api === unifiedApi && c.service_id === serviceId);

  const update: MockVault['update'] = (unifiedApi, serviceId, patch) => {
    const index = find(unifiedApi, serviceId);
    if (index === -1) return undefined;
    const next: Connection = { ...data[index], ...patch, updated_at: Date.now() };
    data = data.with(index, next);
    return next;
  };

  const reset: MockVault['reset'] = (unifiedApi, serviceId) =>
    update(unifiedApi, serviceId, { state: 'available', enabled: true, settings: null, metadata: null, health: 'needs_auth' });

  const answer = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const path = url.pathname;

    if (mode === 'pending') {
      await wait(Infinity, request.signal);
    }
    await wait(latency, request.signal);

    if (request.headers.get('authorization') !== `Bearer ${token}`) {
      return errorEnvelope(401, 'Unauthorized', 'UnauthorizedError', 'Unauthorized Request', 'Missing authentication');
    }

    if (path === '/vault/connections' && method === 'GET') {
      if (failuresLeft > 0) {
        failuresLeft--;
        switch (mode) {
          case 'network-error':
            throw new TypeError('Failed to fetch');
          case 'server-error':
            return serverError();
          case 'unauthorized':
            return errorEnvelope(401, 'Unauthorized', 'UnauthorizedError', 'Unauthorized Request', 'Session expired');
          case 'invalid-response':
            return ok({ connections: 'not a list' });
        }
      }
      const api = url.searchParams.get('api');
      return ok(api ? data.filter((c) => c.unified_api === api) : data);
    }

    const match = /^\/vault\/connections\/([^/]+)\/([^/]+)$/.exec(path);
    if (!match) return errorEnvelope(404, 'Not Found', 'NotFoundError', 'Not Found', `${method} ${path} is not mocked`);
    const unifiedApi = decodeURIComponent(match[1]);
    const serviceId = decodeURIComponent(match[2]);
    const index = find(unifiedApi, serviceId);
    if (index === -1) return notFound(`No connection ${unifiedApi}/${serviceId}`);

    switch (method) {
      case 'GET':
        return ok(data[index]);
      case 'PATCH': {
        if (scenario.failActions) return serverError();
        const body = (await request.json().catch(() => ({}))) as { enabled?: unknown };
        const patch = typeof body.enabled === 'boolean' ? { enabled: body.enabled } : {};
        return ok(update(unifiedApi, serviceId, patch));
      }
      case 'DELETE':
        if (scenario.failActions) return serverError();
        reset(unifiedApi, serviceId);
        return new Response(null, { status: 204 });
      default:
        return errorEnvelope(405, 'Method Not Allowed', 'MethodNotAllowedError', 'Method Not Allowed', `${method} ${path}`);
    }
  };

  const route: Route = async (request) => {
    const { pathname, search } = new URL(request.url);
    const path = pathname + search;
    if (mode === 'pending') onRequest?.({ method: request.method, path, status: 'pending' });
    try {
      const response = await answer(request);
      onRequest?.({ method: request.method, path, status: response.status });
      return response;
    } catch (error) {
      if (error instanceof TypeError) onRequest?.({ method: request.method, path, status: 'network-error' });
      throw error;
    }
  };

  const stop = mockOrigin(origin, route);

  return {
    origin,
    token,
    get connections() {
      return data;
    },
    update,
    reset,
    dispose: stop,
  };
}
