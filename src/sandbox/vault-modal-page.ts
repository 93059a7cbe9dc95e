/**
 * The sandbox's stand-in for the page `@apideck/vault-js` loads in its iframe (`https://vaultjs.apideck.com`), on its
 * own origin: the HTML shell here, the browser module (`browser/vault-modal-page.ts`, which speaks vault-js's
 * postMessage protocol) and its styles built by Vite (`vault-modal-build.ts`) and served as `/modal.js` and
 * `/modal.css`, so the page runs under a CSP with no inline script or style.
 */
import type { FetchHandler } from '../server/node-adapter.ts';
import { type VaultModalAssets, vaultModalAssets } from './vault-modal-build.ts';

export interface VaultModalPageOptions {
  /** The Vault API origin the page calls (the only `connect-src`). */
  vaultApiUrl: string;
}

function escapeAttribute(value: string): string {
  return value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function pageHtml(vaultApiUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="vault-api-url" content="${escapeAttribute(vaultApiUrl)}">
<title>Vault (sandbox)</title>
<link rel="stylesheet" href="/modal.css">
<script type="module" src="/modal.js"></script>
</head>
<body>
<dialog id="vault" aria-labelledby="vault-title">
  <header class="vault-header">
    <img id="vault-icon" alt="" width="40" height="40" hidden>
    <div class="vault-heading">
      <h1 id="vault-title">Vault</h1>
      <p id="vault-tagline" class="muted"></p>
    </div>
    <button type="button" id="vault-close" class="secondary">Close</button>
  </header>
  <p id="vault-status" class="muted" role="status" aria-live="polite">Loading…</p>
  <p id="vault-error" class="error" role="alert" hidden></p>
  <section id="vault-list" aria-labelledby="vault-list-title" hidden>
    <h2 id="vault-list-title">Integrations</h2>
    <ul id="vault-list-items" class="list"></ul>
  </section>
  <section id="vault-detail" hidden>
    <p class="state-line">Status: <strong id="vault-state"></strong></p>
    <p id="vault-note" class="muted" hidden></p>
    <div class="actions">
      <button type="button" id="vault-authorize" hidden>Authorize</button>
      <button type="button" id="vault-toggle" class="secondary" hidden>Disable</button>
      <button type="button" id="vault-delete" class="danger" hidden>Delete</button>
    </div>
    <form id="vault-settings" hidden novalidate>
      <h2>Settings</h2>
      <div id="vault-fields"></div>
      <button type="submit" id="vault-save">Save settings</button>
    </form>
    <button type="button" id="vault-back" class="link" hidden>All integrations</button>
  </section>
  <p id="vault-attribution" class="muted small">Apideck Vault sandbox emulator</p>
</dialog>
</body>
</html>
`;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

/** The page's Content-Security-Policy for a given Vault API origin. */
export function modalPageCsp(vaultApiUrl: string): string {
  return `default-src 'self'; connect-src ${vaultApiUrl.replace(/\/+$/, '')}; img-src data: https:`;
}

type Asset = { type: string; body: (built: VaultModalAssets) => string } | { type: string; html: string };

/** The emulated Vault JS modal page as a Fetch handler: `/`, `/modal.js`, `/modal.css`. */
export function createVaultModalPage(options: VaultModalPageOptions): FetchHandler {
  const vaultApiUrl = options.vaultApiUrl.replace(/\/+$/, '');
  const csp = modalPageCsp(vaultApiUrl);
  const page: Asset = { type: 'text/html; charset=utf-8', html: pageHtml(vaultApiUrl) };
  const assets: Record<string, Asset> = {
    '/': page,
    '/index.html': page,
    '/modal.js': { type: 'text/javascript; charset=utf-8', body: (built) => built.script },
    '/modal.css': { type: 'text/css; charset=utf-8', body: (built) => built.styles },
  };

  return async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    const headers = { ...SECURITY_HEADERS, 'content-security-policy': csp };
    const asset = assets[pathname];
    if (!asset) return new Response('Not found', { status: 404, headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' } });
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('Method not allowed', {
        status: 405,
        headers: { ...headers, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' },
      });
    }
    let body: string;
    if ('html' in asset) {
      body = asset.html;
    } else {
      try {
        body = asset.body(await vaultModalAssets());
      } catch (error) {
        console.error('vault-connect sandbox: the Vault modal page could not be built.', error);
        return new Response(`The sandbox could not build the Vault modal page: ${error instanceof Error ? error.message : String(error)}`, {
          status: 500,
          headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
        });
      }
    }
    return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: { ...headers, 'content-type': asset.type } });
  };
}
