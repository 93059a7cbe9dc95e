/**
 * Two rules for the URLs the element is given or sent to, shared by the first load and the flows:
 * - a URL that will carry the session JWT (the Vault API, Hosted Vault) must be `https:`; plain `http:` only on this
 *   machine (`localhost`, `127.0.0.0/8`, `[::1]`: the sandbox), or the JWT would cross the network in clear;
 * - a host endpoint on another origin is called with `credentials: 'include'` (its session cookie), one on this page's
 *   origin with `'same-origin'`.
 */

/** Whether `url` may carry a secret: `https:`, or `http:` on a loopback host. */
export function isSecureUrl(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  const host = url.hostname;
  return url.protocol === 'http:' && (host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host));
}

/** The `credentials` mode for a host endpoint: `include` on another origin, so its cookie goes along. */
export function credentialsFor(url: string): RequestCredentials {
  try {
    return new URL(url, location.href).origin === location.origin ? 'same-origin' : 'include';
  } catch {
    return 'same-origin';
  }
}
