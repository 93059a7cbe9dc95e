import type { Meta, StoryObj } from '@storybook/web-components-vite';
import type { Connection } from '../src/api/schemas.ts';
import { FIXTURE_CONNECTIONS } from './support/mock-vault.ts';
import { baseMeta, type VaultConnectArgs } from './support/story.ts';

/**
 * The list as a consumer sees it, from the sandbox's catalogue: every status the element draws (connected, input
 * required, unauthorized, disabled, invalid, needs configuration, not connected) across five unified APIs. Buttons
 * work against the story's mock Vault API; "Connect", "Settings" and "Reconnect" open a fake Vault modal that logs
 * its calls in the Actions panel.
 */
const meta = {
  ...baseMeta,
  title: 'vault-connect/List',
} satisfies Meta<VaultConnectArgs>;
export default meta;

type Story = StoryObj<VaultConnectArgs>;

/** 22 connections, one or more in every status. */
export const AllStatuses: Story = {};

/** `unified-api="crm"`: only that API's connections are requested (`GET /vault/connections?api=crm`). */
export const OneUnifiedApi: Story = {
  args: { 'unified-api': 'crm' },
};

/**
 * A session whose `settings.allow_actions` is empty: Disconnect, Reconnect and Disable/Enable are hidden; Connect and
 * Settings stay.
 */
export const RestrictedActions: Story = {
  parameters: { mockVault: { allowActions: [] } },
};

/** Slow replies (1.5 s) so the per-row progress ("Opening…", "Disabling…") can be seen. */
export const SlowActions: Story = {
  parameters: { mockVault: { latency: 1500 } },
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

/** 500 rows, to try the search box on a long list. */
export const ManyConnections: Story = {
  parameters: { mockVault: { connections: manyConnections(500) } },
};
