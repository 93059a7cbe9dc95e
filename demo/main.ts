// The demo page: points <vault-connect> at the sandbox (or the real Apideck) and logs the element's events.
import '../src/index.ts';
import { OPEN_MODES, type OpenMode } from '../src/internal/api/vocabulary.ts';
import { createSandboxVaultModal } from '../src/sandbox/browser/sandbox-vault-modal.ts';
import type { DemoConfig } from '../src/sandbox/vite-plugin.ts';
import type { DemoVaultEvent } from '../src/sandbox/demo-events.ts';

const element = document.querySelector('vault-connect')!;
const log = document.querySelector('#log')!;
const mode = document.querySelector('#mode')!;
const options = document.querySelector<HTMLFormElement>('#options')!;
const coopOption = document.querySelector<HTMLElement>('#coop-option')!;
const coop = options.elements.namedItem('coop') as HTMLInputElement;
const healthForm = document.querySelector<HTMLFormElement>('#health')!;
const healthResult = document.querySelector<HTMLElement>('#health-result')!;

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

// The open mode: from the page's `?open-mode=` (so it survives the same-tab fallback's return), then the radio group.
const isOpenMode = (value: unknown): value is OpenMode => (OPEN_MODES as readonly unknown[]).includes(value);
const initial = new URLSearchParams(location.search).get('open-mode');
const setOpenMode = (value: OpenMode) => {
  element.openMode = value;
  const radio = options.querySelector<HTMLInputElement>(`input[name="open-mode"][value="${value}"]`);
  if (radio) radio.checked = true;
};
setOpenMode(isOpenMode(initial) ? initial : 'modal');
options.addEventListener('submit', (event) => event.preventDefault());
options.addEventListener('change', (event) => {
  const input = event.target as HTMLInputElement;
  if (input.name !== 'open-mode' || !isOpenMode(input.value)) return;
  element.openMode = input.value;
  const url = new URL(location.href);
  if (input.value === 'modal') url.searchParams.delete('open-mode');
  else url.searchParams.set('open-mode', input.value);
  history.replaceState(history.state, '', url);
});

const config = (await (await fetch('/api/demo-config')).json()) as DemoConfig;
element.callbackUrl = config.callbackUrl;
// The VaultRE row: the sandbox's VaultRE (or the real one with VAULTRE_CLIENT_ID); /api/vaultre builds the authorize URL
// and exchanges the code.
if (config.vaultreExchangeUrl) element.vaultreExchangeUrl = config.vaultreExchangeUrl;
if (config.mode === 'sandbox' && config.unifyBaseUrl && config.vaultJsUrl) {
  element.unifyBaseUrl = config.unifyBaseUrl;
  element.vaultModal = createSandboxVaultModal(config.vaultJsUrl);
  if (config.vaultUrl) element.vaultUrl = config.vaultUrl;
  mode.textContent = `Sandbox: emulated Vault API at ${config.unifyBaseUrl}. No account, no network.`;
  // The sandbox's COOP switch: its pages then sever the popup from this page, as some identity providers do.
  coop.checked = config.coop === true;
  coopOption.hidden = false;
  coop.addEventListener('change', () => {
    const on = coop.checked;
    void fetch(`/api/sandbox/coop?on=${on ? 1 : 0}`, { method: 'POST' })
      .then((response) => (response.ok ? (response.json() as Promise<{ coop: boolean }>) : Promise.reject(new Error(String(response.status)))))
      .then((state) => (coop.checked = state.coop))
      .catch(() => (coop.checked = !on));
  });
  setUpHealthControl();
  // The sandbox's VaultRE emulator revokes the token, as a user can in their VaultRE account; the element's next read
  // of /api/vaultre (whose verifyToken asks the emulator) then says "Reconnect needed".
  const revoke = document.querySelector<HTMLFormElement>('#vaultre-revoke')!;
  revoke.hidden = !config.vaultreExchangeUrl;
  revoke.addEventListener('submit', (event) => {
    event.preventDefault();
    const result = revoke.querySelector('[role="status"]')!;
    void fetch('/api/sandbox/vaultre-revoke', { method: 'POST' })
      .then((response) => (response.ok ? (response.json() as Promise<{ revoked: number }>) : Promise.reject(new Error(String(response.status)))))
      .then(async ({ revoked }) => {
        result.textContent = revoked === 1 ? 'VaultRE revoked 1 token.' : `VaultRE revoked ${revoked} tokens.`;
        await element.refresh();
      })
      .catch((error: unknown) => (result.textContent = `The sandbox did not revoke: ${String(error)}`));
  });
} else {
  mode.textContent = 'Connected to the real Apideck Vault API.';
}
// The live loop: Apideck's webhooks reach the demo server (/api/webhooks), which tells this page (server-sent events);
// the page re-reads the list, so a connection whose token can no longer be refreshed shows "Reconnect needed".
const addLog = (text: string) => {
  const item = document.createElement('li');
  item.textContent = text;
  log.prepend(item);
};
const vaultEvents = new EventSource('/api/events');
vaultEvents.addEventListener('vault', (message) => {
  const event = JSON.parse((message as MessageEvent<string>).data) as DemoVaultEvent;
  addLog(`webhook: ${event.event_type} ${event.service_id ?? '?'} (health ${event.health ?? '?'})`);
  void element.refresh().then(() => addLog(`list re-read after ${event.event_type}`));
});

// The sandbox's refresh-failure control, for the callable OAuth connections of the list.
const refreshFailure = document.querySelector<HTMLFormElement>('#refresh-failure')!;
const refreshFailureStatus = document.querySelector<HTMLElement>('#refresh-failure-status')!;
const refreshTarget = refreshFailure.elements.namedItem('connection') as HTMLSelectElement;
if (config.mode === 'sandbox') {
  element.addEventListener('vault-connect-ready', (event) => {
    const choices = event.detail.connections.filter((connection) => connection.auth_type === 'oauth2' && connection.state === 'callable');
    refreshTarget.replaceChildren(
      ...choices.map((connection) => new Option(connection.name, `${connection.unified_api}/${connection.service_id}`)),
    );
    refreshFailure.hidden = choices.length === 0;
  });
  refreshFailure.addEventListener('submit', (event) => {
    event.preventDefault();
    const [unifiedApi, serviceId] = refreshTarget.value.split('/');
    const query = new URLSearchParams({ unified_api: unifiedApi ?? '', service_id: serviceId ?? '' });
    refreshFailureStatus.textContent = 'Failing the refresh…';
    void fetch(`/api/sandbox/refresh-failure?${query.toString()}`, { method: 'POST' })
      .then(async (response) => {
        const reply = (await response.json()) as { health?: string; message?: string };
        refreshFailureStatus.textContent = response.ok ? `Refresh failed: health is now ${reply.health ?? '?'}; waiting for the webhook…` : (reply.message ?? `HTTP ${response.status}`);
      })
      .catch(() => (refreshFailureStatus.textContent = 'The demo server could not be reached.'));
  });
}

/**
 * The sandbox's health control: puts a connection that was authorized in any health state (through
 * `POST /api/sandbox/health`), then reloads the list, so every status the element draws can be seen. The element also
 * re-reads the list by itself when the page comes back after a minute hidden (or the window after 30 s away).
 */
function setUpHealthControl(): void {
  type Listed = { service_id: string; unified_api: string; name?: string; state?: string };
  const connections = new Map<string, Listed>();
  const select = healthForm.elements.namedItem('connection') as HTMLSelectElement;
  const fill = () => {
    const chosen = select.value;
    const authorized = [...connections.values()].filter((c) => c.state === 'callable' || c.state === 'authorized');
    select.replaceChildren(
      ...authorized.map((c) => new Option(`${c.name ?? c.service_id} (${c.unified_api})`, `${c.unified_api}/${c.service_id}`)),
    );
    if (authorized.some((c) => `${c.unified_api}/${c.service_id}` === chosen)) select.value = chosen;
  };
  const remember = (list: readonly Listed[]) => {
    for (const c of list) connections.set(`${c.unified_api}/${c.service_id}`, c);
    fill();
  };
  element.addEventListener('vault-connect-ready', (event) => remember(event.detail.connections));
  element.addEventListener('vault-connection-change', (event) => remember([event.detail.connection]));
  element.addEventListener('vault-connection-delete', (event) => remember([event.detail.connection]));
  healthForm.hidden = false;
  healthForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const [unifiedApi, serviceId] = select.value.split('/');
    const [health, variant] = (healthForm.elements.namedItem('health') as HTMLSelectElement).value.split(':');
    if (!unifiedApi || !serviceId) return;
    healthResult.textContent = 'Applying…';
    void fetch('/api/sandbox/health', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ unified_api: unifiedApi, service_id: serviceId, health, retention: variant !== 'no-retention' }),
    })
      .then(async (response) => {
        const body = (await response.json()) as { message?: string };
        if (!response.ok) throw new Error(body.message ?? String(response.status));
        healthResult.textContent = `${serviceId} is now ${health}${variant ? ' (no retention window)' : ''}.`;
        await element.refresh();
      })
      .catch((error: unknown) => {
        healthResult.textContent = `Not applied: ${error instanceof Error ? error.message : String(error)}`;
      });
  });
}
// Only now: the element starts loading as soon as it has a session source, and must know its API base by then.
element.sessionUrl = '/api/session';
