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
  confirmBody: 'The access token is forgotten. You can connect again later.',
};
export type VaultreStrings = typeof vaultreEn;
