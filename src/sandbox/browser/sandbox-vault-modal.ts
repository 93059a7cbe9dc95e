/**
 * A `VaultModal` for the sandbox: the same postMessage protocol as `@apideck/vault-js` (`'on-ready'`, the options
 * message, `{type: 'on-connection-change' | 'on-connection-delete', data}`, `'on-close'`, `{type: 'close'}`), pointed
 * at the sandbox's Vault JS emulator instead of `https://vaultjs.apideck.com` (which vault-js hard-codes). Unlike
 * vault-js it accepts messages only from that origin and that iframe.
 */
import * as z from 'zod/mini';
import type { VaultModal, VaultModalOptions } from '../../internal/actions/vault-modal.ts';

const HintSchema = z.object({
  type: z.enum(['on-connection-change', 'on-connection-delete']),
  data: z.looseObject({}),
});

export function createSandboxVaultModal(vaultJsUrl: string): VaultModal {
  const origin = new URL(vaultJsUrl).origin;
  let frame: HTMLIFrameElement | null = null;
  let stop: (() => void) | null = null;

  const remove = () => {
    stop?.();
    stop = null;
    frame?.remove();
    frame = null;
  };

  return {
    open(options: VaultModalOptions) {
      remove();
      const { onReady, onClose, onConnectionChange, onConnectionDelete, ...message } = options;
      const iframe = document.createElement('iframe');
      iframe.src = vaultJsUrl;
      iframe.title = 'Vault';
      iframe.style.cssText = 'position:fixed;inset:0;width:100%;height:100%;border:0;z-index:9999;display:none';
      frame = iframe;
      const onMessage = (event: MessageEvent) => {
        if (event.origin !== origin || event.source !== iframe.contentWindow) return;
        if (event.data === 'on-ready') {
          iframe.style.display = 'block';
          iframe.contentWindow?.postMessage(message, origin);
          onReady?.();
        } else if (event.data === 'on-close') {
          remove();
          onClose?.();
        } else {
          const hint = HintSchema.safeParse(event.data);
          if (!hint.success) return;
          if (hint.data.type === 'on-connection-change') onConnectionChange?.(hint.data.data);
          else onConnectionDelete?.(hint.data.data);
        }
      };
      window.addEventListener('message', onMessage);
      stop = () => window.removeEventListener('message', onMessage);
      document.body.append(iframe);
    },
    close() {
      frame?.contentWindow?.postMessage({ type: 'close' }, origin);
      // The page answers 'on-close'; if it does not within half a second, take the frame down anyway.
      const current = frame;
      setTimeout(() => {
        if (frame === current) remove();
      }, 500);
    },
  };
}
