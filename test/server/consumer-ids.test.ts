/**
 * Finding 8 of issue 14: `"victim"` and `"victim "` must never become the same Apideck consumer. Header values are
 * trimmed on the way to Apideck, so both handlers refuse a consumer ID with leading or trailing whitespace or any
 * control character (400 `invalid_consumer`) instead of trimming it into someone else's, before anything is sent
 * upstream or stored. Nobody signed in stays 401, with the same code.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionHandler, createVaultreHandler, memoryStore } from '../../src/server/index.ts';

const BAD_IDS = ['victim ', ' victim', 'victim\t', '\tvictim', 'vic\ttim', 'victim\u0000', 'vic\r\ntim', 'victim\u007f', '   ', 'victim\u00a0', 'vîctim'];

function sessionHandler(id: string) {
  const calls: Headers[] = [];
  const handler = createSessionHandler({
    apiKey: 'sk_test_key',
    appId: 'app',
    consumerId: () => id,
    fetch: ((_input: RequestInfo | URL, init: RequestInit = {}) => {
      calls.push(new Headers(init.headers));
      return Promise.resolve(Response.json({ data: { session_token: 'jwt' } }));
    }),
  });
  return { handler, calls };
}

function vaultreHandler(id: string) {
  const calls: string[] = [];
  const store = memoryStore();
  const handler = createVaultreHandler({
    clientId: 'client',
    secret: 'a-test-secret-of-at-least-32-characters!',
    redirectUri: 'https://app.example/callback',
    consumerId: () => id,
    store,
    fetch: ((_input: RequestInfo | URL, init: RequestInit = {}) => {
      calls.push(typeof init.body === 'string' ? init.body : '');
      return Promise.resolve(Response.json({ token: 't' }));
    }),
  });
  return { handler, calls, store };
}

const json = (body: unknown) =>
  new Request('https://app.example/api', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function errorOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: string }).error;
}

describe('consumer IDs are refused, never trimmed', () => {
  for (const id of BAD_IDS) {
    test(`${JSON.stringify(id)} → 400 invalid_consumer in both handlers; nothing sent or stored`, async () => {
      const session = sessionHandler(id);
      const response = await session.handler(json({}));
      assert.equal(response.status, 400);
      assert.equal(await errorOf(response), 'invalid_consumer');
      assert.equal(session.calls.length, 0);

      const vaultre = vaultreHandler(id);
      for (const request of [
        json({ action: 'authorize', token_type: 'account' }),
        json({ code: 'abc', state: 'whatever' }),
        new Request('https://app.example/api'),
        new Request('https://app.example/api', { method: 'DELETE' }),
      ]) {
        const reply = await vaultre.handler(request);
        assert.equal(reply.status, 400, `${request.method}`);
        const text = await reply.text();
        assert.equal((JSON.parse(text) as { error: string }).error, 'invalid_consumer');
        assert.ok(!text.includes('victim'), 'the ID is not quoted');
      }
      assert.equal(vaultre.calls.length, 0);
    });
  }

  test('"victim" itself passes, with spaces inside allowed', async () => {
    for (const id of ['victim', 'victim smith', 'a', 'user@example.com']) {
      const session = sessionHandler(id);
      assert.equal((await session.handler(json({}))).status, 200, id);
      assert.equal(session.calls[0]?.get('x-apideck-consumer-id'), id);
    }
  });

  test('nobody signed in (empty, not a string, throws) → 401 invalid_consumer', async () => {
    for (const id of ['', 42 as unknown as string]) {
      assert.equal(await errorOf(await sessionHandler(id).handler(json({}))), 'invalid_consumer');
      const reply = await vaultreHandler(id).handler(new Request('https://app.example/api'));
      assert.equal(reply.status, 401);
      assert.equal(await errorOf(reply), 'invalid_consumer');
    }
  });
});
