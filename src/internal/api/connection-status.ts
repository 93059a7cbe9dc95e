/**
 * What a row shows and offers, from a connection and the session's `settings.allow_actions`. The status follows
 * Apideck's own labels and their order of precedence (see the reference README).
 */
import type { Connection } from './schemas.ts';
import { isOneOf, ALLOW_ACTIONS, type AllowAction, type ConnectionStatus, type RowAction } from './vocabulary.ts';

export function connectionStatus(connection: Connection): ConnectionStatus {
  if (connection.integration_state === 'needs_configuration') return 'needs_configuration';
  if (connection.state === 'invalid') return 'invalid';
  if (connection.state === 'available' || connection.state === undefined) return 'not_connected';
  if (connection.enabled === false) return 'disabled';
  if (connection.state === 'added') return 'unauthorized';
  if (connection.state === 'authorized') return 'input_required';
  return 'connected';
}

/** The badge tone a status is drawn in. */
export const STATUS_TONES = {
  needs_configuration: 'warning',
  invalid: 'danger',
  not_connected: 'neutral',
  disabled: 'neutral',
  unauthorized: 'warning',
  input_required: 'warning',
  connected: 'success',
} as const satisfies Record<ConnectionStatus, 'success' | 'warning' | 'danger' | 'neutral'>;

/** The actions each status offers before `allow_actions` is applied, in display order. */
const ACTIONS_BY_STATUS = {
  needs_configuration: [],
  invalid: ['settings', 'reconnect', 'disconnect'],
  not_connected: ['connect'],
  disabled: ['enable', 'settings', 'disconnect'],
  unauthorized: ['connect', 'settings', 'disconnect'],
  input_required: ['settings', 'disable', 'disconnect'],
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

/** A row's own buttons (`retry` only appears when a popup was blocked or closed). */
export type RowButtonAction = Exclude<RowAction, 'retry'>;

export function rowActions(connection: Connection, allow: ReadonlySet<AllowAction> | undefined): RowButtonAction[] {
  const status = connectionStatus(connection);
  return ACTIONS_BY_STATUS[status].filter((action: RowButtonAction) => {
    // Re-authorizing only means something for OAuth connectors.
    if (action === 'reconnect' && connection.auth_type !== 'oauth2') return false;
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
