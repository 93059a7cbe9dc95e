/** `postgresLimiter()`: request counters in PostgreSQL, shared by every instance of the host. */
import * as z from 'zod';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { PostgresDatabase, tableName } from '../databases/postgres.ts';
import { type StoreErrorHandler, errorReporter } from '../databases/store-errors.ts';
import { isFunction, optionsError, timeoutMsOption } from '../options.ts';
import { type RateLimitOptions, consumeWith, pointsAndDuration, rateLimitFields } from './rate-limiter.ts';
import { type DatabaseRateLimiter, withMemoryFallback } from './shared-limiter.ts';

export interface PostgresLimiterOptions extends RateLimitOptions {
  /** `postgres://user:password@host:5432/database`. Never quoted in an error or a report. */
  connectionString: string;
  /** The counters' table, `name` or `schema.name`. Default `vault_connect_rate_limits`. Created when missing. */
  table?: string;
  /** Called when PostgreSQL cannot count (once per outage; requests are counted in memory meanwhile). Default: `console.warn`. */
  onError?: StoreErrorHandler;
  /** How long one connection attempt or query may take, in milliseconds. Default 2000. */
  timeoutMs?: number;
}

const NAME = 'postgresLimiter';

const OptionsSchema = z.strictObject({
  connectionString: z.string('must be a non-empty string').trim().min(1, 'must be a non-empty string'),
  table: z.unknown().optional(),
  onError: z.custom<StoreErrorHandler>(isFunction, 'must be a function (error) => void').optional(),
  timeoutMs: timeoutMsOption,
  ...rateLimitFields,
});

/**
 * Counts requests in PostgreSQL: `limit` (default 20) per `windowSeconds` (default 60) per key, one row per counter
 * (`key`, `points`, `expire`), updated by one atomic upsert (rate-limiter-flexible's), and rows expired for an hour
 * deleted every five minutes. While PostgreSQL is away, each instance counts in its own memory and `onError` is told.
 */
export function postgresLimiter(options: PostgresLimiterOptions): DatabaseRateLimiter {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw optionsError(NAME, parsed.error);
  const config = parsed.data;
  const table = tableName(config.table, 'vault_connect_rate_limits', NAME);
  const database = new PostgresDatabase({
    who: NAME,
    connectionString: config.connectionString,
    timeoutMs: config.timeoutMs ?? 2_000,
    report: errorReporter(config.onError),
    table: table.quoted,
    // rate-limiter-flexible's own table; created here so that two instances starting together do not race.
    createTable: `CREATE TABLE IF NOT EXISTS ${table.quoted} (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
  });
  let counters: RateLimiterPostgres | undefined;

  const limiter = withMemoryFallback(config, async (key) => {
    const pool = await database.pool();
    counters ??= new RateLimiterPostgres({
      storeClient: pool,
      storeType: 'pool',
      tableName: table.table,
      ...(table.schema === undefined ? {} : { schemaName: table.schema }),
      tableCreated: true,
      clearExpiredByTimeout: true,
      keyPrefix: 'vault-connect',
      ...pointsAndDuration(config),
    });
    try {
      const decision = await consumeWith(counters, key);
      database.succeeded();
      return decision;
    } catch (error) {
      throw database.failure('count a request', error);
    }
  });
  return {
    consume: (key) => limiter.consume(key),
    ready: async () => {
      await database.pool();
    },
    close: () => database.close(),
  };
}
