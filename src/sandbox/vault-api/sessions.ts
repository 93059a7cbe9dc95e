/**
 * Vault session JWTs: minted as `POST /vault/sessions` does (HS256, `jose`), verified on every browser request.
 * `expireAll()` withdraws every token issued so far, as a session secret rotation would.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import * as z from 'zod';
import { badRequest, unauthorized } from './errors.ts';
import type { SessionInput } from './request-schemas.ts';

/** The claims of a session JWT this emulator issues. */
export interface SessionClaims {
  application_id: string;
  consumer_id: string;
  redirect_uri?: string;
  settings?: Record<string, unknown>;
  theme?: Record<string, unknown>;
  consumer_metadata?: Record<string, unknown>;
  custom_consumer_settings?: Record<string, unknown>;
  iat: number;
  exp: number;
  jti: string;
}

const ClaimsSchema = z.looseObject({
  application_id: z.string().min(1),
  consumer_id: z.string().min(1),
  jti: z.string().min(1),
  iat: z.number(),
  exp: z.number(),
});

const SESSION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const MAX_SESSION_SECONDS = 604_800;

/** `session_length` (`30m`, `1h`, `1d`, `1w`, …) in seconds. Default 1 hour, at most 1 week. */
export function parseSessionLength(value: string | undefined): number {
  if (value === undefined) return 3600;
  const match = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (!match) throw badRequest('Invalid Params', `settings.session_length: "${value}" is not a duration like 30m, 1h, 1d or 1w`);
  const seconds = Number(match[1]) * SESSION_UNITS[match[2]];
  if (seconds <= 0) throw badRequest('Invalid Params', 'settings.session_length: must be longer than zero');
  if (seconds > MAX_SESSION_SECONDS) throw badRequest('Invalid Params', 'settings.session_length: the maximum is 1 week');
  return seconds;
}

export interface SessionsOptions {
  applicationId: string;
  /** HS256 key. */
  secret: Uint8Array;
  now: () => number;
}

export interface Sessions {
  /** Mints a session JWT for a consumer; throws a 400 for an invalid `session_length`. */
  sign(consumerId: string, session: SessionInput): Promise<string>;
  /** The claims of a live token issued here; rejects with a 401 `VaultApiError` otherwise. */
  verify(token: string): Promise<SessionClaims>;
  /** Makes every token issued so far invalid. */
  expireAll(): void;
}

export function createSessions({ applicationId, secret, now }: SessionsOptions): Sessions {
  /** `jti`s of the session tokens that are still honoured. */
  const active = new Set<string>();

  return {
    async sign(consumerId, session) {
      const lifetime = parseSessionLength(session.settings?.session_length);
      const issuedAt = Math.floor(now() / 1000);
      const jti = randomUUID();
      const claims: Record<string, unknown> = {
        application_id: applicationId,
        consumer_id: consumerId,
        ...(session.redirect_uri !== undefined ? { redirect_uri: session.redirect_uri } : {}),
        settings: session.settings ?? {},
        theme: session.theme ?? {},
        consumer_metadata: session.consumer_metadata ?? {},
        ...(session.custom_consumer_settings !== undefined ? { custom_consumer_settings: session.custom_consumer_settings } : {}),
      };
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + lifetime)
        .setJti(jti)
        .sign(secret);
      active.add(jti);
      return token;
    },

    async verify(token) {
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], currentDate: new Date(now()) }));
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw unauthorized('Session expired');
        throw unauthorized('Invalid session token');
      }
      const claims = ClaimsSchema.safeParse(payload);
      if (!claims.success) throw unauthorized('Invalid session token');
      if (claims.data.application_id !== applicationId) throw unauthorized('Invalid session token');
      if (!active.has(claims.data.jti)) throw unauthorized('Session expired');
      return claims.data;
    },

    expireAll() {
      active.clear();
    },
  };
}
