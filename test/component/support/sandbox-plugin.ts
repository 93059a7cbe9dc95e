/**
 * A web-test-runner (dev server) plugin that runs the sandbox's Apideck Vault API emulator beside the test page, so
 * component tests can talk to a real HTTP server with Apideck's envelopes, JWT sessions and CORS:
 *
 * - `GET /__sandbox.json` → `{vaultApiUrl, vaultJsUrl, apiKey, applicationId}`;
 * - `POST /__sandbox/session?consumer=…[&allow_actions=a,b][&settings=<JSON>]` creates a Vault session through the emulator's own
 *   `POST /vault/sessions` (API key, app id and consumer id headers, as a host backend would) and answers
 *   `{session_token}`: point the element's `session-url` at it, with a fresh consumer id per test for isolation;
 * - `POST /__sandbox/expire-sessions` makes every session token issued so far answer 401.
 *
 * Each route takes an optional `instance=<name>` query parameter: a separate sandbox, started on first use, with its own
 * sessions and data. A test that expires every session uses one so that test files running at the same time in other
 * pages keep theirs.
 *
 * The plugin answers on the test page's own origin, so the element's `session-url` is same-origin as in production.
 */
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.ts';

/** What the plugin reads of the dev server's (Koa) request context. */
export interface RequestContext {
  readonly path: string;
  readonly url: string;
  readonly method: string;
}

interface ServeResult {
  body: string;
  type?: string;
  headers?: Record<string, string>;
}

/** The subset of `@web/dev-server-core`'s `Plugin` this plugin implements. */
export interface SandboxPlugin {
  name: string;
  serverStart(): Promise<void>;
  serverStop(): Promise<void>;
  serve(context: RequestContext): Promise<ServeResult | undefined>;
}

const NO_STORE = { 'cache-control': 'no-store' };

function reply(body: unknown): ServeResult {
  return { body: JSON.stringify(body), type: 'json', headers: NO_STORE };
}

async function createSession(sandbox: Sandbox, query: URLSearchParams): Promise<ServeResult> {
  const consumer = query.get('consumer');
  if (!consumer) return reply({ error: 'consumer is required' });
  const allow = query.get('allow_actions');
  let more: unknown;
  try {
    more = JSON.parse(query.get('settings') ?? '{}');
  } catch {
    return reply({ error: 'settings: not JSON' });
  }
  const settings = { ...(more as Record<string, unknown>), ...(allow === null ? {} : { allow_actions: allow.split(',').filter(Boolean) }) };
  const response = await fetch(new URL('/vault/sessions', sandbox.vaultApiUrl), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${sandbox.apiKey}`,
      'x-apideck-app-id': sandbox.applicationId,
      'x-apideck-consumer-id': consumer,
      'content-type': 'application/json',
    },
    body: JSON.stringify(Object.keys(settings).length === 0 ? {} : { settings }),
  });
  const body = (await response.json()) as { data?: { session_token?: string }; message?: string };
  if (!response.ok || !body.data?.session_token) {
    return reply({ error: `The sandbox answered ${response.status}: ${body.message ?? 'no session token'}` });
  }
  return reply({ session_token: body.data.session_token });
}

const INSTANCE_NAME = /^[a-z0-9-]{1,32}$/;

export function sandboxPlugin(): SandboxPlugin {
  const instances = new Map<string, Promise<Sandbox>>();
  const instance = (name: string): Promise<Sandbox> => {
    let started = instances.get(name);
    if (!started) {
      started = startSandbox();
      instances.set(name, started);
    }
    return started;
  };
  return {
    name: 'vault-connect-sandbox',

    async serverStart() {
      await instance('default');
    },

    async serverStop() {
      const all = [...instances.values()];
      instances.clear();
      await Promise.allSettled(all.map(async (started) => (await started).close()));
    },

    async serve(context) {
      if (!context.path.startsWith('/__sandbox')) return undefined;
      const url = new URL(context.url, 'http://localhost');
      const name = url.searchParams.get('instance') ?? 'default';
      if (!INSTANCE_NAME.test(name)) return reply({ error: 'instance: lower-case letters, digits and dashes' });
      const method = context.method.toUpperCase();
      if (method === 'GET' && context.path === '/__sandbox.json') {
        const { vaultApiUrl, vaultJsUrl, apiKey, applicationId } = await instance(name);
        return reply({ vaultApiUrl, vaultJsUrl, apiKey, applicationId });
      }
      if (method === 'POST' && context.path === '/__sandbox/session') {
        return createSession(await instance(name), url.searchParams);
      }
      if (method === 'POST' && context.path === '/__sandbox/expire-sessions') {
        const { vaultApiUrl } = await instance(name);
        const response = await fetch(new URL('/__sandbox/expire-sessions', vaultApiUrl), { method: 'POST' });
        return reply(await response.json());
      }
      return undefined;
    },
  };
}
