export { VaultConnectReadyEvent } from './vault-connect-ready.ts';
export { VaultConnectionChangeEvent } from './vault-connection-change.ts';
export { VaultConnectionDeleteEvent } from './vault-connection-delete.ts';
export { VaultConnectErrorEvent, type VaultConnectErrorDetail } from './vault-connect-error.ts';
