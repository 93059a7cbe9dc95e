import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { expect, waitFor } from 'storybook/test';
import { elementIn, inShadow, shadowOf, WAIT } from './support/play.ts';
import { baseMeta, type VaultConnectArgs } from './support/story.ts';

/** Before the list arrives: skeleton rows while the request is in flight, and the panel shown with no session at all. */
const meta = {
  ...baseMeta,
  title: 'vault-connect/Loading',
} satisfies Meta<VaultConnectArgs>;
export default meta;

type Story = StoryObj<VaultConnectArgs>;

/** `GET /vault/connections` never answers: the skeleton stays (`aria-busy`), the search box is disabled. */
export const Loading: Story = {
  parameters: { mockVault: { mode: 'pending' } },
  play: async ({ canvasElement }) => {
    const element = elementIn(canvasElement);
    await waitFor(() => expect(shadowOf(element).querySelector('ul[aria-busy="true"]')).not.toBeNull(), WAIT);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expect(shadowOf(element).querySelectorAll('[part="connection"]')).toHaveLength(0);
    await expect(inShadow(element).getByRole('searchbox')).toBeDisabled();
  },
};

/** Neither `session-url` nor `token` is set yet: the element waits and requests nothing. */
export const WaitingForSession: Story = {
  render: (args) => html`<vault-connect theme=${args.theme} locale=${args.locale}></vault-connect>`,
  play: async ({ canvasElement }) => {
    const element = elementIn(canvasElement);
    await waitFor(() => expect(shadowOf(element).querySelector('[part="state"]')).not.toBeNull(), WAIT);
    await expect(shadowOf(element).querySelector('ul[aria-busy="true"]')).toBeNull();
    await expect(shadowOf(element).querySelectorAll('[part="connection"]')).toHaveLength(0);
  },
};
