/**
 * The embedded Vault modal. The element talks to it through this small interface so the sandbox and tests can supply
 * their own; the default is `@apideck/vault-js`, imported lazily so it is its own chunk and not in the first load.
 */
export type VaultModalView = 'settings' | 'configurable-resources' | 'custom-mapping';

/** `@apideck/vault-js`'s options. The callbacks are hints: vault-js does not check message origins. */
export interface VaultModalOptions {
  token: string;
  unifiedApi?: string;
  serviceId?: string;
  showAttribution?: boolean;
  showConsumer?: boolean;
  unifyBaseUrl?: string;
  initialView?: VaultModalView;
  locale?: string;
  showLanguageSwitch?: boolean;
  autoStartAuthorization?: boolean;
  showButtonLayout?: boolean;
  onReady?: () => void;
  onClose?: () => void;
  onConnectionChange?: (connection: unknown) => void;
  onConnectionDelete?: (connection: unknown) => void;
}

export interface VaultModal {
  open(options: VaultModalOptions): void;
  close(): void;
}

/** Loads `@apideck/vault-js` on first use. */
export async function loadApideckVault(): Promise<VaultModal> {
  const { ApideckVault } = await import('@apideck/vault-js');
  return ApideckVault as unknown as VaultModal;
}
