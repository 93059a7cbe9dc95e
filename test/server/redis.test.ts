// redisStore and redisLimiter against a real Redis (the system's redis-server, started once for this file).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'redis';
import { redisLimiter, redisStore } from '../../src/server/index.ts';
import { type RedisServer, startRedis } from './support/redis-server.ts';
import { type StoreEngine, TOKEN, describeStoreSuite } from './support/store-suite.ts';
import { describeRotateKeyCli } from './support/rotate-key-cli.ts';

let server: RedisServer;
let admin: ReturnType<typeof createClient>;
let engine: StoreEngine;

const urlWith = (port: number) => `redis://127.0.0.1:${port}`;

before(async () => {
  server = await startRedis();
  admin = createClient({ url: server.url });
  await admin.connect();
  engine = {
    name: 'redisStore',
    port: server.port,
    store: ({ namespace, port, ...options }) => redisStore({ url: urlWith(port ?? server.port), prefix: namespace, ...options }),
    limiter: ({ namespace, port, ...options }) => redisLimiter({ url: urlWith(port ?? server.port), prefix: namespace, ...options }),
    async raw(prefix, consumerId) {
      const sealed = await admin.get(`${prefix}${consumerId}`);
      return sealed === null ? undefined : { keyId: sealed.split('.')[1] ?? '', sealed };
    },
    async rawWrite(prefix, consumerId, _keyId, sealed) {
      await admin.set(`${prefix}${consumerId}`, sealed);
    },
    async dump(prefix) {
      const keys = await admin.keys(`${prefix}*`);
      const values = await Promise.all(keys.map((key) => admin.get(key)));
      return JSON.stringify(Object.fromEntries(keys.map((key, i) => [key, values[i]])));
    },
  };
});

after(async () => {
  await admin?.close();
  await server?.stop();
});

describeStoreSuite(() => engine);

describeRotateKeyCli('Redis', () => ({ engine, url: urlWith, namespaceOption: '--prefix' }));

describe('redisStore: its keys', () => {
  test('one key per consumer under the prefix, no expiry; a prefix with glob characters rotates only its own keys', async () => {
    const prefix = 'vc*glob?[x]:';
    const store = redisStore({ url: server.url, encryptionKey: Buffer.alloc(32, 7), prefix });
    const neighbour = redisStore({ url: server.url, encryptionKey: Buffer.alloc(32, 8), prefix: 'vc-glob-x:' });
    try {
      await store.set('alice', { token: TOKEN, token_type: 'user', connected_at: '2026-01-01T00:00:00.000Z' });
      await neighbour.set('bob', { token: TOKEN, token_type: 'user', connected_at: '2026-01-01T00:00:00.000Z' });
      assert.equal(await admin.exists(`${prefix}alice`), 1);
      assert.equal(await admin.ttl(`${prefix}alice`), -1);
      // The neighbour's key matches the prefix read as a glob pattern; it would count as unreadable if it were visited.
      const rotated = await store.rotate();
      assert.deepEqual(rotated, { rotated: 0, alreadyCurrent: 1, changedMeanwhile: 0, unreadable: 0 });
    } finally {
      await Promise.all([store.close(), neighbour.close()]);
    }
  });

  test('options are checked at creation; messages never quote the URL or the key', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    const secret = 'redis://:hunter2@cache.example:6379';
    const refuses = (options: unknown, pattern: RegExp) =>
      assert.throws(
        () => redisStore(options as never),
        (error: Error) => pattern.test(error.message) && !error.message.includes('hunter2') && !error.message.includes(key),
      );
    refuses({ encryptionKey: key }, /^redisStore: option "url"/);
    refuses({ url: 'http://cache.example', encryptionKey: key }, /option "url" must be a redis:\/\/ or rediss:\/\/ URL/);
    refuses({ url: secret }, /^redisStore: encryptionKey is required/);
    for (const prefix of ['', 'has space', 'x'.repeat(101), 7]) refuses({ url: secret, encryptionKey: key, prefix }, /option "prefix" must be/);
  });

  test('an unreachable server: calls reject within the timeout, reported once, the password never quoted', async () => {
    const errors: Error[] = [];
    const store = redisStore({ url: 'redis://:hunter2@127.0.0.1:1', encryptionKey: Buffer.alloc(32, 1), onError: (error) => errors.push(error), timeoutMs: 500 });
    try {
      await assert.rejects(store.get('alice'), (error: Error) => /^redisStore: Redis failed to connect/.test(error.message) && !error.message.includes('hunter2'));
      await assert.rejects(store.set('alice', { token: TOKEN, token_type: 'user', connected_at: 'x' }), (error: Error) => !error.message.includes(TOKEN));
      assert.equal(errors.length, 1);
      assert.ok(!errors[0]?.message.includes('hunter2'));
    } finally {
      await store.close();
    }
  });
});
