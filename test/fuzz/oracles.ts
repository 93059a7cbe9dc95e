/**
 * The contracts the fuzz tests check the parsers against, written out by hand from the OpenAPI spec and DESIGN.md, with
 * no zod: a second, independent reading of each shape. A fuzz case passes when the code under test and the oracle agree.
 */
import { AUTH_TYPES, CONNECTION_STATES, ERROR_CODES, INTEGRATION_STATES } from '../../src/internal/api/vocabulary.ts';

type Dict = Record<string, unknown>;

/**
 * A string's length as zod's `minLength`/`maxLength` (`min`/`max`) count it: in code points, a surrogate pair being one.
 * (A refinement on `.length` counts UTF-16 units instead.)
 */
export function codePoints(value: string): number {
  return [...value].length;
}

export function isPlainObject(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNonEmptyString = (value: unknown): value is string => isString(value) && value.length > 0;
const optional = (value: unknown, check: (value: unknown) => boolean) => value === undefined || check(value);
const oneOf = (values: readonly string[]) => (value: unknown) => isString(value) && values.includes(value);
const isNumber = (value: unknown) => typeof value === 'number' && Number.isFinite(value);
const isStringArray = (value: unknown) => Array.isArray(value) && value.every(isString);

/** A `Connection` the list can draw: the fields the element reads, with their spec types. */
export function isConnection(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  return (
    isNonEmptyString(value.service_id) &&
    isNonEmptyString(value.unified_api) &&
    optional(value.name, isString) &&
    optional(value.tag_line, isString) &&
    optional(value.state, oneOf(CONNECTION_STATES)) &&
    optional(value.integration_state, oneOf(INTEGRATION_STATES)) &&
    optional(value.auth_type, oneOf(AUTH_TYPES)) &&
    optional(value.oauth_grant_type, isString) &&
    optional(value.enabled, (v) => typeof v === 'boolean') &&
    optional(value.icon, isString) &&
    optional(value.logo, isString) &&
    optional(value.authorize_url, (v) => v === null || isString(v)) &&
    optional(value.health, isString) &&
    // \`settings_required_for_authorization\` and \`form_fields\` are checked by direct mode when it opens one connector.
    optional(value.updated_at, (v) => v === null || isNumber(v))
  );
}

/** `GetConnectionsResponse`. */
export function isConnectionList(value: unknown): value is { data: unknown[] } {
  return isPlainObject(value) && isNumber(value.status_code) && isString(value.status) && Array.isArray(value.data) && value.data.every(isConnection);
}

/** `GetConnectionResponse` / `UpdateConnectionResponse`. */
export function isConnectionEnvelope(value: unknown): value is { data: unknown } {
  return isPlainObject(value) && isNumber(value.status_code) && isString(value.status) && isConnection(value.data);
}

/** The claims of a Vault session JWT the element needs. */
export function isSessionClaims(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  return (
    isNonEmptyString(value.application_id) &&
    isNonEmptyString(value.consumer_id) &&
    optional(value.redirect_uri, isString) &&
    optional(value.exp, isNumber) &&
    optional(
      value.settings,
      (s) => s === null || (isPlainObject(s) && optional(s.allow_actions, isStringArray) && optional(s.unified_apis, isStringArray)),
    )
  );
}

/** The token in a session endpoint's reply (`{session_token}` or `{data: {session_token}}`), or `undefined`. */
export function sessionTokenIn(value: unknown): string | undefined {
  if (!isPlainObject(value)) return undefined;
  if (!optional(value.session_token, isString)) return undefined;
  if (!optional(value.data, (d) => isPlainObject(d) && optional(d.session_token, isString))) return undefined;
  const data = value.data as Dict | undefined;
  return (value.session_token as string | undefined) || (data?.session_token as string | undefined) || undefined;
}

/** Limits of a relayed query or fragment (callback-message.ts). */
const MAX_PARAMS = 50;
const MAX_KEY = 256;
const MAX_VALUE = 4096;

/**
 * A query or fragment record. zod skips an own `__proto__` key when it copies an object (so it can never become the
 * copy's prototype): such a key is neither checked nor kept, and the oracle ignores it too.
 */
export function isCallbackParams(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const entries = Object.entries(value).filter(([key]) => key !== '__proto__');
  return entries.length <= MAX_PARAMS && entries.every(([key, item]) => key.length <= MAX_KEY && isString(item) && item.length <= MAX_VALUE);
}

/** A relayed VaultRE outcome: a result, and optional texts (at most 512 UTF-16 units), status and reply body. */
function isOutcome(value: unknown): boolean {
  const shortText = (text: unknown) => isString(text) && text.length <= 512;
  return (
    isPlainObject(value) &&
    oneOf(['connected', 'denied', 'failed'])(value.result) &&
    optional(value.error, shortText) &&
    optional(value.message, shortText) &&
    optional(value.reason, shortText) &&
    optional(value.status, isNumber)
  );
}

/**
 * A message of the callback page: `{type: 'vault-connect:callback', id, query, fragment, flow?, outcome?}`, the id and
 * flow at least 8 code points (`minLength`) and at most 64 UTF-16 units (a refinement).
 */
export function isCallbackMessage(value: unknown): boolean {
  const isId = (id: unknown) => isString(id) && codePoints(id) >= 8 && id.length <= 64;
  return (
    isPlainObject(value) &&
    value.type === 'vault-connect:callback' &&
    isId(value.id) &&
    isCallbackParams(value.query) &&
    isCallbackParams(value.fragment) &&
    optional(value.flow, isId) &&
    optional(value.outcome, isOutcome)
  );
}

/** The element's `GET {vaultre-exchange-url}` reply. */
export function isVaultreStatus(value: unknown): value is { connected: boolean; token_type?: string; connected_at?: string } {
  return (
    isPlainObject(value) &&
    typeof value.connected === 'boolean' &&
    optional(value.token_type, oneOf(['account', 'user'])) &&
    optional(value.connected_at, isString)
  );
}

/** Whether `value` is one of the contract's error codes. */
export function isErrorCode(value: unknown): boolean {
  return oneOf(ERROR_CODES)(value);
}
