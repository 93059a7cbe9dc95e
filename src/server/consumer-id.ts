/**
 * The rule every part of the server applies to a consumer ID before it travels to Apideck in `x-apideck-consumer-id`:
 * non-empty, printable ASCII (a header value), and no leading or trailing whitespace (Apideck would keep it, and the
 * same user would then own two consumers that look alike). The handlers answer 400 `invalid_consumer` for such an ID;
 * the import command reports the row with the same code. Messages never quote the ID.
 */
/** A consumer ID: printable ASCII, not starting or ending with a space (the handlers' `resolveConsumerId` uses it too). */
export const CONSUMER_ID_PATTERN = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** The error code for a consumer ID that breaks the rule, in the handlers' replies and in the import report. */
export const INVALID_CONSUMER = 'invalid_consumer';

/** Why `value` cannot be a consumer ID, in a sentence that does not quote it; `undefined` when it can. */
export function consumerIdProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'must be a non-empty string';
  if (value.trim() !== value) return 'must not start or end with whitespace';
  if (!CONSUMER_ID_PATTERN.test(value)) return 'must contain printable ASCII characters only (no control characters)';
  return undefined;
}

export function isValidConsumerId(value: unknown): value is string {
  return consumerIdProblem(value) === undefined;
}
