/**
 * Faults the sandbox's import endpoint can inject, to rehearse a migration against a Vault API that rate-limits and
 * fails: a share of imports answered 429 (with `Retry-After`) and a share answered 500, each before anything is
 * written, so that a retried import is imported once.
 */
import * as z from 'zod';
import { VaultApiError } from './errors.ts';

export const ImportFaultsSchema = z.strictObject({
  /** Share of imports answered 429, from 0 to 1. */
  import_429_rate: z.number().min(0).max(1).optional(),
  /** Share of imports answered 500, from 0 to 1. */
  import_500_rate: z.number().min(0).max(1).optional(),
  /** The 429's `Retry-After`, in seconds. Default 1. */
  retry_after: z.number().int().min(0).max(3600).optional(),
});
export type ImportFaults = z.infer<typeof ImportFaultsSchema>;

export function createFaults(initial: ImportFaults = {}, random: () => number = Math.random) {
  let faults: Required<ImportFaults> = { import_429_rate: 0, import_500_rate: 0, retry_after: 1 };
  const set = (next: ImportFaults) => {
    faults = { ...faults, ...next };
  };
  set(initial);
  return {
    set,
    get current(): Required<ImportFaults> {
      return { ...faults };
    },
    /** Throws the injected error for this import, if it draws one. */
    injectIntoImport(): void {
      const draw = random();
      if (draw < faults.import_429_rate) {
        throw new VaultApiError(429, 'TooManyRequestsError', 'Too Many Requests', 'Rate limit reached (injected by the sandbox).', {
          'retry-after': String(faults.retry_after),
        });
      }
      if (draw < faults.import_429_rate + faults.import_500_rate) {
        throw new VaultApiError(500, 'UnexpectedError', 'Unexpected error', 'The sandbox injected this failure.');
      }
    },
  };
}

export type Faults = ReturnType<typeof createFaults>;
