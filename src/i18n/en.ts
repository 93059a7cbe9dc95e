/**
 * English strings, the reference locale: every other locale must have exactly these keys (a test checks it).
 * Functions take the values they interpolate; counts and dates go through `Intl` in the caller.
 */
import type { ConnectionStatus, RowAction } from '../api/vocabulary.ts';

export const en = {
  title: 'Integrations',
  searchLabel: 'Search integrations',
  searchPlaceholder: 'Search integrations…',
  loading: 'Loading integrations…',
  waitingForSession: 'Waiting for a session…',
  empty: 'No integrations are available yet.',
  noMatches: (query: string) => `No integrations match “${query}”.`,
  resultCount: (count: number) => (count === 1 ? '1 integration' : `${count} integrations`),
  errorTitle: 'The integrations could not be loaded',
  needsConfigurationHint: 'Your administrator has to set this integration up before you can connect it.',
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
    loaded: (count: number) => (count === 1 ? '1 integration loaded' : `${count} integrations loaded`),
  },
  confirmDisconnectTitle: (name: string) => `Disconnect ${name}?`,
  confirmDisconnectBody: 'Its settings and authorization are removed. You can connect it again later.',
  confirmDisconnect: 'Disconnect',
  cancel: 'Cancel',
  unifiedApi: {
    crm: 'CRM',
    accounting: 'Accounting',
    hris: 'HRIS',
    ats: 'ATS',
    'file-storage': 'File storage',
    'issue-tracking': 'Issue tracking',
    ecommerce: 'E-commerce',
    pos: 'Point of sale',
    sms: 'SMS',
    lead: 'Lead',
    proxy: 'Proxy',
    vault: 'Vault',
    webhook: 'Webhook',
  } as Record<string, string>,
};

export type Strings = typeof en;
