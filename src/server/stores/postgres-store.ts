/**
 * `postgresStore()`: the VaultRE token store on PostgreSQL, shared by every instance of the host, the token encrypted at
 * rest. Built on `pg` (an optional peer dependency, loaded on first use). It creates its table when missing.
 */
import * as z from 'zod';
import { type EncryptionKeyOption } from '../encryption/token-cipher.ts';
import { PostgresDatabase, tableName } from '../databases/postgres.ts';
import { type StoreErrorHandler, errorReporter } from '../databases/store-errors.ts';
import { isFunction, optionsError, timeoutMsOption } from '../options.ts';
import { EncryptedValues } from './encrypted-values.ts';
import type { EncryptedTokenStore, RotationResult } from './types.ts';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database`, as `pg` accepts it. Never quoted in an error or a report. */
  connectionString: string;
  /**
   * The key that encrypts the tokens (AES-256-GCM): 32 bytes as a base64 string or a `Uint8Array`, or a keyring
   * `{current: "id", keys: {id: key, …}}` (the current key seals, every listed key opens). See docs/stores.md.
   */
  encryptionKey: EncryptionKeyOption;
  /** The table, `name` or `schema.name`. Default `vault_connect_vaultre_tokens`. Created when missing. */
  table?: string;
  /**
   * Called with what cannot be reported by rejecting a call: a stored value that does not open (it reads as not
   * connected), a lost connection, a failed setup. Default: one `console.warn` line. Never given a token or a key.
   */
  onError?: StoreErrorHandler;
  /** How long one connection attempt or query may take, in milliseconds. Default 5000. */
  timeoutMs?: number;
}

const NAME = 'postgresStore';
/** The table `postgresStore` keeps its tokens in unless told otherwise. */
export const DEFAULT_TOKEN_TABLE = 'vault_connect_vaultre_tokens';
const DEFAULT_TIMEOUT_MS = 5_000;
/** Rows read per round of a rotation. */
const ROTATION_BATCH = 100;

const OptionsSchema = z.strictObject({
  connectionString: z.string('must be a non-empty string').trim().min(1, 'must be a non-empty string'),
  encryptionKey: z.unknown().optional(),
  table: z.unknown().optional(),
  onError: z.custom<StoreErrorHandler>(isFunction, 'must be a function (error) => void').optional(),
  timeoutMs: timeoutMsOption,
});

function consumerKey(consumerId: unknown): string {
  if (typeof consumerId !== 'string' || consumerId === '') throw new Error(`${NAME}: the consumer ID must be a non-empty string.`);
  return consumerId;
}

/**
 * A store on PostgreSQL. One row per consumer in `table`:
 *
 * | column | holds |
 * | --- | --- |
 * | `consumer_id` (primary key) | the consumer ID, as the handler's `consumerId(request)` returned it |
 * | `key_id` | the id of the key that sealed `sealed_value` (`default` for a single key) |
 * | `sealed_value` | `{token, token_type, connected_at}` as JSON, sealed with AES-256-GCM under the consumer ID |
 * | `updated_at` | when the row was last written |
 *
 * Every statement is parameterised; the table name is checked and quoted. Throws at creation when an option is invalid
 * (the message names the option and never quotes a key or the connection string).
 */
export function postgresStore(options: PostgresStoreOptions): EncryptedTokenStore {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw optionsError(NAME, parsed.error);
  const config = parsed.data;
  const table = tableName(config.table, DEFAULT_TOKEN_TABLE, NAME).quoted;
  const report = errorReporter(config.onError);
  const values = new EncryptedValues(NAME, config.encryptionKey as EncryptionKeyOption, report);
  const database = new PostgresDatabase({
    who: NAME,
    connectionString: config.connectionString,
    timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    report,
    table,
    createTable: `CREATE TABLE IF NOT EXISTS ${table} (
      consumer_id text PRIMARY KEY,
      key_id text NOT NULL,
      sealed_value text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
  });

  async function rotateRow(row: Record<string, unknown>, result: RotationResult, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return;
    const consumerId = String(row.consumer_id);
    const sealed = String(row.sealed_value);
    if (values.isCurrent(sealed)) {
      result.alreadyCurrent += 1;
      return;
    }
    const next = await values.reseal(consumerId, sealed);
    if (!next) {
      result.unreadable += 1;
      return;
    }
    if (signal?.aborted) return;
    const { rowCount } = await database.query(
      're-encrypt a value',
      `UPDATE ${table} SET key_id = $2, sealed_value = $3, updated_at = now() WHERE consumer_id = $1 AND sealed_value = $4`,
      [consumerId, next.keyId, next.sealed, sealed],
    );
    if (rowCount === 1) result.rotated += 1;
    else result.changedMeanwhile += 1;
  }

  return {
    async get(consumerId) {
      const { rows } = await database.query('read a token', `SELECT sealed_value FROM ${table} WHERE consumer_id = $1`, [consumerKey(consumerId)]);
      const sealed = rows[0]?.sealed_value;
      return typeof sealed === 'string' ? values.open(consumerId, sealed) : undefined;
    },

    async set(consumerId, value) {
      const id = consumerKey(consumerId);
      const { keyId, sealed } = await values.seal(id, value);
      // One statement: the row is written whole or not at all.
      await database.query(
        'save a token',
        `INSERT INTO ${table} (consumer_id, key_id, sealed_value, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (consumer_id) DO UPDATE SET key_id = EXCLUDED.key_id, sealed_value = EXCLUDED.sealed_value, updated_at = now()`,
        [id, keyId, sealed],
      );
    },

    async delete(consumerId) {
      await database.query('delete a token', `DELETE FROM ${table} WHERE consumer_id = $1`, [consumerKey(consumerId)]);
    },

    async rotate({ signal } = {}) {
      signal?.throwIfAborted();
      const current = values.currentKeyId;
      const result: RotationResult = { rotated: 0, alreadyCurrent: 0, changedMeanwhile: 0, unreadable: 0 };
      const counted = await database.query('count the values', `SELECT count(*)::int AS current FROM ${table} WHERE key_id = $1`, [current]);
      result.alreadyCurrent = Number(counted.rows[0]?.current ?? 0);
      // Keyset pagination: rows left behind (unreadable ones) are not read again, and the run always ends.
      for (let after = ''; ; ) {
        const { rows } = await database.query(
          'read the values to re-encrypt',
          `SELECT consumer_id, sealed_value FROM ${table} WHERE key_id <> $1 AND consumer_id > $2 ORDER BY consumer_id LIMIT ${ROTATION_BATCH}`,
          [current, after],
        );
        if (rows.length === 0) break;
        await Promise.all(rows.map((row) => rotateRow(row, result, signal)));
        signal?.throwIfAborted();
        after = String(rows[rows.length - 1]?.consumer_id);
      }
      return result;
    },

    async ready() {
      await database.pool();
    },

    close: () => database.close(),
  };
}
