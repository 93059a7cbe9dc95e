import type { Connection } from '../internal/api/schemas.ts';
/** A connection changed. The value is always re-read from the Vault API, never taken from a message. */
export class VaultConnectionChangeEvent extends CustomEvent<{ connection: Connection }> {
  constructor(detail: { connection: Connection }) {
    super('vault-connection-change', { bubbles: true, composed: true, detail });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'vault-connection-change': VaultConnectionChangeEvent;
  }
  interface HTMLElementEventMap {
    'vault-connection-change': VaultConnectionChangeEvent;
  }
}
