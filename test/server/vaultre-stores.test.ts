import { after, before, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { apideckImportStore, createVaultreHandler, memoryStore } from '../../src/server/index.ts';
import { createTokenCipher } from '../../src/server/encryption/token-cipher.ts';
import { createStateSigner } from '../../src/server/vaultre-state.ts';
import type { ApideckImportStoreOptions, StoredVaultreToken } from '../../src/server/index.ts';
import { type VaultApi, createVaultApi } from '../../src/sandbox/vault-api.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts';

const API_KEY = 'test-api-key-SECRET-9d2e';
const APP_ID = 'test-app';
const BASE = 'https://unify.test';
const TOKEN = 'vrTOKENtopsecret0123456789abcdef';
const CONSUMER = 'consumer-1';
// `ats/greenhouse` is an `apiKey` connector of the sandbox seed (`state: available`, one required field, `api_key`).
const UNIFIED_API = 'ats';
const SERVICE_ID = 'greenhouse';
/** The store's `encryptionKey`: 32 bytes, base64. */
const KEY = Buffer.alloc(32, 7).toString('base64');
const OTHER_KEY = Buffer.alloc(32, 9).toString('base64');

const value = (overrides: Partial<StoredVaultreToken> = {}): StoredVaultreToken => ({
  token: TOKEN,
  token_type: 'account',
  connected_at: '2026-03-04T05:06:07.089Z',
  ...overrides,
});

const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table'] as const;
const consoleMocks: { mock: { callCount(): number } }[] = [];
before(() => {
  for (const name of consoleMethods) consoleMocks.push(mock.method(console, name, () => undefined));
});

describe('memoryStore', () => {
  test('get, set, delete', async () => {
    const store = memoryStore();
    assert.equal(await store.get(CONSUMER), undefined);
    await store.set(CONSUMER, value());
    assert.deepEqual(await store.get(CONSUMER), value());
    await store.set(CONSUMER, value({ token: 'second', token_type: 'user' }));
    assert.deepEqual(await store.get(CONSUMER), value({ token: 'second', token_type: 'user' }));
    await store.delete(CONSUMER);
    assert.equal(await store.get(CONSUMER), undefined);
    await store.delete(CONSUMER);
  });

  test('keeps consumers apart and hands out copies', async () => {
    const store = memoryStore();
    const original = value();
    await store.set('a', original);
    original.token = 'mutated';
    const read = await store.get('a');
    assert.equal(read?.token, TOKEN);
    if (read) read.token = 'mutated again';
    assert.equal((await store.get('a'))?.token, TOKEN);
    assert.equal(await store.get('b'), undefined);
    assert.notEqual(memoryStore(), store);
    assert.equal(await memoryStore().get('a'), undefined);
  });

  test('refuses an invalid value without quoting it', async () => {
    const store = memoryStore();
    for (const bad of [
      value({ token: '' }),
      { ...value(), token_type: 'admin' },
      { token: TOKEN, token_type: 'account' },
      { ...value(), extra: TOKEN },
      null,
    ]) {
      await assert.rejects(store.set(CONSUMER, bad as StoredVaultreToken), (error: Error) => {
        assert.match(error.message, /^memoryStore: invalid value for set\(\)/);
        assert.ok(!error.message.includes(TOKEN));
        return true;
      });
    }
    assert.equal(await store.get(CONSUMER), undefined);
  });
});

interface Recorded {
  url: string;
  method: string;
  headers: Headers;
  body: string | undefined;
}

/** The Vault API emulator, called in-process through the store's `fetch` option, recording each request. */
function emulator(options: { apiKey?: string } = {}) {
  const api: VaultApi = createVaultApi({
    apiKey: API_KEY,
    applicationId: APP_ID,
    vaultApiUrl: BASE,
    allowOrigin: () => false,
  });
  const requests: Recorded[] = [];
  const fetchStub = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const request = new Request(input, init);
    requests.push({
      url: request.url,
      method: request.method,
      headers: new Headers(request.headers),
      body: typeof init.body === 'string' ? init.body : undefined,
    });
    return api.handler(request);
  }) as typeof fetch;
  const store = apideckImportStore({
    apiKey: options.apiKey ?? API_KEY,
    appId: APP_ID,
    unifiedApi: UNIFIED_API,
    serviceId: SERVICE_ID,
    unifyBaseUrl: BASE,
    fetch: fetchStub,
    encryptionKey: KEY,
  });
  /** The connection as the emulator's own `GET` shows it. */
  const read = async (consumer = CONSUMER) => {
    const response = await api.handler(
      new Request(`${BASE}/vault/connections/${UNIFIED_API}/${SERVICE_ID}`, {
        headers: { authorization: `Bearer ${API_KEY}`, 'x-apideck-app-id': APP_ID, 'x-apideck-consumer-id': consumer },
      }),
    );
    assert.equal(response.status, 200);
    return ((await response.json()) as { data: { state: string; settings: Record<string, unknown> | null } }).data;
  };
  return { api, store, requests, read, fetch: fetchStub };
}

describe('apideckImportStore against the Vault API emulator', () => {
  test('set imports the token into settings; the connection becomes callable', async () => {
    const { store, requests, read } = emulator();
    assert.equal((await read()).state, 'available');
    await store.set(CONSUMER, value());

    assert.equal(requests.length, 1);
    const request = requests[0];
    assert.equal(request.url, `${BASE}/vault/connections/ats/greenhouse/import`);
    assert.equal(request.method, 'POST');
    assert.equal(request.headers.get('authorization'), `Bearer ${API_KEY}`);
    assert.equal(request.headers.get('x-apideck-app-id'), APP_ID);
    assert.equal(request.headers.get('x-apideck-consumer-id'), CONSUMER);
    assert.equal(request.headers.get('content-type'), 'application/json');
    const sent = JSON.parse(request.body ?? '') as { settings: { api_key: string } };
    assert.deepEqual(Object.keys(sent), ['settings']);
    assert.deepEqual(Object.keys(sent.settings), ['api_key']);
    assert.match(sent.settings.api_key, /^vc1\.default\./);
    assert.ok(!(request.body ?? '').includes(TOKEN), 'Apideck receives ciphertext only');
    assert.deepEqual(JSON.parse(await createTokenCipher(KEY).open(sent.settings.api_key, CONSUMER)), value());

    const connection = await read();
    assert.equal(connection.state, 'callable');
    assert.deepEqual(connection.settings, { api_key: sent.settings.api_key });
  });

  test('get reads the token back; before any set it is undefined', async () => {
    const { store, requests } = emulator();
    assert.equal(await store.get(CONSUMER), undefined);
    assert.equal(requests[0]?.method, 'GET');
    assert.equal(requests[0]?.url, `${BASE}/vault/connections/ats/greenhouse`);
    assert.equal(requests[0]?.headers.get('authorization'), `Bearer ${API_KEY}`);
    assert.equal(requests[0]?.headers.get('x-apideck-consumer-id'), CONSUMER);
    await store.set(CONSUMER, value({ token_type: 'user' }));
    assert.deepEqual(await store.get(CONSUMER), value({ token_type: 'user' }));
  });

  test('a second set upserts', async () => {
    const { store, read } = emulator();
    await store.set(CONSUMER, value());
    await store.set(CONSUMER, value({ token: 'replacement-token', token_type: 'user', connected_at: '2026-03-05T00:00:00.000Z' }));
    const connection = await read();
    assert.equal(connection.state, 'callable');
    assert.deepEqual(Object.keys(connection.settings ?? {}), ['api_key']);
    assert.deepEqual(await store.get(CONSUMER), value({ token: 'replacement-token', token_type: 'user', connected_at: '2026-03-05T00:00:00.000Z' }));
  });

  test('delete resets the connection; deleting twice is fine', async () => {
    const { store, requests, read } = emulator();
    await store.set(CONSUMER, value());
    await store.delete(CONSUMER);
    assert.equal(requests.at(-1)?.method, 'DELETE');
    assert.equal(requests.at(-1)?.url, `${BASE}/vault/connections/ats/greenhouse`);
    const connection = await read();
    assert.equal(connection.state, 'available');
    assert.equal(connection.settings, null);
    assert.equal(await store.get(CONSUMER), undefined);
    await store.delete(CONSUMER);
  });

  test('consumers are kept apart', async () => {
    const { store, read } = emulator();
    await store.set('alice', value());
    assert.equal(await store.get('bob'), undefined);
    assert.equal((await read('bob')).state, 'available');
    assert.equal((await store.get('alice'))?.token, TOKEN);
  });

  test('a connector the application does not have: get → undefined, delete → fine, set → Error', async () => {
    const { fetch } = emulator();
    const store = apideckImportStore({ apiKey: API_KEY, appId: APP_ID, unifiedApi: 'crm', serviceId: 'vaultre', unifyBaseUrl: BASE, fetch, encryptionKey: KEY });
    assert.equal(await store.get(CONSUMER), undefined);
    await store.delete(CONSUMER);
    await assert.rejects(store.set(CONSUMER, value()), (error: Error) => {
      assert.match(error.message, /^apideckImportStore: Apideck answered HTTP 404 to the import: Unknown Connection$/);
      return true;
    });
  });

  test('a wrong API key: every method rejects without the key or the token', async () => {
    const { store } = emulator({ apiKey: 'wrong-key-SECRET-1234' });
    for (const action of [() => store.set(CONSUMER, value()), () => store.get(CONSUMER), () => store.delete(CONSUMER)]) {
      await assert.rejects(action(), (error: Error) => {
        assert.match(error.message, /HTTP 401/);
        assert.ok(!error.message.includes('wrong-key-SECRET-1234'));
        assert.ok(!error.message.includes(TOKEN));
        assert.equal(error.cause, undefined);
        return true;
      });
    }
  });

  test('an OAuth connector refuses a settings-only import (400) with a plain Error', async () => {
    const { fetch } = emulator();
    const store = apideckImportStore({ apiKey: API_KEY, appId: APP_ID, unifiedApi: 'accounting', serviceId: 'xero', unifyBaseUrl: BASE, fetch, encryptionKey: KEY });
    await assert.rejects(store.set(CONSUMER, value()), /^Error: apideckImportStore: Apideck answered HTTP 400 to the import/);
  });

  test('the whole flow through createVaultreHandler', async () => {
    const { store, read } = emulator();
    const vaultre: typeof fetch = () => Promise.resolve(Response.json({ token: TOKEN, message: 'Token generated successfully' }));
    const secret = 'a-test-secret-of-at-least-32-characters!';
    const redirectUri = 'https://host.example/cb';
    const handler = createVaultreHandler({ clientId: 'client', secret, redirectUri, consumerId: () => CONSUMER, store, fetch: vaultre });
    const state = await createStateSigner(secret, () => new Date()).issue({ consumerId: CONSUMER, tokenType: 'user', redirectUri });
    const posted = await handler(
      new Request('https://host.example/api/vaultre', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'abc', state }),
      }),
    );
    assert.equal(posted.status, 200);
    const postedText = await posted.text();
    assert.ok(!postedText.includes(TOKEN));
    assert.match(String((await read()).settings?.api_key), /^vc1\./);
    assert.ok(!JSON.stringify((await read()).settings).includes(TOKEN));

    const status = await handler(new Request('https://host.example/api/vaultre'));
    const statusBody = (await status.json()) as Record<string, unknown>;
    assert.equal(statusBody.connected, true);
    assert.equal(statusBody.token_type, 'user');
    assert.equal(typeof statusBody.connected_at, 'string');
    assert.ok(!JSON.stringify(statusBody).includes(TOKEN));

    assert.equal((await handler(new Request('https://host.example/api/vaultre', { method: 'DELETE' }))).status, 204);
    assert.equal((await read()).state, 'available');
    assert.deepEqual(await (await handler(new Request('https://host.example/api/vaultre'))).json(), { connected: false });
  });
});

describe('apideckImportStore: what the consumer’s own Vault session can read is ciphertext (issue 14, finding 2)', () => {
  /** A Vault session for `consumer`, as the element gets one: the JWT the browser holds. */
  async function browserSession(api: VaultApi, consumer = CONSUMER) {
    const response = await api.handler(
      new Request(`${BASE}/vault/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'x-apideck-app-id': APP_ID, 'x-apideck-consumer-id': consumer, 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    const jwt = ((await response.json()) as { data: { session_token: string } }).data.session_token;
    const headers = { authorization: `Bearer ${jwt}`, 'x-apideck-app-id': APP_ID, 'x-apideck-consumer-id': consumer, 'x-apideck-auth-type': 'JWT' };
    const url = `${BASE}/vault/connections/${UNIFIED_API}/${SERVICE_ID}`;
    return {
      async read() {
        const reply = await api.handler(new Request(url, { headers }));
        assert.equal(reply.status, 200);
        return { text: await reply.clone().text(), settings: ((await reply.json()) as { data: { settings: Record<string, unknown> } }).data.settings };
      },
      async write(settings: Record<string, unknown>) {
        const reply = await api.handler(new Request(url, { method: 'PATCH', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ settings }) }));
        assert.equal(reply.status, 200, await reply.clone().text());
      },
    };
  }

  test('the session JWT reads only ciphertext: neither the token nor its parts', async () => {
    const { api, store } = emulator();
    await store.set(CONSUMER, value());
    const { text, settings } = await (await browserSession(api)).read();
    assert.ok(!text.includes(TOKEN), 'the token is not readable');
    assert.ok(!text.includes(TOKEN.slice(4, 20)), 'nor a part of it');
    assert.match(String(settings.api_key), /^vc1\.default\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/, 'sealed, naming its key id');
    assert.deepEqual(await store.get(CONSUMER), value(), 'the store itself opens it');
  });

  test('a value the consumer’s session changed (PATCH) reads as not connected, never as that token', async () => {
    const { api, store } = emulator();
    await store.set(CONSUMER, value());
    const session = await browserSession(api);
    const sealed = String((await session.read()).settings.api_key);
    for (const forged of [
      'attacker-chosen-plain-token',
      `${sealed.slice(0, -2)}AA`,
      sealed.replace(/\.([A-Za-z0-9_-])/, (_m, c: string) => `.${c === 'A' ? 'B' : 'A'}`),
      'vc1.other-key.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ]) {
      await session.write({ api_key: forged });
      assert.equal(await store.get(CONSUMER), undefined, `not connected with ${forged.slice(0, 20)}…`);
    }
  });

  test('a value copied from another consumer’s connection reads as not connected', async () => {
    const { api, store } = emulator();
    await store.set('alice', value());
    const copied = String((await (await browserSession(api, 'alice')).read()).settings.api_key);
    await store.set('mallory', value({ token: 'mallorys-own-token' }));
    await (await browserSession(api, 'mallory')).write({ api_key: copied });
    assert.equal(await store.get('mallory'), undefined);
    assert.equal((await store.get('alice'))?.token, TOKEN);
  });

  test('under another key (a key lost or changed) the value reads as not connected; a keyring opens old values', async () => {
    const { api, fetch } = emulator();
    const options = { apiKey: API_KEY, appId: APP_ID, unifiedApi: UNIFIED_API, serviceId: SERVICE_ID, unifyBaseUrl: BASE, fetch };
    await apideckImportStore({ ...options, encryptionKey: KEY }).set(CONSUMER, value());
    assert.equal(await apideckImportStore({ ...options, encryptionKey: OTHER_KEY }).get(CONSUMER), undefined);
    const rotated = apideckImportStore({ ...options, encryptionKey: { current: 'next', keys: { default: KEY, next: OTHER_KEY } } });
    assert.deepEqual(await rotated.get(CONSUMER), value());
    await rotated.set(CONSUMER, value({ token: 'after-rotation' }));
    assert.match(String((await (await browserSession(api)).read()).settings.api_key), /^vc1\.next\./);
  });

  test('a token stored in plain text by 0.1.x reads as not connected (the user connects again once)', async () => {
    const { api, store } = emulator();
    await store.set(CONSUMER, value());
    await (await browserSession(api)).write({ api_key: TOKEN, token_type: 'account', connected_at: '2026-03-04T05:06:07.089Z' });
    assert.equal(await store.get(CONSUMER), undefined);
  });
});

describe('apideckImportStore with stubbed replies', () => {
  const stubbed = (responder: (request: Request) => Response | Promise<Response>, options: Partial<ApideckImportStoreOptions> = {}) =>
    apideckImportStore({
      apiKey: API_KEY,
      appId: APP_ID,
      unifiedApi: UNIFIED_API,
      serviceId: SERVICE_ID,
      unifyBaseUrl: BASE,
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => responder(new Request(input, init)),
      encryptionKey: KEY,
      ...options,
    });

  const connectionReply = (data: Record<string, unknown>) => Response.json({ status_code: 200, status: 'OK', data });
  const sealed = (stored: unknown, consumer = CONSUMER) => createTokenCipher(KEY).seal(JSON.stringify(stored), consumer);

  test('state callable or authorized is connected; other states are not', async () => {
    const api_key = await sealed({ token: TOKEN, token_type: 'user', connected_at: 'x' });
    for (const state of ['callable', 'authorized']) {
      const store = stubbed(() => connectionReply({ state, settings: { api_key } }));
      assert.deepEqual(await store.get(CONSUMER), { token: TOKEN, token_type: 'user', connected_at: 'x' });
    }
    for (const state of ['available', 'added', 'invalid', undefined]) {
      const store = stubbed(() => connectionReply({ state, settings: { api_key } }));
      assert.equal(await store.get(CONSUMER), undefined, String(state));
    }
  });

  test('a connection this store did not seal, or a sealed value that is not a stored token, reads as not connected', async () => {
    for (const settings of [
      {},
      null,
      { api_key: TOKEN, token_type: 'user', connected_at: 'x' },
      { api_key: 42 },
      { api_key: await sealed({ token: TOKEN, token_type: 'admin', connected_at: 'x' }) },
      { api_key: await sealed({ token: TOKEN, token_type: 'user', connected_at: 'x', extra: 1 }) },
      { api_key: await createTokenCipher(KEY).seal('not json', CONSUMER) },
      { api_key: await sealed({ token: TOKEN, token_type: 'user', connected_at: 'x' }, 'someone-else') },
    ]) {
      const store = stubbed(() => connectionReply({ state: 'callable', settings }));
      assert.equal(await store.get(CONSUMER), undefined, JSON.stringify(settings));
    }
  });

  test('an unexpected 200 reply rejects', async () => {
    await assert.rejects(stubbed(() => new Response('OK')).get(CONSUMER), /unexpected reply/);
    await assert.rejects(stubbed(() => Response.json({ data: 'x' })).get(CONSUMER), /unexpected reply/);
  });

  test('a 5xx with a message that quotes the key or token is redacted; a long one is dropped', async () => {
    const quoted = stubbed(() => Response.json({ message: `bad key ${API_KEY} and ${TOKEN}` }, { status: 500 }));
    await assert.rejects(quoted.set(CONSUMER, value()), (error: Error) => {
      assert.equal(error.message, 'apideckImportStore: Apideck answered HTTP 500 to the import: bad key [redacted] and [redacted]');
      return true;
    });
    const long = stubbed(() => Response.json({ message: 'y'.repeat(500) }, { status: 503 }));
    await assert.rejects(long.get(CONSUMER), /^Error: apideckImportStore: Apideck answered HTTP 503 to the connection read\.$/);
  });

  test('a redirect is not followed and rejects', async () => {
    const store = stubbed(() => new Response(null, { status: 302, headers: { location: 'https://evil.example' } }));
    await assert.rejects(store.delete(CONSUMER), /HTTP 302 to the connection delete/);
  });

  test('a network failure rejects without the cause', async () => {
    const store = stubbed(() => {
      throw new TypeError('fetch failed', { cause: new Error(`ECONNREFUSED ${API_KEY}`) });
    });
    await assert.rejects(store.set(CONSUMER, value()), (error: Error) => {
      assert.equal(error.message, 'apideckImportStore: could not reach Apideck for the import.');
      assert.equal(error.cause, undefined);
      return true;
    });
  });

  test('a timeout aborts the call and rejects', async () => {
    const store = stubbed(
      (request) =>
        new Promise<Response>((_resolve, reject) => {
          request.signal.addEventListener('abort', () => reject(request.signal.reason as Error));
        }),
      { timeoutMs: 50 },
    );
    const timer = setInterval(() => undefined, 1000);
    try {
      await assert.rejects(store.get(CONSUMER), /did not answer the connection read within 0\.05 seconds/);
    } finally {
      clearInterval(timer);
    }
  });

  test('a consumer ID that cannot be a header rejects before any call', async () => {
    let calls = 0;
    const store = stubbed(() => {
      calls += 1;
      return connectionReply({ state: 'callable' });
    });
    for (const consumer of ['', '  ', 'a\r\nb', 'naïve', `${CONSUMER} `, ` ${CONSUMER}`]) {
      await assert.rejects(store.get(consumer), /consumer ID must be printable ASCII without whitespace at either end/);
      await assert.rejects(store.set(consumer, value()), /consumer ID must be printable ASCII/);
    }
    assert.equal(calls, 0);
  });

  test('set refuses an invalid value without a call', async () => {
    let calls = 0;
    const store = stubbed(() => {
      calls += 1;
      return connectionReply({});
    });
    await assert.rejects(store.set(CONSUMER, { ...value(), token_type: 'admin' } as unknown as StoredVaultreToken), /invalid value for set\(\) \(token_type\)/);
    assert.equal(calls, 0);
  });

  test('path segments are encoded and the default base is Apideck', async () => {
    const urls: string[] = [];
    const store = apideckImportStore({
      apiKey: API_KEY,
      appId: APP_ID,
      unifiedApi: 'file storage',
      serviceId: 'a/b',
      encryptionKey: KEY,
      fetch: (input: RequestInfo | URL) => {
        urls.push(input instanceof Request ? input.url : input.toString());
        return Promise.resolve(new Response(null, { status: 404 }));
      },
    });
    assert.equal(await store.get(CONSUMER), undefined);
    assert.deepEqual(urls, ['https://unify.apideck.com/vault/connections/file%20storage/a%2Fb']);
  });
});

describe('apideckImportStore options', () => {
  const valid = (): Record<string, unknown> => ({ apiKey: API_KEY, appId: APP_ID, unifiedApi: UNIFIED_API, serviceId: SERVICE_ID, encryptionKey: KEY });
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['missing apiKey', { apiKey: undefined }, /"apiKey"/],
    ['apiKey with a line break', { apiKey: 'a\nb' }, /"apiKey"/],
    ['missing appId', { appId: '' }, /"appId"/],
    ['missing unifiedApi', { unifiedApi: undefined }, /"unifiedApi"/],
    ['missing serviceId', { serviceId: ' ' }, /"serviceId"/],
    ['plain-http unifyBaseUrl on a public host', { unifyBaseUrl: 'http://unify.apideck.com' }, /"unifyBaseUrl"/],
    ['unifyBaseUrl with a query', { unifyBaseUrl: 'https://unify.apideck.com?x=1' }, /"unifyBaseUrl"/],
    ['fetch not a function', { fetch: 'fetch' }, /"fetch"/],
    ['negative timeoutMs', { timeoutMs: -1 }, /"timeoutMs"/],
    ['unknown option', { consumerId: 'x' }, /unknown option "consumerId"/],
    ['missing encryptionKey', { encryptionKey: undefined }, /encryptionKey is required/],
    ['a 16-byte encryptionKey', { encryptionKey: Buffer.alloc(16).toString('base64') }, /encryptionKey: the key must be 32 bytes/],
    ['an encryptionKey that is not base64', { encryptionKey: 'not a key!' }, /encryptionKey: the key must be a base64 string/],
  ];
  for (const [name, change, pattern] of cases) {
    test(`${name} throws at creation, never quoting the key`, () => {
      assert.throws(
        () => apideckImportStore({ ...valid(), ...change } as unknown as ApideckImportStoreOptions),
        (error: Error) => {
          assert.match(error.message, /^apideckImportStore: /);
          assert.match(error.message, pattern);
          assert.ok(!error.message.includes(API_KEY));
          return true;
        },
      );
    });
  }
});

describe('apideckImportStore over HTTP against startSandbox()', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(async () => {
    await sandbox.close();
  });

  test('set, get, upsert and delete on 127.0.0.1', async () => {
    const store = apideckImportStore({
      apiKey: sandbox.apiKey,
      appId: sandbox.applicationId,
      unifiedApi: UNIFIED_API,
      serviceId: SERVICE_ID,
      unifyBaseUrl: sandbox.vaultApiUrl,
      encryptionKey: KEY,
    });
    await store.set('http-consumer', value());
    assert.equal(sandbox.vaultApi.getConnection('http-consumer', UNIFIED_API, SERVICE_ID)?.state, 'callable');
    assert.deepEqual(await store.get('http-consumer'), value());
    await store.set('http-consumer', value({ token: 'next' }));
    assert.equal((await store.get('http-consumer'))?.token, 'next');
    assert.ok(!JSON.stringify(sandbox.vaultApi.getConnection('http-consumer', UNIFIED_API, SERVICE_ID)?.settings).includes('next'));
    await store.delete('http-consumer');
    assert.equal(await store.get('http-consumer'), undefined);
    assert.equal(sandbox.vaultApi.getConnection('http-consumer', UNIFIED_API, SERVICE_ID)?.state, 'available');
  });
});

test('nothing was logged', () => {
  for (const consoleMock of consoleMocks) assert.equal(consoleMock.mock.callCount(), 0);
});
