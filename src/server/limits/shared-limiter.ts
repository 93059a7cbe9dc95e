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

/**
 * `consumeInDatabase` counts in the database and rejects when it cannot (after reporting it, once per outage); the
 * request is then counted in memory.
 */
export function withMemoryFallback(
  options: RateLimitOptions,
  consumeInDatabase: (key: string) => Promise<RateLimitDecision>,
): RateLimiter {
  const fallback = new RateLimiterMemory({ ...pointsAndDuration(options), keyPrefix: 'vault-connect-fallback' });
  return {
    async consume(key) {
      try {
        return await consumeInDatabase(key);
      } catch {
        return consumeWith(fallback, key);
      }
    },
  };
}
