import { VaultConnectError } from '../api/errors.ts';
import type { VaultModal } from './vault-modal.ts';

export type ModalHint = 'change' | 'delete';
export type ModalOutcome = 'closed' | 'aborted';

/** How long a modal has to call `onReady` before the flow gives up on it (`network_error`). */
export const MODAL_READY_TIMEOUT_MS = 10_000;

export interface ModalFlowOptions {
  modal: VaultModal;
  token: string;
  unifiedApi: string;
  serviceId: string;
  locale: string;
  unifyBaseUrl?: string | undefined;
  signal: AbortSignal;
  /** Called for Vault JS's change/delete callbacks. They carry no trusted data: the caller re-reads from the API. */
  onHint: (hint: ModalHint) => void;
  /** Called once the modal's UI is up (its `onReady`). */
  onReady?: () => void;
}

/** The directives under which a page's Content-Security-Policy blocks a frame. */
const FRAME_DIRECTIVES = new Set(['frame-src', 'child-src', 'default-src']);

function originOf(url: string): string | undefined {
  try {
    return new URL(url, location.href).origin;
  } catch {
    return undefined;
  }
}

/**
 * Whether a violation is the modal's frame being blocked: a frame directive, for the origin of a frame in the page
 * (the modal appends its own to `document.body`, as `@apideck/vault-js` does).
 */
function blocksAFrame(event: SecurityPolicyViolationEvent): boolean {
  const blocked = originOf(event.blockedURI);
  return (
    FRAME_DIRECTIVES.has(event.effectiveDirective) &&
    blocked !== undefined &&
    [...document.querySelectorAll('iframe')].some((frame) => originOf(frame.src) === blocked)
  );
}

/**
 * Opens the embedded Vault for one connection and settles when the user closes it, or with `aborted` when the signal
 * fires (which also closes the modal). Hints that arrive after the flow ended are dropped. A modal that does not call
 * `onReady` within `MODAL_READY_TIMEOUT_MS` is closed and the flow rejects `network_error`; one whose frame the page's
 * Content-Security-Policy blocks, `blocked_by_policy` with the directive and origin as its detail, at once.
 */
export function runModalFlow(options: ModalFlowOptions): Promise<ModalOutcome> {
  const { modal, signal } = options;
  return new Promise<ModalOutcome>((resolve, reject) => {
    if (signal.aborted) {
      resolve('aborted');
      return;
    }
    let settled = false;
    let readyTimer: ReturnType<typeof setTimeout> | undefined;
    const stopWaiting = () => {
      clearTimeout(readyTimer);
      document.removeEventListener('securitypolicyviolation', onViolation);
    };
    const settle = (outcome: ModalOutcome | VaultConnectError) => {
      if (settled) return;
      settled = true;
      stopWaiting();
      signal.removeEventListener('abort', onAbort);
      if (outcome instanceof VaultConnectError) reject(outcome);
      else resolve(outcome);
    };
    // Settled before the modal is closed: a modal may call `onClose` from `close()`, which must not win.
    const giveUp = (error: VaultConnectError) => {
      if (settled) return;
      settle(error);
      modal.close();
    };
    const onAbort = () => {
      settle('aborted');
      modal.close();
    };
    const onViolation = (event: SecurityPolicyViolationEvent) => {
      if (!blocksAFrame(event)) return;
      const detail = `${event.effectiveDirective} ${originOf(event.blockedURI) ?? ''}`.trim();
      giveUp(new VaultConnectError('blocked_by_policy', { detail }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    document.addEventListener('securitypolicyviolation', onViolation);
    readyTimer = setTimeout(() => giveUp(new VaultConnectError('network_error', { retryable: true })), MODAL_READY_TIMEOUT_MS);
    modal.open({
      token: options.token,
      unifiedApi: options.unifiedApi,
      serviceId: options.serviceId,
      locale: options.locale,
      ...(options.unifyBaseUrl ? { unifyBaseUrl: options.unifyBaseUrl } : {}),
      onReady: () => {
        if (settled || readyTimer === undefined) return;
        stopWaiting();
        readyTimer = undefined;
        options.onReady?.();
      },
      onClose: () => settle('closed'),
      onConnectionChange: () => {
        if (!settled) options.onHint('change');
      },
      onConnectionDelete: () => {
        if (!settled) options.onHint('delete');
      },
    });
  });
}
