import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Script } from 'node:vm';
import { startSandbox } from '../../src/sandbox/index.ts';
import { vaultModalScript } from '../../src/sandbox/vault-modal-page.ts';

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
  it('binds both emulators to 127.0.0.1 and serves the Vault API', async () => {
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
      assert.ok(source.includes("post('on-ready')"));
      assert.ok(source.includes("'on-connection-change'") && source.includes("'on-connection-delete'") && source.includes("'on-close'"));
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
    const [vaultApiPort, vaultJsPort] = [await freePort(), await freePort()];
    const sandbox = await startSandbox({ vaultApiPort, vaultJsPort, apiKey: 'k', applicationId: 'a' });
    assert.equal(sandbox.vaultApiUrl, `http://127.0.0.1:${vaultApiPort}`);
    assert.equal(sandbox.vaultJsUrl, `http://127.0.0.1:${vaultJsPort}`);
    // A kept-alive connection must not hold the server open.
    const response = await fetch(`${sandbox.vaultJsUrl}/`);
    await response.text();
    assert.equal(await canBind(vaultApiPort), false);
    await sandbox.close();
    assert.equal(await canBind(vaultApiPort), true);
    assert.equal(await canBind(vaultJsPort), true);
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

describe('modal script', () => {
  it('is plain browser JavaScript without template literals', () => {
    assert.doesNotThrow(() => new Script(vaultModalScript));
    assert.ok(!vaultModalScript.includes('`'));
  });
});
