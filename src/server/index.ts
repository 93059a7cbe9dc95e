/**
 * `vault-connect/server`: Fetch-API handlers for hosts, `(request: Request) => Promise<Response>`, usable in any runtime,
 * plus a Node `http` adapter.
 */
export { createSessionHandler, DEFAULT_UNIFY_BASE_URL } from './session-handler.ts';
export type { SessionHandlerOptions, SessionSettings, SessionTheme, ConsumerMetadata } from './session-handler.ts';
export { toNodeHandler, toFetchRequest, writeFetchResponse } from './node-adapter.ts';
export type { FetchHandler, NodeAdapterOptions } from './node-adapter.ts';
export { createVaultreHandler, DEFAULT_VAULTRE_EXCHANGE_URL } from './vaultre-handler.ts';
export type { VaultreHandlerOptions, VaultreStatus } from './vaultre-handler.ts';
export { memoryStore, apideckImportStore, VAULTRE_TOKEN_TYPES } from './stores.ts';
export type { VaultreTokenStore, StoredVaultreToken, VaultreTokenType, ApideckImportStoreOptions } from './stores.ts';
