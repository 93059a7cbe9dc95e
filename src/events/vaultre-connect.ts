/** VaultRE is connected: `result` is the host backend's reply to the code exchange (never the token). */
export class VaultreConnectEvent extends CustomEvent<{ result: unknown }> {
  constructor(detail: { result: unknown }) {
    super('vaultre-connect', { bubbles: true, composed: true, detail });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'vaultre-connect': VaultreConnectEvent;
  }
  interface HTMLElementEventMap {
    'vaultre-connect': VaultreConnectEvent;
  }
}
