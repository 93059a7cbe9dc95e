/**
 * Finding 3 of issue 14: the server issues the VaultRE `state` and refuses any it did not issue. `POST {"action":
 * "authorize"}` answers the authorize URL with a state signed with the handler's `secret` (bound to the consumer, the
 * token type, the redirect URI, a 10-minute expiry and a nonce); the exchange refuses an unsigned, expired, forged or
 * other consumer's state with 400 `state_mismatch` before VaultRE is called. Stateless: any instance sharing the secret
 * accepts a good state.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, UnsecuredJWT, decodeJwt } from 'jose';
import { createVaultreHandler, memoryStore } from '../../src/server/index.ts';
import type { VaultreHandlerOptions } from '../../src/server/index.ts';

const CLIENT_ID = 'vaultre-client-42';
const SECRET = 'a-test-secret-of-at-least-32-characters!';
const REDIRECT_URI = 'https://host.example/vaultre/callback?tenant=acme';
const ENDPOINT = 'https://host.example/api/vaultre';
const CONSUMER = 'victim@example.com';
const TOKEN = 'vrTOKENtopsecret0123456789abcdef';
const START = Date.parse('2026-03-04T05:06:07.000Z');

function setup(overrides: Partial<VaultreHandlerOptions> = {}, clock = { now: START }) {
  const calls: string[] = [];
  const store = memoryStore();
  const handler = createVaultreHandler({
    clientId: CLIENT_ID,
    secret: SECRET,
    redirectUri: REDIRECT_URI,
    consumerId: (request) => request.headers.get('x-user') ?? CONSUMER,
    store,
    now: () => new Date(clock.now),
    fetch: ((_input: RequestInfo | URL, init: RequestInit = {}) => {
      calls.push(typeof init.body === 'string' ? init.body : '');
      return Promise.resolve(Response.json({ token: TOKEN, message: 'Token generated successfully' }));
    }),
    ...overrides,
  });
  return { handler, calls, store, clock };
}

function post(body: unknown, user?: string): Request {
  return new Request(ENDPOINT, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(user ? { 'x-user': user } : {}) },
    body: JSON.stringify(body),
  });
}

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

/** Asks the handler for an authorize URL and returns it with its state. */
async function authorize(handler: (r: Request) => Promise<Response>, tokenType: 'account' | 'user' = 'account', user?: string) {
  const response = await handler(post({ action: 'authorize', token_type: tokenType }, user));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const body = await json(response);
  assert.deepEqual(Object.keys(body), ['authorize_url']);
  const url = new URL(body.authorize_url as string);
  return { url, state: url.searchParams.get('state') ?? '' };
}

describe('POST {"action": "authorize"}', () => {
  test('answers VaultRE’s authorize URL: client_id, redirect_uri byte for byte, response_type=code, a state', async () => {
    const { handler, calls } = setup();
    const { url, state } = await authorize(handler);
    assert.equal(`${url.origin}${url.pathname}`, 'https://login.vaultre.com.au/cgi-bin/clientvault/oauth-authorize.cgi');
    assert.deepEqual([...url.searchParams.keys()], ['client_id', 'redirect_uri', 'response_type', 'state']);
    assert.equal(url.searchParams.get('client_id'), CLIENT_ID);
    assert.equal(url.searchParams.get('redirect_uri'), REDIRECT_URI);
    assert.ok(url.search.includes(`redirect_uri=${encodeURIComponent(REDIRECT_URI)}&`), 'the redirect URI encoded once');
    assert.equal(url.searchParams.get('response_type'), 'code');
    assert.ok(state.length > 40 && state.length <= 512, `a compact state (${state.length} characters)`);
    assert.equal(calls.length, 0, 'VaultRE is not called to authorize');
  });

  test('user tokens use oauth-authorize-user.cgi; authorizeUrl changes the base', async () => {
    const { handler } = setup({ authorizeUrl: 'http://127.0.0.1:4321/cgi-bin/clientvault/' });
    const { url } = await authorize(handler, 'user');
    assert.equal(`${url.origin}${url.pathname}`, 'http://127.0.0.1:4321/cgi-bin/clientvault/oauth-authorize-user.cgi');
  });

  test('each authorization gets a new state; the consumer ID is not readable in it', async () => {
    const { handler } = setup();
    const first = (await authorize(handler)).state;
    const second = (await authorize(handler)).state;
    assert.notEqual(first, second);
    const claims = decodeJwt(first);
    assert.ok(!JSON.stringify(claims).includes('victim'), 'no consumer ID in the state');
    assert.ok(!first.includes(SECRET));
    assert.equal(claims.exp, START / 1000 + 600, 'expires after 10 minutes');
  });

  test('nobody signed in → 401 invalid_consumer, no URL', async () => {
    const { handler } = setup({ consumerId: () => '' });
    const response = await handler(post({ action: 'authorize', token_type: 'account' }));
    assert.equal(response.status, 401);
    assert.equal((await json(response)).error, 'invalid_consumer');
  });

  test('an unknown token_type or action, or extra fields → 400 invalid_request', async () => {
    const { handler } = setup();
    for (const body of [
      { action: 'authorize', token_type: 'admin' },
      { action: 'authorize' },
      { action: 'exchange', token_type: 'account' },
      { action: 'authorize', token_type: 'account', redirect_uri: 'https://evil.example/cb' },
    ]) {
      const response = await handler(post(body));
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal((await json(response)).error, 'invalid_request');
    }
  });
});

describe('POST {"code", "state"}: only a state this server issued', () => {
  test('a state it issued exchanges the code; the token type comes from the state', async () => {
    const { handler, calls, store } = setup();
    const { state } = await authorize(handler, 'user');
    const response = await handler(post({ code: 'abc123', state }));
    assert.equal(response.status, 200);
    assert.deepEqual(await json(response), { connected: true, token_type: 'user', connected_at: new Date(START).toISOString() });
    assert.equal(calls.length, 1);
    assert.equal((await store.get(CONSUMER))?.token_type, 'user');
  });

  test('token_type and redirect_uri may be sent, and then must match the state', async () => {
    const { handler, calls } = setup();
    const { state } = await authorize(handler, 'account');
    const ok = await handler(post({ code: 'abc', state, token_type: 'account', redirect_uri: REDIRECT_URI }));
    assert.equal(ok.status, 200);
    for (const body of [
      { code: 'abc', state, token_type: 'user' },
      { code: 'abc', state, redirect_uri: 'https://host.example/vaultre/callback?tenant=other' },
      { code: 'abc', state, redirect_uri: 'https://evil.example/cb' },
    ]) {
      const response = await handler(post(body));
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal((await json(response)).error, 'state_mismatch');
    }
    assert.equal(calls.length, 1, 'VaultRE saw only the good one');
  });

  test('any instance sharing the secret accepts it (stateless)', async () => {
    const one = setup();
    const two = setup();
    const { state } = await authorize(one.handler);
    assert.equal((await two.handler(post({ code: 'abc', state }))).status, 200);
    assert.equal(two.calls.length, 1);
  });

  const refused: [string, (good: string) => Promise<string> | string][] = [
    ['a random string', () => 'state-abc123'],
    ['a state the element made up (128 random bits)', () => 'Q2xYbGx3dW5uUnJxZ0Jm9A'],
    ['an unsigned JWT (alg none) with the same claims', (good) => new UnsecuredJWT(decodeJwt(good)).encode()],
    [
      'a JWT with the same claims signed with another secret',
      (good) => new SignJWT(decodeJwt(good)).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('another-secret-of-at-least-32-characters')),
    ],
    [
      'a tampered payload (another token type, the old signature)',
      (good) => {
        const [header, , signature] = good.split('.');
        const claims = { ...decodeJwt(good), tt: 'user' };
        return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
      },
    ],
    ['the signature cut off', (good) => good.split('.').slice(0, 2).join('.')],
  ];
  for (const [name, forge] of refused) {
    test(`${name} → 400 state_mismatch, VaultRE is not called, nothing stored`, async () => {
      const { handler, calls, store } = setup();
      const state = await forge((await authorize(handler)).state);
      const response = await handler(post({ code: 'abc', state }));
      assert.equal(response.status, 400);
      const body = await json(response);
      assert.equal(body.error, 'state_mismatch');
      assert.equal(typeof body.message, 'string');
      assert.equal(calls.length, 0);
      assert.equal(await store.get(CONSUMER), undefined);
    });
  }

  test('another consumer’s state → 400 state_mismatch (a code cannot be linked to someone else)', async () => {
    const { handler, calls, store } = setup();
    const { state } = await authorize(handler, 'account', 'attacker');
    const response = await handler(post({ code: 'attackers-code', state }, 'victim'));
    assert.equal(response.status, 400);
    assert.equal((await json(response)).error, 'state_mismatch');
    assert.equal(calls.length, 0);
    assert.equal(await store.get('victim'), undefined);
  });

  test('a state signed with another secret (another deployment) → 400 state_mismatch', async () => {
    const { state } = await authorize(setup({ secret: 'another-secret-of-at-least-32-characters' }).handler);
    const { handler, calls } = setup();
    assert.equal((await json(await handler(post({ code: 'abc', state })))).error, 'state_mismatch');
    assert.equal(calls.length, 0);
  });

  test('a state older than 10 minutes → 400 state_mismatch; one just younger passes', async () => {
    const { handler, calls, clock } = setup();
    const { state: young } = await authorize(handler);
    const { state: old } = await authorize(handler);
    clock.now = START + 10 * 60_000 - 1000;
    assert.equal((await handler(post({ code: 'abc', state: young }))).status, 200);
    clock.now = START + 10 * 60_000 + 1000;
    assert.equal((await json(await handler(post({ code: 'abc', state: old })))).error, 'state_mismatch');
    assert.equal(calls.length, 1);
  });

  test('a state issued for another redirect URI (the option changed) → 400 state_mismatch', async () => {
    const { state } = await authorize(setup({ redirectUri: 'https://host.example/old-callback' }).handler);
    const { handler, calls } = setup();
    assert.equal((await json(await handler(post({ code: 'abc', state })))).error, 'state_mismatch');
    assert.equal(calls.length, 0);
  });

  test('the state is checked before VaultRE is called, whatever the code', async () => {
    const { handler, calls } = setup();
    for (const code of ['a', 'x'.repeat(2048)]) await handler(post({ code, state: 'not-signed' }));
    assert.equal(calls.length, 0);
  });
});

describe('options', () => {
  const base = { clientId: CLIENT_ID, consumerId: () => CONSUMER, store: memoryStore() };
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['missing secret', { redirectUri: REDIRECT_URI }, /"secret"/],
    ['a secret under 32 characters', { secret: 'short', redirectUri: REDIRECT_URI }, /"secret" must be a string of at least 32 characters/],
    ['a secret under 32 bytes', { secret: new Uint8Array(16), redirectUri: REDIRECT_URI }, /"secret"/],
    ['missing redirectUri', { secret: SECRET }, /"redirectUri"/],
    ['a relative redirectUri', { secret: SECRET, redirectUri: '/callback' }, /"redirectUri"/],
    ['an http authorizeUrl off loopback', { secret: SECRET, redirectUri: REDIRECT_URI, authorizeUrl: 'http://login.vaultre.com.au/cgi-bin/clientvault' }, /"authorizeUrl"/],
    ['the removed redirectUris', { secret: SECRET, redirectUri: REDIRECT_URI, redirectUris: [REDIRECT_URI] }, /"redirectUris" was removed in 0\.2\.0/],
  ];
  for (const [name, change, pattern] of cases) {
    test(`${name} throws at creation, without quoting the secret`, () => {
      assert.throws(
        () => createVaultreHandler({ ...base, ...change } as unknown as VaultreHandlerOptions),
        (error: Error) => {
          assert.match(error.message, /^createVaultreHandler: /);
          assert.match(error.message, pattern);
          assert.ok(!error.message.includes('short'));
          return true;
        },
      );
    });
  }

  test('a 32-byte Uint8Array secret works', async () => {
    const { handler } = setup({ secret: crypto.getRandomValues(new Uint8Array(32)) });
    const { state } = await authorize(handler);
    assert.equal((await handler(post({ code: 'abc', state }))).status, 200);
  });
});
