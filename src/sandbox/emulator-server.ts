/**
 * One emulator's HTTP server: bound to 127.0.0.1 (never another interface), on a given or a free port, serving a Fetch
 * handler that is installed once the port, and so the emulator's own origin, is known. It answers only requests whose
 * `Host` is its own loopback host and port: a page on a DNS name rebound to 127.0.0.1 sends that name, and gets 403.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FetchHandler, toNodeHandler } from '../server/node-adapter.ts';

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

/** The refusal of a request addressed to another host (DNS rebinding). */
function hostNotAllowed(): Response {
  return new Response(JSON.stringify({ error: 'host_not_allowed', message: 'This server answers 127.0.0.1 and localhost only.' }), {
    status: 403,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
  });
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
  // Known once the port is bound; until then nothing is served.
  let ownHosts: readonly string[] = [];
  // `toFetchRequest` builds the request URL from the `Host` header.
  const server = createServer(toNodeHandler((request) => (ownHosts.includes(new URL(request.url).host) ? handler(request) : Promise.resolve(hostNotAllowed()))));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  ownHosts = [`${HOST}:${bound}`, `localhost:${bound}`];
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
