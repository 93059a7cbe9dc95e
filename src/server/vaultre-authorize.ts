/**
 * VaultRE's authorize URL as the handler builds it (its fact sheet, `002_5d9b8eb07db13914.txt`): `oauth-authorize.cgi`
 * for an office-level "account" token, `oauth-authorize-user.cgi` for a user token, with `client_id`, `redirect_uri`
 * exactly as registered (VaultRE matches it to the byte, query included), `response_type=code` and the signed `state`.
 */
import type { VaultreTokenType } from './stores/types.ts';

export const DEFAULT_VAULTRE_AUTHORIZE_URL = 'https://login.vaultre.com.au/cgi-bin/clientvault';

export interface AuthorizeUrlParts {
  base: string;
  tokenType: VaultreTokenType;
  clientId: string;
  redirectUri: string;
  state: string;
}

/** The authorize URL; each value is percent-encoded once, in the fact sheet's order. */
export function vaultreAuthorizeUrl({ base, tokenType, clientId, redirectUri, state }: AuthorizeUrlParts): string {
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
