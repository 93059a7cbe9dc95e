/**
 * What `postgresStore` and `redisStore` keep for a consumer: the whole stored value (`{token, token_type,
 * connected_at}` as JSON) sealed with the token cipher under the consumer ID, so the token never rests in plaintext and a
 * value copied into another consumer's row does not open. A value that does not open reads as "not connected" and is
 * reported through `onError`, once per consumer and value in this process.
 */
import { type EncryptionKeyOption, type TokenCipher, UnsealError, createTokenCipher } from '../encryption/token-cipher.ts';
import { ReportedOnce, StoreError, type StoreErrorHandler } from '../databases/store-errors.ts';
import { type StoredVaultreToken, StoredValueSchema, checkValue } from './types.ts';

/** A value ready to store: the sealed text and the id of the key that sealed it. */
export interface SealedValue {
  keyId: string;
  sealed: string;
}

const UNREADABLE_REASONS = {
  malformed: 'is not a value sealed by vault-connect',
  unknown_key: 'is sealed under a key id that is not in the keyring',
  authentication_failed: 'failed authentication (altered, copied from another consumer, or the key under its id changed)',
  invalid_value: 'opened, but does not hold a stored VaultRE token',
} as const;

export class EncryptedValues {
  readonly #who: string;
  readonly #cipher: TokenCipher;
  readonly #report: StoreErrorHandler;
  readonly #reported = new ReportedOnce();

  /** Throws at once when `encryptionKey` is not a 32-byte key or a valid keyring (the message never quotes a key). */
  constructor(who: string, encryptionKey: EncryptionKeyOption, report: StoreErrorHandler) {
    this.#who = who;
    this.#cipher = createTokenCipher(encryptionKey, `${who}: encryptionKey`);
    this.#report = report;
  }

  get currentKeyId(): string {
    return this.#cipher.currentKeyId;
  }

  /** Checks `value` (rejecting without quoting it) and seals it for `consumerId` under the current key. */
  async seal(consumerId: string, value: StoredVaultreToken): Promise<SealedValue> {
    const checked = checkValue(this.#who, value);
    const plain = JSON.stringify({ token: checked.token, token_type: checked.token_type, connected_at: checked.connected_at });
    return { keyId: this.#cipher.currentKeyId, sealed: await this.#cipher.seal(plain, consumerId) };
  }

  /** The stored value, or `undefined` (reported once) when it does not open or does not hold a token. */
  async open(consumerId: string, sealed: string): Promise<StoredVaultreToken | undefined> {
    const opened = await this.#tryOpen(consumerId, sealed);
    return 'value' in opened ? opened.value : undefined;
  }

  /** Whether `sealed` is under the current key already. */
  isCurrent(sealed: string): boolean {
    return this.#cipher.isCurrent(sealed);
  }

  /** For rotation: the value sealed again under the current key, or `undefined` when it does not open (reported). */
  async reseal(consumerId: string, sealed: string): Promise<SealedValue | undefined> {
    const opened = await this.#tryOpen(consumerId, sealed);
    return 'value' in opened ? this.seal(consumerId, opened.value) : undefined;
  }

  async #tryOpen(consumerId: string, sealed: string): Promise<{ value: StoredVaultreToken } | { failure: keyof typeof UNREADABLE_REASONS }> {
    let plain: string;
    try {
      plain = await this.#cipher.open(sealed, consumerId);
    } catch (error) {
      const reason = error instanceof UnsealError ? error.reason : 'malformed';
      this.#unreadable(consumerId, sealed, reason, error);
      return { failure: reason };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(plain);
    } catch {
      parsed = undefined;
    }
    const value = StoredValueSchema.safeParse(parsed);
    if (!value.success) {
      this.#unreadable(consumerId, sealed, 'invalid_value');
      return { failure: 'invalid_value' };
    }
    return { value: value.data };
  }

  #unreadable(consumerId: string, sealed: string, reason: keyof typeof UNREADABLE_REASONS, cause?: unknown): void {
    if (!this.#reported.first(`${consumerId}\u0000${sealed}`)) return;
    const keyId = this.#cipher.keyIdOf(sealed);
    const under = keyId === undefined ? '' : ` (key id "${keyId}")`;
    this.#report(
      new StoreError(
        this.#who,
        'unreadable_value',
        `${this.#who}: the stored value of a consumer${under} ${UNREADABLE_REASONS[reason]}; it reads as not connected until the consumer connects again.`,
        { consumerId, ...(keyId === undefined ? {} : { keyId }), ...(cause === undefined ? {} : { cause }) },
      ),
    );
  }
}
