/**
 * When a list is windowed, and the chunk that does it (`windowed-rows.ts`). Shared by the list controller, which draws
 * the windowed list, and the connections controller, which starts fetching the chunk with the list request, so it is
 * in by the time a long reply is parsed.
 */

/**
 * A list longer than this is windowed: only the rows near the viewport are in the DOM. Shorter lists keep every row in
 * the DOM, where find-in-page and the `data-service-id` hooks reach all of them.
 */
export const WINDOWED_FROM = 200;

/** The windowing chunk (one request, however often it is asked for). */
export const loadWindowing = () => import('./windowed-rows.ts');
