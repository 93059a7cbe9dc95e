// The demo page: points <vault-connect> at the sandbox (or the real Apideck) and logs the element's events.
import '../src/index.ts';
import { createSandboxVaultModal } from '../src/sandbox/browser/sandbox-vault-modal.ts';
import type { DemoConfig } from '../src/sandbox/vite-plugin.ts';

const element = document.querySelector('vault-connect')!;
const log = document.querySelector('#log')!;
const mode = document.querySelector('#mode')!;

for (const name of ['vault-connect-ready', 'vault-connection-change', 'vault-connection-delete', 'vault-connect-error'] as const) {
  element.addEventListener(name, (event) => {
    const item = document.createElement('li');
    const detail = event.detail as Record<string, unknown>;
    const connection = detail.connection as { service_id?: string; state?: string } | undefined;
    const summary = connection
      ? `${connection.service_id} → ${connection.state}`
      : 'connections' in detail
        ? `${(detail.connections as unknown[]).length} connections`
        : JSON.stringify(detail);
    item.textContent = `${name}: ${summary}`;
    log.prepend(item);
  });
}

const config = (await (await fetch('/api/demo-config')).json()) as DemoConfig;
if (config.mode === 'sandbox' && config.unifyBaseUrl && config.vaultJsUrl) {
  element.unifyBaseUrl = config.unifyBaseUrl;
  element.vaultModal = createSandboxVaultModal(config.vaultJsUrl);
  mode.textContent = `Sandbox: emulated Vault API at ${config.unifyBaseUrl}. No account, no network.`;
} else {
  mode.textContent = 'Connected to the real Apideck Vault API.';
}
// Only now: the element starts loading as soon as it has a session source, and must know its API base by then.
element.sessionUrl = '/api/session';
