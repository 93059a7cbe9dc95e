import type { Connection } from '../internal/api/schemas.ts';
/** Fired once, when the first list of connections has rendered. */
export class VaultConnectReadyEvent extends CustomEvent<{ connections: readonly Connection[] }> {
  constructor(detail: { connections: readonly Connection[] }) {
    super('vault-connect-ready', { bubbles: true, composed: true, detail });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'vault-connect-ready': VaultConnectReadyEvent;
  }
  interface HTMLElementEventMap {
    'vault-connect-ready': VaultConnectReadyEvent;
  }
}
