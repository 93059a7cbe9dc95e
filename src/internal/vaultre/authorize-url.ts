/**
 * VaultRE's OAuth authorize page (its fact sheet): `oauth-authorize.cgi` for an office-level "account" token,
 * `oauth-authorize-user.cgi` for a user token, with `client_id`, `redirect_uri` exactly as registered,
 * `response_type=code` and a fresh `state`.
 */

export const DEFAULT_VAULTRE_AUTHORIZE_URL = 'https://login.vaultre.com.au/cgi-bin/clientvault';

export type VaultreTokenType = 'account' | 'user';

/** The authorize URL: `redirect_uri` exactly as given (VaultRE matches registered URIs exactly, query included). */
export function vaultreAuthorizeUrl(base: string, tokenType: VaultreTokenType, clientId: string, redirectUri: string, state: string): string {
  const page = tokenType === 'user' ? 'oauth-authorize-user.cgi' : 'oauth-authorize.cgi';
  const query = [
    ['client_id', clientId],
    ['redirect_uri', redirectUri],
    ['response_type', 'code'],
    ['state', state],
  ]
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
  return `${base.replace(/\/+$/, '')}/${page}?${query}`;
}
