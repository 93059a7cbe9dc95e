/**
 * The rules a row must meet before it is sent, as the Migrating Integrations guide and the spec's
 * `ConnectionImportData` state them. `checkRowShape` runs on every row without asking Apideck; `checkForConnector`
 * runs once the connector's auth type is known. Each problem names the field, never its value.
 */
import { consumerIdProblem } from '../consumer-id.ts';
import type { ConnectionRow, RowProblem } from './types.ts';

/** What the Vault API says about a connector that matters to an import. */
export interface ConnectorFacts {
  authType: string;
  /** `configured`, `not_configured`, `needs_configuration` (spec `IntegrationState`); absent when Apideck omits it. */
  integrationState?: string;
  /** The ids of the connector's required form fields (`settings.<id>` for `apiKey` / `basic` / `custom`). */
  requiredSettings: string[];
}

const TOP_LEVEL = ['consumer_id', 'unified_api', 'service_id', 'credentials', 'settings', 'metadata'];
const CREDENTIAL_FIELDS = ['access_token', 'refresh_token', 'issued_at', 'expires_in'];
/** A unified API or service ID as Apideck names them (`crm`, `sage-intacct`, `microsoft-dynamics-365`). */
export const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** ISO 8601 date-time with a zone, as `format: date-time` means. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const problem = (code: RowProblem['code'], field: string | undefined, message: string): RowProblem =>
  field === undefined ? { code, message } : { code, field, message };

/** A field name from the input made fit to print: control and non-ASCII characters as `?`, at most 100 characters. */
export function printableField(name: string): string {
  const cleaned = name.replace(/[^\x20-\x7e]/g, '?');
  return cleaned.length > 100 ? `${cleaned.slice(0, 99)}…` : cleaned;
}

/** The path of the first object, at any depth, whose only key is `type` (Apideck removes such an object). */
function typeOnlyObject(value: unknown, path: string): string | undefined {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = typeOnlyObject(item, `${path}.${index}`);
      if (found) return found;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'type') return path;
  for (const key of keys) {
    const found = typeOnlyObject(value[key], `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

function hasValue(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  return true;
}

/** The rules that need no call to Apideck: fields, types, the consumer ID, type-only objects. */
export function checkRowShape(value: unknown): { row: ConnectionRow } | { problem: RowProblem } {
  if (!isPlainObject(value)) return { problem: problem('invalid_row', undefined, 'A row must be an object.') };
  for (const key of Object.keys(value)) {
    if (!TOP_LEVEL.includes(key)) {
      const field = printableField(key);
      return { problem: problem('unknown_field', field, `"${field}" is not a field of an import row (${TOP_LEVEL.join(', ')}).`) };
    }
  }
  if (value.consumer_id === undefined || value.consumer_id === '') {
    return { problem: problem('missing_field', 'consumer_id', 'consumer_id is required.') };
  }
  const consumer = consumerIdProblem(value.consumer_id);
  if (consumer) return { problem: problem('invalid_consumer', 'consumer_id', `consumer_id ${consumer}.`) };
  for (const field of ['unified_api', 'service_id'] as const) {
    const id = value[field];
    if (id === undefined || id === '') return { problem: problem('missing_field', field, `${field} is required.`) };
    if (typeof id !== 'string' || !IDENTIFIER.test(id)) {
      return { problem: problem('invalid_field', field, `${field} must be a connector identifier such as "crm" or "sage-intacct".`) };
    }
  }

  const { credentials, settings, metadata } = value;
  if (credentials !== undefined) {
    if (!isPlainObject(credentials)) return { problem: problem('invalid_field', 'credentials', 'credentials must be an object.') };
    for (const key of Object.keys(credentials)) {
      if (!CREDENTIAL_FIELDS.includes(key)) {
        return {
          problem: problem('unknown_field', `credentials.${printableField(key)}`, `credentials may only hold ${CREDENTIAL_FIELDS.join(', ')}.`),
        };
      }
    }
    const { access_token, refresh_token, issued_at, expires_in } = credentials;
    if (access_token !== undefined && typeof access_token !== 'string') {
      return { problem: problem('invalid_field', 'credentials.access_token', 'credentials.access_token must be a string.') };
    }
    if (refresh_token !== undefined && refresh_token !== null && typeof refresh_token !== 'string') {
      return { problem: problem('invalid_field', 'credentials.refresh_token', 'credentials.refresh_token must be a string.') };
    }
    if (issued_at !== undefined && issued_at !== null && (typeof issued_at !== 'string' || !DATE_TIME.test(issued_at) || Number.isNaN(Date.parse(issued_at)))) {
      return {
        problem: problem('invalid_field', 'credentials.issued_at', 'credentials.issued_at must be an ISO 8601 date-time, e.g. 2024-04-01T12:05:06Z.'),
      };
    }
    if (expires_in !== undefined && expires_in !== null && (typeof expires_in !== 'number' || !Number.isSafeInteger(expires_in) || expires_in < 0)) {
      return { problem: problem('invalid_field', 'credentials.expires_in', 'credentials.expires_in must be a whole number of seconds.') };
    }
  }
  for (const [field, object] of [['settings', settings], ['metadata', metadata]] as const) {
    if (object !== undefined && object !== null && !isPlainObject(object)) {
      return { problem: problem('invalid_field', field, `${field} must be an object.`) };
    }
  }
  for (const [field, object] of [['credentials', credentials], ['settings', settings], ['metadata', metadata]] as const) {
    const found = typeOnlyObject(object, field);
    if (found) {
      const path = printableField(found);
      return { problem: problem('type_only_object', path, `${path} holds only a "type"; Apideck would remove it. Add its other fields or leave it out.`) };
    }
  }
  if (credentials === undefined && (settings === undefined || settings === null)) {
    return { problem: problem('missing_field', 'credentials', 'A row needs credentials (OAuth connectors) or settings (API key and basic connectors).') };
  }
  return { row: value as unknown as ConnectionRow };
}

/** The rules of the connector's auth type, as the guide states them; `undefined` when the row may be imported. */
export function checkForConnector(row: ConnectionRow, connector: ConnectorFacts): RowProblem | undefined {
  if (connector.integrationState !== undefined && connector.integrationState !== 'configured') {
    return problem(
      'integration_not_configured',
      'service_id',
      `The ${row.service_id} integration is ${printableField(connector.integrationState)}: configure it in Apideck before importing connections into it.`,
    );
  }
  switch (connector.authType) {
    case 'oauth2': {
      for (const field of ['access_token', 'refresh_token'] as const) {
        if (!hasValue(row.credentials?.[field])) {
          return problem('missing_field', `credentials.${field}`, `credentials.${field} is required for an oauth2 connector.`);
        }
      }
      return undefined;
    }
    case 'apiKey':
    case 'basic':
    case 'custom': {
      const settings = row.settings ?? {};
      if (Object.keys(settings).length === 0) {
        return problem('missing_field', 'settings', `settings are required for an ${connector.authType} connector (e.g. its api_key, or username and password).`);
      }
      const missing = connector.requiredSettings.find((id) => !hasValue(settings[id]));
      if (missing !== undefined) {
        const field = `settings.${printableField(missing)}`;
        return problem('missing_field', field, `${field} is required by the ${row.service_id} connector.`);
      }
      return undefined;
    }
    default:
      return problem('unsupported_auth_type', 'service_id', `The ${row.service_id} connector uses auth type "${printableField(connector.authType)}", which has nothing to import.`);
  }
}
