/**
 * English strings, the reference locale: every other locale must have exactly these keys (a test checks it). The
 * list's own strings (`en-list.ts`) are in the first load; this module adds what actions and flows say, and only the
 * lazy chunks (the localizer, row interactions, VaultRE) import it. Functions take the values they interpolate.
 */
import type { ErrorCode, RowAction } from '../internal/api/vocabulary.ts';
import type { FilterGroup } from '../internal/api/status-groups.ts';
import { enList, type ListStrings } from './en-list.ts';

export const en = {
  ...enList,
  /** What the user reads for each error code; a detail (such as Apideck's own message) may follow. */
  errors: {
    ...enList.errors,
    blocked_by_policy: 'The page’s Content-Security-Policy blocked the Vault window:',
    popup_blocked: 'The browser blocked the window.',
    popup_closed: 'We lost track of the window. If you finished, this updates by itself; otherwise try again.',
    timeout: 'This took too long and was stopped.',
    state_mismatch: 'The reply did not match this request.',
    access_denied: 'Access was denied.',
    exchange_failed: 'The connection could not be completed.',
    code_expired: 'The authorization expired. Please try again.',
    store_failed: 'The connection could not be saved. Please connect again.',
    rate_limited: 'Too many attempts.',
    aborted: 'Cancelled.',
  } satisfies Record<ErrorCode, string>,
  /** Follows an error's text when the server said how long to wait (`rate_limited`). */
  tryAgainIn: (seconds: number) => `Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
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
  /** The status filter (a lazy chunk): its group's label, its options, and the panel when an option holds no row. */
  filterLabel: 'Show',
  filter: {
    all: 'All',
    connected: 'Connected',
    attention: 'Needs attention',
    not_connected: 'Not connected',
  } satisfies Record<FilterGroup, string>,
  noneUnder: (option: string) => `No integrations under “${option}”.`,
  noMatches: (query: string) => `No integrations match “${query}”.`,
  empty: 'No integrations are available yet.',
};

export type Strings = typeof en;

/**
 * The whole table behind what the element renders: the locale's (with the `strings` property merged in) once one was
 * asked for, otherwise English. Only English's list strings lack the flows' keys.
 */
export function withFlows(strings: ListStrings | Strings): Strings {
  return 'progress' in strings ? strings : en;
}
