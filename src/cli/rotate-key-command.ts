/**
 * `npx vault-connect rotate-key`: re-encrypts every token a `postgresStore` or `redisStore` holds under the keyring's
 * current key (`store.rotate()`). The database and the keyring come from the environment, never from the command line
 * (where `ps` and the shell history would show them). Safe to run twice and to interrupt (see docs/stores.md).
 */
import { parseArgs } from 'node:util';
import { type EncryptionKeyring } from '../server/encryption/token-cipher.ts';
import { DEFAULT_TOKEN_TABLE, postgresStore } from '../server/stores/postgres-store.ts';
import { DEFAULT_TOKEN_PREFIX, redisStore } from '../server/stores/redis-store.ts';
import type { EncryptedTokenStore } from '../server/stores/types.ts';
import { type CliIo, type Command, EXIT } from './io.ts';

const USAGE = `Usage: vault-connect rotate-key [--table <name> | --prefix <prefix>]

Re-encrypts every stored VaultRE token under the current key of the keyring. Safe to run twice and to interrupt.

Environment:
  VAULT_CONNECT_DATABASE_URL    where the tokens are: postgres://… (postgresStore) or redis://… (redisStore)
  VAULT_CONNECT_ENCRYPTION_KEY  the keyring, as JSON: {"current": "k2", "keys": {"k1": "<base64>", "k2": "<base64>"}}

Options:
  --table <name>     postgresStore's table (default ${DEFAULT_TOKEN_TABLE})
  --prefix <prefix>  redisStore's key prefix (default ${DEFAULT_TOKEN_PREFIX})
  -h, --help         this text

Exit codes:
  0    finished: every value it found is re-encrypted or already current
  1    some values could not be decrypted (left as they are)
  2    a usage, configuration or database error
  130  interrupted (run it again to finish)
`;

/** Unreadable values listed one per line; past this many, only their number. */
const PROBLEMS_SHOWN = 20;

function keyringFrom(text: string | undefined): EncryptionKeyring | string {
  if (!text) return 'VAULT_CONNECT_ENCRYPTION_KEY is not set.';
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as EncryptionKeyring;
  } catch {
    // Reported below, without quoting the value.
  }
  return 'VAULT_CONNECT_ENCRYPTION_KEY must be a keyring as JSON: {"current": "id", "keys": {"id": "<base64>"}}.';
}

export const rotateKeyCommand: Command = async (args: string[], io: CliIo): Promise<number> => {
  let options: { table?: string | undefined; prefix?: string | undefined; help?: boolean | undefined };
  try {
    ({ values: options } = parseArgs({
      args,
      options: { table: { type: 'string' }, prefix: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    io.stderr.write(`vault-connect rotate-key: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT.error;
  }
  if (options.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  const url = io.env.VAULT_CONNECT_DATABASE_URL?.trim() ?? '';
  const keyring = keyringFrom(io.env.VAULT_CONNECT_ENCRYPTION_KEY);
  const fail = (message: string) => {
    io.stderr.write(`vault-connect rotate-key: ${message}\n`);
    return EXIT.error;
  };
  if (typeof keyring === 'string') return fail(keyring);
  const postgres = /^postgres(ql)?:\/\//i.test(url);
  const redis = /^rediss?:\/\//i.test(url);
  if (!postgres && !redis) return fail('VAULT_CONNECT_DATABASE_URL must be a postgres:// or redis:// URL.');
  if ((postgres && options.prefix !== undefined) || (redis && options.table !== undefined)) {
    return fail(postgres ? '--prefix is for Redis; PostgreSQL takes --table.' : '--table is for PostgreSQL; Redis takes --prefix.');
  }

  let store: EncryptedTokenStore;
  const problems: string[] = [];
  const onError = (error: Error) => void problems.push(error.message);
  try {
    store = postgres
      ? postgresStore({ connectionString: url, encryptionKey: keyring, onError, ...(options.table !== undefined ? { table: options.table } : {}) })
      : redisStore({ url, encryptionKey: keyring, onError, ...(options.prefix !== undefined ? { prefix: options.prefix } : {}) });
  } catch (error) {
    return fail((error as Error).message);
  }

  const stop = new AbortController();
  const stopListening = io.onSignal(() => {
    io.stderr.write('vault-connect rotate-key: stopping after the values on their way (Ctrl+C again to stop at once).\n');
    stop.abort();
    // The next Ctrl+C ends the process: each value is replaced by one atomic write, so none is left half-written.
    stopListening();
  });
  try {
    const result = await store.rotate({ signal: stop.signal });
    const where = postgres ? `table ${options.table ?? DEFAULT_TOKEN_TABLE}` : `prefix ${options.prefix ?? DEFAULT_TOKEN_PREFIX}`;
    io.stdout.write(
      `rotate-key: ${result.rotated} re-encrypted under "${keyring.current}", ${result.alreadyCurrent} already current, ` +
        `${result.changedMeanwhile} changed meanwhile, ${result.unreadable} could not be decrypted (left as they are).\n`,
    );
    if (result.rotated + result.alreadyCurrent + result.changedMeanwhile + result.unreadable === 0) {
      io.stderr.write(`vault-connect rotate-key: no stored values under ${where}; is that where the store keeps them?\n`);
    }
    for (const problem of problems.slice(0, PROBLEMS_SHOWN)) io.stderr.write(`  ${problem}\n`);
    if (problems.length > PROBLEMS_SHOWN) io.stderr.write(`  … and ${problems.length - PROBLEMS_SHOWN} more.\n`);
    return result.unreadable > 0 ? EXIT.failures : EXIT.ok;
  } catch (error) {
    if (stop.signal.aborted) {
      io.stderr.write('vault-connect rotate-key: interrupted; every value is still readable with this keyring. Run it again to finish.\n');
      return EXIT.interrupted;
    }
    return fail((error as Error).message);
  } finally {
    stopListening();
    await store.close().catch(() => undefined);
  }
};
