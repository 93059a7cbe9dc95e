/**
 * The Vite plugin behind `npm start`: starts the sandbox emulators (or, with real credentials in the environment, talks
 * to Apideck) and mounts the host endpoints the demo page calls, built from the package's own server handlers.
 *
 * - `POST /api/session`: `createSessionHandler`, against the sandbox Vault API or the real one.
 * - `GET /api/demo-config`: what the demo page needs to know (`unifyBaseUrl`, the sandbox's Vault JS page), no secrets.
 */
import type { Plugin } from 'vite';
import { createSessionHandler } from '../server/session-handler.ts';
import { toNodeHandler } from '../server/node-adapter.ts';
import { startSandbox, type Sandbox } from './index.ts';

export interface DemoConfig {
  mode: 'sandbox' | 'apideck';
  unifyBaseUrl?: string;
  vaultJsUrl?: string;
}

export interface SandboxPluginOptions {
  /** Environment to read real credentials from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Called once the sandbox is up (tests use it to reach the emulators). */
  onSandbox?: (sandbox: Sandbox) => void;
}

export function vaultConnectSandbox(options: SandboxPluginOptions = {}): Plugin {
  const env = options.env ?? process.env;
  let sandbox: Sandbox | undefined;
  return {
    name: 'vault-connect-sandbox',
    async configureServer(server) {
      const real = env.APIDECK_API_KEY && env.APIDECK_APP_ID && env.APIDECK_CONSUMER_ID;
      let config: DemoConfig;
      let sessionHandler;
      if (real) {
        config = { mode: 'apideck' };
        const consumer = env.APIDECK_CONSUMER_ID!;
        sessionHandler = createSessionHandler({ apiKey: env.APIDECK_API_KEY!, appId: env.APIDECK_APP_ID!, consumerId: () => consumer });
      } else {
        sandbox = await startSandbox();
        options.onSandbox?.(sandbox);
        config = { mode: 'sandbox', unifyBaseUrl: sandbox.vaultApiUrl, vaultJsUrl: sandbox.vaultJsUrl };
        sessionHandler = createSessionHandler({
          apiKey: sandbox.apiKey,
          appId: sandbox.applicationId,
          unifyBaseUrl: sandbox.vaultApiUrl,
          consumerId: () => 'demo-consumer',
        });
      }
      const session = toNodeHandler(sessionHandler);
      server.middlewares.use('/api/session', (req, res) => session(req, res));
      server.middlewares.use('/api/demo-config', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(config));
      });
      server.httpServer?.once('close', () => void sandbox?.close());
    },
    async closeBundle() {
      await sandbox?.close();
      sandbox = undefined;
    },
  };
}
