// The `limiter` option of both handlers, with the in-memory limiter (the database-backed ones share this behaviour and
// are tested against real engines in postgres.test.ts and redis.test.ts).
import assert from 'node:assert/strict';
import { before, describe, mock, test } from 'node:test';
import { type RateLimiter, createSessionHandler, createVaultreHandler, memoryLimiter, memoryStore } from '../../src/server/index.ts';
import { withMemoryFallback } from '../../src/server/limits/shared-limiter.ts';

const SESSION_ENDPOINT = 'https://host.example/api/vault/session';
const VAULTRE_ENDPOINT = 'https://host.example/api/vaultre';

function sessionHandler(options: { limiter?: RateLimiter | false; consumer?: () => string } = {}) {
  const upstream = { calls: 0 };
  const handler = createSessionHandler({
    apiKey: 'key',
    appId: 'app',
    consumerId: options.consumer ?? (() => 'alice'),
    fetch: () => {
      upstream.calls += 1;
      return Promise.resolve(Response.json({ data: { session_token: 'a.b.c' } }));
    },
    ...(options.limiter === undefined ? {} : { limiter: options.limiter }),
  });
  const mint = () => handler(new Request(SESSION_ENDPOINT, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
  return { handler, mint, upstream };
}

function vaultreHandler(options: { limiter?: RateLimiter | false; consumer?: () => string } = {}) {
  const upstream = { calls: 0 };
  const handler = createVaultreHandler({
    clientId: 'client',
    secret: 'rate-limits-test-state-secret-0123456789',
    redirectUri: 'https://host.example/vaultre/callback',
    consumerId: options.consumer ?? (() => 'alice'),
    store: memoryStore(),
    fetch: () => {
      upstream.calls += 1;
      return Promise.resolve(Response.json({ token: 'token' }));
    },
    ...(options.limiter === undefined ? {} : { limiter: options.limiter }),
  });
  const post = (body: unknown) =>
    handler(new Request(VAULTRE_ENDPOINT, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
  /** `POST {action: "authorize"}`: starts an authorization (counted). */
  const authorize = () => post({ action: 'authorize', token_type: 'account' });
  /** The signed state of a new authorization. */
  const newState = async () => {
    const { authorize_url: url } = (await (await authorize()).json()) as { authorize_url: string };
    return new URL(url).searchParams.get('state') ?? '';
  };
  const exchange = (state: string, code = 'code') => post({ code, state });
  return { handler, post, authorize, newState, exchange, upstream };
}

async function statuses(send: () => Promise<Response>, count: number): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < count; i += 1) result.push((await send()).status);
  return result;
}

const consoleMocks: { mock: { callCount(): number } }[] = [];
before(() => {
  for (const name of ['log', 'info', 'warn', 'error', 'debug'] as const) consoleMocks.push(mock.method(console, name, () => undefined));
});

describe('the default limit: 20 a minute per consumer, in memory', () => {
  test('minting sessions: the 21st is 429 rate_limited with Retry-After, and Apideck is not called', async () => {
    const { mint, upstream } = sessionHandler();
    assert.deepEqual(await statuses(mint, 20), Array(20).fill(200));
    const limited = await mint();
    assert.equal(limited.status, 429);
    const wait = Number(limited.headers.get('retry-after'));
    assert.ok(Number.isInteger(wait) && wait >= 59 && wait <= 60, `Retry-After: ${wait}`);
    assert.equal(limited.headers.get('cache-control'), 'no-store');
    assert.equal(limited.headers.get('access-control-expose-headers'), 'Retry-After');
    assert.deepEqual(await limited.json(), { error: 'rate_limited', message: `Too many attempts. Try again in ${wait} seconds.`, retry_after: wait });
    assert.equal(upstream.calls, 20);
  });

  test('VaultRE: authorizing and exchanging count; the 21st POST is 429 and its code is not sent; GET and DELETE do not count', async () => {
    const { handler, authorize, newState, exchange, upstream } = vaultreHandler();
    const state = await newState();
    assert.equal((await exchange(state)).status, 200);
    assert.deepEqual(await statuses(authorize, 18), Array(18).fill(200));
    const limited = await exchange(state, 'code-2');
    assert.equal(limited.status, 429);
    assert.equal(((await limited.json()) as { error: string }).error, 'rate_limited');
    assert.equal((await authorize()).status, 429);
    assert.equal(upstream.calls, 1);
    for (let i = 0; i < 30; i += 1) assert.equal((await handler(new Request(VAULTRE_ENDPOINT))).status, 200);
    assert.equal((await handler(new Request(VAULTRE_ENDPOINT, { method: 'DELETE' }))).status, 204);
  });

  test('each consumer and each handler counts on its own; refused requests are not counted', async () => {
    let user = 'alice';
    const session = sessionHandler({ consumer: () => user });
    const vaultre = vaultreHandler({ consumer: () => user });
    // Malformed requests and states this handler did not sign never reach the limiter (nor the database behind it).
    for (let i = 0; i < 30; i += 1) assert.equal((await vaultre.post({ code: 1 })).status, 400);
    for (let i = 0; i < 30; i += 1) assert.equal((await vaultre.exchange('not-a-state-we-signed')).status, 400);
    assert.deepEqual(await statuses(session.mint, 20), Array(20).fill(200));
    assert.equal((await session.mint()).status, 429);
    assert.equal((await vaultre.authorize()).status, 200);
    user = 'bob';
    assert.equal((await session.mint()).status, 200);
    // Nobody signed in: 401, not counted against anyone.
    user = '';
    assert.equal((await session.mint()).status, 401);
  });

  test('every instance counts on its own (share the counts with redisLimiter or postgresLimiter)', async () => {
    const one = sessionHandler();
    const two = sessionHandler();
    await statuses(one.mint, 20);
    assert.equal((await one.mint()).status, 429);
    assert.equal((await two.mint()).status, 200);
  });
});

describe('the limiter option', () => {
  test('memoryLimiter({limit, windowSeconds}) shared by both handlers: each handler has its own count', async () => {
    const limiter = memoryLimiter({ limit: 2, windowSeconds: 5 });
    const session = sessionHandler({ limiter });
    const vaultre = vaultreHandler({ limiter });
    assert.deepEqual(await statuses(session.mint, 3), [200, 200, 429]);
    assert.deepEqual(await statuses(vaultre.authorize, 3), [200, 200, 429]);
    const limited = await session.mint();
    const wait = Number(limited.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 5, `Retry-After: ${wait}`);
  });

  test('false: no limit', async () => {
    const { mint } = sessionHandler({ limiter: false });
    assert.deepEqual(await statuses(mint, 40), Array(40).fill(200));
  });

  test('the limiter sees an opaque key per handler and consumer, never the consumer ID', async () => {
    const keys: string[] = [];
    const limiter: RateLimiter = { consume: (key) => (keys.push(key), Promise.resolve({ allowed: true, retryAfterSeconds: 0 })) };
    await sessionHandler({ limiter, consumer: () => 'alice@example.com' }).mint();
    await vaultreHandler({ limiter, consumer: () => 'alice@example.com' }).authorize();
    assert.equal(keys.length, 2);
    assert.match(keys[0] ?? '', /^session:[A-Za-z0-9_-]{43}$/);
    assert.match(keys[1] ?? '', /^vaultre:[A-Za-z0-9_-]{43}$/);
    assert.equal(keys[0]?.slice(8), keys[1]?.slice(8));
    assert.ok(!keys.join().includes('alice'));
  });

  test("a host's limiter that fails lets the request through; odd waits are made whole seconds from 1 to 86400", async () => {
    assert.equal((await sessionHandler({ limiter: { consume: () => Promise.reject(new Error('down')) } }).mint()).status, 200);
    assert.equal((await sessionHandler({ limiter: { consume: () => Promise.resolve(undefined as never) } }).mint()).status, 200);
    for (const [given, sent] of [
      [0.2, '1'],
      [2.5, '3'],
      [-4, '1'],
      [Number.NaN, '60'],
      [1e9, '86400'],
    ] as const) {
      const limiter: RateLimiter = { consume: () => Promise.resolve({ allowed: false, retryAfterSeconds: given }) };
      const reply = await sessionHandler({ limiter }).mint();
      assert.equal(reply.status, 429);
      assert.equal(reply.headers.get('retry-after'), sent, String(given));
    }
  });

  test('checked at creation', () => {
    for (const limiter of [true, 'redis://x', {}, { consume: 1 }, null]) {
      assert.throws(() => sessionHandler({ limiter: limiter as never }), /^Error: createSessionHandler: option "limiter" must be false or a limiter/);
      assert.throws(() => vaultreHandler({ limiter: limiter as never }), /^Error: createVaultreHandler: option "limiter" must be false or a limiter/);
    }
    for (const options of [{ limit: 0 }, { limit: 1.5 }, { windowSeconds: 0 }, { windowSeconds: 86_401 }, { points: 3 }]) {
      assert.throws(() => memoryLimiter(options), /^Error: memoryLimiter: (option "(limit|windowSeconds)"|unknown option "points")/);
    }
  });
});

describe('a shared limiter whose database fails', () => {
  test('counts in memory with the same limit, and asks the database again only after 5 s', async () => {
    let clock = 0;
    let databaseUp = true;
    const asked: string[] = [];
    const limiter = withMemoryFallback(
      { limit: 2, windowSeconds: 60 },
      (key) => {
        asked.push(key);
        return databaseUp ? Promise.resolve({ allowed: true, retryAfterSeconds: 0 }) : Promise.reject(new Error('down'));
      },
      () => clock,
    );
    assert.equal((await limiter.consume('k')).allowed, true);
    databaseUp = false;
    const decisions = [];
    for (let i = 0; i < 3; i += 1) decisions.push((await limiter.consume('k')).allowed);
    assert.deepEqual(decisions, [true, true, false], 'the limit holds in memory');
    assert.equal(asked.length, 2, 'not asked again within 5 s');
    clock = 4_999;
    await limiter.consume('other');
    assert.equal(asked.length, 2);
    clock = 5_000;
    databaseUp = true;
    assert.equal((await limiter.consume('k')).allowed, true);
    assert.equal(asked.length, 3);
  });
});

test('nothing was logged', () => {
  for (const consoleMock of consoleMocks) assert.equal(consoleMock.mock.callCount(), 0);
});
