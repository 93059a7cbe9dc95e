// `pg` and `redis` are optional peer dependencies: `vault-connect/server` imports without them, and the store or limiter
// that needs one says which package to install, through its calls and its onError hook.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const CHILD = `
  const server = await import('./src/server/index.ts');
  const reports = [];
  const onError = (error) => reports.push(error.code + ': ' + error.message);
  const key = Buffer.alloc(32, 1);
  const pgStore = server.postgresStore({ connectionString: 'postgres://u:hunter2@127.0.0.1:1/db', encryptionKey: key, onError });
  const redisStore = server.redisStore({ url: 'redis://127.0.0.1:1', encryptionKey: key, onError });
  const outcome = async (promise) => promise.then(() => 'resolved', (error) => error.message);
  const handler = server.createVaultreHandler({ clientId: 'c', secret: 's'.repeat(32), redirectUri: 'https://host.example/cb', consumerId: () => 'alice', store: pgStore });
  const reply = await handler(new Request('https://host.example/api/vaultre'));
  const limited = [
    await server.redisLimiter({ url: 'redis://127.0.0.1:1', onError }).consume('k'),
    await server.postgresLimiter({ connectionString: 'postgres://127.0.0.1:1/db', onError }).consume('k'),
  ];
  console.log(JSON.stringify({
    exports: ['createSessionHandler', 'createVaultreHandler', 'memoryStore', 'postgresStore', 'redisStore', 'memoryLimiter', 'redisLimiter', 'postgresLimiter'].filter((name) => typeof server[name] === 'function'),
    pgGet: await outcome(pgStore.get('alice')),
    pgReady: await outcome(pgStore.ready()),
    redisSet: await outcome(redisStore.set('alice', { token: 'TOKEN-SECRET', token_type: 'user', connected_at: 'now' })),
    handler: [reply.status, (await reply.json()).error],
    limited,
    reports,
  }));
`;

test('without pg and redis installed: the server entry imports, and each store and limiter names the package to install', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', './test/server/support/hide-optional-packages.mjs', '--input-type=module', '-e', CHILD],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  assert.equal((result.exports as string[]).length, 8);
  assert.equal(result.pgGet, 'postgresStore needs the "pg" package, which is not installed. Install it with: npm install pg');
  assert.equal(result.pgReady, result.pgGet);
  assert.equal(result.redisSet, 'redisStore needs the "redis" package, which is not installed. Install it with: npm install redis');
  assert.deepEqual(result.handler, [500, 'store_failed']);
  // A limiter without its package counts in memory: the request goes ahead.
  assert.deepEqual(result.limited, [
    { allowed: true, retryAfterSeconds: 0 },
    { allowed: true, retryAfterSeconds: 0 },
  ]);
  assert.deepEqual((result.reports as string[]).sort(), [
    'setup_failed: postgresLimiter needs the "pg" package, which is not installed. Install it with: npm install pg',
    'setup_failed: postgresStore needs the "pg" package, which is not installed. Install it with: npm install pg',
    'setup_failed: redisLimiter needs the "redis" package, which is not installed. Install it with: npm install redis',
    'setup_failed: redisStore needs the "redis" package, which is not installed. Install it with: npm install redis',
  ]);
  assert.ok(!run.stdout.includes('hunter2') && !run.stdout.includes('TOKEN-SECRET'));
});
