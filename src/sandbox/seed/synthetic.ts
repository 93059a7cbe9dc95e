/** Synthetic connectors ("Connector 0001", …) appended to the catalogue for benchmarks, spread over states and APIs. */
import type { ConnectionState } from '../../internal/api/vocabulary.ts';
import type { ConnectorDefinition } from './catalogue.ts';
import { SEED_UNIFIED_APIS } from './connection.ts';
import { apiKeyField, field, passwordField, usernameField } from './form-fields.ts';

const SYNTHETIC_COLORS = ['#5B5BD6', '#0091FF', '#12A594', '#E5484D', '#F76B15', '#8E4EC6'];
const SYNTHETIC_STATES: Record<'oauth2' | 'apiKey' | 'basic', readonly ConnectionState[]> = {
  oauth2: ['available', 'added', 'authorized', 'callable', 'invalid', 'callable'],
  apiKey: ['available', 'added', 'callable', 'invalid', 'callable'],
  basic: ['available', 'callable', 'added', 'callable', 'invalid'],
};

/** The definition of synthetic connector number `index` (from 1). */
export function syntheticDefinition(index: number): ConnectorDefinition {
  const number = String(index).padStart(4, '0');
  const auth_type = (['oauth2', 'apiKey', 'basic'] as const)[index % 3];
  const states = SYNTHETIC_STATES[auth_type];
  const state = states[Math.floor(index / 3) % states.length];
  const unified_api = SEED_UNIFIED_APIS[index % SEED_UNIFIED_APIS.length];
  const form_fields =
    auth_type === 'apiKey' ? [apiKeyField()] : auth_type === 'basic' ? [usernameField(), passwordField()] : [field('account_id', 'Account ID')];
  const filled = state === 'callable' || state === 'invalid';
  const settings: Record<string, unknown> = {};
  if (filled) for (const f of form_fields) settings[f.id] = f.sensitive ? `sandbox-secret-${number}` : `account-${number}`;
  return {
    service_id: `connector-${number}`,
    name: `Connector ${number}`,
    tag_line: `Synthetic ${unified_api} connector number ${number}, for benchmarks.`,
    unified_api,
    website: `https://connector-${number}.example.com`,
    color: SYNTHETIC_COLORS[index % SYNTHETIC_COLORS.length],
    auth_type,
    ...(auth_type === 'oauth2' ? { oauth_grant_type: 'authorization_code' as const } : {}),
    state,
    enabled: index % 17 !== 0,
    form_fields,
    settings: state === 'available' ? null : settings,
  };
}
