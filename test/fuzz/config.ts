/**
 * Run settings and the process guard of the Node fuzz tests.
 *
 * `FUZZ_RUNS` (default 2,000 per property; `npm run fuzz` sets 20,000) and `FUZZ_SEED` (default fixed) make every run
 * repeatable: a failure prints its seed and path, and `FUZZ_SEED=<seed>` with fast-check's `path` replays it.
 */
import type fc from 'fast-check';
import { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';

export const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
export const SEED = Number(process.env.FUZZ_SEED ?? 20_240_601);

/** fast-check parameters: the fixed seed and `runs` cases (default `RUNS`). */
export function params<T>(runs = RUNS): fc.Parameters<T> {
  return { seed: SEED, numRuns: runs, endOnFailure: true };
}

const problems: string[] = [];

function describe(kind: string, reason: unknown): string {
  const text = reason instanceof Error ? `${reason.name}: ${reason.message}\n${reason.stack ?? ''}` : String(reason);
  return `${kind}: ${text.slice(0, 2000)}`;
}

const onRejection = (reason: unknown) => problems.push(describe('unhandled rejection', reason));
const onException = (error: unknown) => problems.push(describe('uncaught exception', error));

/**
 * Fails the tests of this file on any unhandled rejection or uncaught exception: listeners on `process` for the whole
 * file, and `assertNoStrayErrors()` after each test (and inside properties, so that fast-check shrinks to the case).
 */
export function guardProcess(): void {
  before(() => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
  });
  afterEach(async () => {
    await assertNoStrayErrors();
  });
  after(() => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  });
}

/** Lets pending rejections surface (one macrotask), then throws if any was unhandled. */
export async function assertNoStrayErrors(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (problems.length > 0) {
    const found = problems.splice(0);
    assert.fail(`stray errors:\n${found.join('\n')}`);
  }
}
