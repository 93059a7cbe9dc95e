/** The VaultRE row's strings (English). In the VaultRE chunk, so hosts that do not use VaultRE do not load them. */
export const vaultreEn = {
  name: 'VaultRE',
  group: 'Real estate',
  accountHint: 'Office-level access. Only a VaultRE system administrator can approve it.',
  userHint: 'Access as your own VaultRE user.',
  connectedSince: (date: string) => `Connected since ${date}`,
  checking: 'Checking…',
  opening: 'Opening VaultRE…',
  waiting: 'Waiting for VaultRE…',
  exchanging: 'Connecting…',
  disconnecting: 'Disconnecting…',
  connected: 'VaultRE connected',
  disconnected: 'VaultRE disconnected',
  confirmTitle: 'Disconnect VaultRE?',
  confirmBody:
    'This app forgets its access token. The token stays valid at VaultRE until you revoke it there, in your VaultRE account. You can connect again later.',
  confirmBodyRevoked: 'This app forgets its access token, which VaultRE no longer accepts. You can connect again later.',
  revokedHint: 'VaultRE no longer accepts this connection: its access was revoked in VaultRE. Reconnect to use it again.',
};
export type VaultreStrings = typeof vaultreEn;
