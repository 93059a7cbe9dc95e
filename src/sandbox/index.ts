/**
 * `vault-connect/sandbox` (Node only): `startSandbox()` starts emulators of the Apideck Vault API, the Vault JS modal,
 * Hosted Vault and VaultRE's OAuth pages, each on its own 127.0.0.1 origin, for a host's own tests and for `npm start`.
 * The emulators' parts (`vault-api.ts`, `vaultre.ts`, `emulator-server.ts`…) stay internal: import them by file.
 */
export { startSandbox } from './start-sandbox.ts';
export type { Sandbox, SandboxOptions } from './start-sandbox.ts';
export { REVOKED_REFRESH_TOKEN_PREFIX, VaultApiError } from './vault-api.ts';
export type { AuthorizeStateTarget, Connection, ImportFaults, SentWebhook, SessionClaims, SessionInput, VaultApi } from './vault-api.ts';
export { VAULTRE_CODE_TTL_MS } from './vaultre.ts';
export type { VaultreEmulator, VaultreIssuedToken, VaultreTokenType } from './vaultre.ts';
export type { FetchHandler } from '../server/node-adapter.ts';
