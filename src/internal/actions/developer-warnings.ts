/**
 * One `console.warn` for the page's developer for each cause that comes from the environment, not from the user or
 * Apideck: the browser blocked a popup, a page in the popup severed it (Cross-Origin-Opener-Policy), the page's
 * Content-Security-Policy blocked the Vault modal's frame, or that frame never loaded. Each names the cause and the
 * fix, once per element and cause (the user reads the row's own words; these are for whoever builds the page).
 */
export type EnvironmentCause = 'popup_blocked' | 'popup_severed' | 'frame_blocked' | 'frame_timeout';

const MESSAGES: Record<EnvironmentCause, (detail: string) => string> = {
  popup_blocked: () =>
    'vault-connect: the browser blocked a popup (a popup blocker, or window.open called outside a user gesture). ' +
    'Call openConnection() and connectVaultre() from a click handler; the row offers Try again, then "Continue in this tab".',
  popup_severed: () =>
    'vault-connect: a popup read closed before its flow finished. Either the user closed it, or a page in it sends ' +
    'Cross-Origin-Opener-Policy, which cuts the window off while the user may still be signing in. The result still ' +
    'arrives through the callback page as long as callback-url is on this page\u2019s origin: keep it there.',
  frame_blocked: (detail) =>
    `vault-connect: the page's Content-Security-Policy blocked the Vault modal's frame (${detail}). ` +
    `Allow that origin in the policy's frame-src (see the README, "Content-Security-Policy"), or use open-mode="popup".`,
  frame_timeout: (detail) =>
    `vault-connect: the Vault modal did not call onReady within ${detail}: its frame never loaded (offline, an ad or ` +
    'privacy blocker, or a network filter on https://vaultjs.apideck.com). Allow that origin, or use open-mode="popup". ' +
    'A vaultModal of your own must call options.onReady once its UI is up.',
};

const warned = new WeakMap<object, Set<EnvironmentCause>>();

export function warnDeveloper(element: object, cause: EnvironmentCause, detail = ''): void {
  let causes = warned.get(element);
  if (!causes) warned.set(element, (causes = new Set()));
  if (causes.has(cause)) return;
  causes.add(cause);
  console.warn(MESSAGES[cause](detail));
}
