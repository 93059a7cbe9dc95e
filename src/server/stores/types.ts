/**
 * Where `createVaultreHandler` keeps each consumer's VaultRE token: the `VaultreTokenStore` interface every store
 * implements, the value it keeps, and the check a store runs on that value before keeping it.
 *
 * A store may return the token from `get` (the handler itself never forwards it). Errors a store throws never carry the
 * token, the Apideck API key or an upstream reply's details. No store logs, except the database stores' default
 * `onError` (one `console.warn` line without a secret).
 */
import * as z from 'zod';

/** The two kinds of VaultRE token: office-level (`oauth-authorize.cgi`) and user-level (`oauth-authorize-user.cgi`). */
export const VAULTRE_TOKEN_TYPES = ['account', 'user'] as const;
export type VaultreTokenType = (typeof VAULTRE_TOKEN_TYPES)[number];

/** A consumer's VaultRE token as the handler stores it. */
export interface StoredVaultreToken {
  /** The VaultRE API token. Secret: never sent to a browser. */
  token: string;
  token_type: VaultreTokenType;
  /** When the token was obtained, ISO 8601. */
  connected_at: string;
}

/**
 * Keeps one VaultRE token per consumer. `get` answers `undefined` when the consumer has no usable token. Every method may
 * reject; the handler answers 500 `store_failed` without detail.
 */
export interface VaultreTokenStore {
  get(consumerId: string): Promise<StoredVaultreToken | undefined>;
  /** Creates or replaces the consumer's token. */
  set(consumerId: string, value: StoredVaultreToken): Promise<void>;
  /** Forgets the consumer's token; forgetting a token that is not there is not an error. */
  delete(consumerId: string): Promise<void>;
}

/** How many values one `rotate()` run handled. */
export interface RotationResult {
  /** Re-encrypted under the current key by this run. */
  rotated: number;
  /** Already under the current key (nothing to do). */
  alreadyCurrent: number;
  /** Replaced or deleted by someone else while this run worked on them (they hold whatever was written last). */
  changedMeanwhile: number;
  /** Under a key id not in the keyring, or failing authentication: left as they are, and reported through `onError`. */
  unreadable: number;
}

/** Options of `rotate()`. */
export interface RotateOptions {
  /**
   * Stops the run: values already re-encrypted stay so, the ones on their way are written whole, no other is
   * started, and `rotate()` rejects with the signal's reason. A later run carries on.
   */
  signal?: AbortSignal;
}

/** A store that keeps its values encrypted in a database: the store interface, key rotation and shutdown. */
export interface EncryptedTokenStore extends VaultreTokenStore {
  /**
   * Re-encrypts every stored value that is not under the current key (`encryptionKey.current`). Each value is replaced
   * only if it is still the one that was read (compare-and-set), so the run is safe to repeat, to run on two instances
   * at once, and to interrupt (by `signal`, a lost connection or a crash): a second run carries on where the first
   * stopped.
   */
  rotate(options?: RotateOptions): Promise<RotationResult>;
  /** Connects and creates the table (or checks the connection) now rather than on first use; rejects with the reason. */
  ready(): Promise<void>;
  /** Closes the connections; calls after this reject. */
  close(): Promise<void>;
}

/** A stored value: the three fields, nothing else. */
export const StoredValueSchema = z.strictObject({
  token: z.string().min(1),
  token_type: z.enum(VAULTRE_TOKEN_TYPES),
  connected_at: z.string().min(1),
});

/** Checks a value handed to `set`; the message never quotes the value. */
export function checkValue(storeName: string, value: unknown): StoredVaultreToken {
  const parsed = StoredValueSchema.safeParse(value);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.map(String).join('.') || 'value'))];
    throw new Error(`${storeName}: invalid value for set() (${fields.join(', ')}).`);
  }
  return parsed.data;
}
