/**
 * What `redisLimiter` and `postgresLimiter` share: counting in their database, and in this process's memory (with the
 * same limit) while that database cannot answer, so that an outage neither blocks every user nor lifts the limit.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { type RateLimitDecision, type RateLimitOptions, type RateLimiter, consumeWith, pointsAndDuration } from './rate-limiter.ts';

/** A limiter that also has connections to close. */
export interface DatabaseRateLimiter extends RateLimiter {
  /** Connects (and creates the table) now rather than on first use; rejects with the reason. */
  ready(): Promise<void>;
  /** Closes the connections; requests after this are counted in memory. */
  close(): Promise<void>;
}

/** After the database failed, how long requests are counted in memory before it is asked again. */
const RETRY_AFTER_FAILURE_MS = 5_000;

/**
 * `consumeInDatabase` counts in the database and rejects when it cannot (after reporting it, once per outage); the
 * request is then counted in memory, and so are the requests of the next few seconds, so that an outage does not
 * delay every request by a connection timeout.
 */
export function withMemoryFallback(
  options: RateLimitOptions,
  consumeInDatabase: (key: string) => Promise<RateLimitDecision>,
  now: () => number = Date.now,
): RateLimiter {
  const fallback = new RateLimiterMemory({ ...pointsAndDuration(options), keyPrefix: 'vault-connect-fallback' });
  let databaseFailedAt = Number.NEGATIVE_INFINITY;
  return {
    async consume(key) {
      if (now() - databaseFailedAt >= RETRY_AFTER_FAILURE_MS) {
        try {
          return await consumeInDatabase(key);
        } catch {
          databaseFailedAt = now();
        }
      }
      return consumeWith(fallback, key);
    },
  };
}
