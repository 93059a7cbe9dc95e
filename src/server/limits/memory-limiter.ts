/** `memoryLimiter()`: request counters in this process's memory, the handlers' default limiter. */
import * as z from 'zod';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { optionsError } from '../options.ts';
import { type RateLimitOptions, type RateLimiter, consumeWith, pointsAndDuration, rateLimitFields } from './rate-limiter.ts';

const OptionsSchema = z.strictObject(rateLimitFields);

/**
 * Counts requests in this process: `limit` (default 20) per `windowSeconds` (default 60) per key. Each instance of the
 * host counts on its own, so behind a load balancer the real limit is this times the number of instances: share the
 * counters with `redisLimiter()` or `postgresLimiter()` there.
 */
export function memoryLimiter(options: RateLimitOptions = {}): RateLimiter {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw optionsError('memoryLimiter', parsed.error);
  const counters = new RateLimiterMemory({ ...pointsAndDuration(parsed.data), keyPrefix: 'vault-connect' });
  return { consume: (key) => consumeWith(counters, key) };
}
