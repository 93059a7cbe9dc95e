/**
 * What a row shows and offers, from a connection and the session's `settings.allow_actions`. The status follows
 * Apideck's own labels and their order of precedence (see the reference README), with `health` speaking for a
 * connection that was authorized; the whole table is in docs/statuses.md.
 */
import type { Connection } from './schemas.ts';
import { isOneOf, ALLOW_ACTIONS, type AllowAction, type ConnectionStatus, type RowAction } from './vocabulary.ts';

export function connectionStatus(connection: Connection): ConnectionStatus {
  if (connection.integration_state === 'needs_configuration') return 'needs_configuration';
  if (connection.state === 'invalid') return 'invalid';
  if (connection.state === 'available' || connection.state === undefined) return 'not_connected';
  if (connection.enabled === false) return 'disabled';
  // An `added` connection was never authorized: its health has nothing to add.
  if (connection.state === 'added') return 'unauthorized';
  switch (connection.health) {
    case 'needs_auth':
    case 'revoked':
    case 'needs_consent':
      return 'needs_reauth';
    case 'pending_confirmation':
      return 'pending_confirmation';
    case 'pending_refresh':
      // Refresh keeps failing and the credentials go at `credentials_expire_at`; 0 is no retention window.
      if ((connection.credentials_expire_at ?? 0) > 0) return 'expiring';
      break;
    case 'missing_settings':
      return 'input_required';
    case 'degraded':
      return 'degraded';
  }
  return connection.state === 'authorized' ? 'input_required' : 'connected';
}

/** The badge tone a status is drawn in. */
export const STATUS_TONES = {
  needs_configuration: 'warning',
  invalid: 'danger',
  not_connected: 'neutral',
  disabled: 'neutral',
  unauthorized: 'warning',
  needs_reauth: 'danger',
  pending_confirmation: 'neutral',
  expiring: 'warning',
  input_required: 'warning',
  degraded: 'warning',
  connected: 'success',
} as const satisfies Record<ConnectionStatus, 'success' | 'warning' | 'danger' | 'neutral'>;

/**
 * The actions each status offers before `allow_actions` is applied, in display order: first the one that puts the row
 * right, where there is one. Where that is to authorize again, `reconnect` is for OAuth connectors and `connect` (the
 * credentials entered anew) for the others: see `rowActions`.
 */
const ACTIONS_BY_STATUS = {
  needs_configuration: [],
  invalid: ['settings', 'reconnect', 'disconnect'],
  not_connected: ['connect'],
  disabled: ['enable', 'settings', 'disconnect'],
  unauthorized: ['connect', 'settings', 'disconnect'],
  needs_reauth: ['reconnect', 'connect', 'settings', 'disable', 'disconnect'],
  pending_confirmation: ['reconnect', 'connect', 'disconnect'],
  expiring: ['reconnect', 'connect', 'settings', 'disable', 'disconnect'],
  input_required: ['settings', 'disable', 'disconnect'],
  degraded: ['settings', 'reconnect', 'disable', 'disconnect'],
  connected: ['settings', 'reconnect', 'disable', 'disconnect'],
} as const satisfies Record<ConnectionStatus, readonly RowAction[]>;

/** Which `allow_actions` entry gates an action; actions not listed here are always allowed. */
const GATED_BY: Partial<Record<RowAction, readonly AllowAction[]>> = {
  disconnect: ['delete', 'disconnect'],
  reconnect: ['reauthorize'],
  disable: ['disable'],
  enable: ['disable'],
};

/** Reads `allow_actions` from the session claims; `undefined` (absent) means every action is allowed. */
export function allowedActions(raw: readonly string[] | undefined): ReadonlySet<AllowAction> | undefined {
  if (!raw) return undefined;
  return new Set(raw.filter((value): value is AllowAction => isOneOf(ALLOW_ACTIONS, value)));
}

/** A row's own buttons (`retry` only appears when a flow failed in a way a fresh attempt may fix). */
export type RowButtonAction = Exclude<RowAction, 'retry'>;

export function rowActions(connection: Connection, allow: ReadonlySet<AllowAction> | undefined): RowButtonAction[] {
  const oauth = connection.auth_type === 'oauth2';
  const offered: readonly RowButtonAction[] = ACTIONS_BY_STATUS[connectionStatus(connection)];
  return offered.filter((action) => {
    // Re-authorizing only means something for OAuth connectors; the others are connected anew (their credentials
    // entered again), which is not offered to an OAuth connector that can be re-authorized.
    if (action === 'reconnect' && !oauth) return false;
    if (action === 'connect' && oauth && offered.includes('reconnect')) return false;
    const gate = GATED_BY[action];
    return !gate || !allow || gate.some((entry) => allow.has(entry));
  });
}

/** A stable key for a connection: a service can appear under several unified APIs. */
export function connectionKey(connection: Pick<Connection, 'unified_api' | 'service_id'>): string {
  return `${connection.unified_api}/${connection.service_id}`;
}

/** Icons are drawn only from `https:` URLs and `data:image/` URIs; anything else falls back to a monogram. */
export function safeImageUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (/^data:image\/[a-z0-9.+-]+[;,]/i.test(value)) return value;
  try {
    return new URL(value).protocol === 'https:' ? value : undefined;
  } catch {
    return undefined;
  }
}
