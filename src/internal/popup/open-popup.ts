/**
 * Opens the (blank) popup synchronously inside the click, before any `await`, so the browser counts it as user-initiated.
 * This file is part of the first load: keep it tiny. The popup engine (`popup-flow.ts`) is imported lazily afterwards and
 * navigates the window.
 */
import { VaultConnectError } from '../api/errors.ts';
import { PENDING_KEY } from './redirect-keys.ts';

export interface PopupSize {
  width: number;
  height: number;
}

/**
 * `window.open('about:blank', name, …)` sized (default 500×700) and centred on the current browser window.
 * A `null`, already closed or unusable window throws `popup_blocked` (retryable: a fresh click may pass the blocker).
 */
export function openPopup(name: string, size: PopupSize = { width: 500, height: 700 }): Window {
  const { width, height } = size;
  const left = Math.round(screenX + (outerWidth - width) / 2);
  const top = Math.round(screenY + (outerHeight - height) / 2);
  let popup: Window | null = null;
  try {
    // A popup gets a copy of this tab's sessionStorage: never hand it a stale same-tab (redirect) flow.
    sessionStorage.removeItem(PENDING_KEY);
  } catch {
    // Storage disabled: nothing to clear.
  }
  try {
    popup = window.open('about:blank', name, `popup=yes,width=${width},height=${height},left=${left},top=${top}`);
    if (popup && !popup.closed) return popup;
  } catch {
    // Sandboxed iframes and some blockers throw instead of returning null.
  }
  throw new VaultConnectError('popup_blocked', { retryable: true });
}
