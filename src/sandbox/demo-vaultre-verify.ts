/**
 * The demo's `verifyToken` for `createVaultreHandler`: it asks the sandbox's VaultRE API whether a token still works,
 * exactly as a host asks VaultRE's (`GET /scopes` with the integrator API key and the token; see docs/vaultre.md).
 * Only a 401 is a revocation; anything else that is not a 200 — a refused API key (403), a 5xx, a 429, no answer — is
 * `unknown`, which leaves the connection as the store has it.
 */
import type { VaultreTokenVerdict, VerifyTokenContext } from '../server/vaultre-options.ts';

export interface VaultreApi {
  /** VaultRE's API base, e.g. `https://ap-southeast-2.api.vaultre.com.au/api/v1.3`. */
  apiUrl: string;
  /** The integrator API key (`X-Api-Key`). */
  apiKey: string;
}

export function vaultreTokenVerifier(api: VaultreApi): (token: string, context: VerifyTokenContext) => Promise<VaultreTokenVerdict> {
  return async (token, { signal }) => {
    const response = await fetch(`${api.apiUrl}/scopes`, {
      headers: { 'x-api-key': api.apiKey, authorization: `Bearer ${token}`, accept: 'application/json' },
      redirect: 'manual',
      signal,
    });
    await response.body?.cancel();
    if (response.status === 401) return 'revoked';
    return response.ok ? 'valid' : 'unknown';
  };
}
