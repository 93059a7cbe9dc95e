import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect, userEvent, waitFor } from 'storybook/test';
import { elementIn, inShadow, readyElement, shadowOf, visibleRows, WAIT } from './support/play.ts';
import { baseMeta, eventsOf, type VaultConnectArgs } from './support/story.ts';

/** Lists with nothing to show. */
const meta = {
  ...baseMeta,
  title: 'vault-connect/Empty',
} satisfies Meta<VaultConnectArgs>;
export default meta;

type Story = StoryObj<VaultConnectArgs>;

/** The "nothing here" panel is shown, with no rows and no error. */
async function expectEmptyPanel(canvasElement: HTMLElement): Promise<void> {
  const element = elementIn(canvasElement);
  await waitFor(() => expect(eventsOf(element).ready).toBe(1), WAIT);
  await waitFor(() => expect(shadowOf(element).querySelector('[part="state"]')).not.toBeNull(), WAIT);
  await expect(shadowOf(element).querySelectorAll('[part="connection"]')).toHaveLength(0);
  await expect(shadowOf(element).querySelector('[role="alert"]')).toBeNull();
}

/** The Vault API answers `data: []`. */
export const Empty: Story = {
  parameters: { mockVault: { connections: [] } },
  play: async ({ canvasElement }) => expectEmptyPanel(canvasElement),
};

/** `unified-api="pos"`: the application has no connectors for that API. */
export const NothingForThisUnifiedApi: Story = {
  args: { 'unified-api': 'pos' },
  play: async ({ canvasElement }) => expectEmptyPanel(canvasElement),
};

/** A search that matches no row: every row and group is hidden and the panel names the search. */
export const NoSearchMatches: Story = {
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await userEvent.type(inShadow(element).getByRole('searchbox'), 'mainframe');
    await waitFor(() => expect(shadowOf(element).querySelector('[part="state"]')?.textContent).toContain('mainframe'), WAIT);
    await expect(visibleRows(element)).toHaveLength(0);
  },
};
