/**
 * `npm start`: the demo page (index.html) on a Vite dev server, with the sandbox emulators behind it. Also used by the
 * end-to-end tests, which start it on a free port.
 */
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';
import { vaultConnectSandbox, type SandboxPluginOptions } from '../src/sandbox/vite-plugin.ts';

export interface DemoOptions extends SandboxPluginOptions {
  port?: number;
  strictPort?: boolean;
}

export async function startDemo(options: DemoOptions = {}): Promise<{ server: ViteDevServer; url: string }> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const server = await createServer({
    root,
    configFile: false,
    logLevel: 'warn',
    clearScreen: false,
    server: { host: '127.0.0.1', port: options.port ?? 5173, strictPort: options.strictPort ?? false },
    plugins: [vaultConnectSandbox(options)],
    // Pre-bundled once, so a page load is a few dozen requests instead of a hundred and more.
    optimizeDeps: { noDiscovery: true, include: ['lit', 'lit/directives/repeat.js', 'zod/mini', '@apideck/vault-js'] },
  });
  await server.listen();
  const address = server.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { server, url: `http://127.0.0.1:${port}/` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { server, url } = await startDemo();
  console.log(
    `\n  vault-connect demo: ${url}\n  callback page: ${new URL('/demo/callback.html', url).href}\n` +
      '  (sandbox mode unless APIDECK_API_KEY, APIDECK_APP_ID and APIDECK_CONSUMER_ID are set; VAULTRE_CLIENT_ID uses the real VaultRE;\n' +
      '   SANDBOX_COOP=1 serves the sandbox pages with Cross-Origin-Opener-Policy: same-origin; Ctrl+C to stop)\n',
  );
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
