/**
 * `npx vault-connect rotate-key`, run in-process against a real engine by `postgres.test.ts` and `redis.test.ts`: every
 * value re-encrypted, a second run with nothing to do, an unreadable value (exit 1), Ctrl+C in the middle of a run
 * (exit 130, every value still readable, then a run that finishes), and nothing printed that holds a key, a token or a
 * password.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { main } from '../../../src/cli/index.ts';
import type { CliIo } from '../../../src/cli/io.ts';
import type { StoreEngine } from './store-suite.ts';
import { startProxy } from './tcp-proxy.ts';

const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');
const OLD = { current: 'k1', keys: { k1: K1 } };
const NEW = { current: 'k2', keys: { k1: K1, k2: K2 } };
const consumer = (i: number) => `c${String(i).padStart(4, '0')}`;
const token = (i: number) => `cli-token-${i}-SECRET`;
const CONNECTED_AT = '2026-01-01T00:00:00.000Z';

/** What a command run printed, and the Ctrl+C handler it registered. */
export function captureIo(env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  let interrupt: ((signal: 'SIGINT') => void) | undefined;
  const io: CliIo = {
    stdout: Object.assign(new PassThrough(), { isTTY: false }).on('data', (chunk: Buffer) => (stdout += chunk.toString())),
    stderr: Object.assign(new PassThrough(), { isTTY: false }).on('data', (chunk: Buffer) => (stderr += chunk.toString())),
    env,
    onSignal(handler) {
      interrupt = handler;
      return () => (interrupt = undefined);
    },
  };
  return {
    io,
    output: () => ({ stdout, stderr }),
    /** Sends Ctrl+C; false when the command does not listen (any more). */
    interrupt: () => (interrupt ? (interrupt('SIGINT'), true) : false),
  };
}

export interface RotateKeyTarget {
  engine: StoreEngine;
  /** What the command reads from VAULT_CONNECT_DATABASE_URL to reach the server (or a proxy) on `port`. */
  url: (port: number) => string;
  /** The command's option naming the table or the prefix. */
  namespaceOption: '--table' | '--prefix';
}

let namespaces = 0;

export function describeRotateKeyCli(name: string, target: () => RotateKeyTarget): void {
  const setUp = async (count: number) => {
    const { engine, url, namespaceOption } = target();
    namespaces += 1;
    const namespace = engine.name === 'redisStore' ? `vc-cli-${namespaces}:` : `vc_cli_${namespaces}`;
    const old = engine.store({ namespace, encryptionKey: OLD });
    await Promise.all(Array.from({ length: count }, (_, i) => old.set(consumer(i), { token: token(i), token_type: 'account', connected_at: CONNECTED_AT })));
    await old.close();
    const env = (port = engine.port) => ({ VAULT_CONNECT_DATABASE_URL: url(port), VAULT_CONNECT_ENCRYPTION_KEY: JSON.stringify(NEW) });
    const keyIds = async () => {
      const ids = await Promise.all(Array.from({ length: count }, async (_, i) => (await engine.raw(namespace, consumer(i)))?.keyId));
      return { k1: ids.filter((id) => id === 'k1').length, k2: ids.filter((id) => id === 'k2').length };
    };
    return { engine, namespace, env, keyIds, args: ['rotate-key', namespaceOption, namespace] };
  };
  const assertNoSecrets = (...runs: ReturnType<typeof captureIo>[]) => {
    for (const run of runs) {
      const text = Object.values(run.output()).join('\n');
      for (const secret of [K1, K2, 'SECRET']) assert.ok(!text.includes(secret), `printed ${secret}: ${text}`);
    }
  };

  describe(`npx vault-connect rotate-key (${name})`, () => {
    test('re-encrypts every value, then finds nothing to do; an unreadable value exits 1; nothing secret is printed', async () => {
      const { engine, namespace, env, keyIds, args } = await setUp(3);
      const first = captureIo(env());
      assert.equal(await main(args, first.io), 0, first.output().stderr);
      assert.match(first.output().stdout, /^rotate-key: 3 re-encrypted under "k2", 0 already current, 0 changed meanwhile, 0 could not be decrypted/);
      assert.deepEqual(await keyIds(), { k1: 0, k2: 3 });
      const second = captureIo(env());
      assert.equal(await main(args, second.io), 0);
      assert.match(second.output().stdout, /^rotate-key: 0 re-encrypted under "k2", 3 already current/);

      const stranger = engine.store({ namespace, encryptionKey: { current: 'zz', keys: { zz: randomBytes(32).toString('base64') } } });
      await stranger.set('lost', { token: token(9), token_type: 'user', connected_at: CONNECTED_AT });
      await stranger.close();
      const third = captureIo(env());
      assert.equal(await main(args, third.io), 1);
      assert.match(third.output().stdout, /0 re-encrypted under "k2", 3 already current, 0 changed meanwhile, 1 could not be decrypted/);
      assert.match(third.output().stderr, /sealed under a key id that is not in the keyring/);
      assert.equal((await engine.raw(namespace, 'lost'))?.keyId, 'zz', 'an unreadable value is left as it is');

      const newOnly = engine.store({ namespace, encryptionKey: { current: 'k2', keys: { k2: K2 } } });
      try {
        assert.equal((await newOnly.get(consumer(2)))?.token, token(2));
      } finally {
        await newOnly.close();
      }
      const elsewhere = captureIo(env());
      assert.equal(await main(['rotate-key', target().namespaceOption, engine.name === 'redisStore' ? 'vc-cli-empty:' : 'vc_cli_empty'], elsewhere.io), 0);
      assert.match(elsewhere.output().stderr, /no stored values under (table vc_cli_empty|prefix vc-cli-empty:); is that where the store keeps them\?/);
      assertNoSecrets(first, second, third, elsewhere);
    });

    test('Ctrl+C mid-run: the values on their way are written whole, no other is started, exit 130; the next run finishes', async () => {
      const { engine, env, keyIds, args } = await setUp(150);
      const proxy = await startProxy(engine.port);
      try {
        // The 60th re-encryption is held before the server sees it; Ctrl+C comes while it is on its way.
        const held = proxy.holdWhenSent(engine.name === 'redisStore' ? 'EVAL' : 'UPDATE', 60);
        const interrupted = captureIo(env(proxy.port));
        const running = main(args, interrupted.io);
        await held;
        assert.ok(interrupted.interrupt(), 'the command listens for Ctrl+C');
        assert.equal(interrupted.interrupt(), false, 'a second Ctrl+C is left to end the process');
        proxy.release();
        assert.equal(await running, 130);
        assert.match(interrupted.output().stderr, /stopping after the values on their way[\s\S]*interrupted; every value is still readable with this keyring\. Run it again to finish\./);
        assert.equal(interrupted.output().stdout, '');

        const midway = await keyIds();
        assert.equal(midway.k1 + midway.k2, 150, 'no value lost or half-written');
        assert.ok(midway.k2 > 0 && midway.k2 < 150, `stopped part-way: ${JSON.stringify(midway)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.deepEqual(await keyIds(), midway, 'nothing is written after the command has ended');

        const finishing = captureIo(env());
        assert.equal(await main(args, finishing.io), 0);
        assert.equal(
          finishing.output().stdout,
          `rotate-key: ${midway.k1} re-encrypted under "k2", ${midway.k2} already current, 0 changed meanwhile, 0 could not be decrypted (left as they are).\n`,
        );
        assert.deepEqual(await keyIds(), { k1: 0, k2: 150 });
        assertNoSecrets(interrupted, finishing);
      } finally {
        await proxy.close();
      }
    });
  });
}
