import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { baseMeta, readyElement, type VaultConnectArgs } from './support/story.ts';

/** Lists with nothing to show. */
const meta = {
  ...baseMeta,
  title: 'vault-connect/Empty',
} satisfies Meta<VaultConnectArgs>;
export default meta;

type Story = StoryObj<VaultConnectArgs>;

/** The Vault API answers `data: []`. */
export const Empty: Story = {
  parameters: { mockVault: { connections: [] } },
};

/** `unified-api="pos"`: the application has no connectors for that API. */
export const NothingForThisUnifiedApi: Story = {
  args: { 'unified-api': 'pos' },
};

/** A search that matches no row (typed by the story's `play` function). */
export const NoSearchMatches: Story = {
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const input = element.shadowRoot?.querySelector<HTMLInputElement>('input[type="search"]');
    if (!input) throw new Error('No search box');
    input.value = 'mainframe';
    input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    await element.updateComplete;
  },
};
