/**
 * Regressions for the bugs the fuzz tests found, one plain test per place, so that they stay fixed whatever the
 * properties draw.
 *
 * zod 4's length checks (`minLength`/`min`/`max` on a string) also run on a value of the wrong type that has a
 * `length`, and comparing a `length` such as `{"toString": 1}` with a number throws a TypeError out of `safeParse`. Every
 * boundary that parses untrusted JSON with such a check threw instead of refusing the value: the element reported a
 * `network_error` (or an uncaught exception in a message listener) and the handlers answered 500 instead of 400/502.
 *
 * (The other bug found, a lone surrogate in `unified_api` breaking the whole render, needs a browser: see
 * test/component/fuzz/render.test.ts.)
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VaultConnectError } from '../../src/internal/api/errors.ts';
import { SessionSource, readSession } from '../../src/internal/api/session-source.ts';
import { VaultClient } from '../../src/internal/api/vault-client.ts';
import { CALLBACK_MESSAGE_TYPE, parseCallbackMessage } from '../../src/internal/popup/callback-message.ts';
import { PENDING_KEY, RESULT_KEY, readPendingRedirect, readRedirectResult } from '../../src/internal/popup/redirect-fallback.ts';
import { createSessionHandler, createVaultreHandler, memoryStore } from '../../src/server/index.ts';
import { createStateSigner } from '../../src/server/vaultre-state.ts';

const vaultreOptions = {
  clientId: 'client',
  secret: 'regression-secret-of-at-least-32-characters',
  redirectUri: 'https://app.test/cb',
  consumerId: () => 'user',
  store: memoryStore(),
};
import { POISON, jwtOf } from './arbitraries.ts';

const [LENGTH] = POISON;
const realFetch = globalThis.fetch;
const TOKEN = jwtOf({ application_id: 'app', consumer_id: 'consumer' });

afterEach(() => {
  globalThis.fetch = realFetch;
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

function storage(entries: Record<string, string>): Storage {
  const items = new Map(Object.entries(entries));
  return { getItem: (key: string) => items.get(key) ?? null } as Storage;
}

describe('regression: a value whose `length` cannot be compared', () => {
  test('a Vault API list reply → invalid_response (was a TypeError, reported as network_error)', async () => {
    globalThis.fetch = () => Promise.resolve(Response.json({ status_code: 200, status: 'OK', data: [{ service_id: LENGTH, unified_api: 'crm' }] }));
    const client = new VaultClient(new SessionSource(() => ({ token: TOKEN })), () => 'https://unify.test');
    const error = await rejection(client.listConnections());
    assert.ok(error instanceof VaultConnectError);
    assert.equal(error.code, 'invalid_response');
  });

  test('session claims → session_failed (was a TypeError)', async () => {
    assert.throws(() => readSession(jwtOf({ application_id: 'app', consumer_id: LENGTH })), (error: unknown) => error instanceof VaultConnectError && error.code === 'session_failed');
    globalThis.fetch = () => Promise.resolve(Response.json({ session_token: jwtOf({ application_id: LENGTH, consumer_id: 'c' }) }));
    const error = await rejection(new SessionSource(() => ({ sessionUrl: 'https://host.test/session' })).get());
    assert.ok(error instanceof VaultConnectError);
    assert.equal(error.code, 'session_failed');
  });

  test('a callback message → not a message (was thrown inside the message listeners)', () => {
    assert.equal(parseCallbackMessage({ type: CALLBACK_MESSAGE_TYPE, id: LENGTH, query: {}, fragment: {} }), undefined);
  });

  test('stored same-tab entries → nothing (was a TypeError on load)', () => {
    const pending = JSON.stringify({ id: LENGTH, kind: 'vaultre', state: 'state-0123456789', returnUrl: 'https://app.test/', startedAt: Date.now() });
    assert.equal(readPendingRedirect(storage({ [PENDING_KEY]: pending })), undefined);
    assert.equal(readRedirectResult(storage({ [RESULT_KEY]: JSON.stringify({ type: 'callback', id: 'x', query: { a: 'b' }, fragment: LENGTH }) })), undefined);
  });

  test('a VaultRE exchange request body → 400 invalid_request (was 500)', async () => {
    const handler = createVaultreHandler({ ...vaultreOptions, fetch: () => Promise.reject(new Error('not called')) });
    for (const field of ['code', 'state', 'redirect_uri']) {
      const body = { code: 'c0de', state: 'state', token_type: 'account', redirect_uri: 'https://app.test/cb', [field]: LENGTH };
      const response = await handler(new Request('https://app.test/api/vaultre', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
      assert.equal(response.status, 400, field);
      assert.equal(((await response.json()) as { error: string }).error, 'invalid_request');
    }
  });

  test("VaultRE's exchange reply → 502 exchange_failed (was 500)", async () => {
    const handler = createVaultreHandler({ ...vaultreOptions, fetch: () => Promise.resolve(Response.json({ token: LENGTH })) });
    const state = await createStateSigner(vaultreOptions.secret, () => new Date()).issue({ consumerId: 'user', tokenType: 'account', redirectUri: 'https://app.test/cb' });
    const body = { code: 'c0de', state, token_type: 'account', redirect_uri: 'https://app.test/cb' };
    const response = await handler(new Request('https://app.test/api/vaultre', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
    assert.equal(response.status, 502);
    assert.equal(((await response.json()) as { error: string }).error, 'exchange_failed');
  });

  test("Apideck's session reply → 502 upstream_invalid_response (was 500)", async () => {
    const handler = createSessionHandler({ apiKey: 'key', appId: 'app', consumerId: () => 'user', fetch: () => Promise.resolve(Response.json({ data: { session_token: LENGTH } })) });
    const response = await handler(new Request('https://app.test/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
    assert.equal(response.status, 502);
    assert.equal(((await response.json()) as { error: string }).error, 'upstream_invalid_response');
  });
});
