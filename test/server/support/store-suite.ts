/**
 * The tests every database-backed store and limiter passes, run against a real engine by `postgres.test.ts` and
 * `redis.test.ts`: the store interface, encryption at rest, unreadable values, key rotation (twice, interrupted), two
 * handler instances sharing one database, the database going away mid-request, and limits shared between instances.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, mock, test } from 'node:test';
import {
  type DatabaseRateLimiter,
  type EncryptedTokenStore,
  type EncryptionKeyOption,
  type StoreError,
  type StoredVaultreToken,
  createSessionHandler,
  createVaultreHandler,
} from '../../../src/server/index.ts';
import { type TcpProxy, startProxy } from './tcp-proxy.ts';

export const TOKEN = 'vrTOKENtopsecret0123456789abcdef';
const KEY_1 = randomBytes(32).toString('base64');
const KEY_2 = randomBytes(32).toString('base64');
const STRANGER_KEY = randomBytes(32).toString('base64');
const ENDPOINT = 'https://host.example/api/vaultre';
const SESSION_ENDPOINT = 'https://host.example/api/session';
const REDIRECT_URI = 'https://host.example/vaultre/callback';
/** The handlers' state secret: every instance of a host shares it. */
const STATE_SECRET = 'store-suite-state-secret-0123456789abcdef';

export interface StoreEngine {
  /** `postgresStore` or `redisStore`. */
  name: string;
  /** The server's port (a proxy goes in front of it). */
  port: number;
  store(options: { namespace: string; encryptionKey: EncryptionKeyOption; onError?: (error: StoreError) => void; port?: number }): EncryptedTokenStore;
  limiter(options: { namespace: string; limit: number; onError?: (error: StoreError) => void; port?: number }): DatabaseRateLimiter;
  /** What the database holds for a consumer: the key id stored beside the value, and the sealed value. */
  raw(namespace: string, consumerId: string): Promise<{ keyId: string; sealed: string } | undefined>;
  /** Writes a consumer's stored value directly, as a tampering attacker or an old deployment would. */
  rawWrite(namespace: string, consumerId: string, keyId: string, sealed: string): Promise<void>;
  /** Everything the namespace holds, as text. */
  dump(namespace: string): Promise<string>;
}

const value = (overrides: Partial<StoredVaultreToken> = {}): StoredVaultreToken => ({
  token: TOKEN,
  token_type: 'account',
  connected_at: '2026-03-04T05:06:07.089Z',
  ...overrides,
});

let namespaces = 0;
/** A table or key prefix of its own for each test. */
const fresh = (engine: StoreEngine) => `vc_test_${process.pid}_${(namespaces += 1)}${engine.name === 'redisStore' ? ':' : ''}`;

function recordErrors() {
  const errors: StoreError[] = [];
  return { errors, onError: (error: StoreError) => errors.push(error) };
}

/** Everything a test opened, closed at its end (a store left open would keep the test process alive). */
class Resources {
  readonly #closers: (() => Promise<unknown>)[] = [];
  add<T extends { close(): Promise<unknown> }>(resource: T): T {
    this.#closers.push(() => resource.close());
    return resource;
  }
  async closeAll(): Promise<void> {
    await Promise.all(this.#closers.splice(0).map((close) => close().catch(() => undefined)));
  }
}

async function withResources(work: (resources: Resources) => Promise<void>): Promise<void> {
  const resources = new Resources();
  try {
    await work(resources);
  } finally {
    await resources.closeAll();
  }
}

const exchangeFetch = (onExchange: () => void = () => undefined) =>
  (() => {
    onExchange();
    return Promise.resolve(Response.json({ token: TOKEN, message: 'Token generated successfully' }));
  }) as typeof fetch;

function vaultreHandler(store: EncryptedTokenStore, consumer: () => string, extra: { onExchange?: () => void; limiter?: DatabaseRateLimiter } = {}) {
  return createVaultreHandler({
    clientId: 'client-1',
    secret: STATE_SECRET,
    redirectUri: REDIRECT_URI,
    consumerId: consumer,
    store,
    fetch: exchangeFetch(extra.onExchange),
    limiter: extra.limiter ?? false,
  });
}

type Handler = (request: Request) => Promise<Response>;

const postJson = (body: unknown) =>
  new Request(ENDPOINT, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const authorize = () => postJson({ action: 'authorize', token_type: 'account' });

/** The state in the authorize URL a handler answered with. */
async function stateFrom(response: Response): Promise<string> {
  assert.equal(response.status, 200);
  const { authorize_url: url } = (await response.json()) as { authorize_url: string };
  return new URL(url).searchParams.get('state') ?? '';
}

/** A whole connection, as the element and the callback page make it: authorize on `first`, exchange the code on `second`. */
async function connect(first: Handler, second: Handler = first, code = 'code-1'): Promise<Response> {
  const state = await stateFrom(await first(authorize()));
  return second(postJson({ code, state }));
}
const get = () => new Request(ENDPOINT);
const del = () => new Request(ENDPOINT, { method: 'DELETE' });

async function answer(response: Response): Promise<{ status: number; body: Record<string, unknown>; text: string; headers: Headers }> {
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // 204
  }
  return { status: response.status, body, text, headers: response.headers };
}

/** Calls `read` until `done` holds for its result (at most 5 s), and answers that result. */
async function eventually<T>(read: () => Promise<T>, done: (result: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const result = await read();
    if (done(result) || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function describeStoreSuite(engineOf: () => StoreEngine): void {
  const warnings: string[] = [];
  const consoleMocks: { mock: { callCount(): number } }[] = [];
  before(() => {
    for (const name of ['log', 'info', 'error', 'debug', 'trace'] as const) consoleMocks.push(mock.method(console, name, () => undefined));
    mock.method(console, 'warn', (...args: unknown[]) => warnings.push(args.map(String).join(' ')));
  });
  after(() => mock.restoreAll());

  describe('the store interface', () => {
    test('get, set (a reconnect replaces), delete; each consumer apart', () =>
      withResources(async (resources) => {
        const engine = engineOf();
        const store = resources.add(engine.store({ namespace: fresh(engine), encryptionKey: KEY_1 }));
        assert.equal(await store.get('alice'), undefined);
        await store.set('alice', value());
        assert.deepEqual(await store.get('alice'), value());
        await store.set('alice', value({ token: 'second-token', token_type: 'user' }));
        assert.deepEqual(await store.get('alice'), value({ token: 'second-token', token_type: 'user' }));
        assert.equal(await store.get('bob'), undefined);
        await store.set('bob', value({ token: 'bobs-token' }));
        await store.delete('alice');
        await store.delete('alice');
        assert.equal(await store.get('alice'), undefined);
        assert.equal((await store.get('bob'))?.token, 'bobs-token');
        // Consumer IDs are data, never code: quotes, wildcards and Unicode stay one consumer each.
        for (const id of [`o'brien"; DROP TABLE x; --`, 'user*', 'user?[a]', 'ünïcødé ✓', 'a'.repeat(500)]) {
          await store.set(id, value({ token: `token-of-${id.length}` }));
          assert.equal((await store.get(id))?.token, `token-of-${id.length}`);
        }
        assert.equal(await store.get('user'), undefined);
      }));

    test('an invalid value or consumer ID is refused without quoting it; nothing is written', () =>
      withResources(async (resources) => {
        const engine = engineOf();
        const namespace = fresh(engine);
        const store = resources.add(engine.store({ namespace, encryptionKey: KEY_1 }));
        await store.ready();
        for (const bad of [value({ token: '' }), { ...value(), token_type: 'admin' }, { ...value(), extra: TOKEN }, null]) {
          await assert.rejects(store.set('alice', bad as StoredVaultreToken), (error: Error) => {
            assert.match(error.message, new RegExp(`^${engine.name}: invalid value for set\\(\\)`));
            assert.ok(!error.message.includes(TOKEN));
            return true;
          });
        }
        await assert.rejects(store.set('', value()), /consumer ID must be a non-empty string/);
        assert.equal(await engine.raw(namespace, 'alice'), undefined);
      }));
  });

  describe('encryption at rest', () => {
    test('the database holds the key id and a sealed value: neither the token nor its details', () =>
      withResources(async (resources) => {
        const engine = engineOf();
        const namespace = fresh(engine);
        const store = resources.add(engine.store({ namespace, encryptionKey: { current: 'k1', keys: { k1: KEY_1 } } }));
        await store.set('alice', value());
        const raw = await engine.raw(namespace, 'alice');
        assert.equal(raw?.keyId, 'k1');
        assert.match(raw?.sealed ?? '', /^vc1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
        const everything = await engine.dump(namespace);
        for (const secret of [TOKEN, TOKEN.slice(4, 20), Buffer.from(TOKEN).toString('base64').slice(0, 16), 'account', '2026-03-04', KEY_1]) {
          assert.ok(!everything.includes(secret), `the database holds "${secret}"`);
        }
      }));

    test('a value under a key id not in the keyring reads as not connected, reported once', () =>
      withResources(async (resources) => {
        const engine = engineOf();
        const namespace = fresh(engine);
        await resources.add(engine.store({ namespace, encryptionKey: { current: 'gone', keys: { gone: STRANGER_KEY } } })).set('alice', value());
        const { errors, onError } = recordErrors();
        const store = resources.add(engine.store({ namespace, encryptionKey: { current: 'k1', keys: { k1: KEY_1 } }, onError }));
        assert.equal(await store.get('alice'), undefined);
        assert.equal(await store.get('alice'), undefined);
        assert.equal(errors.length, 1, 'reported once per value');
        assert.equal(errors[0]?.code, 'unreadable_value');
        assert.equal(errors[0]?.consumerId, 'alice');
        assert.equal(errors[0]?.keyId, 'gone');
        assert.match(errors[0]?.message ?? '', new RegExp(`^${engine.name}: the stored value of a consumer \\(key id "gone"\\) is sealed under a key id that is not in the keyring`));
        // Through the handler: not connected, no crash; a new connection replaces the value.
        const handler = vaultreHandler(store, () => 'alice');
        assert.deepEqual((await answer(await handler(get()))).body, { connected: false });
        assert.equal((await answer(await connect(handler))).status, 200);
        assert.equal((await answer(await handler(get()))).body.connected, true);
        assert.equal(errors.length, 1);
      }));

    test('a value copied to another consumer, altered, or not sealed at all reads as not connected, each reported once', () =>
      withResources(async (resources) => {
        const engine = engineOf();
        const namespace = fresh(engine);
        const { errors, onError } = recordErrors();
        const store = resources.add(engine.store({ namespace, encryptionKey: KEY_1, onError }));
        await store.set('victim', value());
        const victim = await engine.raw(namespace, 'victim');
        assert.ok(victim);
        await engine.rawWrite(namespace, 'attacker', victim.keyId, victim.sealed);
        const flipped = `${victim.sealed.slice(0, -2)}${victim.sealed.endsWith('A') ? 'B' : 'A'}${victim.sealed.slice(-1)}`;
        await engine.rawWrite(namespace, 'altered', victim.keyId, flipped);
        await engine.rawWrite(namespace, 'plain', 'default', JSON.stringify(value()));
        for (const consumer of ['attacker', 'altered', 'plain', 'attacker', 'plain']) assert.equal(await store.get(consumer), undefined);
        assert.deepEqual(await store.get('victim'), value());
        assert.deepEqual(
          errors.map((error) => [error.consumerId, error.code]),
          [
            ['attacker', 'unreadable_value'],
            ['altered', 'unreadable_value'],
            ['plain', 'unreadable_value'],
          ],
        );
        assert.match(errors[0]?.message ?? '', /failed authentication/);
        assert.match(errors[2]?.message ?? '', /is not a value sealed by vault-connect/);
        for (const error of errors) assert.ok(!`${error.message}${String(error.cause)}`.includes(TOKEN));
      }));
  });

  describe('key rotation', () => {
    const seed = async (engine: StoreEngine, resources: Resources, namespace: string, count: number) => {
      const old = resources.add(engine.store({ namespace, encryptionKey: { current: 'k1', keys: { k1: KEY_1 } } }));
      await Promise.all(Array.from({ length: count }, (_, i) => old.set(`consumer-${String(i).padStart(4, '0')}`, value({ token: `token-${i}` }))));
    };
    const countKeys = async (engine: StoreEngine, namespace: string, count: number) => {
      const ids = await Promise.all(Array.from({ length: count }, async (_, i) => (await engine.raw(namespace, `consumer-${String(i).padStart(4, '0')}`))?.keyId));
      return { k1: ids.filter((id) => id === 'k1').length, k2: ids.filter((id) => id === 'k2').length };
    };
    const ring = { current: 'k2', keys: { k1: KEY_1, k2: KEY_2 } };

    test('re-encrypts every value under the current key; a second run finds nothing to do; unreadable values stay', () =>
      withResources(async (resources) => {
        const engine = engineOf();
        const namespace = fresh(engine);
        await seed(engine, resources, namespace, 250);
        await resources.add(engine.store({ namespace, encryptionKey: { current: 'gone', keys: { gone: STRANGER_KEY } } })).set('lost', value());
        const { errors, onError } = recordErrors();
        const rotating = resources.add(engine.store({ namespace, encryptionKey: ring, onError }));
        assert.deepEqual(await rotating.rotate(), { rotated: 250, alreadyCurrent: 0, changedMeanwhile: 0, unreadable: 1 });
        assert.deepEqual(await countKeys(engine, namespace, 250), { k1: 0, k2: 250 });
        assert.equal((await engine.raw(namespace, 'lost'))?.keyId, 'gone');
        // Only the new key is needed now.
        const newOnly = resources.add(engine.store({ namespace, encryptionKey: { current: 'k2', keys: { k2: KEY_2 } } }));
        assert.equal((await newOnly.get('consumer-0000'))?.token, 'token-0');
        assert.equal((await newOnly.get('consumer-0249'))?.token, 'token-249');
        assert.deepEqual(await rotating.rotate(), { rotated: 0, alreadyCurrent: 250, changedMeanwhile: 0, unreadable: 1 });
        assert.equal(errors.length, 1, 'the unreadable value is reported once');
        assert.equal(errors[0]?.consumerId, 'lost');
      }));

    test('interrupted by the database going away: every value stays readable, and the next run finishes the job', () =>
      withResources(async (resources) => {
        const engine = engineOf();
        const namespace = fresh(engine);
        await seed(engine, resources, namespace, 250);
        const proxy = resources.add(await startProxy(engine.port));
        const { errors, onError } = recordErrors();
        const interrupted = resources.add(engine.store({ namespace, encryptionKey: ring, onError, port: proxy.port }));
        // The connection drops when the 150th re-encryption is sent: the first ones are done, the rest are not.
        proxy.cutWhenSent(engine.name === 'redisStore' ? 'EVAL' : 'UPDATE', 150);
        await assert.rejects(interrupted.rotate(), new RegExp(`^Error: ${engine.name}: (PostgreSQL|Redis) failed to`));
        assert.equal(errors.filter((error) => error.code === 'database_error').length, 1);
        const midway = await countKeys(engine, namespace, 250);
        assert.equal(midway.k1 + midway.k2, 250, 'no value lost or half-written');
        assert.ok(midway.k2 > 0 && midway.k2 < 250, `partly rotated: ${JSON.stringify(midway)}`);
        const both = resources.add(engine.store({ namespace, encryptionKey: ring }));
        for (const i of [0, 100, 149, 150, 249]) assert.equal((await both.get(`consumer-${String(i).padStart(4, '0')}`))?.token, `token-${i}`);
        const second = await both.rotate();
        assert.deepEqual(second, { rotated: midway.k1, alreadyCurrent: midway.k2, changedMeanwhile: 0, unreadable: 0 });
        assert.deepEqual(await countKeys(engine, namespace, 250), { k1: 0, k2: 250 });
      }));

    test('stopped by its signal: the values on their way are written whole, no other starts; the next run finishes', () =>
      withResources(async (resources) => {
        const engine = engineOf();
        const namespace = fresh(engine);
        await seed(engine, resources, namespace, 250);
        const proxy = resources.add(await startProxy(engine.port));
        const stopping = resources.add(engine.store({ namespace, encryptionKey: ring, port: proxy.port }));
        const stop = new AbortController();
        const held = proxy.holdWhenSent(engine.name === 'redisStore' ? 'EVAL' : 'UPDATE', 120);
        const running = stopping.rotate({ signal: stop.signal });
        await held;
        stop.abort(new Error('stopped by the test'));
        proxy.release();
        await assert.rejects(running, /^Error: stopped by the test$/);
        const midway = await countKeys(engine, namespace, 250);
        assert.equal(midway.k1 + midway.k2, 250, 'no value lost or half-written');
        assert.ok(midway.k2 > 0 && midway.k2 < 250, `stopped part-way: ${JSON.stringify(midway)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.deepEqual(await countKeys(engine, namespace, 250), midway, 'nothing is written once rotate() has rejected');
        await assert.rejects(stopping.rotate({ signal: stop.signal }), /^Error: stopped by the test$/, 'an aborted signal stops a run before it starts');
        const second = await resources.add(engine.store({ namespace, encryptionKey: ring })).rotate();
        assert.deepEqual(second, { rotated: midway.k1, alreadyCurrent: midway.k2, changedMeanwhile: 0, unreadable: 0 });
      }));

    test('two runs at once: each value is re-encrypted once, and both finish', () =>
      withResources(async (resources) => {
        const engine = engineOf();
        const namespace = fresh(engine);
        await seed(engine, resources, namespace, 120);
        const one = resources.add(engine.store({ namespace, encryptionKey: ring }));
        const two = resources.add(engine.store({ namespace, encryptionKey: ring }));
        const [a, b] = await Promise.all([one.rotate(), two.rotate()]);
        assert.equal(a.rotated + b.rotated, 120);
        assert.equal(a.unreadable + b.unreadable, 0);
        assert.deepEqual(await countKeys(engine, namespace, 120), { k1: 0, k2: 120 });
        assert.equal((await one.get('consumer-0119'))?.token, 'token-119');
      }));
  });

  describe('two handler instances behind a round-robin, one database', () => {
    test('a state issued by one is accepted by the other; a POST on one and a GET on the other agree; so do DELETE and GET', () =>
      withResources(async (resources) => {
        const engine = engineOf();
        const namespace = fresh(engine);
        let user = 'alice';
        const instances = [0, 1].map(() => vaultreHandler(resources.add(engine.store({ namespace, encryptionKey: KEY_1 })), () => user));
        let turn = 0;
        const roundRobin: Handler = (request) => (instances[turn++ % 2])(request);
        // The authorize POST goes to one instance, the exchange to the other.
        const connected = await answer(await connect(roundRobin));
        assert.equal(connected.status, 200);
        assert.deepEqual((await answer(await roundRobin(get()))).body, connected.body);
        user = 'bob';
        assert.deepEqual((await answer(await roundRobin(get()))).body, { connected: false });
        user = 'alice';
        assert.equal((await answer(await roundRobin(del()))).status, 204);
        assert.deepEqual((await answer(await roundRobin(get()))).body, { connected: false });
        assert.equal(turn, 6);
      }));
  });

  describe('the database going away mid-request', () => {
    const setUp = async (resources: Resources) => {
      const engine = engineOf();
      const namespace = fresh(engine);
      const proxy: TcpProxy = resources.add(await startProxy(engine.port));
      const { errors, onError } = recordErrors();
      const store = resources.add(engine.store({ namespace, encryptionKey: KEY_1, onError, port: proxy.port }));
      let onExchange = () => undefined as void;
      const handler = vaultreHandler(store, () => 'alice', { onExchange: () => onExchange() });
      // Connected once, before the trouble.
      assert.equal((await answer(await connect(handler, handler, 'code-0'))).status, 200);
      const stored = await engine.raw(namespace, 'alice');
      return { engine, namespace, proxy, errors, handler, stored, setExchange: (fn: () => void) => (onExchange = fn) };
    };
    const assertStoreFailed = (reply: Awaited<ReturnType<typeof answer>>) => {
      assert.equal(reply.status, 500);
      assert.equal(reply.body.error, 'store_failed');
      assert.match(String(reply.body.message), /could not save the VaultRE connection/);
      assert.ok(!reply.text.includes(TOKEN));
    };

    test('gone after VaultRE answered: store_failed, the stored value unchanged, and back to normal once it returns', () =>
      withResources(async (resources) => {
        const { engine, namespace, proxy, errors, handler, stored, setExchange } = await setUp(resources);
        setExchange(() => proxy.cut());
        assertStoreFailed(await answer(await connect(handler)));
        // While it is away a GET cannot tell: store_failed, not "not connected".
        const reading = await answer(await handler(get()));
        assert.equal(reading.status, 500);
        assert.equal(reading.body.error, 'store_failed');
        proxy.restore();
        setExchange(() => undefined);
        assert.deepEqual(await engine.raw(namespace, 'alice'), stored, 'nothing half-written');
        // The client reconnects by itself (Redis's after a back-off of at most 2 s; PostgreSQL's pool on the next call).
        const back = await eventually(async () => answer(await handler(get())), (reply) => reply.status === 200);
        assert.deepEqual(back.body.connected, true);
        assert.equal((await answer(await connect(handler, handler, 'code-2'))).status, 200);
        assert.notDeepEqual(await engine.raw(namespace, 'alice'), stored);
        assert.equal(errors.filter((error) => error.code === 'database_error').length, 1, 'reported once per outage');
        for (const error of errors) assert.ok(!error.message.includes(TOKEN) && !error.message.includes(String(engine.port)));
      }));

    test('gone while the write is on the wire: store_failed, and nothing half-written', () =>
      withResources(async (resources) => {
        const { engine, namespace, proxy, handler, stored, setExchange } = await setUp(resources);
        setExchange(() => proxy.cutOnNextWrite());
        assertStoreFailed(await answer(await connect(handler)));
        proxy.restore();
        assert.deepEqual(await engine.raw(namespace, 'alice'), stored, 'nothing half-written');
      }));
  });

  describe('limits shared by two handler instances', () => {
    test('the count is shared: over the limit on either instance is 429 with Retry-After; other consumers are not affected', () =>
      withResources(async (resources) => {
        const engine = engineOf();
        const namespace = fresh(engine);
        const store = resources.add(engine.store({ namespace: fresh(engine), encryptionKey: KEY_1 }));
        let user = 'alice';
        let exchanges = 0;
        const instances = [0, 1].map(() =>
          vaultreHandler(store, () => user, { limiter: resources.add(engine.limiter({ namespace, limit: 5 })), onExchange: () => (exchanges += 1) }),
        );
        const sessions = [0, 1].map(() =>
          createSessionHandler({
            apiKey: 'key',
            appId: 'app',
            consumerId: () => user,
            fetch: () => Promise.resolve(Response.json({ data: { session_token: 'a.b.c' } })),
            limiter: resources.add(engine.limiter({ namespace, limit: 5 })),
          }),
        );
        // Each POST counts: starting an authorization, and exchanging a code.
        const state = await stateFrom(await (instances[0])(authorize()));
        const statuses: number[] = [];
        for (let i = 1; i < 6; i += 1) statuses.push((await (instances[i % 2])(authorize())).status);
        assert.deepEqual(statuses, [200, 200, 200, 200, 429]);
        // Over the limit, a code is not sent to VaultRE even with a good state.
        const limited = await answer(await (instances[0])(postJson({ code: 'code-7', state })));
        assert.equal(limited.status, 429);
        assert.equal(limited.body.error, 'rate_limited');
        assert.match(String(limited.body.message), /^Too many attempts\. Try again in \d+ seconds?\.$/);
        const wait = Number(limited.headers.get('retry-after'));
        assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
        assert.equal(limited.body.retry_after, wait);
        assert.equal(exchanges, 0, 'VaultRE was not called');
        // GET is not counted; minting sessions has its own count.
        assert.equal((await (instances[1])(get())).status, 200);
        const sessionStatuses: number[] = [];
        for (let i = 0; i < 6; i += 1) {
          const request = new Request(SESSION_ENDPOINT, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
          sessionStatuses.push((await (sessions[i % 2])(request)).status);
        }
        assert.deepEqual(sessionStatuses, [200, 200, 200, 200, 200, 429]);
        user = 'bob';
        assert.equal((await answer(await connect(instances[1]))).status, 200);
        assert.equal(exchanges, 1);
        // The database holds hashes of the consumer IDs, never the IDs.
        const everything = await engine.dump(namespace);
        assert.ok(!everything.includes('alice') && !everything.includes('bob'));
      }));

    test('while its database is away a limiter counts in memory, reports once, and never fails the request', () =>
      withResources(async (resources) => {
        const engine = engineOf();
        const proxy = resources.add(await startProxy(engine.port));
        const { errors, onError } = recordErrors();
        const limiter = resources.add(engine.limiter({ namespace: fresh(engine), limit: 3, onError, port: proxy.port }));
        assert.equal((await limiter.consume('k')).allowed, true);
        proxy.cut();
        const decisions = [];
        for (let i = 0; i < 4; i += 1) decisions.push((await limiter.consume('k')).allowed);
        assert.deepEqual(decisions, [true, true, true, false]);
        assert.equal(errors.length, 1);
        assert.equal(errors[0]?.code, 'database_error');
        assert.match(errors[0]?.message ?? '', new RegExp(`^${engine.name === 'redisStore' ? 'redisLimiter' : 'postgresLimiter'}: `));
      }));
  });

  test('without onError, a problem is one console.warn line that quotes no secret; nothing else is ever logged', () =>
    withResources(async (resources) => {
      const engine = engineOf();
      const namespace = fresh(engine);
      await resources.add(engine.store({ namespace, encryptionKey: STRANGER_KEY })).set('alice', value());
      const store = resources.add(engine.store({ namespace, encryptionKey: KEY_1 }));
      const warned = warnings.length;
      assert.equal(await store.get('alice'), undefined);
      assert.equal(await store.get('alice'), undefined);
      assert.equal(warnings.length, warned + 1);
      assert.match(warnings.at(-1) ?? '', new RegExp(`^\\[vault-connect\\] ${engine.name}: the stored value of a consumer \\(key id "default"\\) failed authentication`));
      for (const warning of warnings) assert.ok(!warning.includes(TOKEN) && !warning.includes(KEY_1));
      for (const consoleMock of consoleMocks) assert.equal(consoleMock.mock.callCount(), 0);
    }));
}
