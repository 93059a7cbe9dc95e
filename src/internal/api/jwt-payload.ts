/**
 * Reading a JWT's payload: the claims are decoded, not verified (the browser has no key, and the Vault API verifies
 * every request). Shared by the element's session source and the sandbox's modal page.
 */

/** Thrown for a token that is not three base64url segments with a UTF-8 JSON payload. */
export class MalformedJwtError extends Error {
  override readonly name = 'MalformedJwtError';
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** The decoded JSON payload of a compact JWS (`header.payload.signature`), unvalidated: parse it with a schema. */
export function decodeJwtPayload(token: string): unknown {
  const segments = token.split('.');
  const payload = segments[1];
  if (segments.length !== 3 || !payload || !BASE64URL.test(payload)) {
    throw new MalformedJwtError('The token is not a JWT (three base64url segments).');
  }
  const base64 = payload.replaceAll('-', '+').replaceAll('_', '/').padEnd(Math.ceil(payload.length / 4) * 4, '=');
  try {
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (cause) {
    throw new MalformedJwtError('The token payload is not base64url-encoded UTF-8 JSON.', { cause });
  }
}
