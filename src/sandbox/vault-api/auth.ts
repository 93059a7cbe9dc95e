/**
 * Request authentication as Apideck does it: `Authorization: Bearer <API key>` with `x-apideck-app-id` and
 * `x-apideck-consumer-id` (a server), or `Bearer <session JWT>` whose claims name the consumer (a browser; the headers,
 * when sent, must match the claims). Failures are Apideck's 401 and 400 envelopes.
 */
import { timingSafeEqual } from 'node:crypto';
import { VaultApiError, unauthorized } from './errors.ts';
import type { Sessions } from './sessions.ts';

export interface Auth {
  /** Empty only where the spec makes the consumer header optional (`GET /vault/connections` with the API key). */
  consumerId: string;
  via: 'apiKey' | 'jwt';
}

export interface AuthenticateOptions {
  /** Refuse a session JWT (operations only a host backend may call). */
  apiKeyOnly?: boolean;
  /** Accept the API key without `x-apideck-consumer-id`. */
  consumerOptional?: boolean;
}

export type Authenticate = (request: Request, options?: AuthenticateOptions) => Promise<Auth>;

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function createAuthenticate(apiKey: string, applicationId: string, sessions: Pick<Sessions, 'verify'>): Authenticate {
  return async (request, { apiKeyOnly = false, consumerOptional = false } = {}) => {
    const header = request.headers.get('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw unauthorized('Missing authentication');
    const credential = match[1];
    const appId = request.headers.get('x-apideck-app-id');
    const consumerId = request.headers.get('x-apideck-consumer-id');

    if (safeEqual(credential, apiKey)) {
      if (!appId) throw unauthorized('Missing Header: x-apideck-app-id');
      if (appId !== applicationId) throw unauthorized('Invalid application id');
      if (!consumerId) {
        if (consumerOptional) return { consumerId: '', via: 'apiKey' };
        throw new VaultApiError(400, 'RequestHeadersValidationError', 'Invalid Params', 'Missing Header: x-apideck-consumer-id');
      }
      return { consumerId, via: 'apiKey' };
    }
    if (apiKeyOnly) throw unauthorized('This operation requires your API key');
    const claims = await sessions.verify(credential);
    if (appId !== null && appId !== claims.application_id) throw unauthorized('x-apideck-app-id does not match the session');
    if (consumerId !== null && consumerId !== claims.consumer_id) {
      throw unauthorized('x-apideck-consumer-id does not match the session');
    }
    return { consumerId: claims.consumer_id, via: 'jwt' };
  };
}
