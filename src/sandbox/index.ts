/**
 * The sandbox: emulators of the Apideck Vault API, the Vault JS modal, Hosted Vault and VaultRE's OAuth pages, each on
 * its own 127.0.0.1 origin (`startSandbox()`), and their parts for tests and tools.
 */
export { startSandbox } from './start-sandbox.ts';
export type { Sandbox, SandboxOptions } from './start-sandbox.ts';
export { isLocalOrigin, startEmulatorServer } from './emulator-server.ts';
export type { EmulatorServer } from './emulator-server.ts';
export type { FetchHandler } from '../server/node-adapter.ts';
export { createVaultApi, isLocalRedirectUri, VaultApiError } from './vault-api.ts';
export type { Connection, SessionClaims, SessionInput, VaultApi, VaultApiOptions } from './vault-api.ts';
export { createVaultModalPage } from './vault-modal-page.ts';
export { createHostedVault } from './hosted-vault.ts';
export type { HostedVaultOptions } from './hosted-vault.ts';
export { createVaultreEmulator, VAULTRE_BASE_PATH, VAULTRE_CODE_TTL_MS } from './vaultre.ts';
export type { VaultreClient, VaultreEmulator, VaultreEmulatorOptions, VaultreIssuedToken, VaultreTokenType } from './vaultre.ts';
export { withCoop } from './coop.ts';
export { seedConnections } from './seed.ts';
