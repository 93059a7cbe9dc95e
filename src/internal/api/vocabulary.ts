/**
 * Every closed set of values the product speaks, as `as const` arrays. Types and zod enums derive from these, so a new
 * value is added in one place and every `satisfies Record<…>` label map fails to compile until it has a label.
 * The Apideck values are copied from the Vault OpenAPI spec (10.34.0).
 */

/** `ConnectionState` in the OpenAPI spec. */
export const CONNECTION_STATES = ['available', 'callable', 'added', 'authorized', 'invalid'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

/** `IntegrationState` in the OpenAPI spec. */
export const INTEGRATION_STATES = ['disabled', 'needs_configuration', 'configured'] as const;
export type IntegrationState = (typeof INTEGRATION_STATES)[number];

/** `AuthType` in the OpenAPI spec. */
export const AUTH_TYPES = ['oauth2', 'apiKey', 'basic', 'custom', 'none'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

/** `OAuthGrantType` in the OpenAPI spec. */
export const OAUTH_GRANT_TYPES = ['authorization_code', 'client_credentials', 'password'] as const;
export type OAuthGrantType = (typeof OAUTH_GRANT_TYPES)[number];

/** `Connection.status` in the OpenAPI spec. */
export const CONNECTOR_STATUSES = ['live', 'upcoming', 'requested'] as const;
export type ConnectorStatus = (typeof CONNECTOR_STATUSES)[number];

/** `ConnectionHealth` in the OpenAPI spec. */
export const CONNECTION_HEALTH = [
  'revoked',
  'missing_settings',
  'needs_consent',
  'pending_confirmation',
  'needs_auth',
  'pending_refresh',
  'ok',
  'degraded',
] as const;
export type ConnectionHealth = (typeof CONNECTION_HEALTH)[number];

/** `Session.settings.allow_actions` in the OpenAPI spec. */
export const ALLOW_ACTIONS = ['delete', 'disconnect', 'reauthorize', 'disable'] as const;
export type AllowAction = (typeof ALLOW_ACTIONS)[number];

/**
 * The status badge of a row (`data-status`), in order of precedence (first match wins): Apideck's own labels
 * (integration `needs_configuration`, state `invalid`, `available`, `enabled: false`, `added`), then `health` for a
 * connection that was authorized, then `authorized` and `callable` (see `connection-status.ts` and docs/statuses.md).
 */
export const CONNECTION_STATUSES = [
  'needs_configuration',
  'invalid',
  'not_connected',
  'disabled',
  'unauthorized',
  'needs_reauth',
  'pending_confirmation',
  'expiring',
  'input_required',
  'degraded',
  'connected',
] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** The `data-action` hook of every action button. */
export const ROW_ACTIONS = ['connect', 'settings', 'reconnect', 'disable', 'enable', 'disconnect', 'retry'] as const;
export type RowAction = (typeof ROW_ACTIONS)[number];

/** How an Apideck connection is opened (`open-mode`). */
export const OPEN_MODES = ['modal', 'popup', 'direct'] as const;
export type OpenMode = (typeof OPEN_MODES)[number];

/** How a flow's window opens (`window-mode`): `auto` picks the same tab in in-app browsers, popups elsewhere. */
export const WINDOW_MODES = ['auto', 'popup', 'same-tab'] as const;
export type WindowMode = (typeof WINDOW_MODES)[number];

/** `theme` attribute values. */
export const THEMES = ['auto', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/** `locale` attribute values: the locales Vault JS offers. */
export const LOCALES = ['en', 'nl', 'de', 'fr', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

/** `code` of the `vault-connect-error` event. */
export const ERROR_CODES = [
  'session_failed',
  'api_error',
  'invalid_response',
  'network_error',
  'blocked_by_policy',
  'popup_blocked',
  'popup_closed',
  'timeout',
  'state_mismatch',
  'access_denied',
  'exchange_failed',
  'code_expired',
  'store_failed',
  'invalid_config',
  'rate_limited',
  'aborted',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Narrows an arbitrary string to a member of one of the arrays above. */
export function isOneOf<const T extends readonly string[]>(values: T, value: unknown): value is T[number] {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}
