/**
 * English strings the list itself reads: its panels, rows, badges and buttons, and the errors a load can end in. They
 * are in the first load; what actions and flows say (progress, announcements, the disconnect dialog, their errors) is
 * in `en.ts`, which only the lazy chunks import. Functions take the values they interpolate; counts and dates go
 * through `Intl` in the caller.
 */
import type { ConnectionStatus, ErrorCode, RowAction } from '../internal/api/vocabulary.ts';

export const enList = {
  searchLabel: 'Search integrations',
  searchPlaceholder: 'Search integrations…',
  loading: 'Loading integrations…',
  waitingForSession: 'Waiting for a session…',
  errorTitle: 'The integrations could not be loaded',
  /**
   * What the user reads for each error a load usually ends in; a detail (such as Apideck's own message) may follow.
   * After a failed load the element reads the whole table (`en.ts`), which also has a rate limit's text and wait; these
   * stay for when that chunk cannot load (offline).
   */
  errors: {
    session_failed: 'Your session has expired or could not start. Reload the page to try again.',
    api_error: 'The Vault API reported an error:',
    invalid_response: 'The Vault API sent an unexpected reply.',
    network_error: 'Network error. Check your connection and try again.',
    // A Vault API off https: (the session JWT would travel in clear) is refused before the list is asked for.
    invalid_config: 'This page is not set up correctly:',
  } satisfies Partial<Record<ErrorCode, string>>,
  needsConfigurationHint: 'Your administrator must set this integration up first.',
  status: {
    needs_configuration: 'Needs configuration',
    invalid: 'Invalid configuration',
    not_connected: 'Not connected',
    disabled: 'Disabled',
    unauthorized: 'Unauthorized',
    needs_reauth: 'Reconnect needed',
    pending_confirmation: 'Confirming…',
    expiring: 'Reconnect soon',
    input_required: 'Input required',
    degraded: 'Connected',
    connected: 'Connected',
  } satisfies Record<ConnectionStatus, string>,
  /** The badge of a connection to reconnect before its credentials go (`credentials_expire_at`, a date from `Intl`). */
  expiresOn: (date: string) => `Reconnect before ${date}`,
  /** Under a `degraded` row: since when the provider has not answered (`last_downstream_error_at`, a time from `Intl`). */
  degradedSince: (time: string) => `The provider has not answered since ${time}`,
  /** Beside the search box when the session's `settings.sandbox_mode` is on. */
  sandboxMarker: 'Sandbox',
  action: {
    connect: 'Connect',
    settings: 'Settings',
    reconnect: 'Reconnect',
    disable: 'Disable',
    enable: 'Enable',
    disconnect: 'Disconnect',
    retry: 'Try again',
  } satisfies Record<RowAction, string>,
  /** Accessible name of a row's button: the visible verb plus the connection's name. */
  actionLabel: (action: string, name: string) => `${action} ${name}`,
  /** Accessible name of a row's More button, which opens the menu of its other actions. */
  moreLabel: (name: string) => `More actions for ${name}`,
  /** Group titles; a unified API not listed here is titled from its id (`file-storage` → "File storage"). */
  unifiedApi: {
    crm: 'CRM',
    hris: 'HRIS',
    ats: 'ATS',
    pos: 'Point of sale',
    sms: 'SMS',
  } as Record<string, string>,
};

/**
 * What the first render reads of a table: English's list strings, or a whole table (`Strings`) once a locale or the
 * `strings` property asked for one.
 */
export type ListStrings = typeof enList;
