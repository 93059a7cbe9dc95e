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
export { postgresStore } from './stores/postgres-store.ts';
export type { PostgresStoreOptions } from './stores/postgres-store.ts';
export { redisStore } from './stores/redis-store.ts';
export type { RedisStoreOptions } from './stores/redis-store.ts';
export type { EncryptedTokenStore, RotateOptions, RotationResult } from './stores/types.ts';
export type { EncryptionKey, EncryptionKeyOption, EncryptionKeyring } from './encryption/token-cipher.ts';
export { StoreError, STORE_ERROR_CODES } from './databases/store-errors.ts';
export type { StoreErrorCode, StoreErrorHandler } from './databases/store-errors.ts';
export { memoryLimiter } from './limits/memory-limiter.ts';
export { redisLimiter } from './limits/redis-limiter.ts';
export type { RedisLimiterOptions } from './limits/redis-limiter.ts';
export { postgresLimiter } from './limits/postgres-limiter.ts';
export type { PostgresLimiterOptions } from './limits/postgres-limiter.ts';
export type { DatabaseRateLimiter } from './limits/shared-limiter.ts';
export type { RateLimiter, RateLimitDecision, RateLimitOptions } from './limits/rate-limiter.ts';
