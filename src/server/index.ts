/**
 * `vault-connect/server`: Fetch-API handlers for hosts, `(request: Request) => Promise<Response>`, usable in any runtime,
 * plus a Node `http` adapter.
 */
export { createSessionHandler } from './session-handler.ts';
export { DEFAULT_UNIFY_BASE_URL } from './apideck.ts';
export type { SessionHandlerOptions, SessionSettings, SessionTheme, ConsumerMetadata } from './session-options.ts';
export { toNodeHandler, toFetchRequest, writeFetchResponse } from './node-adapter.ts';
export type { FetchHandler, NodeAdapterOptions } from './node-adapter.ts';
export { createVaultreHandler } from './vaultre-handler.ts';
export { DEFAULT_VAULTRE_EXCHANGE_URL } from './vaultre-exchange.ts';
export { DEFAULT_VAULTRE_AUTHORIZE_URL } from './vaultre-authorize.ts';
export type { VaultreHandlerOptions, VaultreTokenVerdict, VerifyTokenContext } from './vaultre-options.ts';
export type { VaultreStatus } from './vaultre-handler.ts';
export { memoryStore } from './stores/memory-store.ts';
export { apideckImportStore } from './stores/apideck-import-store.ts';
export type { ApideckImportStoreOptions } from './stores/apideck-import-store.ts';
export { VAULTRE_TOKEN_TYPES } from './stores/types.ts';
export type { VaultreTokenStore, StoredVaultreToken, VaultreTokenType } from './stores/types.ts';
export { importConnections } from './import/import-connections.ts';
export type { ImportConnectionsOptions } from './import/import-connections.ts';
export { IMPORT_FORMATS, ROW_ERROR_CODES, ImportError } from './import/types.ts';
export type { ConnectionRow, ImportFormat, ImportRowResult, ImportSummary, RowErrorCode, RowOutcome } from './import/types.ts';
export { createWebhookHandler } from './webhooks/webhook-handler.ts';
export type { WebhookHandlerOptions, WebhookDelivery } from './webhooks/webhook-handler.ts';
export { memoryIdempotencyStore } from './webhooks/idempotency-store.ts';
export type { WebhookIdempotencyStore, DeliveryClaim } from './webhooks/idempotency-store.ts';
export { VAULT_EVENT_TYPES } from './webhooks/events.ts';
export type { VaultEventType, VaultWebhookEvent, VaultEventConnection } from './webhooks/events.ts';
export { signWebhookBody, verifyWebhookSignature } from './webhooks/signature.ts';
