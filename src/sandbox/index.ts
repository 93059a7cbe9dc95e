/**
 * Starts the sandbox emulators, each on its own `http://127.0.0.1:<port>` origin so that CORS and cross-origin frames
 * behave as in production. Today: the Apideck Vault API and the Vault JS modal page. Another emulator (Hosted Vault,
 * VaultRE) is added by starting one more `startEmulatorServer()` and handing its handler what it needs from the others.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FetchHandler, toNodeHandler } from '../server/node-adapter.ts';
import { type VaultApi, createVaultApi } from './vault-api.ts';
import { createVaultModalPage } from './vault-modal-page.ts';

export type { FetchHandler } from '../server/node-adapter.ts';

export interface SandboxOptions {
  /** Port of the Vault API emulator. Default 0 (a free port). */
  vaultApiPort?: number;
  /** Port of the Vault JS modal page. Default 0 (a free port). */
  vaultJsPort?: number;
  /** Which browser origins the Vault API answers with CORS headers. Default: `http://localhost:*` and `http://127.0.0.1:*`. */
  allowOrigin?: (origin: string) => boolean;
  /** Synthetic connectors appended to the seed (benchmarks). */
  extra?: number;
  /** Default `sandbox-api-key`. */
  apiKey?: string;
  /** Default `sandbox-app`. */
  applicationId?: string;
}

export interface Sandbox {
  vaultApiUrl: string;
  vaultJsUrl: string;
  apiKey: string;
  applicationId: string;
  vaultApi: VaultApi;
  close(): Promise<void>;
}

/** A running emulator server: its public origin and how to stop it. */
export interface EmulatorServer {
  url: string;
  port: number;
  /** Installs the Fetch handler (the URL is known only once the port is bound, and handlers need it). */
  setHandler(handler: FetchHandler): void;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/** Accepts `http://localhost[:port]` and `http://127.0.0.1[:port]`. */
export function isLocalOrigin(origin: string): boolean {
  return /^http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?$/.test(origin);
}

/** Binds an http server to 127.0.0.1; requests before `setHandler()` get a 503. */
export async function startEmulatorServer(port = 0): Promise<EmulatorServer> {
  let handler: FetchHandler = () =>
    Promise.resolve(
      new Response(JSON.stringify({ status_code: 503, error: 'Service Unavailable', message: 'Starting' }), {
        status: 503,
        headers: { 'content-type': 'application/json' },
      }),
    );
  const server = createServer(toNodeHandler((request) => handler(request)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${bound}`,
    port: bound,
    setHandler(next) {
      handler = next;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/** Starts the Vault API and the Vault JS modal page emulators. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const apiKey = options.apiKey ?? 'sandbox-api-key';
  const applicationId = options.applicationId ?? 'sandbox-app';
  const allowOrigin = options.allowOrigin ?? isLocalOrigin;

  const servers: EmulatorServer[] = [];
  const closeAll = async () => {
    await Promise.allSettled(servers.splice(0).map((server) => server.close()));
  };
  try {
    const vaultApiServer = await startEmulatorServer(options.vaultApiPort ?? 0);
    servers.push(vaultApiServer);
    const vaultJsServer = await startEmulatorServer(options.vaultJsPort ?? 0);
    servers.push(vaultJsServer);

    const vaultApi = createVaultApi({
      apiKey,
      applicationId,
      vaultApiUrl: vaultApiServer.url,
      // The modal page must always reach the API it was made for.
      allowOrigin: (origin) => origin === vaultJsServer.url || allowOrigin(origin),
      ...(options.extra !== undefined ? { extra: options.extra } : {}),
    });
    vaultApiServer.setHandler(vaultApi.handler);
    vaultJsServer.setHandler(createVaultModalPage({ vaultApiUrl: vaultApiServer.url }));

    return {
      vaultApiUrl: vaultApiServer.url,
      vaultJsUrl: vaultJsServer.url,
      apiKey,
      applicationId,
      vaultApi,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

export { createVaultApi, VaultApiError } from './vault-api.ts';
export type { Connection, SessionClaims, SessionInput, VaultApi, VaultApiOptions } from './vault-api.ts';
export { createVaultModalPage } from './vault-modal-page.ts';
export { seedConnections } from './seed.ts';
