import type { Connection } from '../internal/api/schemas.ts';
/** A connection was deleted (disconnected). The value is what the Vault API reports after the delete. */
export class VaultConnectionDeleteEvent extends CustomEvent<{ connection: Connection }> {
  constructor(detail: { connection: Connection }) {
    super('vault-connection-delete', { bubbles: true, composed: true, detail });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'vault-connection-delete': VaultConnectionDeleteEvent;
  }
  interface HTMLElementEventMap {
    'vault-connection-delete': VaultConnectionDeleteEvent;
  }
}
