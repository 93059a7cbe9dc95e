/**
 * The sandbox's seed: fresh `Connection` objects (OpenAPI spec 10.34.0) built from the connector catalogue
 * (`seed/catalogue.ts`), plus synthetic connectors for benchmarks. No Node imports: the module loads in a browser too
 * (the stories use it).
 */
import type { ConnectionHealth } from '../internal/api/vocabulary.ts';
import { randomState } from '../internal/popup/random-state.ts';
import { CONNECTORS, type ConnectorDefinition } from './seed/catalogue.ts';
import type { Connection } from './seed/connection.ts';
import { iconDataUrl, logoDataUrl } from './seed/icons.ts';
import { deriveHealth, syncFormFieldValues } from './seed/rules.ts';
import { syntheticDefinition } from './seed/synthetic.ts';

export { SEED_UNIFIED_APIS } from './seed/connection.ts';
export type { Connection, FormField, FormFieldType, SeedUnifiedApi, SimpleFormFieldOption } from './seed/connection.ts';

export interface SeedOptions {
  /** The Vault API's own public origin, e.g. `http://127.0.0.1:4010`; used in `authorize_url` and `revoke_url`. */
  vaultApiUrl: string;
  applicationId: string;
  /** Appends this many synthetic connectors ("Connector 0001", …) for benchmarks. */
  extra?: number;
  /** Makes the opaque `state` of an oauth2 connection's `authorize_url`/`revoke_url`. Default: random. */
  authorizeState?: (unifiedApi: string, serviceId: string) => string;
  /** The moment the seed is made (Unix ms): health timestamps are dated from it. Default `Date.now()`. */
  now?: number;
}

/** 2025-01-01T09:00:00Z: seed timestamps are fixed so that runs are reproducible. */
const SEED_EPOCH = Date.UTC(2025, 0, 1, 9, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The timestamps that go with a health, dated from `now`: refresh has kept failing since an hour ago and the
 * credentials go in 5 days; the provider stopped answering 20 minutes ago.
 */
export function healthTimestamps(
  health: ConnectionHealth,
  now: number,
): Pick<Connection, 'credentials_expire_at' | 'last_refresh_failed_at' | 'last_downstream_error_at'> {
  return {
    credentials_expire_at: health === 'pending_refresh' ? now + 5 * DAY : 0,
    last_refresh_failed_at: health === 'pending_refresh' ? now - HOUR : 0,
    last_downstream_error_at: health === 'degraded' ? now - HOUR / 3 : 0,
  };
}

function buildConnection(def: ConnectorDefinition, index: number, options: SeedOptions): Connection {
  const { vaultApiUrl, applicationId } = options;
  const base = vaultApiUrl.replace(/\/+$/, '');
  const isOAuth = def.auth_type === 'oauth2';
  const state = isOAuth ? (options.authorizeState ?? randomState)(def.unified_api, def.service_id) : '';
  const appSegment = encodeURIComponent(applicationId);
  const created_at = SEED_EPOCH + index * DAY;
  const connection: Connection = {
    id: `${def.unified_api}+${def.service_id}`,
    service_id: def.service_id,
    name: def.name,
    tag_line: def.tag_line,
    unified_api: def.unified_api,
    state: def.state,
    integration_state: def.integration_state ?? 'configured',
    auth_type: def.auth_type,
    ...(isOAuth ? { oauth_grant_type: def.oauth_grant_type ?? 'authorization_code' } : {}),
    status: 'live',
    enabled: def.enabled ?? true,
    website: def.website,
    icon: iconDataUrl(def.name, def.color),
    logo: logoDataUrl(def.name, def.color),
    authorize_url: isOAuth
      ? `${base}/vault/authorize/${encodeURIComponent(def.service_id)}/${appSegment}?state=${encodeURIComponent(state)}`
      : null,
    revoke_url: isOAuth
      ? `${base}/vault/revoke/${encodeURIComponent(def.service_id)}/${appSegment}?state=${encodeURIComponent(state)}`
      : null,
    settings: def.settings === undefined ? (def.state === 'available' ? null : {}) : structuredClone(def.settings),
    metadata: def.metadata === undefined ? null : structuredClone(def.metadata),
    form_fields: structuredClone(def.form_fields ?? []),
    ...(def.settings_required_for_authorization
      ? { settings_required_for_authorization: [...def.settings_required_for_authorization] }
      : {}),
    configurable_resources: [...(def.configurable_resources ?? [])],
    has_guide: index % 2 === 0,
    health: 'ok',
    ...healthTimestamps(def.health ?? 'ok', options.now ?? Date.now()),
    created_at,
    updated_at: def.state === 'available' ? null : created_at + 2 * HOUR,
  };
  connection.health = def.health ?? deriveHealth(connection);
  syncFormFieldValues(connection);
  return connection;
}

/** The number of hand-written connectors (synthetic ones from `extra` come after them). */
export const SEED_CONNECTOR_COUNT = CONNECTORS.length;

function definitions(extra: number | undefined): ConnectorDefinition[] {
  const count = Math.max(0, Math.floor(extra ?? 0));
  const all = [...CONNECTORS];
  for (let i = 1; i <= count; i++) all.push(syntheticDefinition(i));
  return all;
}

/** Fresh, independent copies of the catalogue (plus `extra` synthetic connectors), in a stable order. */
export function seedConnections(options: SeedOptions): Connection[] {
  return definitions(options.extra).map((def, index) => buildConnection(def, index, options));
}

/**
 * The seed one connection at a time: its ids (`unified_api+service_id`) in `seedConnections`' order, and a fresh copy
 * of one connector by id, exactly as `seedConnections` builds it (`undefined` for an unknown id).
 */
export function seedCatalogue(extra?: number): {
  ids: string[];
  build(id: string, options: Omit<SeedOptions, 'extra'>): Connection | undefined;
} {
  const all = definitions(extra);
  const ids = all.map((def) => `${def.unified_api}+${def.service_id}`);
  const indexOf = new Map(ids.map((id, index) => [id, index]));
  return {
    ids,
    build(id, options) {
      const index = indexOf.get(id);
      return index === undefined ? undefined : buildConnection(all[index], index, { ...options, extra });
    },
  };
}
