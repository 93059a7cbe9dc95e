/**
 * `redisStore()`: the VaultRE token store on Redis, shared by every instance of the host, the token encrypted at rest.
 * Built on node-redis (`redis`, an optional peer dependency, loaded on first use).
 */
import * as z from 'zod';
import { type EncryptionKeyOption } from '../encryption/token-cipher.ts';
import { RedisDatabase, keyPrefix, prefixPattern } from '../databases/redis.ts';
import { type StoreErrorHandler, errorReporter } from '../databases/store-errors.ts';
import { isFunction, optionsError, timeoutMsOption } from '../options.ts';
import { EncryptedValues } from './encrypted-values.ts';
import type { EncryptedTokenStore, RotationResult } from './types.ts';

export interface RedisStoreOptions {
  /** `redis://[:password@]host:6379[/db]` or `rediss://…`, as node-redis accepts it. Never quoted in an error or a report. */
  url: string;
  /**
   * The key that encrypts the tokens (AES-256-GCM): 32 bytes as a base64 string or a `Uint8Array`, or a keyring
   * `{current: "id", keys: {id: key, …}}` (the current key seals, every listed key opens). See docs/stores.md.
   */
  encryptionKey: EncryptionKeyOption;
  /** What every key of this store starts with. Default `vault-connect:vaultre-token:`. */
  prefix?: string;
  /**
   * Called with what cannot be reported by rejecting a call: a stored value that does not open (it reads as not
   * connected), a lost connection, a failed setup. Default: one `console.warn` line. Never given a token or a key.
   */
  onError?: StoreErrorHandler;
  /** How long one connection attempt or command may take, in milliseconds. Default 5000. */
  timeoutMs?: number;
}

const NAME = 'redisStore';
/** What `redisStore`'s keys start with unless told otherwise. */
export const DEFAULT_TOKEN_PREFIX = 'vault-connect:vaultre-token:';
const DEFAULT_TIMEOUT_MS = 5_000;
/** Keys asked for per round of a rotation's SCAN. */
const ROTATION_BATCH = 100;
/** Replaces a key's value only if it is still the one that was read: KEYS[1], ARGV[1] expected, ARGV[2] new. */
const COMPARE_AND_SET = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0";

const OptionsSchema = z.strictObject({
  url: z.string().refine((value) => /^rediss?:\/\/./.test(value.trim()), 'must be a redis:// or rediss:// URL'),
  encryptionKey: z.unknown().optional(),
  prefix: z.unknown().optional(),
  onError: z.custom<StoreErrorHandler>(isFunction, 'must be a function (error) => void').optional(),
  timeoutMs: timeoutMsOption,
});

/**
 * A store on Redis. One string key per consumer, `<prefix><consumer ID>`, holding `{token, token_type, connected_at}`
 * as JSON sealed with AES-256-GCM under the consumer ID: `vc1.<key id>.<iv>.<ciphertext>`, so the id of the key that
 * sealed it is stored with it. Keys never expire; `delete` removes them. Throws at creation when an option is invalid
 * (the message names the option and never quotes a key or the URL).
 */
export function redisStore(options: RedisStoreOptions): EncryptedTokenStore {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw optionsError(NAME, parsed.error);
  const config = parsed.data;
  const prefix = keyPrefix(config.prefix, DEFAULT_TOKEN_PREFIX, NAME);
  const report = errorReporter(config.onError);
  const values = new EncryptedValues(NAME, config.encryptionKey as EncryptionKeyOption, report);
  const database = new RedisDatabase({ who: NAME, url: config.url.trim(), timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS, report });

  const keyOf = (consumerId: unknown): string => {
    if (typeof consumerId !== 'string' || consumerId === '') throw new Error(`${NAME}: the consumer ID must be a non-empty string.`);
    return `${prefix}${consumerId}`;
  };

  async function rotateKey(key: string, result: RotationResult, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return;
    const sealed = await database.run('read a value to re-encrypt', (client) => client.get(key));
    if (sealed === null) {
      result.changedMeanwhile += 1;
      return;
    }
    if (values.isCurrent(sealed)) {
      result.alreadyCurrent += 1;
      return;
    }
    const next = await values.reseal(key.slice(prefix.length), sealed);
    if (!next) {
      result.unreadable += 1;
      return;
    }
    if (signal?.aborted) return;
    const replaced = await database.run('re-encrypt a value', (client) =>
      client.eval(COMPARE_AND_SET, { keys: [key], arguments: [sealed, next.sealed] }),
    );
    if (Number(replaced) === 1) result.rotated += 1;
    else result.changedMeanwhile += 1;
  }

  return {
    async get(consumerId) {
      const key = keyOf(consumerId);
      const sealed = await database.run('read a token', (client) => client.get(key));
      return sealed === null ? undefined : values.open(consumerId, sealed);
    },

    async set(consumerId, value) {
      const key = keyOf(consumerId);
      const { sealed } = await values.seal(consumerId, value);
      await database.run('save a token', (client) => client.set(key, sealed));
    },

    async delete(consumerId) {
      const key = keyOf(consumerId);
      await database.run('delete a token', (client) => client.del(key));
    },

    async rotate({ signal } = {}) {
      signal?.throwIfAborted();
      const result: RotationResult = { rotated: 0, alreadyCurrent: 0, changedMeanwhile: 0, unreadable: 0 };
      // SCAN returns every key that exists throughout the run at least once, rarely twice (while Redis resizes its
      // table): the compare-and-set makes a second visit harmless; it then counts as already current.
      let cursor = '0';
      do {
        const page = await database.run('list the values', (client) =>
          client.scan(cursor, { MATCH: prefixPattern(prefix), COUNT: ROTATION_BATCH }),
        );
        cursor = String(page.cursor);
        await Promise.all(page.keys.map((key) => rotateKey(key, result, signal)));
        signal?.throwIfAborted();
      } while (cursor !== '0');
      return result;
    },

    async ready() {
      await database.run('answer a PING', (client) => client.ping());
    },

    close: () => database.close(),
  };
}
