import type { ErrorCode } from './vocabulary.ts';

/**
 * The one error type every flow rejects with. `code` is the contract's error code, `message` is safe to show the user
 * (never a secret), and `retryable` says whether trying the same thing again can help.
 */
export class VaultConnectError extends Error {
  override readonly name = 'VaultConnectError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** The HTTP status that caused it, when there was one. */
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
  }
}

/** Wraps anything thrown into a `VaultConnectError`; an abort becomes `aborted`. */
export function toVaultConnectError(error: unknown): VaultConnectError {
  if (error instanceof VaultConnectError) return error;
  if (error instanceof DOMException && error.name === 'AbortError') {
    return new VaultConnectError('aborted', 'The request was cancelled.', { cause: error });
  }
  if (error instanceof TypeError) {
    return new VaultConnectError('network_error', 'The network request failed. Check your connection and try again.', {
      retryable: true,
      cause: error,
    });
  }
  return new VaultConnectError('api_error', 'Something went wrong.', { cause: error });
}
