/**
 * The public entry: defines `<vault-connect>` (once, even when two copies of the package are loaded) and re-exports
 * the public types. Nothing here touches `window` or `document` when `customElements` is absent (server rendering).
 */
import { VaultConnect } from './vault-connect.ts';

export { VaultConnect };
export * from './events/index.ts';
export { VaultreConnectEvent } from './events/vaultre-connect.ts';
export { VaultConnectError } from './internal/api/errors.ts';
export type { Connection } from './internal/api/schemas.ts';
export type { VaultModal, VaultModalOptions } from './internal/actions/vault-modal.ts';
export type { DeepPartial, StringOverrides } from './i18n/localize.ts';
export type { Strings } from './i18n/en.ts';
export type { VaultreStrings } from './i18n/vaultre-en.ts';
export type {
  ConnectionStatus,
  ErrorCode,
  Locale,
  OpenMode,
  RowAction,
  Theme,
  WindowMode,
} from './internal/api/vocabulary.ts';

if (typeof customElements !== 'undefined' && !customElements.get('vault-connect')) {
  customElements.define('vault-connect', VaultConnect);
}

declare global {
  interface HTMLElementTagNameMap {
    'vault-connect': VaultConnect;
  }
}
