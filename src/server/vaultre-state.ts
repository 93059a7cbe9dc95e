/**
 * The VaultRE `state` the handler issues and later requires back: a JWT signed with HMAC-SHA-256 (`jose`) under the
 * handler's `secret`, so that any instance sharing the secret accepts it and none needs to remember it. It binds:
 *
 * - the consumer (`sub`): a keyed hash of the consumer ID, so the ID itself never reaches VaultRE, its logs or the
 *   browser's history, and a state issued to one consumer is refused for another;
 * - the token type (`tt`) the authorization was asked for;
 * - the redirect URI (`ru`): a keyed hash of the one the authorize URL named;
 * - an expiry (`exp`, 10 minutes) and a nonce (`jti`, 128 random bits).
 *
 * The audience (`aud`) keeps a token signed with the same secret for another purpose from passing as a state.
 */
import { SignJWT, base64url, jwtVerify } from 'jose';
import type { VaultreTokenType } from './stores/types.ts';

/** How long an issued state may come back: the user signs in at VaultRE and approves meanwhile. */
export const STATE_LIFETIME_SECONDS = 10 * 60;
const AUDIENCE = 'vault-connect:vaultre-state';
const utf8 = new TextEncoder();

export interface StateBinding {
  consumerId: string;
  tokenType: VaultreTokenType;
  redirectUri: string;
}

export interface StateSigner {
  /** A fresh signed state for this consumer, token type and redirect URI. */
  issue(binding: StateBinding): Promise<string>;
  /**
   * The token type a state was issued for, when the handler signed it, it has not expired, and it was issued for this
   * consumer and this redirect URI; otherwise `undefined`.
   */
  verify(state: string, expected: Omit<StateBinding, 'tokenType'>): Promise<VaultreTokenType | undefined>;
}

/** `secret` as key bytes (a string's UTF-8 bytes). */
export function secretBytes(secret: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return typeof secret === 'string' ? utf8.encode(secret) : new Uint8Array(secret);
}

export function createStateSigner(secret: string | Uint8Array, now: () => Date): StateSigner {
  const key = secretBytes(secret);
  const hmacKey = crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);

  /** A 128-bit keyed hash of `value` under a label. A label ends in ":", which no JWT's signing input contains. */
  async function fingerprint(label: string, value: string): Promise<string> {
    const mac = await crypto.subtle.sign('HMAC', await hmacKey, utf8.encode(`${label}:${value}`));
    return base64url.encode(new Uint8Array(mac).slice(0, 16));
  }

  return {
    async issue({ consumerId, tokenType, redirectUri }) {
      const issuedAt = Math.floor(now().getTime() / 1000);
      return new SignJWT({ tt: tokenType, ru: await fingerprint('redirect_uri', redirectUri) })
        .setProtectedHeader({ alg: 'HS256' })
        .setAudience(AUDIENCE)
        .setSubject(await fingerprint('consumer', consumerId))
        .setJti(base64url.encode(crypto.getRandomValues(new Uint8Array(16))))
        .setExpirationTime(issuedAt + STATE_LIFETIME_SECONDS)
        .sign(key);
    },

    async verify(state, { consumerId, redirectUri }) {
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(state, key, {
          algorithms: ['HS256'],
          audience: AUDIENCE,
          currentDate: now(),
          requiredClaims: ['exp', 'sub', 'jti'],
        }));
      } catch {
        return undefined;
      }
      const [consumer, redirect] = await Promise.all([fingerprint('consumer', consumerId), fingerprint('redirect_uri', redirectUri)]);
      if (payload.sub !== consumer || payload.ru !== redirect) return undefined;
      return payload.tt === 'account' || payload.tt === 'user' ? payload.tt : undefined;
    },
  };
}
