/**
 * The popup engine: drives a popup that `openPopup()` opened inside the click, until the callback page reports back.
 * Imported lazily by the element (no top-level side effects).
 *
 * It listens before it navigates, then settles once:
 * - an accepted callback message closes the popup and resolves with it;
 * - `popup.closed` is only a hint (under Cross-Origin-Opener-Policy it reads `true` as soon as the popup reaches a COOP
 *   page, while the user is still signing in there). Once it reads `true`, the flow waits `closedGraceMs` more. If no
 *   result came by then and the callback page is on this page's origin (so its BroadcastChannel and storage messages
 *   still reach us however the popup was severed), the flow calls `onClosed` and goes on listening until a result,
 *   the timeout or the signal: the caller reports `popup_closed` and offers a retry, and a late result still
 *   completes (then `onSevered` says the window was open all along). Otherwise (no `onClosed`, or a callback page on
 *   another origin, which could only answer through the severed `opener`) it rejects `popup_closed`;
 * - `timeoutMs` without a result closes the popup and rejects `timeout`; the signal closes it and rejects `aborted`;
 * - a `mismatch` from the popup itself rejects `state_mismatch` (see `listenForCallback`).
 * Right before it navigates, while the popup is still its same-origin `about:blank`, it writes the flow record into the
 * popup's `sessionStorage` (`record`): the callback page in that window reads it, and its messages then carry the
 * record's id, by which they count as the popup's own on every channel.
 * Every listener, timer and channel it adds is released when it settles.
 */
import { VaultConnectError, toVaultConnectError } from '../api/errors.ts';
import type { CallbackMessage } from './callback-message.ts';
import { listenForCallback, type CallbackListenerOptions } from './callback-listener.ts';
import type { PendingRedirect } from './redirect-fallback.ts';
import { PENDING_KEY } from './redirect-keys.ts';
import { ResourceScope } from './resources.ts';

export { popupFlowResources, type PopupFlowResources } from './resources.ts';

export const DEFAULT_TIMEOUT_MS = 600_000;
export const DEFAULT_CLOSED_GRACE_MS = 2_000;
export const DEFAULT_POLL_MS = 500;

export interface PopupFlowOptions {
  /** The window `openPopup()` returned. */
  popup: Window;
  /** Where to send it; a promise (say, a session token still on its way) leaves it on about:blank meanwhile. */
  url: string | Promise<string>;
  /** The callback page's origin (an origin or any URL on it). */
  callbackOrigin: string;
  match: CallbackListenerOptions['match'];
  signal?: AbortSignal;
  /** The element's `flowTimeout`: a number, or a numeric string set by a framework template. */
  timeoutMs?: number | `${number}`;
  closedGraceMs?: number;
  pollMs?: number;
  /**
   * Called once when the popup reads closed for the grace period and a result could still arrive: the flow keeps
   * listening instead of rejecting `popup_closed` (see above).
   */
  onClosed?: (() => void) | undefined;
  /**
   * Called once when a result is accepted after `onClosed`: the popup read closed through the grace period, yet its
   * callback page answered, so the window was open all along and only cut off from this page (Cross-Origin-Opener-
   * Policy on a page it visited, or on this one).
   */
  onSevered?: (() => void) | undefined;
  /**
   * The flow record to write into the popup before it leaves `about:blank`, made from the URL it goes to; its `id` is
   * `flowId`.
   */
  record?: ((url: string) => PendingRedirect) | undefined;
  /** The flow record's id: a message that carries it comes from the popup's callback page (see `listenForCallback`). */
  flowId?: string | undefined;
  /** The flow cannot finish without its record (VaultRE): when it cannot be written, the flow fails instead. */
  requireRecord?: boolean;
}

/** Writes the flow record into the popup's own `sessionStorage` (it is still same-origin `about:blank`). */
function writeRecord(popup: Window, record: PendingRedirect): boolean {
  try {
    popup.sessionStorage.setItem(PENDING_KEY, JSON.stringify(record));
    return true;
  } catch {
    // Storage disabled, or the window is no longer ours to write to.
    return false;
  }
}

function closePopup(popup: Window): void {
  try {
    if (!popup.closed) popup.close();
  } catch {
    // Nothing more can be done about a window we cannot close.
  }
}

/** Only http(s) pages may be loaded into the popup: it shares this page's origin while blank. */
function checkedUrl(url: string): string {
  const parsed = new URL(url, location.href);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new VaultConnectError('invalid_response', { detail: 'The popup URL is not an http(s) URL.' });
  }
  return parsed.href;
}

export function runPopupFlow(options: PopupFlowOptions): Promise<CallbackMessage> {
  const { popup, signal } = options;
  const timeoutMs = Number(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const closedGraceMs = options.closedGraceMs ?? DEFAULT_CLOSED_GRACE_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;

  return new Promise<CallbackMessage>((resolve, reject) => {
    if (signal?.aborted) {
      closePopup(popup);
      // A URL promise tied to the same signal rejects too, and nothing else will read it.
      if (typeof options.url !== 'string') options.url.catch(() => undefined);
      reject(new VaultConnectError('aborted'));
      return;
    }
    const scope = new ResourceScope();
    const stop = new AbortController();
    let settled = false;
    let closedReported = false;
    const settle = (outcome: { message: CallbackMessage } | { error: unknown }) => {
      if (settled) return;
      settled = true;
      if (closedReported && 'message' in outcome) options.onSevered?.();
      stop.abort();
      scope.dispose();
      closePopup(popup);
      if ('message' in outcome) resolve(outcome.message);
      else reject(outcome.error instanceof Error ? outcome.error : toVaultConnectError(outcome.error));
    };

    const listener = listenForCallback({
      callbackOrigin: options.callbackOrigin,
      popup,
      ...(options.flowId ? { flowId: options.flowId } : {}),
      match: options.match,
      signal: stop.signal,
    });
    listener.result.then(
      (message) => settle({ message }),
      (error: unknown) => settle({ error }),
    );

    if (signal) scope.listen(signal, 'abort', () => settle({ error: new VaultConnectError('aborted') }));
    scope.timeout(() => settle({ error: new VaultConnectError('timeout', { retryable: true }) }), timeoutMs);

    let closedSeen = false;
    scope.interval(() => {
      if (closedSeen || !popup.closed) return;
      closedSeen = true;
      const reachable = new URL(options.callbackOrigin, location.href).origin === location.origin;
      scope.timeout(() => {
        if (options.onClosed && reachable) {
          closedReported = true;
          options.onClosed();
        } else settle({ error: new VaultConnectError('popup_closed', { retryable: true }) });
      }, closedGraceMs);
    }, pollMs);

    const navigate = (url: string) => {
      if (settled) return;
      try {
        const target = checkedUrl(url);
        if (options.record) {
          if (!writeRecord(popup, options.record(target)) && options.requireRecord) throw new VaultConnectError('popup_blocked', { detail: '(sessionStorage is not available)' });
        }
        popup.location.href = target;
      } catch (error) {
        settle({
          error: error instanceof VaultConnectError ? error : new VaultConnectError('popup_blocked', { retryable: true, cause: error }),
        });
      }
    };
    if (typeof options.url === 'string') navigate(options.url);
    else options.url.then(navigate, (error: unknown) => settle({ error }));
  });
}
