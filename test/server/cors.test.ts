/**
 * Finding 5 of issue 14: `allowedOrigins` has to work for a page on another origin. For a listed origin both handlers
 * answer the CORS preflight (credentials allowed) and add the CORS headers to every reply, errors included; an unlisted
 * origin keeps getting 403 `origin_not_allowed` and no CORS header, so its page can read nothing.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionHandler, createVaultreHandler, memoryStore } from '../../src/server/index.ts';

const APP = 'https://app.example';
const EVIL = 'https://evil.example';

const session = (allowedOrigins?: string[]) =>
  createSessionHandler({
    apiKey: 'sk_test_key',
    appId: 'app',
    consumerId: () => 'user-1',
    ...(allowedOrigins ? { allowedOrigins } : {}),
    fetch: () => Promise.resolve(Response.json({ data: { session_token: 'jwt' } })),
  });

const vaultre = (allowedOrigins?: string[]) =>
  createVaultreHandler({
    clientId: 'client',
    secret: 'a-test-secret-of-at-least-32-characters!',
    redirectUri: 'https://app.example/callback',
    consumerId: () => 'user-1',
    store: memoryStore(),
    ...(allowedOrigins ? { allowedOrigins } : {}),
    fetch: () => Promise.resolve(Response.json({ token: 't' })),
  });

const handlers = [
  { name: 'createSessionHandler', make: session, url: 'https://api.example/session', methods: ['POST'] },
  { name: 'createVaultreHandler', make: vaultre, url: 'https://api.example/vaultre', methods: ['GET', 'POST', 'DELETE'] },
] as const;

function preflight(url: string, origin: string, method = 'POST'): Request {
  return new Request(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type', 'sec-fetch-site': 'cross-site' },
  });
}

for (const { name, make, url, methods } of handlers) {
  describe(`${name}: CORS`, () => {
    test('a preflight from a listed origin → 204 with the origin, credentials, methods, headers and Vary: Origin', async () => {
      const handler = make([APP]);
      for (const method of methods) {
        const response = await handler(preflight(url, APP, method));
        assert.equal(response.status, 204);
        assert.equal(response.headers.get('access-control-allow-origin'), APP);
        assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
        const allowed = (response.headers.get('access-control-allow-methods') ?? '').split(/,\s*/);
        for (const m of methods) assert.ok(allowed.includes(m), `${m} is allowed`);
        assert.match(response.headers.get('access-control-allow-headers') ?? '', /content-type/);
        assert.match(response.headers.get('vary') ?? '', /Origin/);
        assert.equal(response.headers.get('cache-control'), 'no-store');
      }
    });

    test('the reply itself carries Access-Control-Allow-Origin/-Credentials and Vary: Origin', async () => {
      const handler = make([APP]);
      const response = await handler(
        new Request(url, { method: 'POST', headers: { origin: APP, 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, body: '{}' }),
      );
      // The session handler answers a session; the VaultRE handler refuses `{}` (no code): either way, readable.
      assert.ok(response.status === 200 || response.status === 400, String(response.status));
      assert.equal(response.headers.get('access-control-allow-origin'), APP);
      assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
      assert.match(response.headers.get('vary') ?? '', /Origin/);
    });

    test('an unlisted origin: the preflight and the request → 403 origin_not_allowed, no CORS header', async () => {
      const handler = make([APP]);
      for (const request of [
        preflight(url, EVIL),
        new Request(url, { method: 'POST', headers: { origin: EVIL, 'content-type': 'application/json' }, body: '{}' }),
      ]) {
        const response = await handler(request);
        assert.equal(response.status, 403);
        assert.equal(((await response.json()) as { error: string }).error, 'origin_not_allowed');
        assert.equal(response.headers.get('access-control-allow-origin'), null);
        assert.equal(response.headers.get('access-control-allow-credentials'), null);
      }
    });

    test('without allowedOrigins: no CORS at all (a cross-origin preflight → 403)', async () => {
      const handler = make();
      const response = await handler(preflight(url, APP));
      assert.equal(response.status, 403);
      assert.equal(response.headers.get('access-control-allow-origin'), null);
    });

    test('OPTIONS without an Origin is not a preflight: 405 invalid_request', async () => {
      const response = await make([APP])(new Request(url, { method: 'OPTIONS' }));
      assert.equal(response.status, 405);
      assert.equal(((await response.json()) as { error: string }).error, 'invalid_request');
    });
  });
}
