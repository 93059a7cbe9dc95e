import { after, before, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_VAULTRE_EXCHANGE_URL, createVaultreHandler, memoryStore, toNodeHandler } from '../../src/server/index.ts';
import type { StoredVaultreToken, VaultreHandlerOptions, VaultreTokenStore } from '../../src/server/index.ts';
import { isCodeRejection } from '../../src/server/vaultre-exchange.ts';
import { createStateSigner } from '../../src/server/vaultre-state.ts';

const CLIENT_ID = 'vaultre-client-42';
const CODE = 'vrCODEsecret7f3a9c21d4';
const TOKEN = 'vrTOKENtopsecret0123456789abcdef';
const CONSUMER = 'user-42';
const ENDPOINT = 'https://host.example/api/vaultre';
const REDIRECT_URI = 'https://host.example/vaultre/callback?tenant=acme';
const NOW = new Date('2026-03-04T05:06:07.089Z');
const FORM = `client_id=${CLIENT_ID}&code=${CODE}`;
const SECRET = 'a-test-secret-of-at-least-32-characters!';

/** A state the handlers below issue (they share the secret, the redirect URI and the clock): stateless, so any works. */
const signer = createStateSigner(SECRET, () => NOW);
const stateFor = (consumerId = CONSUMER, tokenType: 'account' | 'user' = 'account') =>
  signer.issue({ consumerId, tokenType, redirectUri: REDIRECT_URI });
const STATE = await stateFor();
const USER_STATE = await stateFor(CONSUMER, 'user');

interface UpstreamCall {
  url: string;
  method: string | undefined;
  headers: Headers;
  body: string;
  signal: AbortSignal | null | undefined;
  redirect: RequestRedirect | undefined;
}

type Responder = (call: UpstreamCall) => Response | Promise<Response>;

const okReply = (token = TOKEN) =>
  Response.json({ token, message: 'Token generated successfully' }, { headers: { 'x-upstream-secret': 'leak-me-not' } });

/** A `fetch` stub for VaultRE's exchange that records each request and answers with `responder`. */
function stubFetch(responder: Responder = () => okReply()) {
  const calls: UpstreamCall[] = [];
  const fetchStub = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const call: UpstreamCall = {
      url: input instanceof Request ? input.url : String(input),
      method: init.method,
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? init.body : `<${typeof init.body}>`,
      signal: init.signal,
      redirect: init.redirect,
    };
    calls.push(call);
    return responder(call);
  }) as typeof fetch;
  return { fetch: fetchStub, calls };
}

/** A memory store that records what reached it. */
function recordingStore(inner: VaultreTokenStore = memoryStore()) {
  const sets: [string, StoredVaultreToken][] = [];
  const deletes: string[] = [];
  const gets: string[] = [];
  const store: VaultreTokenStore = {
    get: (consumerId) => {
      gets.push(consumerId);
      return inner.get(consumerId);
    },
    set: (consumerId, value) => {
      sets.push([consumerId, value]);
      return inner.set(consumerId, value);
    },
    delete: (consumerId) => {
      deletes.push(consumerId);
      return inner.delete(consumerId);
    },
  };
  return { store, sets, deletes, gets, inner };
}

function makeHandler(overrides: Partial<VaultreHandlerOptions> = {}, responder?: Responder) {
  const stub = stubFetch(responder);
  const recorded = recordingStore();
  const handler = createVaultreHandler({
    clientId: CLIENT_ID,
    secret: SECRET,
    redirectUri: REDIRECT_URI,
    consumerId: () => CONSUMER,
    store: recorded.store,
    fetch: stub.fetch,
    now: () => NOW,
    ...overrides,
  });
  return { handler, calls: stub.calls, ...recorded };
}

const exchangeBody = (overrides: Record<string, unknown> = {}) => ({
  code: CODE,
  state: STATE,
  token_type: 'account',
  redirect_uri: REDIRECT_URI,
  ...overrides,
});

function post(
  body: unknown = exchangeBody(),
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Request {
  return new Request(ENDPOINT, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

const get = (headers: Record<string, string> = {}) => new Request(ENDPOINT, { method: 'GET', headers });
const del = (headers: Record<string, string> = {}) => new Request(ENDPOINT, { method: 'DELETE', headers });

/** Every response the tests saw, flattened to text, for the final "token and code never leak" check. */
const seen: string[] = [];

async function run(handler: (request: Request) => Promise<Response>, request: Request) {
  const response = await handler(request);
  const text = await response.text();
  const headerLines: string[] = [];
  response.headers.forEach((value, name) => headerLines.push(`${name}: ${value}`));
  seen.push(`${response.status} ${response.statusText}\n${headerLines.join('\n')}\n\n${text}`);
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    body = text;
  }
  return { response, body: body as Record<string, unknown>, text };
}

function assertJsonError(result: { response: Response; body: Record<string, unknown> }, status: number, error: string): void {
  assert.equal(result.response.status, status);
  assert.equal(result.body.error, error);
  assert.equal(typeof result.body.message, 'string');
  assert.ok((result.body.message as string).length > 0);
  assert.equal(result.response.headers.get('cache-control'), 'no-store');
  assert.match(result.response.headers.get('content-type') ?? '', /^application\/json; charset=utf-8$/);
}

/** `AbortSignal.timeout` timers do not keep Node's event loop alive (a real server does); hold it open meanwhile. */
async function keepAlive<T>(work: Promise<T>): Promise<T> {
  const timer = setInterval(() => undefined, 1000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table'] as const;
const consoleMocks: { mock: { callCount(): number } }[] = [];
before(() => {
  for (const name of consoleMethods) consoleMocks.push(mock.method(console, name, () => undefined));
});

describe('options validation', () => {
  const valid = (): Record<string, unknown> => ({
    clientId: CLIENT_ID,
    secret: SECRET,
    redirectUri: REDIRECT_URI,
    consumerId: () => CONSUMER,
    store: memoryStore(),
  });

  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['missing clientId', { clientId: undefined }, /"clientId"/],
    ['empty clientId', { clientId: '  ' }, /"clientId"/],
    ['clientId with a line break', { clientId: 'a\nb' }, /"clientId"/],
    ['consumerId not a function', { consumerId: 'user-1' }, /"consumerId"/],
    ['missing store', { store: undefined }, /"store"/],
    ['store without delete', { store: { get: () => undefined, set: () => undefined } }, /"store" must be an object with get, set and delete/],
    ['plain-http exchangeUrl on a public host', { exchangeUrl: 'http://login.vaultre.com.au/x.cgi' }, /"exchangeUrl"/],
    ['relative exchangeUrl', { exchangeUrl: '/exchange' }, /"exchangeUrl"/],
    ['allowedOrigins with a path', { allowedOrigins: ['https://app.example/path'] }, /"allowedOrigins.0"/],
    ['zero timeoutMs', { timeoutMs: 0 }, /"timeoutMs"/],
    ['now not a function', { now: new Date() }, /"now"/],
    ['verifyToken not a function', { verifyToken: 'https://api.vaultre.example/scopes' }, /"verifyToken" must be a function/],
    ['zero verifyTimeoutMs', { verifyTimeoutMs: 0 }, /"verifyTimeoutMs"/],
    ['verifyTimeoutMs over 30 s', { verifyTimeoutMs: 30_001 }, /"verifyTimeoutMs" must be at most 30000/],
    ['unknown option', { clientSecret: 'x' }, /unknown option "clientSecret"/],
  ];
  for (const [name, change, pattern] of cases) {
    test(`${name} throws at creation`, () => {
      assert.throws(
        () => createVaultreHandler({ ...valid(), ...change } as unknown as VaultreHandlerOptions),
        (error: Error) => {
          assert.match(error.message, /^createVaultreHandler: /);
          assert.match(error.message, pattern);
          return true;
        },
      );
    });
  }

  test('a non-object throws', () => {
    assert.throws(() => createVaultreHandler(null as unknown as VaultreHandlerOptions), /options must be an object/);
  });

  test('a loopback http exchangeUrl (the sandbox) and every option are accepted', () => {
    const handler = createVaultreHandler({
      ...(valid() as unknown as VaultreHandlerOptions),
      exchangeUrl: 'http://127.0.0.1:4321/cgi-bin/clientvault/integrations/oauthexchange.cgi',
      allowedOrigins: ['https://app.example', 'http://localhost:5173/'],
      authorizeUrl: 'http://localhost:4321/cgi-bin/clientvault',
      fetch: stubFetch().fetch,
      timeoutMs: 5000,
      now: () => NOW,
      verifyToken: () => 'valid',
      verifyTimeoutMs: 1000,
    });
    assert.equal(typeof handler, 'function');
  });
});

describe('POST: the exchange', () => {
  test('calls VaultRE with the form body client_id=…&code=… and answers without the token', async () => {
    const { handler, calls, sets } = makeHandler();
    const result = await run(handler, post());
    assert.equal(result.response.status, 200);
    assert.deepEqual(result.body, { connected: true, token_type: 'account', connected_at: NOW.toISOString() });
    assert.equal(result.response.headers.get('cache-control'), 'no-store');
    assert.equal(result.response.headers.get('x-upstream-secret'), null);
    assert.ok(!result.text.includes(TOKEN));

    assert.equal(calls.length, 1);
    const call = calls[0];
    assert.equal(call.url, DEFAULT_VAULTRE_EXCHANGE_URL);
    assert.equal(call.url, 'https://login.vaultre.com.au/cgi-bin/clientvault/integrations/oauthexchange.cgi');
    assert.equal(call.method, 'POST');
    assert.equal(call.headers.get('content-type'), 'application/x-www-form-urlencoded');
    assert.equal(call.body, FORM);
    assert.equal(call.redirect, 'manual');
    assert.ok(call.signal, 'the exchange has a timeout signal');

    assert.deepEqual(sets, [[CONSUMER, { token: TOKEN, token_type: 'account', connected_at: NOW.toISOString() }]]);
  });

  test('a user token and a custom exchangeUrl', async () => {
    const exchangeUrl = 'http://127.0.0.1:4321/cgi-bin/clientvault/integrations/oauthexchange.cgi';
    const { handler, calls, inner } = makeHandler({ exchangeUrl });
    const result = await run(handler, post(exchangeBody({ state: USER_STATE, token_type: 'user' })));
    assert.equal(result.response.status, 200);
    assert.equal(result.body.token_type, 'user');
    assert.equal(calls[0]?.url, exchangeUrl);
    assert.deepEqual(await inner.get(CONSUMER), { token: TOKEN, token_type: 'user', connected_at: NOW.toISOString() });
  });

  test('the code is form-encoded', async () => {
    const code = 'a+b/c=d&e%f';
    const { handler, calls } = makeHandler();
    assert.equal((await run(handler, post(exchangeBody({ code })))).response.status, 200);
    assert.equal(calls[0]?.body, `client_id=${CLIENT_ID}&code=a%2Bb%2Fc%3Dd%26e%25f`);
    assert.equal(new URLSearchParams(calls[0]?.body).get('code'), code);
  });

  test('connected_at comes from the now option, or the real clock', async () => {
    const before = Date.now();
    const { handler } = makeHandler({ now: undefined });
    const state = await createStateSigner(SECRET, () => new Date()).issue({ consumerId: CONSUMER, tokenType: 'account', redirectUri: REDIRECT_URI });
    const result = await run(handler, post(exchangeBody({ state })));
    const at = Date.parse(result.body.connected_at as string);
    assert.ok(at >= before && at <= Date.now());
  });

  test('a content-type with charset is accepted; extra fields in VaultRE’s reply are ignored', async () => {
    const { handler } = makeHandler({}, () => Response.json({ token: TOKEN, message: 'ok', expires: null, extra: { a: 1 } }));
    const result = await run(handler, post(exchangeBody(), { 'content-type': 'application/json; charset=utf-8' }));
    assert.equal(result.response.status, 200);
    assert.deepEqual(Object.keys(result.body).sort(), ['connected', 'connected_at', 'token_type']);
  });

  test('a reconnect replaces the stored token', async () => {
    let n = 0;
    const { handler, inner } = makeHandler({}, () => okReply(`${TOKEN}-${++n}`));
    await run(handler, post());
    await run(handler, post(exchangeBody({ state: USER_STATE, token_type: 'user' })));
    assert.deepEqual(await inner.get(CONSUMER), { token: `${TOKEN}-2`, token_type: 'user', connected_at: NOW.toISOString() });
  });
});

describe('GET and DELETE', () => {
  test('GET without a token → {connected: false}', async () => {
    const { handler, calls } = makeHandler();
    const result = await run(handler, get());
    assert.equal(result.response.status, 200);
    assert.deepEqual(result.body, { connected: false });
    assert.equal(result.response.headers.get('cache-control'), 'no-store');
    assert.equal(calls.length, 0);
  });

  test('POST, GET, DELETE, GET', async () => {
    const { handler, deletes, gets } = makeHandler();
    await run(handler, post(exchangeBody({ state: USER_STATE, token_type: 'user' })));
    const status = await run(handler, get());
    assert.deepEqual(status.body, { connected: true, token_type: 'user', connected_at: NOW.toISOString() });
    assert.ok(!status.text.includes(TOKEN));

    const removed = await run(handler, del());
    assert.equal(removed.response.status, 204);
    assert.equal(removed.text, '');
    assert.equal(removed.response.headers.get('cache-control'), 'no-store');
    assert.deepEqual(deletes, [CONSUMER]);
    assert.deepEqual((await run(handler, get())).body, { connected: false });
    assert.deepEqual(gets, [CONSUMER, CONSUMER]);
  });

  test('DELETE without a token is still 204', async () => {
    const { handler } = makeHandler();
    assert.equal((await run(handler, del())).response.status, 204);
  });

  test('GET passes on only the public fields a custom store returns', async () => {
    const weird = {
      get: () => Promise.resolve({ token: TOKEN, token_type: 'admin', connected_at: 42, refresh: TOKEN } as unknown as StoredVaultreToken),
      set: () => Promise.resolve(),
      delete: () => Promise.resolve(),
    };
    const { handler } = makeHandler({ store: weird });
    const result = await run(handler, get());
    assert.deepEqual(result.body, { connected: true });
  });

  test('each consumer sees only its own connection', async () => {
    let user = 'alice';
    const { handler } = makeHandler({ consumerId: () => user });
    await run(handler, post(exchangeBody({ state: await stateFor('alice') })));
    user = 'bob';
    assert.deepEqual((await run(handler, get())).body, { connected: false });
    user = 'alice';
    assert.equal((await run(handler, get())).body.connected, true);
  });

  test('no state in the handler: two instances sharing a store', async () => {
    const shared = memoryStore();
    const a = makeHandler({ store: shared });
    const b = makeHandler({ store: shared });
    await run(a.handler, post());
    assert.equal((await run(b.handler, get())).body.connected, true);
    await run(b.handler, del());
    assert.equal((await run(a.handler, get())).body.connected, false);
  });

  for (const method of ['PUT', 'PATCH', 'OPTIONS', 'HEAD']) {
    test(`${method} → 405 with Allow`, async () => {
      const { handler } = makeHandler();
      const result = await run(handler, new Request(ENDPOINT, { method }));
      assert.equal(result.response.status, 405);
      assert.equal(result.response.headers.get('allow'), 'GET, POST, DELETE');
      if (method !== 'HEAD') assertJsonError(result, 405, 'invalid_request');
    });
  }
});

describe('GET with verifyToken: VaultRE says whether the stored token still works', () => {
  type Verify = NonNullable<VaultreHandlerOptions['verifyToken']>;
  const CONNECTED = { connected: true, token_type: 'user', connected_at: NOW.toISOString() };

  /** A handler whose store holds a user token, and the calls its hook received. */
  async function connectedWith(verify: Verify, overrides: Partial<VaultreHandlerOptions> = {}) {
    const asked: { token: string; consumerId: string; tokenType: string; signal: AbortSignal }[] = [];
    const made = makeHandler({
      verifyToken: (token, context) => {
        asked.push({ token, ...context });
        return verify(token, context);
      },
      ...overrides,
    });
    await run(made.handler, post(exchangeBody({ state: USER_STATE, token_type: 'user' })));
    return { ...made, asked };
  }

  test('"valid": connected as stored; the hook gets the token, the consumer, the token type and a signal', async () => {
    const { handler, asked, calls } = await connectedWith(() => 'valid');
    const result = await run(handler, get());
    assert.deepEqual(result.body, CONNECTED);
    assert.equal(asked.length, 1);
    assert.equal(asked[0].token, TOKEN);
    assert.equal(asked[0].consumerId, CONSUMER);
    assert.equal(asked[0].tokenType, 'user');
    assert.ok(asked[0].signal instanceof AbortSignal);
    assert.equal(calls.length, 1, 'the handler itself calls VaultRE only for the exchange');
  });

  test('"revoked": {connected: false, reason: "revoked"}; the store is left as it is; the token is not in the reply', async () => {
    const { handler, deletes, sets, inner } = await connectedWith(() => Promise.resolve('revoked'));
    const result = await run(handler, get());
    assert.equal(result.response.status, 200);
    assert.deepEqual(result.body, { connected: false, reason: 'revoked' });
    assert.equal(result.response.headers.get('cache-control'), 'no-store');
    assert.ok(!result.text.includes(TOKEN));
    assert.deepEqual(deletes, [], 'GET never deletes');
    assert.equal(sets.length, 1, 'only the exchange wrote');
    assert.equal((await inner.get(CONSUMER))?.token, TOKEN, 'kept until the user reconnects or disconnects');
    // Every read asks again: the answer stays until the user acts.
    assert.deepEqual((await run(handler, get())).body, { connected: false, reason: 'revoked' });
  });

  test('a reconnect replaces the revoked token; DELETE forgets it', async () => {
    let revokedToken: string | undefined = TOKEN;
    const { handler, deletes } = await connectedWith((token) => (token === revokedToken ? 'revoked' : 'valid'), {});
    assert.equal((await run(handler, get())).body.reason, 'revoked');
    revokedToken = undefined;
    assert.deepEqual((await run(handler, get())).body, CONNECTED);
    revokedToken = TOKEN;
    await run(handler, del());
    assert.deepEqual(deletes, [CONSUMER]);
    assert.deepEqual((await run(handler, get())).body, { connected: false });
  });

  const notDefinite: [string, Verify][] = [
    ['"unknown"', () => 'unknown'],
    ['false (not a verdict)', () => false as unknown as 'valid'],
    ['undefined', () => undefined as unknown as 'valid'],
    ['"REVOKED" (not the verdict)', () => 'REVOKED' as 'revoked'],
    ['{revoked: true} (not the verdict)', () => ({ revoked: true }) as unknown as 'revoked'],
    ['a synchronous throw', () => {
      throw new Error(`VaultRE said 503 for ${TOKEN}`);
    }],
    ['a rejection', () => Promise.reject(new Error('ECONNRESET'))],
  ];
  for (const [name, verify] of notDefinite) {
    test(`${name}: not a revocation — connected as stored, nothing logged`, async () => {
      const { handler } = await connectedWith(verify);
      const result = await run(handler, get());
      assert.equal(result.response.status, 200);
      assert.deepEqual(result.body, CONNECTED);
    });
  }

  test('a hook that never answers: connected as stored after verifyTimeoutMs, and its signal aborts', async () => {
    const { handler, asked } = await connectedWith(() => new Promise<'valid'>(() => undefined), { verifyTimeoutMs: 60 });
    const started = performance.now();
    const result = await keepAlive(run(handler, get()));
    const elapsed = performance.now() - started;
    assert.deepEqual(result.body, CONNECTED);
    assert.ok(elapsed >= 55 && elapsed < 1_000, `answered after the timeout (${elapsed} ms)`);
    assert.equal(asked[0].signal.aborted, true, 'the hook is told to stop');
  });

  test('a "revoked" that comes after verifyTimeoutMs does not count; a later rejection is no unhandled one', async () => {
    const late = (verdict: 'revoked' | Error) => () =>
      new Promise<'revoked'>((resolve, reject) => setTimeout(() => (verdict instanceof Error ? reject(verdict) : resolve(verdict)), 120));
    for (const verdict of ['revoked', new Error('late')] as const) {
      const { handler } = await connectedWith(late(verdict), { verifyTimeoutMs: 30 });
      assert.deepEqual((await keepAlive(run(handler, get()))).body, CONNECTED);
    }
    await keepAlive(new Promise((resolve) => setTimeout(resolve, 200)));
  });

  test('the default limit is 3 s: a hook that answers within it is waited for', async () => {
    const { handler } = await connectedWith(() => new Promise((resolve) => setTimeout(() => resolve('revoked'), 200)));
    assert.deepEqual((await keepAlive(run(handler, get()))).body, { connected: false, reason: 'revoked' });
  });

  test('not asked without a stored token, nor for a stored value without a token, nor on POST or DELETE', async () => {
    let asked = 0;
    const verifyToken: Verify = () => {
      asked++;
      return 'revoked';
    };
    const empty = makeHandler({ verifyToken });
    assert.deepEqual((await run(empty.handler, get())).body, { connected: false });
    const metadataOnly = makeHandler({
      verifyToken,
      store: { get: () => Promise.resolve({ token_type: 'account', connected_at: 'x' } as StoredVaultreToken), set: () => Promise.resolve(), delete: () => Promise.resolve() },
    });
    assert.deepEqual((await run(metadataOnly.handler, get())).body, { connected: true, token_type: 'account', connected_at: 'x' });
    await run(empty.handler, post());
    await run(empty.handler, del());
    assert.equal(asked, 0);
  });

  test('another consumer’s revocation is not this one’s', async () => {
    let user = 'alice';
    const { handler } = makeHandler({ consumerId: () => user, verifyToken: (_token, { consumerId }) => (consumerId === 'alice' ? 'revoked' : 'valid') });
    await run(handler, post(exchangeBody({ state: await stateFor('alice') })));
    user = 'bob';
    await run(handler, post(exchangeBody({ state: await stateFor('bob') })));
    assert.equal((await run(handler, get())).body.connected, true);
    user = 'alice';
    assert.deepEqual((await run(handler, get())).body, { connected: false, reason: 'revoked' });
  });
});

describe('VaultRE error replies', () => {
  const expired: [string, Responder][] = [
    ['HTTP 400 {"message": "Invalid or expired code"} (the sandbox emulator)', () => Response.json({ message: 'Invalid or expired code' }, { status: 400 })],
    ['HTTP 200 without a token, "Code has already been used"', () => Response.json({ message: 'Code has already been used' })],
    ['HTTP 401 "The code is no longer valid"', () => Response.json({ message: 'The code is no longer valid' }, { status: 401 })],
    ['HTTP 400 OAuth-style invalid_grant', () => Response.json({ error: 'invalid_grant' }, { status: 400 })],
    ['HTTP 400 error_description', () => Response.json({ error: 'bad_request', error_description: 'Authorization code expired' }, { status: 400 })],
    ['HTTP 404 "Unknown code"', () => Response.json({ message: 'Unknown code' }, { status: 404 })],
  ];
  for (const [name, responder] of expired) {
    test(`${name} → 400 code_expired, nothing stored`, async () => {
      const { handler, sets } = makeHandler({}, responder);
      const result = await run(handler, post());
      assertJsonError(result, 400, 'code_expired');
      assert.match(result.body.message as string, /expired or was already used/);
      assert.equal(sets.length, 0);
    });
  }

  test('code_expired quotes VaultRE’s short message', async () => {
    const { handler } = makeHandler({}, () => Response.json({ message: 'Invalid or expired code' }, { status: 400 }));
    const result = await run(handler, post());
    assert.match(result.body.message as string, /VaultRE said: Invalid or expired code$/);
  });

  const failed: [string, Responder, number][] = [
    ['HTTP 401 "Invalid client_id"', () => Response.json({ message: 'Invalid client_id' }, { status: 401 }), 401],
    ['HTTP 400 "Invalid client ID or code" (ambiguous: not a code problem only)', () => Response.json({ message: 'Invalid client ID or code' }, { status: 400 }), 400],
    ['HTTP 500 with an HTML page', () => new Response('<html><body>Internal Server Error</body></html>', { status: 500, headers: { 'content-type': 'text/html' } }), 500],
    ['HTTP 503 without a body', () => new Response(null, { status: 503 }), 503],
    ['HTTP 200 without a token', () => Response.json({ message: 'Token generated successfully' }), 200],
    ['HTTP 200 with an empty token', () => Response.json({ token: '' }), 200],
    ['HTTP 200 with a non-string token', () => Response.json({ token: 12345 }), 200],
    ['HTTP 200 that is not JSON', () => new Response('OK', { status: 200 }), 200],
    ['HTTP 200 with a JSON array', () => Response.json([{ token: TOKEN }]), 200],
    ['an HTTP 302 redirect (not followed)', () => new Response(null, { status: 302, headers: { location: 'https://evil.example/login' } }), 302],
    ['a non-2xx reply that carries a token', () => Response.json({ token: TOKEN, message: 'Server error' }, { status: 500 }), 500],
  ];
  for (const [name, responder, status] of failed) {
    test(`${name} → 502 exchange_failed, nothing stored`, async () => {
      const { handler, sets } = makeHandler({}, responder);
      const result = await run(handler, post());
      assertJsonError(result, 502, 'exchange_failed');
      assert.equal(result.body.upstream_status, status);
      assert.equal(sets.length, 0);
      assert.ok(!result.text.includes('<html>') && !result.text.includes('evil.example'));
    });
  }

  test('exchange_failed quotes VaultRE’s short plain message', async () => {
    const { handler } = makeHandler({}, () => Response.json({ message: 'Invalid client_id' }, { status: 401 }));
    const result = await run(handler, post());
    assert.match(result.body.message as string, /\(it answered HTTP 401\)\. VaultRE said: Invalid client_id$/);
  });

  test('a message that quotes the code or a token is redacted', async () => {
    const codeQuoted = makeHandler({}, () => Response.json({ message: `Code ${CODE} has expired` }, { status: 400 }));
    const expiredResult = await run(codeQuoted.handler, post());
    assertJsonError(expiredResult, 400, 'code_expired');
    assert.match(expiredResult.body.message as string, /VaultRE said: Code \[redacted\] has expired$/);

    const tokenQuoted = makeHandler({}, () => Response.json({ token: TOKEN, message: `Could not save ${TOKEN}` }, { status: 500 }));
    const failedResult = await run(tokenQuoted.handler, post());
    assertJsonError(failedResult, 502, 'exchange_failed');
    assert.match(failedResult.body.message as string, /VaultRE said: Could not save \[redacted\]$/);
  });

  test('a long, multi-line, HTML or non-string message is not quoted', async () => {
    for (const message of ['x'.repeat(201), '<b>Invalid</b> request', { nested: 'Invalid' }, 42]) {
      const { handler } = makeHandler({}, () => Response.json({ message }, { status: 500 }));
      const result = await run(handler, post());
      assertJsonError(result, 502, 'exchange_failed');
      assert.ok(!(result.body.message as string).includes('VaultRE said'), String(result.body.message));
    }
    const { handler } = makeHandler({}, () => Response.json({ message: 'Line one\nline\ttwo' }, { status: 500 }));
    assert.match((await run(handler, post())).body.message as string, /VaultRE said: Line one line two$/);
  });

  test('a network failure → 504 exchange_failed', async () => {
    const { handler, sets } = makeHandler({}, () => {
      throw new TypeError('fetch failed', { cause: new Error(`connect ECONNREFUSED ${CODE}`) });
    });
    const result = await run(handler, post());
    assertJsonError(result, 504, 'exchange_failed');
    assert.ok(!result.text.includes('ECONNREFUSED'));
    assert.equal(sets.length, 0);
  });

  test('a timeout aborts the exchange → 504 exchange_failed', async () => {
    let aborted = false;
    const { handler } = makeHandler({ timeoutMs: 50 }, (call) =>
      new Promise<Response>((_resolve, reject) => {
        call.signal?.addEventListener('abort', () => {
          aborted = true;
          reject(call.signal?.reason as Error);
        });
      }),
    );
    const started = Date.now();
    const result = await keepAlive(run(handler, post()));
    assertJsonError(result, 504, 'exchange_failed');
    assert.match(result.body.message as string, /0\.05 seconds/);
    assert.ok(aborted, 'the upstream signal was aborted');
    assert.ok(Date.now() - started < 5000);
  });

  test('the default timeout is 10 s (a TimeoutError from fetch) → 504', async () => {
    const { handler } = makeHandler({}, () => {
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    });
    const result = await run(handler, post());
    assertJsonError(result, 504, 'exchange_failed');
    assert.match(result.body.message as string, /10 seconds/);
  });

  test('a timeout while reading the reply body → 504', async () => {
    const { handler } = makeHandler({ timeoutMs: 50 }, (call) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"token":'));
          call.signal?.addEventListener('abort', () => controller.error(call.signal?.reason));
        },
      });
      return new Response(body, { status: 200 });
    });
    assertJsonError(await keepAlive(run(handler, post())), 504, 'exchange_failed');
  });

  test('the exchange is not cancelled when the browser goes away (the code is spent either way)', async () => {
    const controller = new AbortController();
    const { handler, calls, inner } = makeHandler({}, (call) => {
      controller.abort();
      assert.equal(call.signal?.aborted, false);
      return okReply();
    });
    const request = new Request(ENDPOINT, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(exchangeBody()),
      signal: controller.signal,
    });
    await run(handler, request);
    assert.equal(calls.length, 1);
    assert.equal((await inner.get(CONSUMER))?.token, TOKEN);
  });
});

describe('isCodeRejection', () => {
  const yes = ['Invalid or expired code', 'Code expired', 'code already used', 'Authorization code not found', 'auth_code is invalid', 'The code has been revoked'];
  const no = ['Invalid client_id', 'Invalid client ID or code', 'Token generated successfully', 'Internal error', 'Rate limited', 'Invalid request', 'Expired session'];
  for (const text of yes) test(`"${text}" → code rejection`, () => assert.equal(isCodeRejection([text], undefined), true));
  for (const text of no) test(`"${text}" → not a code rejection`, () => assert.equal(isCodeRejection([text], undefined), false));
  test('OAuth invalid_grant → code rejection', () => assert.equal(isCodeRejection([], 'invalid_grant'), true));
});

describe('store failures → 500 store_failed without detail', () => {
  const failing = (method: 'get' | 'set' | 'delete'): VaultreTokenStore => {
    const store = memoryStore();
    return {
      ...store,
      [method]: () => Promise.reject(new Error(`store broke while holding ${TOKEN} for ${CODE}`)),
    };
  };

  test('set keeps failing: tried 3 times (after 100 and 300 ms), then 500 store_failed', async () => {
    const { store, sets } = recordingStore(failing('set'));
    const { handler } = makeHandler({ store });
    const started = Date.now();
    const result = await run(handler, post());
    assertJsonError(result, 500, 'store_failed');
    assert.match(result.body.message as string, /could not save/);
    assert.ok(!result.text.includes('store broke'));
    assert.equal(sets.length, 3, 'three attempts');
    assert.ok(Date.now() - started >= 400, 'with the backoff between them');
  });

  test('set that fails twice, then works: 200 connected, the token is kept (the spent code is not lost)', async () => {
    let failures = 2;
    const inner = memoryStore();
    const flaky: VaultreTokenStore = {
      ...inner,
      set: (consumerId, value) => (failures-- > 0 ? Promise.reject(new Error('connection reset')) : inner.set(consumerId, value)),
    };
    const recorded = recordingStore(flaky);
    const { handler, calls } = makeHandler({ store: recorded.store });
    const sets = recorded.sets;
    const result = await run(handler, post());
    assert.equal(result.response.status, 200);
    assert.equal(result.body.connected, true);
    assert.equal(sets.length, 3);
    assert.equal(calls.length, 1, 'VaultRE was called once: the code is spent once');
    assert.equal((await inner.get(CONSUMER))?.token, TOKEN);
  });

  test('set that throws synchronously', async () => {
    const store: VaultreTokenStore = {
      get: () => Promise.resolve(undefined),
      set: () => {
        throw new Error(`sync ${TOKEN}`);
      },
      delete: () => Promise.resolve(),
    };
    assertJsonError(await run(makeHandler({ store }).handler, post()), 500, 'store_failed');
  });

  test('get and delete are not retried (nothing is lost: the browser may ask again)', async () => {
    const { store, gets } = recordingStore(failing('get'));
    assertJsonError(await run(makeHandler({ store }).handler, get()), 500, 'store_failed');
    assert.equal(gets.length, 1);
  });

  test('get', async () => {
    const result = await run(makeHandler({ store: failing('get') }).handler, get());
    assertJsonError(result, 500, 'store_failed');
    assert.match(result.body.message as string, /could not read/);
  });

  test('delete', async () => {
    const result = await run(makeHandler({ store: failing('delete') }).handler, del());
    assertJsonError(result, 500, 'store_failed');
    assert.match(result.body.message as string, /could not remove/);
  });
});

describe('request validation (nothing is sent to VaultRE)', () => {
  test('wrong content types → 415', async () => {
    const { handler, calls } = makeHandler();
    for (const headers of [
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'multipart/form-data; boundary=x' },
      {} as Record<string, string>,
    ]) {
      const result = await run(handler, post(exchangeBody(), headers));
      assertJsonError(result, 415, 'invalid_request');
      assert.match(result.body.message as string, /application\/json/);
    }
    assert.equal(calls.length, 0);
  });

  test('a body over 16 KiB → 413 (declared or streamed)', async () => {
    const { handler, calls } = makeHandler();
    const big = JSON.stringify(exchangeBody({ state: 'x'.repeat(17 * 1024) }));
    const streamed = await run(handler, post(big));
    assertJsonError(streamed, 413, 'invalid_request');
    assert.match(streamed.body.message as string, /16384 bytes/);
    const declared = await run(
      handler,
      post(big, { 'content-type': 'application/json', 'content-length': String(new TextEncoder().encode(big).byteLength) }),
    );
    assertJsonError(declared, 413, 'invalid_request');
    assert.equal(calls.length, 0);
  });

  test('a body of exactly 16 KiB is read (and then validated)', async () => {
    const { handler } = makeHandler();
    const base = JSON.stringify(exchangeBody({ state: '' }));
    const padded = base.replace('"state":""', `"state":"${'s'.repeat(16 * 1024 - base.length)}"`);
    assert.equal(padded.length, 16 * 1024);
    const result = await run(handler, post(padded));
    assertJsonError(result, 400, 'invalid_request');
    assert.match(result.body.message as string, /state must be at most 2048 characters/);
  });

  test('invalid JSON and an empty body → 400 invalid_request', async () => {
    const { handler, calls } = makeHandler();
    assertJsonError(await run(handler, post('{"code": ')), 400, 'invalid_request');
    assertJsonError(await run(handler, post('')), 400, 'invalid_request');
    assert.equal(calls.length, 0);
  });

  const invalid: [string, unknown, RegExp, string?][] = [
    ['a non-string code', exchangeBody({ code: 12345 }), /code must be a string/, 'code'],
    ['a code that is an object', exchangeBody({ code: { $ne: '' } }), /code must be a string/, 'code'],
    ['a missing code', { state: 's', token_type: 'account', redirect_uri: REDIRECT_URI }, /code is required/, 'code'],
    ['an empty code', exchangeBody({ code: '' }), /code must not be empty/, 'code'],
    ['a code over 2048 characters', exchangeBody({ code: 'c'.repeat(2049) }), /code must be at most 2048/, 'code'],
    ['a code with a space', exchangeBody({ code: 'abc def' }), /printable/, 'code'],
    ['a code with a line break', exchangeBody({ code: 'abc\r\nX-Evil: 1' }), /printable/, 'code'],
    ['a code with non-ASCII', exchangeBody({ code: 'abcé' }), /printable/, 'code'],
    ['a missing state', exchangeBody({ state: undefined }), /state is required/, 'state'],
    ['an empty state', exchangeBody({ state: '' }), /state must not be empty/, 'state'],
    ['a state over 2048 characters', exchangeBody({ state: 's'.repeat(2049) }), /state must be at most 2048/, 'state'],
    ['a non-string state', exchangeBody({ state: ['a'] }), /state must be a string/, 'state'],
    ['an unknown token_type', exchangeBody({ token_type: 'admin' }), /token_type must be "account" or "user"/, 'token_type'],
    ['a relative redirect_uri', exchangeBody({ redirect_uri: '/callback' }), /redirect_uri must be an absolute http\(s\) URL/, 'redirect_uri'],
    ['a javascript: redirect_uri', exchangeBody({ redirect_uri: 'javascript:alert(1)' }), /absolute http\(s\) URL/, 'redirect_uri'],
    ['a non-string redirect_uri', exchangeBody({ redirect_uri: 1 }), /redirect_uri must be a string/, 'redirect_uri'],
    ['an unknown field', exchangeBody({ client_id: 'other' }), /Unknown field "client_id"/],
    ['a JSON array', [exchangeBody()], /must be a JSON object/],
    ['JSON null', null, /must be a JSON object/],
    ['a JSON string', 'x', /must be a JSON object/],
  ];
  for (const [name, body, pattern, field] of invalid) {
    test(`${name} → 400 invalid_request`, async () => {
      const { handler, calls } = makeHandler();
      const result = await run(handler, post(JSON.stringify(body)));
      assertJsonError(result, 400, 'invalid_request');
      assert.match(result.body.message as string, pattern);
      if (field) assert.equal(result.body.field, field);
      assert.equal(calls.length, 0);
    });
  }

  test('messages never quote the submitted values', async () => {
    const { handler } = makeHandler();
    for (const body of [exchangeBody({ code: `${CODE} with space` }), exchangeBody({ token_type: CODE }), exchangeBody({ redirect_uri: CODE })]) {
      const result = await run(handler, post(body));
      assert.equal(result.response.status, 400);
      assert.ok(!result.text.includes(CODE));
    }
  });
});

describe('redirect_uri: only the registered one (bound to the state)', () => {
  test('the registered redirect_uri, or none, passes', async () => {
    const { handler, calls } = makeHandler();
    assert.equal((await run(handler, post())).response.status, 200);
    assert.equal((await run(handler, post(exchangeBody({ redirect_uri: undefined })))).response.status, 200);
    assert.equal(calls.length, 2);
  });

  test('anything else → 400 state_mismatch, nothing sent', async () => {
    const { handler, calls } = makeHandler();
    for (const redirect_uri of [
      'https://host.example/vaultre/callback',
      'https://host.example/vaultre/callback?tenant=other',
      'https://host.example/vaultre/callback?tenant=acme&x=1',
      'https://host.example/vaultre/callback/?tenant=acme',
      'https://HOST.example/vaultre/callback?tenant=acme',
      'https://host.example/vaultre/callback?tenant=acme#',
      'https://evil.example/vaultre/callback?tenant=acme',
    ]) {
      const result = await run(handler, post(exchangeBody({ redirect_uri })));
      assertJsonError(result, 400, 'state_mismatch');
      assert.ok(!result.text.includes('evil.example'));
    }
    assert.equal(calls.length, 0);
  });
});

describe('consumerId', () => {
  for (const [name, consumerId] of [
    ['throws', () => {
      throw new Error('no session');
    }],
    ['rejects', () => Promise.reject(new Error('no session'))],
    ['returns an empty string', () => ''],
    ['returns a non-string', () => 42 as unknown as string],
  ] as [string, VaultreHandlerOptions['consumerId']][]) {
    test(`${name} → 401 for POST, GET and DELETE; the code is not spent`, async () => {
      const { handler, calls, sets, gets, deletes } = makeHandler({ consumerId });
      for (const request of [post(), get(), del()]) {
        const result = await run(handler, request);
        assertJsonError(result, 401, 'invalid_consumer');
        assert.ok(!result.text.includes('no session'));
      }
      assert.equal(calls.length, 0);
      assert.equal(sets.length + gets.length + deletes.length, 0);
    });
  }

  test('an async consumerId is awaited and receives the request', async () => {
    const { handler, sets } = makeHandler({
      consumerId: (request) => Promise.resolve(request.headers.get('x-user') ?? ''),
    });
    await run(handler, post(exchangeBody({ state: await stateFor('async-user') }), { 'content-type': 'application/json', 'x-user': 'async-user' }));
    assert.equal(sets[0]?.[0], 'async-user');
  });

  test('a consumer ID with control characters or whitespace at an end → 400 invalid_consumer before the exchange', async () => {
    const { handler, calls } = makeHandler({ consumerId: () => 'user\r\nx' });
    assertJsonError(await run(handler, post()), 400, 'invalid_consumer');
    assertJsonError(await run(makeHandler({ consumerId: () => `${CONSUMER} ` }).handler, post()), 400, 'invalid_consumer');
    assert.equal(calls.length, 0);
  });

  test('the body is validated before consumerId is asked', async () => {
    let asked = 0;
    const { handler } = makeHandler({
      consumerId: () => {
        asked += 1;
        return CONSUMER;
      },
    });
    await run(handler, post(exchangeBody({ code: 1 })));
    assert.equal(asked, 0);
  });
});

describe('Origin and Sec-Fetch-Site (CSRF)', () => {
  const allowedOrigins = ['https://app.example', 'http://localhost:5173/'];
  const withHeaders = (headers: Record<string, string>) => post(exchangeBody(), { 'content-type': 'application/json', ...headers });

  test('a listed origin passes (list entries are normalised)', async () => {
    const { handler, calls } = makeHandler({ allowedOrigins });
    for (const origin of ['https://app.example', 'http://localhost:5173']) {
      for (const site of [undefined, 'same-origin', 'same-site', 'cross-site']) {
        const result = await run(handler, withHeaders({ origin, ...(site ? { 'sec-fetch-site': site } : {}) }));
        assert.equal(result.response.status, 200, `${origin} ${site}`);
      }
    }
    assert.equal(calls.length, 8);
  });

  test('an unlisted origin → 403 for POST, GET and DELETE; nothing sent or stored', async () => {
    const { handler, calls, sets, gets, deletes } = makeHandler({ allowedOrigins });
    for (const origin of ['https://evil.example', 'null', 'https://app.example:8443', 'http://app.example']) {
      for (const request of [
        withHeaders({ origin, 'sec-fetch-site': 'cross-site' }),
        get({ origin }),
        del({ origin, 'sec-fetch-site': 'cross-site' }),
      ]) {
        assertJsonError(await run(handler, request), 403, 'origin_not_allowed');
      }
    }
    assert.equal(calls.length + sets.length + gets.length + deletes.length, 0);
  });

  for (const allow of [allowedOrigins, undefined]) {
    const label = allow ? 'with allowedOrigins' : 'without allowedOrigins';

    test(`${label}: no Origin passes when Sec-Fetch-Site is absent, same-origin or none`, async () => {
      const { handler } = makeHandler({ allowedOrigins: allow });
      const variants: Record<string, string>[] = [{}, { 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'none' }, { 'sec-fetch-site': 'Same-Origin' }];
      for (const headers of variants) {
        assert.equal((await run(handler, withHeaders(headers))).response.status, 200, JSON.stringify(headers));
        assert.equal((await run(handler, get(headers))).response.status, 200);
      }
    });

    test(`${label}: no Origin with Sec-Fetch-Site same-site or cross-site → 403 (POST, GET, DELETE)`, async () => {
      const { handler, calls, deletes } = makeHandler({ allowedOrigins: allow });
      for (const site of ['same-site', 'cross-site']) {
        for (const request of [withHeaders({ 'sec-fetch-site': site }), get({ 'sec-fetch-site': site }), del({ 'sec-fetch-site': site })]) {
          const result = await run(handler, request);
          assertJsonError(result, 403, 'origin_not_allowed');
          assert.match(result.body.message as string, /without an Origin header/);
        }
      }
      assert.equal(calls.length + deletes.length, 0);
    });
  }

  test('without allowedOrigins: an Origin the browser marks cross-site or same-site → 403 (POST, GET, DELETE); same-origin passes', async () => {
    const { handler, calls, gets, deletes } = makeHandler();
    for (const [origin, site] of [
      ['https://evil.example', 'cross-site'],
      // A sibling subdomain: same site, another origin.
      ['https://other.host.example', 'same-site'],
    ] as const) {
      for (const request of [withHeaders({ origin, 'sec-fetch-site': site }), get({ origin, 'sec-fetch-site': site }), del({ origin, 'sec-fetch-site': site })]) {
        assertJsonError(await run(handler, request), 403, 'origin_not_allowed');
      }
    }
    assert.equal(calls.length + gets.length + deletes.length, 0);
    const own = new URL(ENDPOINT).origin;
    assert.equal((await run(handler, withHeaders({ origin: own, 'sec-fetch-site': 'same-origin' }))).response.status, 200);
    assert.equal((await run(handler, del({ origin: own, 'sec-fetch-site': 'same-origin' }))).response.status, 204);
  });

  test('without allowedOrigins and without Sec-Fetch-Site: only the request’s own Origin passes (POST, GET, DELETE)', async () => {
    const { handler, calls, gets, deletes } = makeHandler();
    for (const origin of ['https://evil.example', 'http://localhost:5173', 'http://host.example', 'https://host.example.evil.example', 'null']) {
      for (const request of [withHeaders({ origin }), get({ origin }), del({ origin })]) {
        assertJsonError(await run(handler, request), 403, 'origin_not_allowed');
      }
    }
    assert.equal(calls.length + gets.length + deletes.length, 0);
    const own = new URL(ENDPOINT).origin;
    assert.equal((await run(handler, withHeaders({ origin: own }))).response.status, 200);
    assert.equal((await run(handler, get({ origin: own }))).response.status, 200);
    assert.equal((await run(handler, del({ origin: own }))).response.status, 204);
  });

  test('the origin check comes before the body is read', async () => {
    const { handler } = makeHandler({ allowedOrigins });
    const result = await run(handler, post('not json', { 'content-type': 'text/plain', origin: 'https://evil.example' }));
    assertJsonError(result, 403, 'origin_not_allowed');
  });
});

describe('through toNodeHandler on a real http server', () => {
  let server: http.Server;
  let url: string;
  const upstream = stubFetch();
  const store = memoryStore();

  before(async () => {
    const handler = createVaultreHandler({
      clientId: CLIENT_ID,
      secret: SECRET,
      redirectUri: REDIRECT_URI,
      now: () => NOW,
      consumerId: (request) => request.headers.get('x-user') ?? '',
      store,
      fetch: upstream.fetch,
    });
    server = http.createServer(toNodeHandler(handler));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/vaultre`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });

  async function send(init: RequestInit) {
    const response = await fetch(url, init);
    const text = await response.text();
    const headerLines: string[] = [];
    response.headers.forEach((value, name) => headerLines.push(`${name}: ${value}`));
    seen.push(`${response.status} ${response.statusText}\n${headerLines.join('\n')}\n\n${text}`);
    return { response, text };
  }

  test('POST, GET, DELETE, and a large body', async () => {
    const headers = { 'content-type': 'application/json', 'x-user': 'node-user' };
    const posted = await send({ method: 'POST', headers, body: JSON.stringify(exchangeBody({ state: await stateFor('node-user') })) });
    assert.equal(posted.response.status, 200);
    assert.equal((JSON.parse(posted.text) as { connected: boolean }).connected, true);
    assert.equal(upstream.calls.at(-1)?.body, FORM);
    assert.equal((await store.get('node-user'))?.token, TOKEN);

    const status = await send({ method: 'GET', headers: { 'x-user': 'node-user' } });
    assert.equal((JSON.parse(status.text) as { connected: boolean }).connected, true);

    const removed = await send({ method: 'DELETE', headers: { 'x-user': 'node-user' } });
    assert.equal(removed.response.status, 204);
    assert.equal(await store.get('node-user'), undefined);

    const big = await send({ method: 'POST', headers, body: JSON.stringify({ p: 'x'.repeat(1024 * 1024) }) });
    assert.equal(big.response.status, 413);
  });
});

test('neither the token nor the code appears in any response body or header, and nothing was logged', () => {
  assert.ok(seen.length > 100, `only ${seen.length} responses were recorded`);
  for (const text of seen) {
    assert.ok(!text.includes(TOKEN), `the token leaked in:\n${text}`);
    assert.ok(!text.includes(TOKEN.slice(2, 18)), `part of the token leaked in:\n${text}`);
    assert.ok(!text.includes(CODE), `the code leaked in:\n${text}`);
    assert.ok(!text.includes(CODE.slice(2, 14)), `part of the code leaked in:\n${text}`);
    assert.ok(!text.includes('leak-me-not'), `an upstream header leaked in:\n${text}`);
  }
  for (const consoleMock of consoleMocks) assert.equal(consoleMock.mock.callCount(), 0);
});
