/**
 * English strings, the reference locale: every other locale must have exactly these keys (a test checks it).
 * Functions take the values they interpolate; counts and dates go through `Intl` in the caller.
 */
import type { ConnectionStatus, ErrorCode, RowAction } from '../internal/api/vocabulary.ts';

export const en = {
  searchLabel: 'Search integrations',
  searchPlaceholder: 'Search integrations…',
  loading: 'Loading integrations…',
  waitingForSession: 'Waiting for a session…',
  empty: 'No integrations are available yet.',
  noMatches: (query: string) => `No integrations match “${query}”.`,
  errorTitle: 'The integrations could not be loaded',
  /** What the user reads for each error code; a detail (such as Apideck's own message) may follow. */
  errors: {
    session_failed: 'Your session has expired or could not start. Reload the page to try again.',
    api_error: 'The Vault API reported an error:',
    invalid_response: 'The Vault API sent an unexpected reply.',
    network_error: 'Network error. Check your connection and try again.',
    popup_blocked: 'The browser blocked the window.',
    popup_closed: 'The window was closed before it finished.',
    timeout: 'This took too long and was stopped.',
    state_mismatch: 'The reply did not match this request.',
    access_denied: 'Access was denied.',
    exchange_failed: 'The connection could not be completed.',
    code_expired: 'The authorization expired. Please try again.',
    store_failed: 'The connection could not be saved. Please connect again.',
    invalid_config: 'This page is not set up correctly:',
    aborted: 'Cancelled.',
  } satisfies Record<ErrorCode, string>,
  needsConfigurationHint: 'Your administrator must set this integration up first.',
  status: {
    needs_configuration: 'Needs configuration',
    invalid: 'Invalid configuration',
    not_connected: 'Not connected',
    disabled: 'Disabled',
    unauthorized: 'Unauthorized',
    input_required: 'Input required',
    connected: 'Connected',
  } satisfies Record<ConnectionStatus, string>,
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
  progress: {
    connect: 'Opening…',
    settings: 'Opening…',
    reconnect: 'Opening…',
    disable: 'Disabling…',
    enable: 'Enabling…',
    disconnect: 'Disconnecting…',
    retry: 'Loading…',
  } satisfies Record<RowAction, string>,
  announce: {
    enabled: (name: string) => `${name} enabled`,
    disabled: (name: string) => `${name} disabled`,
    disconnected: (name: string) => `${name} disconnected`,
    changed: (name: string) => `${name} updated`,
  },
  confirmDisconnectTitle: (name: string) => `Disconnect ${name}?`,
  confirmDisconnectBody: 'Its settings and authorization are removed. You can connect it again later.',
  confirmDisconnect: 'Disconnect',
  cancel: 'Cancel',
  continueInThisTab: 'Continue in this tab',
  /** Group titles; a unified API not listed here is titled from its id (`file-storage` → "File storage"). */
  unifiedApi: {
    crm: 'CRM',
    hris: 'HRIS',
    ats: 'ATS',
    pos: 'Point of sale',
    sms: 'SMS',
  } as Record<string, string>,
};

export type Strings = typeof en;
