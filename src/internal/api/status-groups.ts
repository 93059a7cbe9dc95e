/**
 * The status filter's options (`data-filter`) and which one each row status counts in. Only the filter's lazy chunk
 * reads them, so they live here rather than in `vocabulary.ts`, whose values are all in the first load.
 */
import type { ConnectionStatus } from './vocabulary.ts';

/** The status filter's options, in display order. */
export const FILTER_GROUPS = ['all', 'connected', 'attention', 'not_connected'] as const;
export type FilterGroup = (typeof FILTER_GROUPS)[number];

/** A filter option other than `all`. */
export type StatusGroup = Exclude<FilterGroup, 'all'>;

/**
 * `attention` holds every status that asks the user to act: to fix a configuration, authorize, reconnect (now or before
 * the credentials expire), confirm, or fill in settings. A status only the app's administrator can change
 * (`needs_configuration`) and a connection switched off (`disabled`) count as not connected: neither is in use. A
 * `degraded` connection is connected: the provider is failing, not the connection.
 */
export const STATUS_GROUPS = {
  needs_configuration: 'not_connected',
  invalid: 'attention',
  not_connected: 'not_connected',
  disabled: 'not_connected',
  unauthorized: 'attention',
  needs_reauth: 'attention',
  pending_confirmation: 'attention',
  expiring: 'attention',
  input_required: 'attention',
  degraded: 'connected',
  connected: 'connected',
} as const satisfies Record<ConnectionStatus, StatusGroup>;
