import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect, userEvent, waitFor } from 'storybook/test';
import { connectionStatus } from '../src/internal/api/connection-status.ts';
import type { Connection } from '../src/internal/api/schemas.ts';
import type { ConnectionStatus, RowAction } from '../src/internal/api/vocabulary.ts';
import { FIXTURE_CONNECTIONS } from './support/mock-vault.ts';
import {
  actionsOf,
  chooseAction,
  clearText,
  inShadow,
  offeredActions,
  readyElement,
  shadowOf,
  statusOf,
  visibleRows,
  WAIT,
} from './support/play.ts';
import { baseMeta, type VaultConnectArgs } from './support/story.ts';

/**
 * The list as a consumer sees it, from the sandbox's catalogue: every status the element draws (connected, input
 * required, unauthorized, disabled, invalid, needs configuration, not connected, and from `health`: reconnect needed,
 * confirming, expiring, degraded) across five unified APIs. Buttons
 * work against the story's mock Vault API; "Connect", "Settings" and "Reconnect" open a fake Vault modal that logs
 * its calls in the Actions panel.
 */
const meta = {
  ...baseMeta,
  title: 'vault-connect/List',
} satisfies Meta<VaultConnectArgs>;
export default meta;

type Story = StoryObj<VaultConnectArgs>;

/** 29 connections, one or more in every status. */
export const AllStatuses: Story = {
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const rows = visibleRows(element);
    await expect(rows).toHaveLength(FIXTURE_CONNECTIONS.length);
    await expect(new Set(rows.map(statusOf)).size).toBe(11);
    const groups = [...shadowOf(element).querySelectorAll<HTMLElement>('[part="group"]')].map((group) => group.dataset.unifiedApi);
    await expect(groups).toEqual(['crm', 'accounting', 'hris', 'ats', 'file-storage']);
  },
};

const withStatus = (status: ConnectionStatus): Connection[] => FIXTURE_CONNECTIONS.filter((c) => connectionStatus(c) === status);

/**
 * The connections in one status only; every row shows that badge and offers `offers` (`[]`: no action at all).
 * The badge text is the status in the element's locale; `data-status` is the stable hook.
 */
function statusStory(status: ConnectionStatus, offers: readonly RowAction[]): Story {
  return {
    parameters: { mockVault: { connections: withStatus(status) } },
    play: async ({ canvasElement }) => {
      const element = await readyElement(canvasElement);
      const rows = visibleRows(element);
      await expect(rows).toHaveLength(withStatus(status).length);
      for (const row of rows) {
        await expect(statusOf(row)).toBe(status);
        const offered = await offeredActions(row);
        if (offers.length === 0) await expect(offered).toEqual([]);
        for (const action of offers) await expect(offered).toContain(action);
      }
    },
  };
}

/** `state: callable`, enabled: Settings, Disable and Disconnect (and Reconnect for OAuth connectors). */
export const Connected: Story = statusStory('connected', ['settings', 'disable', 'disconnect']);
/** `state: available`: not set up yet, Connect only. */
export const NotConnected: Story = statusStory('not_connected', ['connect']);
/** `enabled: false`: Enable, Settings, Disconnect. */
export const Disabled: Story = statusStory('disabled', ['enable', 'settings', 'disconnect']);
/** The integration itself is not configured by the application's admin: no action, a hint instead. */
export const NeedsConfiguration: Story = statusStory('needs_configuration', []);
/** `state: invalid`: the credentials stopped working; Reconnect where the connector is OAuth. */
export const Invalid: Story = statusStory('invalid', ['settings', 'disconnect']);
/** `state: added`: started but not authorized; Connect again. */
export const Unauthorized: Story = statusStory('unauthorized', ['connect', 'settings', 'disconnect']);
/** `state: authorized`, or `health: missing_settings`: settings are still missing; Settings comes first. */
export const InputRequired: Story = statusStory('input_required', ['settings', 'disable', 'disconnect']);

/** A row's primary action, its first button: the action that puts its status right, where there is one. */
const firstActionOf = (row: HTMLElement) => actionsOf(row)[0];

/**
 * `health: needs_auth`, `revoked` or `needs_consent` on a connection that was authorized: "Reconnect needed", with
 * Reconnect first (Connect for a connector without OAuth, whose key is entered again).
 */
export const NeedsReauth: Story = {
  parameters: { mockVault: { connections: withStatus('needs_reauth') } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const rows = visibleRows(element);
    await expect(rows.map((row) => row.dataset.serviceId).sort()).toEqual(['ashby', 'attio', 'copper']);
    for (const row of rows) {
      await expect(statusOf(row)).toBe('needs_reauth');
      await expect(row.querySelector('[part="badge"]')?.textContent?.trim()).toBe('Reconnect needed');
      await expect(firstActionOf(row)).toBe(row.dataset.serviceId === 'copper' ? 'connect' : 'reconnect');
    }
  },
};

/** `health: pending_confirmation`: "Confirming…"; without a confirm token in hand, the row offers Reconnect. */
export const PendingConfirmation: Story = {
  parameters: { mockVault: { connections: withStatus('pending_confirmation') } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const [row] = visibleRows(element);
    await expect(statusOf(row)).toBe('pending_confirmation');
    await expect(row.querySelector('[part="badge"]')?.textContent?.trim()).toBe('Confirming…');
    await expect(await offeredActions(row)).toEqual(['reconnect', 'disconnect']);
  },
};

/**
 * `health: pending_refresh` with `credentials_expire_at`: refresh keeps failing and the credentials go on that day;
 * the badge says by when to reconnect.
 */
export const Expiring: Story = {
  parameters: { mockVault: { connections: withStatus('expiring') } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const [row] = visibleRows(element);
    await expect(statusOf(row)).toBe('expiring');
    await waitFor(() => expect(row.querySelector('[part="badge"]')?.textContent?.trim()).toMatch(/^Reconnect before \S/), WAIT);
    await expect(firstActionOf(row)).toBe('reconnect');
  },
};

/** `health: degraded`: still connected, but the provider has not answered since `last_downstream_error_at`. */
export const Degraded: Story = {
  parameters: { mockVault: { connections: withStatus('degraded') } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const [row] = visibleRows(element);
    await expect(statusOf(row)).toBe('degraded');
    await expect(row.querySelector('[part="badge"]')?.textContent?.trim()).toBe('Connected');
    await waitFor(() => expect(row.querySelector('.hint')?.textContent).toMatch(/^The provider has not answered since \S/), WAIT);
  },
};

const HEALTH_STATUSES: readonly ConnectionStatus[] = ['needs_reauth', 'pending_confirmation', 'expiring', 'input_required', 'degraded', 'connected'];

/** Every status `health` gives, in `theme="dark"` (the a11y addon checks it, as it checks the light stories above). */
export const HealthDark: Story = {
  args: { theme: 'dark' },
  parameters: {
    frame: { background: '#030712' },
    mockVault: { connections: FIXTURE_CONNECTIONS.filter((c) => HEALTH_STATUSES.includes(connectionStatus(c)) && c.health !== undefined && c.health !== 'ok') },
  },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const statuses = new Set(visibleRows(element).map(statusOf));
    for (const status of HEALTH_STATUSES.filter((s) => s !== 'connected')) await expect(statuses.has(status)).toBe(true);
  },
};

/**
 * A session with `settings.sandbox_mode` and `settings.unified_apis`: the "Sandbox" marker beside the search box, and
 * only those unified APIs, as Apideck's own UI shows them.
 */
export const SandboxSession: Story = {
  parameters: { mockVault: { settings: { sandbox_mode: true, unified_apis: ['crm', 'hris'] } } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await expect(shadowOf(element).querySelector('[part="sandbox-marker"]')?.textContent?.trim()).toBe('Sandbox');
    const groups = [...shadowOf(element).querySelectorAll<HTMLElement>('[part="group"]')].map((group) => group.dataset.unifiedApi);
    await expect(groups).toEqual(['crm', 'hris']);
  },
};

/** `unified-api="crm"`: only that API's connections are requested (`GET /vault/connections?api=crm`). */
export const OneUnifiedApi: Story = {
  args: { 'unified-api': 'crm' },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await expect(visibleRows(element)).toHaveLength(FIXTURE_CONNECTIONS.filter((c) => c.unified_api === 'crm').length);
    const groups = [...shadowOf(element).querySelectorAll<HTMLElement>('[part="group"]')].map((group) => group.dataset.unifiedApi);
    await expect(groups).toEqual(['crm']);
  },
};

/**
 * A session whose `settings.allow_actions` is empty: Disconnect, Reconnect and Disable/Enable are hidden; Connect and
 * Settings stay.
 */
export const RestrictedActions: Story = {
  parameters: { mockVault: { allowActions: [] } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const gated = shadowOf(element).querySelectorAll('[data-action="disconnect"], [data-action="reconnect"], [data-action="disable"], [data-action="enable"]');
    await expect(gated).toHaveLength(0);
    await expect(shadowOf(element).querySelectorAll('[data-action="settings"]').length).toBeGreaterThan(0);
  },
};

/** Slow replies (1.5 s) so the per-row progress ("Opening…", "Disabling…") can be seen: Disable is clicked. */
export const SlowActions: Story = {
  parameters: { mockVault: { latency: 1500 } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const row = () => shadowOf(element).querySelector<HTMLElement>('[data-service-id="salesforce"]');
    await chooseAction(row()!, 'disable');
    await waitFor(() => expect(row()?.getAttribute('aria-busy')).toBe('true'), WAIT);
    await expect(row()?.querySelector('[role="status"]')).not.toBeNull();
    await waitFor(() => expect(row() && statusOf(row()!)).toBe('disabled'), WAIT);
  },
};

function manyConnections(count: number): Connection[] {
  return Array.from({ length: count }, (_, index) => {
    const base = FIXTURE_CONNECTIONS[index % FIXTURE_CONNECTIONS.length];
    const copy = Math.floor(index / FIXTURE_CONNECTIONS.length);
    return copy === 0
      ? base
      : { ...base, id: `${base.unified_api}+${base.service_id}-${copy}`, service_id: `${base.service_id}-${copy}`, name: `${base.name ?? base.service_id} ${copy + 1}` };
  });
}

const LONG_LIST = manyConnections(1000);

/**
 * 1,000 rows, windowed: only the rows near the viewport are in the DOM, the rest are drawn as you scroll; the search box
 * covers every row ("xero 3" leaves Xero 3 and Xero 30–35).
 */
export const LongList: Story = {
  parameters: { mockVault: { connections: LONG_LIST } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const drawn = () => shadowOf(element).querySelectorAll('[part="connection"]').length;
    await waitFor(() => expect(drawn()).toBeGreaterThan(5), WAIT);
    await expect(drawn()).toBeLessThan(200);
    await expect(shadowOf(element).querySelector('[part="connection"]')?.getAttribute('aria-setsize')).not.toBeNull();
    const search = inShadow(element).getByRole('searchbox');
    await userEvent.type(search, 'xero 3');
    const expected = LONG_LIST.filter((c) => (c.name ?? '').toLowerCase().includes('xero 3')).length;
    await waitFor(() => expect(visibleRows(element)).toHaveLength(expected), WAIT);
    await expect(expected).toBe(7);
    await clearText(search);
    await waitFor(() => expect(drawn()).toBeGreaterThan(5), WAIT);
  },
};
