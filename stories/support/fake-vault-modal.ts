/**
 * A stand-in for `@apideck/vault-js` in stories: a small `<dialog>` that logs every call and lets the viewer play the
 * parts of the real modal that matter to the element: finish an authorization (the connection becomes `callable`),
 * disconnect it, or close. Changes go into the mock Vault API first and the callbacks carry no data the element trusts,
 * as with the real modal: the element re-reads the connection from the (mock) API.
 */
import { html, nothing, render } from 'lit';
import type { VaultModal, VaultModalOptions } from '../../src/internal/actions/vault-modal.ts';
import type { MockVault } from './mock-vault.ts';

export type ModalLog = (name: string, detail?: unknown) => void;

/**
 * How the fake modal's frame fares: `ready` (default) comes up and calls `onReady`; `blocked` is stopped by the page's
 * Content-Security-Policy, as a `frame-src` without Vault JS's origin would (the fake reports the violation the browser
 * would, at once).
 */
export type FakeModalFrame = 'ready' | 'blocked';

/** The options as logged: the session token left out, callbacks named instead of shown. */
function loggable(options: VaultModalOptions): Record<string, unknown> {
  const entries = Object.entries(options).map(([key, value]: [string, unknown]): [string, unknown] => {
    if (typeof value === 'function') return [key, `[${key}]`];
    if (key === 'token') return [key, '[session token]'];
    return [key, value];
  });
  return Object.fromEntries(entries);
}

export function createFakeVaultModal(mock: MockVault, log: ModalLog, frameFate: FakeModalFrame = 'ready'): VaultModal {
  let dialog: HTMLDialogElement | undefined;
  let current: VaultModalOptions | undefined;
  let frame: HTMLIFrameElement | undefined;

  const teardown = () => {
    const options = current;
    current = undefined;
    frame?.remove();
    frame = undefined;
    if (dialog) {
      if (dialog.open) dialog.close();
      dialog.remove();
      dialog = undefined;
    }
    return options;
  };

  const finish = () => {
    const options = teardown();
    log('vaultModal:onClose');
    options?.onClose?.();
  };

  const authorize = () => {
    const options = current;
    if (!options?.unifiedApi || !options.serviceId) return;
    const connection = mock.update(options.unifiedApi, options.serviceId, {
      state: 'callable',
      enabled: true,
      health: 'ok',
      settings: { storybook: 'authorized in the fake modal' },
    });
    log('vaultModal:onConnectionChange', connection);
    options.onConnectionChange?.(connection);
    finish();
  };

  const disconnect = () => {
    const options = current;
    if (!options?.unifiedApi || !options.serviceId) return;
    const connection = mock.reset(options.unifiedApi, options.serviceId);
    log('vaultModal:onConnectionDelete', connection);
    options.onConnectionDelete?.(connection);
    finish();
  };

  return {
    open(options) {
      teardown();
      log('vaultModal.open', loggable(options));
      current = options;
      if (frameFate === 'blocked') {
        // The frame stays empty and the browser reports the policy violation, naming it; onReady never comes.
        frame = document.createElement('iframe');
        frame.src = 'about:blank';
        frame.title = 'Vault (blocked by the page policy)';
        frame.hidden = true;
        document.body.append(frame);
        const violation = new SecurityPolicyViolationEvent('securitypolicyviolation', {
          blockedURI: 'about:blank',
          documentURI: location.href,
          effectiveDirective: 'frame-src',
          violatedDirective: 'frame-src',
          originalPolicy: "frame-src 'self'",
          disposition: 'enforce',
          statusCode: 200,
          bubbles: true,
          composed: true,
        });
        setTimeout(() => document.dispatchEvent(violation), 50);
        return;
      }
      const connection = mock.connections.find(
        (c) => c.unified_api === options.unifiedApi && c.service_id === options.serviceId,
      );
      dialog = document.createElement('dialog');
      dialog.setAttribute('aria-label', 'Fake Vault modal');
      dialog.style.cssText = 'font: 14px system-ui, sans-serif; border-radius: 12px; padding: 20px; max-width: 360px;';
      dialog.addEventListener('cancel', (event) => {
        event.preventDefault();
        finish();
      });
      render(
        html`<h2 style="margin:0 0 8px;font-size:16px">Fake Vault modal</h2>
          <p style="margin:0 0 16px">
            <strong>${connection?.name ?? options.serviceId}</strong> (${options.unifiedApi}) —
            ${connection?.state ?? 'unknown'}. The element re-reads the connection from the mock API after each action.
          </p>
          <div style="display:flex;gap:8px;flex-wrap:wrap">
            <button type="button" @click=${authorize}>Authorize</button>
            ${connection && connection.state !== 'available'
              ? html`<button type="button" @click=${disconnect}>Disconnect</button>`
              : nothing}
            <button type="button" @click=${finish}>Close</button>
          </div>`,
        dialog,
      );
      document.body.append(dialog);
      dialog.showModal();
      log('vaultModal:onReady');
      options.onReady?.();
    },
    close() {
      log('vaultModal.close');
      if (current) finish();
    },
  };
}
