/**
 * Apideck's webhook signature, as its "Webhook Signature Verification" guide defines it: the request body (the
 * `{"payload": …}` envelope) with every object's keys sorted (recursively; arrays keep their order), serialised as
 * JSON, signed with HMAC-SHA-256 keyed with the API key, as hex in `x-apideck-signature`. Web Crypto only, so it runs
 * in any runtime; `crypto.subtle.verify` compares in constant time.
 */

/** A JSON value with every object's keys in sorted order (the guide's `sortObjectKeys`). */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeysDeep((value as Record<string, unknown>)[key]);
  return sorted;
}

/** The text Apideck signs for a body: the parsed body with its keys sorted, as compact JSON. */
export function canonicalBody(body: unknown): string {
  return JSON.stringify(sortKeysDeep(body));
}

const encoder = new TextEncoder();

function hmacKey(apiKey: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(apiKey), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

/** The hex signature of a body (parsed JSON) for `apiKey`: what Apideck sends, and what the sandbox signs with. */
export async function signWebhookBody(body: unknown, apiKey: string): Promise<string> {
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(apiKey, 'sign'), encoder.encode(canonicalBody(body)));
  return Array.from(new Uint8Array(signature), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Whether `signature` (hex, any case) is the signature of `body` (parsed JSON) for `apiKey`. Never throws. */
export async function verifyWebhookSignature(body: unknown, signature: string, apiKey: string): Promise<boolean> {
  const hex = signature.trim();
  if (!/^(?:[0-9a-fA-F]{2}){32}$/.test(hex)) return false;
  try {
    return await crypto.subtle.verify('HMAC', await hmacKey(apiKey, 'verify'), hexBytes(hex), encoder.encode(canonicalBody(body)));
  } catch {
    return false;
  }
}

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index++) bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  return bytes;
}
