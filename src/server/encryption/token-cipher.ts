/**
 * Encryption at rest for what the stores keep: AES-256-GCM through WebCrypto, under a key the host passes as
 * `encryptionKey`. A sealed value is one ASCII string, `vc1.<key id>.<iv>.<ciphertext and tag>` (base64url), so that it
 * fits a text column, a Redis string or a connection setting, and names the key that sealed it, which is what lets a
 * keyring rotate keys. The caller binds each value to its owner (`context`, e.g. the consumer ID) as additional
 * authenticated data: a value copied into another consumer's slot fails authentication instead of reading as theirs.
 */
import { webcrypto } from 'node:crypto';

/** 32 bytes: a base64 (or base64url) string, or the bytes themselves. */
export type EncryptionKey = string | Uint8Array;

/** Several keys by id; `current` seals, every listed key opens. */
export interface EncryptionKeyring {
  current: string;
  keys: Record<string, EncryptionKey>;
}

/** A store's `encryptionKey` option. */
export type EncryptionKeyOption = EncryptionKey | EncryptionKeyring;

/** The key id a single key (not a keyring) is stored under; list it under this id in a keyring to rotate away from it. */
export const SINGLE_KEY_ID = 'default';

/** Why a sealed value could not be opened. */
export type UnsealFailure = 'malformed' | 'unknown_key' | 'authentication_failed';

/** A sealed value that cannot be opened. Its message names the reason and the key id, never the value. */
export class UnsealError extends Error {
  override readonly name = 'UnsealError';
  readonly reason: UnsealFailure;
  readonly keyId: string | undefined;

  constructor(reason: UnsealFailure, keyId?: string) {
    const messages: Record<UnsealFailure, string> = {
      malformed: 'The stored value is not a value sealed by vault-connect.',
      unknown_key: `The stored value was sealed under key id "${keyId ?? ''}", which is not in the keyring.`,
      authentication_failed: `The stored value failed authentication under key id "${keyId ?? ''}": it was altered, moved from another owner, or the key under that id changed.`,
    };
    super(messages[reason]);
    this.reason = reason;
    this.keyId = keyId;
  }
}

export interface TokenCipher {
  /** The id of the key that seals. */
  readonly currentKeyId: string;
  /** Seals `plaintext` for `context` under the current key. */
  seal(plaintext: string, context: string): Promise<string>;
  /** Opens a sealed value for `context`, or rejects with an `UnsealError`. */
  open(sealed: string, context: string): Promise<string>;
  /** The key id a sealed value names, or `undefined` when it is not a sealed value. */
  keyIdOf(sealed: string): string | undefined;
  /** Whether a sealed value is under the current key (rotation skips those). */
  isCurrent(sealed: string): boolean;
}

const PREFIX = 'vc1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const subtle = webcrypto.subtle;
const utf8 = new TextEncoder();

/** Decodes a base64 or base64url key string into its bytes, or `undefined` when it is neither. */
function decodeKeyString(value: string): Uint8Array | undefined {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return undefined;
  const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return new Uint8Array(bytes);
}

function keyBytes(value: unknown, label: string, optionName: string): Uint8Array {
  const bytes = typeof value === 'string' ? decodeKeyString(value) : value instanceof Uint8Array ? new Uint8Array(value) : undefined;
  if (bytes === undefined) {
    throw new Error(`${optionName}: ${label} must be a base64 string or a Uint8Array of ${KEY_BYTES} bytes.`);
  }
  if (bytes.byteLength !== KEY_BYTES) {
    throw new Error(`${optionName}: ${label} must be ${KEY_BYTES} bytes (AES-256); it is ${bytes.byteLength}.`);
  }
  return bytes;
}

/** Reads the option into key bytes by id; throws a message that names the problem and never quotes a key. */
function readKeyring(option: unknown, optionName: string): { current: string; keys: Map<string, Uint8Array> } {
  if (typeof option === 'string' || option instanceof Uint8Array) {
    return { current: SINGLE_KEY_ID, keys: new Map([[SINGLE_KEY_ID, keyBytes(option, 'the key', optionName)]]) };
  }
  if (typeof option !== 'object' || option === null) {
    throw new Error(`${optionName} is required: ${KEY_BYTES} bytes as a base64 string or a Uint8Array, or a keyring {current, keys}.`);
  }
  const { current, keys } = option as Partial<EncryptionKeyring>;
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) {
    throw new Error(`${optionName}.keys must be an object of key id → key.`);
  }
  const byId = new Map<string, Uint8Array>();
  for (const [id, value] of Object.entries(keys)) {
    if (!KEY_ID.test(id)) throw new Error(`${optionName}.keys: a key id must be 1–64 characters of A–Z, a–z, 0–9, "_" or "-".`);
    byId.set(id, keyBytes(value, `the key "${id}"`, optionName));
  }
  if (typeof current !== 'string' || !byId.has(current)) {
    throw new Error(`${optionName}.current must name one of the ids in ${optionName}.keys.`);
  }
  return { current, keys: byId };
}

const toBase64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

function fromBase64url(text: string): Uint8Array | undefined {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/** Splits a sealed value into its parts, or `undefined` when it is not one. */
function parse(sealed: unknown): { keyId: string; iv: Uint8Array; data: Uint8Array } | undefined {
  if (typeof sealed !== 'string') return undefined;
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== PREFIX) return undefined;
  const [, keyId = '', ivText = '', dataText = ''] = parts;
  if (!KEY_ID.test(keyId)) return undefined;
  const iv = fromBase64url(ivText);
  const data = fromBase64url(dataText);
  // GCM's tag alone is 16 bytes.
  if (iv?.byteLength !== IV_BYTES || data === undefined || data.byteLength < 16) return undefined;
  return { keyId, iv, data };
}

/**
 * Creates the cipher for a store's `encryptionKey`. Throws at once when the option is not a 32-byte key or a valid
 * keyring; `optionName` prefixes the message (e.g. `postgresStore: encryptionKey`).
 */
export function createTokenCipher(option: EncryptionKeyOption, optionName = 'encryptionKey'): TokenCipher {
  const { current, keys } = readKeyring(option, optionName);
  const imported = new Map<string, Promise<webcrypto.CryptoKey>>();
  const cryptoKey = (id: string, bytes: Uint8Array): Promise<webcrypto.CryptoKey> => {
    let key = imported.get(id);
    if (!key) {
      key = subtle.importKey('raw', bytes, 'AES-GCM', false, ['encrypt', 'decrypt']);
      imported.set(id, key);
    }
    return key;
  };

  return {
    currentKeyId: current,
    async seal(plaintext, context) {
      const iv = webcrypto.getRandomValues(new Uint8Array(IV_BYTES));
      const key = await cryptoKey(current, keys.get(current) as Uint8Array);
      const data = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8.encode(context) }, key, utf8.encode(plaintext));
      return `${PREFIX}.${current}.${toBase64url(iv)}.${toBase64url(new Uint8Array(data))}`;
    },
    async open(sealed, context) {
      const parts = parse(sealed);
      if (!parts) throw new UnsealError('malformed');
      const bytes = keys.get(parts.keyId);
      if (!bytes) throw new UnsealError('unknown_key', parts.keyId);
      const key = await cryptoKey(parts.keyId, bytes);
      try {
        const plain = await subtle.decrypt({ name: 'AES-GCM', iv: parts.iv, additionalData: utf8.encode(context) }, key, parts.data);
        return new TextDecoder('utf-8', { fatal: true }).decode(plain);
      } catch {
        throw new UnsealError('authentication_failed', parts.keyId);
      }
    },
    keyIdOf(sealed) {
      return parse(sealed)?.keyId;
    },
    isCurrent(sealed) {
      return parse(sealed)?.keyId === current;
    },
  };
}
