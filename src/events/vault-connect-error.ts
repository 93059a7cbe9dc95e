import type { ErrorCode } from '../internal/api/vocabulary.ts';

export interface VaultConnectErrorDetail {
  code: ErrorCode;
  message: string;
  retryable: boolean;
}
/** Something failed. `code` is one of the contract's error codes, `message` is safe to show, `retryable` says whether trying again can help. */
export class VaultConnectErrorEvent extends CustomEvent<VaultConnectErrorDetail> {
  constructor(detail: VaultConnectErrorDetail) {
    super('vault-connect-error', { bubbles: true, composed: true, detail });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'vault-connect-error': VaultConnectErrorEvent;
  }
  interface HTMLElementEventMap {
    'vault-connect-error': VaultConnectErrorEvent;
  }
}
