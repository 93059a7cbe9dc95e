/**
 * The handlers' side of the `limiter` option: which limiter a handler uses, and the one call at the top of each
 * limited request path, which answers 429 `rate_limited` with `Retry-After` once the consumer is over the limit.
 */
import { createHash } from 'node:crypto';
import { HttpError } from '../http/replies.ts';
import { memoryLimiter } from './memory-limiter.ts';
import type { RateLimitDecision, RateLimiter } from './rate-limiter.ts';

/** What a handler limits: minting Vault sessions, or calls that reach VaultRE. Each has its own count per consumer. */
export type LimitedAction = 'session' | 'vaultre';

/** The handler's limiter: the option, `memoryLimiter()` (20 a minute) without it, none for `false`. */
export function handlerLimiter(option: RateLimiter | false | undefined): RateLimiter | undefined {
  if (option === false) return undefined;
  return option ?? memoryLimiter();
}

/** The counter's key: the action and a hash of the consumer ID, so no counter store ever holds the ID itself. */
function counterKey(action: LimitedAction, consumerId: string): string {
  return `${action}:${createHash('sha256').update(consumerId).digest('base64url')}`;
}

/** Whole seconds to wait, from what a (possibly host-written) limiter answered: 1 to 86400. */
function secondsToWait(decision: RateLimitDecision): number {
  const seconds = Math.ceil(Number(decision.retryAfterSeconds));
  return Number.isFinite(seconds) ? Math.min(86_400, Math.max(1, seconds)) : 60;
}

/**
 * Counts one request of `consumerId` for `action`; throws the 429 reply when over the limit. A limiter that fails lets
 * the request through (the built-in ones never fail: they count in memory while their database is away).
 */
export async function limitRequest(limiter: RateLimiter | undefined, action: LimitedAction, consumerId: string): Promise<void> {
  if (!limiter) return;
  let decision: RateLimitDecision;
  try {
    decision = await limiter.consume(counterKey(action, consumerId));
  } catch {
    return;
  }
  if (decision?.allowed !== false) return;
  const seconds = secondsToWait(decision);
  throw new HttpError(429, 'rate_limited', `Too many attempts. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`, {
    // Exposed, so that an element on another origin (CORS) can read the wait.
    headers: { 'retry-after': String(seconds), 'access-control-expose-headers': 'Retry-After' },
    extra: { retry_after: seconds },
  });
}
