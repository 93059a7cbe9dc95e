import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { baseMeta, type VaultConnectArgs } from './support/story.ts';

/** Before the list arrives: skeleton rows while the request is in flight, and the panel shown with no session at all. */
const meta = {
  ...baseMeta,
  title: 'vault-connect/Loading',
} satisfies Meta<VaultConnectArgs>;
export default meta;

type Story = StoryObj<VaultConnectArgs>;

/** `GET /vault/connections` never answers: the skeleton stays, the search box is disabled. */
export const Loading: Story = {
  parameters: { mockVault: { mode: 'pending' } },
};

/** Neither `session-url` nor `token` is set yet: the element waits and requests nothing. */
export const WaitingForSession: Story = {
  render: (args) => html`<vault-connect theme=${args.theme} locale=${args.locale}></vault-connect>`,
};
