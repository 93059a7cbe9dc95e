/**
 * The Vite plugin behind `npm start`: starts the sandbox emulators (or, with real credentials in the environment, talks
 * to Apideck) and mounts the host endpoints the demo page calls, built from the package's own server handlers.
 *
 * - `POST /api/session`: `createSessionHandler`, against the sandbox Vault API or the real one, with `redirectUri` set
 *   to the demo's callback page (so Hosted Vault's `auto_redirect` returns there).
 * - `/api/vaultre`: `createVaultreHandler` with a `memoryStore()` and a state secret generated for this run, against the
 *   sandbox's VaultRE emulator (authorize pages, exchange, and `verifyToken` asking its API), or the real VaultRE when
 *   `VAULTRE_CLIENT_ID` is set (with `VAULTRE_REDIRECT_URI`, the URI registered for it, when it is not the demo's
 *   callback page; no `verifyToken` then, as the demo holds no VaultRE API key).
 * - `GET /api/demo-config`: what the demo page needs to know, no secrets (see `DemoConfig`).
 * - `POST /api/sandbox/coop?on=1|0` (sandbox only): the sandbox's COOP switch (`SANDBOX_COOP=1` turns it on at start).
 * - `POST /api/webhooks`: `createWebhookHandler`, where the sandbox (or Apideck) delivers its signed webhooks, and
 *   `GET /api/events`: the Vault events about the demo's consumer that happen away from the page (a failed token
 *   refresh, a revocation), as server-sent events (the page re-reads its list).
 * - `POST /api/sandbox/refresh-failure` `{unified_api, service_id}` (sandbox only): makes that connection's token
 *   refresh fail, so the whole loop can be watched: webhook, server-sent event, `refresh()`, "Reconnect needed".
 * - `POST /api/sandbox/health` (sandbox only): puts one of the demo consumer's connections in a health state
 *   (`demo-health-control.ts`), so the demo can show every status.
 * - `POST /api/sandbox/vaultre-revoke` (sandbox only): revokes the VaultRE tokens in the emulator, as the user can in
 *   their VaultRE account; `/api/vaultre` then reads `{"connected": false, "reason": "revoked"}`.
 *
 * The demo's callback page is `demo/callback.html` (`CALLBACK_PATH`), on the demo's own origin. That origin is known only
 * once Vite listens (port 0 in tests) and depends on the name the browser used (`localhost` or `127.0.0.1`), so the
 * handlers are built per origin on first use, from the request's `Host` when it names a loopback host.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Plugin } from 'vite';
import { createSessionHandler } from '../server/session-handler.ts';
import { createVaultreHandler } from '../server/vaultre-handler.ts';
import { memoryStore } from '../server/stores/memory-store.ts';
import { memoryLimiter } from '../server/limits/memory-limiter.ts';
import { toNodeHandler } from '../server/node-adapter.ts';
import { createDemoHealthControl } from './demo-health-control.ts';
import { startSandbox, type Sandbox } from './start-sandbox.ts';
import { createDemoEvents } from './demo-events.ts';
import { vaultreTokenVerifier } from './demo-vaultre-verify.ts';
import { VaultApiError } from './vault-api/errors.ts';
import { vaultModalAssets } from './vault-modal-build.ts';

/** The consumer the demo's sessions are for (the sandbox seeds its connections on first use). */
export const DEMO_CONSUMER = 'demo-consumer';

/** The demo's callback page, relative to its origin (served by Vite from `demo/callback.html`). */
export const CALLBACK_PATH = '/demo/callback.html';

export interface DemoConfig {
  mode: 'sandbox' | 'apideck';
  unifyBaseUrl?: string;
  vaultJsUrl?: string;
  /** Hosted Vault base (the element's `vault-url`); absent for the real one (the element's default). */
  vaultUrl?: string;
  /** The demo's callback page, absolute (the element's `callback-url`, the session's `redirect_uri`). */
  callbackUrl: string;
  /**
   * The element's `vaultre-exchange-url` (`/api/vaultre`, which builds the authorize URL); absent when neither the sandbox
   * nor `VAULTRE_CLIENT_ID` provides VaultRE.
   */
  vaultreExchangeUrl?: string;
  /** The redirect URI `/api/vaultre` puts in its authorize URLs (the demo's callback page unless `VAULTRE_REDIRECT_URI`). */
  vaultreRedirectUri?: string;
  /** Sandbox only: whether its pages are served with `Cross-Origin-Opener-Policy: same-origin`. */
  coop?: boolean;
}

export interface SandboxPluginOptions {
  /** Environment to read real credentials from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Called once the sandbox is up (tests use it to reach the emulators). */
  onSandbox?: (sandbox: Sandbox) => void;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What the demo serves for one of its origins. */
interface OriginHandlers {
  session: NodeHandler;
  vaultre: NodeHandler | undefined;
  /** The sandbox's health control, for this origin's page. */
  health: NodeHandler | undefined;
  config: () => DemoConfig;
}

const LOOPBACK_HOST = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export function vaultConnectSandbox(options: SandboxPluginOptions = {}): Plugin {
  const env = options.env ?? process.env;
  let sandbox: Sandbox | undefined;
  return {
    name: 'vault-connect-sandbox',
    async configureServer(server) {
      const real = Boolean(env.APIDECK_API_KEY && env.APIDECK_APP_ID && env.APIDECK_CONSUMER_ID);
      const realVaultre = env.VAULTRE_CLIENT_ID?.trim() || undefined;
      // Signs the VaultRE states of this run: authorizations still open when the demo restarts are refused, as they
      // should be.
      const vaultreSecret = randomBytes(32);
      if (!real) {
        sandbox = await startSandbox({ coop: env.SANDBOX_COOP === '1' });
        options.onSandbox?.(sandbox);
        // Built now rather than on the first modal open; a failure is said here and retried on the page's next request.
        vaultModalAssets().catch((error: unknown) => console.error('vault-connect sandbox: the Vault modal page could not be built.', error));
      }
      const sb = sandbox;
      const demoEvents = createDemoEvents({ apiKey: sb ? sb.apiKey : (env.APIDECK_API_KEY ?? ''), consumerId: sb ? DEMO_CONSUMER : (env.APIDECK_CONSUMER_ID ?? '') });

      // The origin the server listens on, for requests whose Host is not a loopback name.
      let listening: string | undefined;
      const readAddress = () => {
        const address = server.httpServer?.address();
        if (address && typeof address === 'object') listening = `http://${hostFor(address)}:${address.port}`;
        // The sandbox delivers its webhooks here, as Apideck would to a host's endpoint.
        if (listening && sb) sb.vaultApi.setWebhookUrl(`${listening}/api/webhooks`);
      };
      server.httpServer?.once('listening', readAddress);
      readAddress();

      const originOf = (req: IncomingMessage): string => {
        const host = req.headers.host;
        if (host && LOOPBACK_HOST.test(host)) return `http://${host}`;
        return listening ?? 'http://127.0.0.1';
      };

      // One consumer whose page the end-to-end tests reload far more often than a person would: the default limit
      // (20 a minute) would get in their way. The limiter itself is the real one.
      const limiter = memoryLimiter({ limit: 300 });
      const build = (origin: string): OriginHandlers => {
        const callbackUrl = `${origin}${CALLBACK_PATH}`;
        const vaultreRedirectUri = env.VAULTRE_REDIRECT_URI?.trim() || callbackUrl;
        let session: NodeHandler;
        let vaultre: NodeHandler | undefined;
        if (!sb) {
          const consumer = env.APIDECK_CONSUMER_ID!;
          session = toNodeHandler(
            createSessionHandler({
              apiKey: env.APIDECK_API_KEY!,
              appId: env.APIDECK_APP_ID!,
              consumerId: () => consumer,
              redirectUri: callbackUrl,
              limiter,
            }),
          );
        } else {
          session = toNodeHandler(
            createSessionHandler({
              apiKey: sb.apiKey,
              appId: sb.applicationId,
              unifyBaseUrl: sb.vaultApiUrl,
              consumerId: () => DEMO_CONSUMER,
              redirectUri: callbackUrl,
              limiter,
            }),
          );
        }
        if (realVaultre || sb) {
          if (!realVaultre) sb!.registerVaultreRedirectUri(vaultreRedirectUri);
          vaultre = toNodeHandler(
            createVaultreHandler({
              clientId: realVaultre ?? sb!.vaultreClientId,
              secret: vaultreSecret,
              redirectUri: vaultreRedirectUri,
              ...(realVaultre ? {} : { authorizeUrl: sb!.vaultreUrl, exchangeUrl: sb!.vaultreExchangeUrl }),
              consumerId: () => DEMO_CONSUMER,
              store: memoryStore(),
              allowedOrigins: [origin],
              ...(realVaultre ? {} : { verifyToken: vaultreTokenVerifier({ apiUrl: sb!.vaultreApiUrl, apiKey: sb!.vaultreApiKey }) }),
              limiter,
            }),
          );
        }
        const config = (): DemoConfig => ({
          mode: sb ? 'sandbox' : 'apideck',
          ...(sb ? { unifyBaseUrl: sb.vaultApiUrl, vaultJsUrl: sb.vaultJsUrl, vaultUrl: sb.hostedVaultUrl, coop: sb.coop } : {}),
          callbackUrl,
          ...(vaultre ? { vaultreExchangeUrl: '/api/vaultre', vaultreRedirectUri } : {}),
        });
        const health = sb ? toNodeHandler(createDemoHealthControl(sb.vaultApi, DEMO_CONSUMER, origin)) : undefined;
        return { session, vaultre, health, config };
      };

      const perOrigin = new Map<string, OriginHandlers>();
      const handlersFor = (req: IncomingMessage): OriginHandlers => {
        const origin = originOf(req);
        let handlers = perOrigin.get(origin);
        if (!handlers) {
          handlers = build(origin);
          perOrigin.set(origin, handlers);
        }
        return handlers;
      };

      server.middlewares.use('/api/session', (req, res) => handlersFor(req).session(req, res));
      server.middlewares.use('/api/vaultre', (req, res, next) => {
        const vaultre = handlersFor(req).vaultre;
        if (vaultre) vaultre(req, res);
        else next();
      });
      server.middlewares.use('/api/demo-config', (req, res) => sendJson(res, 200, handlersFor(req).config()));
      server.middlewares.use('/api/webhooks', demoEvents.webhooks);
      server.middlewares.use('/api/events', demoEvents.events);
      /** A sandbox control takes a POST from the demo's own origin only (browsers send Origin on every POST). */
      const controlRefused = (req: IncomingMessage, res: ServerResponse, usage: string): boolean => {
        if (req.method !== 'POST') {
          res.setHeader('allow', 'POST');
          sendJson(res, 405, { error: 'method_not_allowed', message: `Use ${usage}.` });
          return true;
        }
        const origin = req.headers.origin;
        if (origin !== undefined && origin !== originOf(req)) {
          sendJson(res, 403, { error: 'origin_not_allowed', message: 'Requests from this origin are not allowed.' });
          return true;
        }
        return false;
      };
      if (sb) {
        server.middlewares.use('/api/sandbox/refresh-failure', (req, res) => {
          if (controlRefused(req, res, 'POST /api/sandbox/refresh-failure?unified_api=…&service_id=…')) return;
          const query = new URL(req.url ?? '', 'http://demo').searchParams;
          const unifiedApi = query.get('unified_api');
          const serviceId = query.get('service_id');
          if (!unifiedApi || !serviceId) {
            sendJson(res, 400, { error: 'invalid_query', message: 'unified_api and service_id are required.' });
            return;
          }
          try {
            const connection = sb.vaultApi.failTokenRefresh(DEMO_CONSUMER, unifiedApi, serviceId);
            sendJson(res, 200, { service_id: connection.service_id, health: connection.health });
          } catch (error) {
            if (!(error instanceof VaultApiError)) throw error;
            sendJson(res, error.status, { error: 'refresh_failure_refused', message: typeof error.detail === 'string' ? error.detail : error.message });
          }
        });
        server.middlewares.use('/api/sandbox/vaultre-revoke', (req, res) => {
          if (controlRefused(req, res, 'POST /api/sandbox/vaultre-revoke')) return;
          sendJson(res, 200, { revoked: sb.vaultre.revokeAll() });
        });
        server.middlewares.use('/api/sandbox/coop', (req, res) => {
          if (controlRefused(req, res, 'POST /api/sandbox/coop?on=1|0')) return;
          const on = new URL(req.url ?? '', 'http://demo').searchParams.get('on');
          if (on !== '1' && on !== '0') {
            sendJson(res, 400, { error: 'invalid_query', message: 'on must be 1 or 0.' });
            return;
          }
          sb.setCoop(on === '1');
          sendJson(res, 200, { coop: sb.coop });
        });
      }
      if (sb) {
        server.middlewares.use('/api/sandbox/health', (req, res, next) => {
          const health = handlersFor(req).health;
          if (health) health(req, res);
          else next();
        });
      }
      server.httpServer?.once('close', () => {
        demoEvents.close();
        void sandbox?.close();
      });
    },
    async closeBundle() {
      await sandbox?.close();
      sandbox = undefined;
    },
  };
}

function hostFor(address: AddressInfo): string {
  if (address.family === 'IPv6' || address.address.includes(':')) {
    return address.address === '::' || address.address === '::1' ? '[::1]' : `[${address.address}]`;
  }
  return address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
}
