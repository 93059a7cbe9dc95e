import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { baseMeta, type VaultConnectArgs } from './support/story.ts';

/**
 * Failures, each shown in the element and reported through `vault-connect-error` (see the Actions panel). The list
 * failures stay failed on "Try again", except in `RecoversOnRetry`.
 */
const meta = {
  ...baseMeta,
  title: 'vault-connect/Error',
} satisfies Meta<VaultConnectArgs>;
export default meta;

type Story = StoryObj<VaultConnectArgs>;

/** The Vault API answers 500 with Apideck's error envelope: `api_error`, retryable. */
export const ServerError: Story = {
  parameters: { mockVault: { mode: 'server-error' } },
};

/** The request fails at the network level (`fetch` rejects): `network_error`, retryable. */
export const NetworkFailure: Story = {
  parameters: { mockVault: { mode: 'network-error' } },
};

/** The Vault API answers 401 and a `token` cannot be renewed: `session_failed`. */
export const SessionExpired: Story = {
  parameters: { mockVault: { mode: 'unauthorized' } },
};

/** A 200 whose `data` is not a list of connections: `invalid_response`. */
export const InvalidResponse: Story = {
  parameters: { mockVault: { mode: 'invalid-response' } },
};

/** The first request fails at the network level; "Try again" loads the list. */
export const RecoversOnRetry: Story = {
  parameters: { mockVault: { mode: 'network-error', failures: 1 } },
};

/** The list loads, but Disable, Enable and Disconnect answer 500: the row shows the error and keeps its state. */
export const RowActionFails: Story = {
  parameters: { mockVault: { failActions: true } },
};
