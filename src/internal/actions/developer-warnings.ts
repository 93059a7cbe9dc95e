/**
 * One `console.warn` for the page's developer for each cause that comes from the environment, not from the user or
 * Apideck: the browser blocked a popup, a page severed a popup from this one (Cross-Origin-Opener-Policy: a result
 * came after the popup read closed), the page's Content-Security-Policy blocked the Vault modal's frame, or that frame
 * never loaded. Each names the cause and the fix, once per element and cause (the user reads the row's own words;
 * these are for whoever builds the page). Never a URL, state or token.
 */
export type EnvironmentCause = 'popup_blocked' | 'popup_severed' | 'frame_blocked' | 'frame_timeout';

const MESSAGES: Record<EnvironmentCause, (detail: string) => string> = {
  popup_blocked: () =>
    'vault-connect: the browser blocked a popup (a popup blocker, or window.open called outside a user gesture). ' +
    'Call openConnection() and connectVaultre() from a click handler, with no await before them; the row offers ' +
    'Try again, then "Continue in this tab".',
  popup_severed: () =>
    'vault-connect: a popup read closed while the user was still in it, then its result arrived: a page sent ' +
    'Cross-Origin-Opener-Policy, which cuts a popup off from its opener. If this page sends ' +
    'Cross-Origin-Opener-Policy: same-origin, send same-origin-allow-popups instead. A provider\u2019s own policy ' +
    'cannot be changed: keep callback-url on this page\u2019s origin (results then still arrive), and treat ' +
    'popup_closed as "not finished yet", not as a failure.',
  frame_blocked: (detail) =>
    `vault-connect: the page's Content-Security-Policy blocked the Vault modal's frame (${detail}). ` +
    `Allow that origin in the policy's frame-src (vault-connect's docs/csp.md lists the whole policy), or use open-mode="popup".`,
  frame_timeout: (detail) =>
    `vault-connect: the Vault modal did not call onReady within ${detail}: its frame never loaded (offline, an ad or ` +
    'privacy blocker, or a network filter on https://vaultjs.apideck.com). Allow that origin, or use open-mode="popup". ' +
    'A vaultModal of your own must call options.onReady once its UI is up.',
};

const warned = new WeakMap<object, Set<EnvironmentCause>>();

/** Warns about `cause` once for `element`; `detail` completes the message where it has a blank (a directive, a delay). */
export function warnDeveloper(element: object, cause: EnvironmentCause, detail = ''): void {
  let causes = warned.get(element);
  if (!causes) warned.set(element, (causes = new Set()));
  if (causes.has(cause)) return;
  causes.add(cause);
  console.warn(MESSAGES[cause](detail));
}
