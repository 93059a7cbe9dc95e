/**
 * The `limiter` option both handlers accept: the interface, the options every built-in limiter shares (how many
 * requests per how many seconds), and the translation of rate-limiter-flexible's answers into a decision.
 */
import * as z from 'zod';
import { RateLimiterRes } from 'rate-limiter-flexible';

/** What a limiter answers for one request. */
export interface RateLimitDecision {
  /** Whether the request may go ahead. */
  allowed: boolean;
  /** When it may not: how many seconds until it may (at least 1). 0 when allowed. */
  retryAfterSeconds: number;
}

/**
 * Counts requests by key. The handlers call `consume` once per request they limit, with a key naming the handler and
 * the consumer (never the consumer ID itself: a hash of it). A `consume` that rejects lets the request through: the
 * built-in limiters never reject (they count in memory while their database is away).
 */
export interface RateLimiter {
  consume(key: string): Promise<RateLimitDecision>;
}

/** How many requests a limiter allows: `limit` per `windowSeconds`, per key. */
export interface RateLimitOptions {
  /** Requests allowed per window and key. Default 20. */
  limit?: number;
  /** The window, in seconds: a key's count starts at its first request and resets after this. Default 60. */
  windowSeconds?: number;
}

export const DEFAULT_LIMIT = 20;
export const DEFAULT_WINDOW_SECONDS = 60;

/** The `limit` and `windowSeconds` options as zod fields (the limiters' schemas spread them in). */
export const rateLimitFields = {
  limit: z.number().int('must be a whole number from 1 to 1000000').min(1).max(1_000_000).optional(),
  windowSeconds: z.number().int('must be a whole number of seconds from 1 to 86400').min(1).max(86_400).optional(),
};

/** rate-limiter-flexible's settings for the options. */
export function pointsAndDuration(options: RateLimitOptions): { points: number; duration: number } {
  return { points: options.limit ?? DEFAULT_LIMIT, duration: options.windowSeconds ?? DEFAULT_WINDOW_SECONDS };
}

export const ALLOWED: RateLimitDecision = Object.freeze({ allowed: true, retryAfterSeconds: 0 });

/**
 * The decision for what rate-limiter-flexible's `consume` settled with: a `RateLimiterRes` it resolved with (allowed)
 * or rejected with (over the limit). Anything else it rejected with (the database failed) is thrown again.
 */
export function decisionOf(outcome: { resolved: unknown } | { rejected: unknown }): RateLimitDecision {
  if ('resolved' in outcome) return ALLOWED;
  const { rejected } = outcome;
  if (!(rejected instanceof RateLimiterRes)) throw rejected;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejected.msBeforeNext / 1000)) };
}

/** `limiter.consume(key)` as a decision. */
export function consumeWith(limiter: { consume(key: string): Promise<unknown> }, key: string): Promise<RateLimitDecision> {
  return limiter.consume(key).then(
    (resolved) => decisionOf({ resolved }),
    (rejected: unknown) => decisionOf({ rejected }),
  );
}

const isLimiter = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && typeof (value as { consume?: unknown }).consume === 'function';

/** The handlers' `limiter` option: a limiter, or `false` for none. */
export const limiterOption = z
  .custom<RateLimiter | false>((value) => value === false || isLimiter(value), 'must be false or a limiter with a consume(key) method')
  .optional();
