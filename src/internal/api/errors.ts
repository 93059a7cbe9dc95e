import type { ErrorCode } from './vocabulary.ts';

/**
 * The one error type every flow rejects with. `code` is the contract's error code; the text the user reads comes from
 * the locale's strings for that code (see `describeError`), followed by `detail` when there is one, such as Apideck's
 * own message. Neither ever holds a secret. `retryable` says whether trying the same thing again can help.
 */
export class VaultConnectError extends Error {
  override readonly name = 'VaultConnectError';
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly retryable: boolean;
  /** The HTTP status that caused it, when there was one. */
  readonly status: number | undefined;
  /** `rate_limited`: the wait the server named, in seconds (`describeError` shows it when positive, rounded up). */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    options: { detail?: string; retryable?: boolean; status?: number; cause?: unknown; retryAfter?: number | undefined } = {},
  ) {
    super(options.detail ?? code, { cause: options.cause });
    this.code = code;
    this.detail = options.detail;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
    this.retryAfter = options.retryAfter;
  }
}

/** Whether an HTTP status is worth trying again: the server is down or busy (5xx), or asks us to slow down (429). */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/** Wraps anything thrown into a `VaultConnectError`: an abort is `aborted`, a failed fetch `network_error`. */
export function toVaultConnectError(error: unknown): VaultConnectError {
  if (error instanceof VaultConnectError) return error;
  if (error instanceof DOMException && error.name === 'AbortError') return new VaultConnectError('aborted', { cause: error });
  if (error instanceof TypeError) return new VaultConnectError('network_error', { retryable: true, cause: error });
  return new VaultConnectError('api_error', { cause: error });
}

/** What `describeError` reads of a string table. */
export interface ErrorStrings {
  /** The text for each code; a table may lack some (the list's own has only the usual load errors). */
  errors: Partial<Record<ErrorCode, string>>;
  /** Follows the text when the server named a wait (`rate_limited`); only whole tables have it. */
  tryAgainIn?: (seconds: number) => string;
}

/**
 * The sentence shown for an error: the table's text for its code (or the code itself, when the table lacks it), then
 * the wait the server named, then its detail.
 */
export function describeError(error: VaultConnectError, strings: ErrorStrings): string {
  const base = strings.errors[error.code] ?? error.code;
  const wait = Math.ceil(error.retryAfter ?? 0);
  const text = wait > 0 && strings.tryAgainIn ? `${base} ${strings.tryAgainIn(wait)}` : base;
  return error.detail ? `${text} ${error.detail}` : text;
}
