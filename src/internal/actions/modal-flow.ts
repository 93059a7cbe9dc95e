import type { VaultModal } from './vault-modal.ts';

export type ModalHint = 'change' | 'delete';
export type ModalOutcome = 'closed' | 'aborted';

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
}

/**
 * Opens the embedded Vault for one connection and settles when the user closes it, or with `aborted` when the signal
 * fires (which also closes the modal). Hints that arrive after the flow ended are dropped.
 */
export function runModalFlow(options: ModalFlowOptions): Promise<ModalOutcome> {
  const { modal, signal } = options;
  return new Promise<ModalOutcome>((resolve) => {
    if (signal.aborted) {
      resolve('aborted');
      return;
    }
    let settled = false;
    const settle = (outcome: ModalOutcome) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = () => {
      modal.close();
      settle('aborted');
    };
    signal.addEventListener('abort', onAbort, { once: true });
    modal.open({
      token: options.token,
      unifiedApi: options.unifiedApi,
      serviceId: options.serviceId,
      locale: options.locale,
      ...(options.unifyBaseUrl ? { unifyBaseUrl: options.unifyBaseUrl } : {}),
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
