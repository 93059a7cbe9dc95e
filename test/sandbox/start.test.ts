import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Script } from 'node:vm';
import { startSandbox } from '../../src/sandbox/index.ts';
import { vaultModalAssets } from '../../src/sandbox/vault-modal-build.ts';

async function canBind(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('startSandbox', () => {
  it('binds the emulators to 127.0.0.1 and serves the Vault API', async () => {
    const sandbox = await startSandbox();
    try {
      assert.match(sandbox.vaultApiUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(sandbox.vaultJsUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.notEqual(sandbox.vaultApiUrl, sandbox.vaultJsUrl);
      assert.equal(sandbox.apiKey, 'sandbox-api-key');
      assert.equal(sandbox.applicationId, 'sandbox-app');
      const response = await fetch(`${sandbox.vaultApiUrl}/vault/connections?api=crm`, {
        headers: {
          authorization: `Bearer ${sandbox.apiKey}`,
          'x-apideck-app-id': sandbox.applicationId,
          'x-apideck-consumer-id': 'start-test',
        },
      });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { data: { unified_api: string; authorize_url: string | null }[] };
      assert.ok(body.data.length > 0);
      const oauth = body.data.find((c) => c.authorize_url);
      assert.ok(oauth?.authorize_url?.startsWith(`${sandbox.vaultApiUrl}/vault/authorize/`));
      assert.ok(sandbox.vaultApi.getConnection('start-test', 'crm', 'salesforce'));
    } finally {
      await sandbox.close();
    }
  });

  it('serves the modal page, script and styles with the CSP', async () => {
    const sandbox = await startSandbox();
    try {
      const csp = `default-src 'self'; connect-src ${sandbox.vaultApiUrl}; img-src data: https:`;
      const page = await fetch(`${sandbox.vaultJsUrl}/`);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('content-security-policy'), csp);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      const html = await page.text();
      assert.match(html, /<script type="module" src="\/modal\.js"><\/script>/);
      assert.match(html, /<link rel="stylesheet" href="\/modal\.css">/);
      assert.ok(html.includes(`content="${sandbox.vaultApiUrl}"`));
      assert.doesNotMatch(html, /<script>|<style|style="/, 'no inline script or style');

      const script = await fetch(`${sandbox.vaultJsUrl}/modal.js`);
      assert.equal(script.status, 200);
      assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
      const source = await script.text();
      assert.doesNotThrow(() => new Script(source), 'modal.js parses');
      // The protocol's messages, in the code (not only in its comments), whatever quotes the build prints.
      assert.match(source, /post\((["'])on-ready\1\)/);
      assert.match(source, /type: (["'])on-connection-change\1/);
      assert.match(source, /type: (["'])on-connection-delete\1/);
      assert.match(source, /post\((["'])on-close\1\)/);
      assert.doesNotMatch(source, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);

      const css = await fetch(`${sandbox.vaultJsUrl}/modal.css`);
      assert.equal(css.status, 200);
      assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
      await css.text();

      const missing = await fetch(`${sandbox.vaultJsUrl}/nope`);
      assert.equal(missing.status, 404);
      await missing.text();
    } finally {
      await sandbox.close();
    }
  });

  it('answers a CORS preflight from http://localhost:5173 and from the modal page origin', async () => {
    const sandbox = await startSandbox();
    try {
      for (const origin of ['http://localhost:5173', sandbox.vaultJsUrl]) {
        const response = await fetch(`${sandbox.vaultApiUrl}/vault/connections/crm/salesforce`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'PATCH',
            'access-control-request-headers': 'authorization,content-type,x-apideck-app-id,x-apideck-consumer-id,x-apideck-auth-type',
          },
        });
        assert.equal(response.status, 204);
        assert.equal(response.headers.get('access-control-allow-origin'), origin);
        assert.match(response.headers.get('access-control-allow-methods') ?? '', /PATCH/);
      }
      const denied = await fetch(`${sandbox.vaultApiUrl}/vault/connections`, {
        method: 'OPTIONS',
        headers: { origin: 'https://example.com', 'access-control-request-method': 'GET' },
      });
      assert.equal(denied.headers.get('access-control-allow-origin'), null);
    } finally {
      await sandbox.close();
    }
  });

  it('uses the given ports and releases them on close()', async () => {
    const [vaultApiPort, vaultJsPort, hostedVaultPort, vaultrePort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const sandbox = await startSandbox({ vaultApiPort, vaultJsPort, hostedVaultPort, vaultrePort, apiKey: 'k', applicationId: 'a' });
    assert.equal(sandbox.vaultApiUrl, `http://127.0.0.1:${vaultApiPort}`);
    assert.equal(sandbox.vaultJsUrl, `http://127.0.0.1:${vaultJsPort}`);
    assert.equal(sandbox.hostedVaultUrl, `http://127.0.0.1:${hostedVaultPort}`);
    assert.equal(sandbox.vaultreUrl, `http://127.0.0.1:${vaultrePort}/cgi-bin/clientvault`);
    // A kept-alive connection must not hold the server open.
    const response = await fetch(`${sandbox.vaultJsUrl}/`);
    await response.text();
    assert.equal(await canBind(vaultApiPort), false);
    await sandbox.close();
    assert.equal(await canBind(vaultApiPort), true);
    assert.equal(await canBind(vaultJsPort), true);
    assert.equal(await canBind(hostedVaultPort), true);
    assert.equal(await canBind(vaultrePort), true);
    await assert.rejects(fetch(`${sandbox.vaultApiUrl}/vault/connections`));
  });

  it('fails cleanly when a port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      await assert.rejects(startSandbox({ vaultJsPort: port }), /EADDRINUSE/);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

describe('startSandbox: Hosted Vault, VaultRE and the COOP switch', () => {
  it('returns the Hosted Vault and VaultRE URLs, each on its own 127.0.0.1 origin, and points session_uri at Hosted Vault', async () => {
    const sandbox = await startSandbox();
    try {
      assert.match(sandbox.hostedVaultUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(sandbox.vaultreUrl, /^http:\/\/127\.0\.0\.1:\d+\/cgi-bin\/clientvault$/);
      assert.equal(sandbox.vaultreExchangeUrl, `${sandbox.vaultreUrl}/integrations/oauthexchange.cgi`);
      assert.equal(sandbox.vaultreClientId, 'sandbox-vaultre-client');
      const origins = [sandbox.vaultApiUrl, sandbox.vaultJsUrl, sandbox.hostedVaultUrl, new URL(sandbox.vaultreUrl).origin];
      assert.equal(new Set(origins).size, 4);

      const created = await fetch(`${sandbox.vaultApiUrl}/vault/sessions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${sandbox.apiKey}`,
          'x-apideck-app-id': sandbox.applicationId,
          'x-apideck-consumer-id': 'start-test',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ redirect_uri: 'http://localhost:5173/callback.html', settings: { auto_redirect: true } }),
      });
      const { data } = (await created.json()) as { data: { session_uri: string; session_token: string } };
      assert.equal(data.session_uri, `${sandbox.hostedVaultUrl}/session/${data.session_token}`);
      const overview = await fetch(data.session_uri);
      assert.equal(overview.status, 200);
      assert.ok(overview.url.startsWith(`${sandbox.hostedVaultUrl}/integrations?jwt=`));
      await overview.text();

      const authorized = await fetch(`${sandbox.hostedVaultUrl}/integrations/accounting/xero/authorize`, {
        method: 'POST',
        body: new URLSearchParams({ jwt: data.session_token }),
        redirect: 'manual',
      });
      assert.equal(authorized.status, 303);
      assert.equal(authorized.headers.get('location'), 'http://localhost:5173/callback.html?authorizedConnection=xero');
      assert.equal(sandbox.vaultApi.getConnection('start-test', 'accounting', 'xero')?.state, 'callable');
    } finally {
      await sandbox.close();
    }
  });

  it('runs the VaultRE flow over HTTP with the registered redirect URI, and the exchange has no CORS', async () => {
    const callback = 'http://127.0.0.1:5173/callback.html';
    const sandbox = await startSandbox({ vaultreRedirectUris: [callback] });
    try {
      const late = 'http://127.0.0.1:5999/callback.html';
      const authorize = (redirectUri: string) =>
        fetch(`${sandbox.vaultreUrl}/oauth-authorize-user.cgi?${new URLSearchParams({ client_id: sandbox.vaultreClientId, redirect_uri: redirectUri, response_type: 'code', state: 's1' }).toString()}`);
      const refused = await authorize(late);
      assert.equal(refused.status, 400);
      await refused.text();
      sandbox.registerVaultreRedirectUri(late);
      for (const uri of [callback, late]) {
        const page = await authorize(uri);
        assert.equal(page.status, 200, uri);
        await page.text();
      }

      const page = await authorize(callback);
      const request = /name="request" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
      const confirmed = await fetch(page.url, { method: 'POST', body: new URLSearchParams({ request, action: 'confirm' }), redirect: 'manual' });
      assert.equal(confirmed.status, 302);
      const location = new URL(confirmed.headers.get('location') ?? '');
      assert.equal(`${location.origin}${location.pathname}`, callback);
      assert.equal(location.searchParams.get('reason'), 'success');
      assert.equal(location.searchParams.get('state'), 's1');
      const code = location.searchParams.get('code') ?? '';

      const preflight = await fetch(sandbox.vaultreExchangeUrl, {
        method: 'OPTIONS',
        headers: { origin: 'http://127.0.0.1:5173', 'access-control-request-method': 'POST' },
      });
      assert.equal(preflight.headers.get('access-control-allow-origin'), null);
      await preflight.text();
      const exchanged = await fetch(sandbox.vaultreExchangeUrl, {
        method: 'POST',
        headers: { origin: 'http://127.0.0.1:5173' },
        body: new URLSearchParams({ client_id: sandbox.vaultreClientId, code }),
      });
      assert.equal(exchanged.status, 200);
      assert.equal(exchanged.headers.get('access-control-allow-origin'), null);
      const { token } = (await exchanged.json()) as { token: string };
      assert.deepEqual(
        sandbox.vaultre.issuedTokens().map((t) => [t.token, t.tokenType]),
        [[token, 'user']],
      );
    } finally {
      await sandbox.close();
    }
  });

  it('serves every page with Cross-Origin-Opener-Policy: same-origin while the COOP switch is on, and none while it is off', async () => {
    const callback = 'http://127.0.0.1:5173/callback.html';
    const sandbox = await startSandbox({ coop: true, vaultreRedirectUris: [callback] });
    try {
      const jwt = await sandbox.vaultApi.createSessionToken('coop-test', { redirect_uri: callback });
      const xero = sandbox.vaultApi.getConnection('coop-test', 'accounting', 'xero')?.authorize_url ?? '';
      const consent = new URL(xero);
      consent.searchParams.set('redirect_uri', callback);
      const pages = [
        `${sandbox.vaultJsUrl}/`,
        consent.href,
        `${sandbox.hostedVaultUrl}/integrations/accounting/xero?jwt=${jwt}`,
        `${sandbox.hostedVaultUrl}/session/${jwt}`,
        `${sandbox.hostedVaultUrl}/integrations/accounting/xero?jwt=invalid`,
        `${sandbox.vaultreUrl}/oauth-authorize.cgi?client_id=${sandbox.vaultreClientId}&response_type=code&redirect_uri=${encodeURIComponent(callback)}`,
        `${sandbox.vaultreUrl}/oauth-authorize.cgi?client_id=unknown&response_type=code&redirect_uri=x`,
      ];
      const coopOf = async (url: string) => {
        const response = await fetch(url, { redirect: 'manual' });
        await response.text();
        return response.headers.get('cross-origin-opener-policy');
      };
      assert.equal(sandbox.coop, true);
      for (const url of pages) assert.equal(await coopOf(url), 'same-origin', url);
      sandbox.setCoop(false);
      assert.equal(sandbox.coop, false);
      for (const url of pages) assert.equal(await coopOf(url), null, url);
      sandbox.setCoop(true);
      assert.equal(await coopOf(pages[2]), 'same-origin');
    } finally {
      await sandbox.close();
    }
  });

  it('is off by default', async () => {
    const sandbox = await startSandbox();
    try {
      assert.equal(sandbox.coop, false);
      const response = await fetch(`${sandbox.vaultJsUrl}/`);
      await response.text();
      assert.equal(response.headers.get('cross-origin-opener-policy'), null);
    } finally {
      await sandbox.close();
    }
  });
});

describe('modal script', () => {
  it('is built once per process into one self-contained script, with its styles', async () => {
    const first = await vaultModalAssets();
    assert.equal(await vaultModalAssets(), first, 'the build is cached');
    assert.doesNotThrow(() => new Script(first.script), 'no import or export: it runs as it is');
    assert.doesNotMatch(first.script, /^\s*(?:import|export)\b/m);
    assert.match(first.styles, /dialog::backdrop/);
  });
});
