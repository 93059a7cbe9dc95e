/**
 * The `sessionStorage` keys of the same-tab fallback (see `redirect-fallback.ts`), apart from its schemas so that the
 * first load can tell whether a flow waits to be finished without carrying them.
 */

/** The same-tab flow in progress: what the callback page and the element need to finish it (never a secret). */
export const PENDING_KEY = 'vault-connect:pending';
/** What the callback page leaves for the element: the return's parameters, or a VaultRE exchange's outcome. */
export const RESULT_KEY = 'vault-connect:result';

/** Whether this tab holds a same-tab flow (valid or not: the lazy `redirect-fallback.ts` reads it). */
export function hasPendingRedirect(): boolean {
  try {
    return sessionStorage.getItem(PENDING_KEY) !== null;
  } catch {
    // Storage disabled: there is no same-tab flow to finish.
    return false;
  }
}
