/** `redisLimiter()`: request counters in Redis, shared by every instance of the host. */
import * as z from 'zod';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { type RedisClient, RedisDatabase, keyPrefix } from '../databases/redis.ts';
import { type StoreErrorHandler, errorReporter } from '../databases/store-errors.ts';
import { isFunction, optionsError, timeoutMsOption } from '../options.ts';
import { type RateLimitOptions, consumeWith, pointsAndDuration, rateLimitFields } from './rate-limiter.ts';
import { type DatabaseRateLimiter, withMemoryFallback } from './shared-limiter.ts';

export interface RedisLimiterOptions extends RateLimitOptions {
  /** `redis://[:password@]host:6379[/db]` or `rediss://…`. Never quoted in an error or a report. */
  url: string;
  /** What every counter's key starts with (followed by `:`). Default `vault-connect:rate-limit`. */
  prefix?: string;
  /** Called when Redis cannot count (once per outage; requests are counted in memory meanwhile). Default: `console.warn`. */
  onError?: StoreErrorHandler;
  /** How long one connection attempt or command may take, in milliseconds. Default 2000. */
  timeoutMs?: number;
}

const NAME = 'redisLimiter';

const OptionsSchema = z.strictObject({
  url: z.string().refine((value) => /^rediss?:\/\/./.test(value.trim()), 'must be a redis:// or rediss:// URL'),
  prefix: z.unknown().optional(),
  onError: z.custom<StoreErrorHandler>(isFunction, 'must be a function (error) => void').optional(),
  timeoutMs: timeoutMsOption,
  ...rateLimitFields,
});

/**
 * Counts requests in Redis: `limit` (default 20) per `windowSeconds` (default 60) per key, one key per counter that
 * expires with its window (an atomic Lua script of rate-limiter-flexible). While Redis is away, each instance counts
 * in its own memory and `onError` is told.
 */
export function redisLimiter(options: RedisLimiterOptions): DatabaseRateLimiter {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw optionsError(NAME, parsed.error);
  const config = parsed.data;
  const prefix = keyPrefix(config.prefix, 'vault-connect:rate-limit', NAME);
  const database = new RedisDatabase({ who: NAME, url: config.url.trim(), timeoutMs: config.timeoutMs ?? 2_000, report: errorReporter(config.onError) });
  let counters: { client: RedisClient; limiter: RateLimiterRedis } | undefined;

  const limiter = withMemoryFallback(config, (key) =>
    database.run('count a request', (client) => {
      // One per client (a client that gave up connecting is replaced).
      if (counters?.client !== client) {
        counters = {
          client,
          limiter: new RateLimiterRedis({
            storeClient: client,
            useRedisPackage: true,
            rejectIfRedisNotReady: true,
            keyPrefix: prefix,
            ...pointsAndDuration(config),
          }),
        };
      }
      return consumeWith(counters.limiter, key);
    }),
  );
  return {
    consume: (key) => limiter.consume(key),
    ready: async () => {
      await database.run('answer a PING', (client) => client.ping());
    },
    close: () => database.close(),
  };
}
