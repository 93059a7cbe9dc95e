import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect, userEvent, waitFor } from 'storybook/test';
import { connectionStatus } from '../src/internal/api/connection-status.ts';
import { STATUS_GROUPS } from '../src/internal/api/status-groups.ts';
import { FIXTURE_CONNECTIONS } from './support/mock-vault.ts';
import {
  actionsOf,
  buttonOf,
  chooseAction,
  inShadow,
  menuOf,
  openMenu,
  readyElement,
  rowOf,
  shadowOf,
  statusOf,
  visibleRows,
  WAIT,
} from './support/play.ts';
import { baseMeta, type VaultConnectArgs } from './support/story.ts';

/**
 * Calm rows: one primary action per row (chosen by its status) and a More menu with the others, the status filter
 * above the list, tag lines shown whole on hover or focus, and `window-mode`. Each story's `play` checks the state it
 * shows; the a11y addon checks it with axe.
 */
const meta = {
  ...baseMeta,
  title: 'vault-connect/Rows',
} satisfies Meta<VaultConnectArgs>;
export default meta;

type Story = StoryObj<VaultConnectArgs>;

const filterOf = (element: HTMLElement & { shadowRoot: ShadowRoot | null }) => element.shadowRoot!.querySelector<HTMLElement>('[part="filter"]')!;
const option = (element: HTMLElement & { shadowRoot: ShadowRoot | null }, group: string) =>
  filterOf(element).querySelector<HTMLButtonElement>(`[data-filter="${group}"]`)!;
const inGroup = (group: string) => FIXTURE_CONNECTIONS.filter((c) => STATUS_GROUPS[connectionStatus(c)] === group);

/** A connected row's More menu, open: Reconnect, Disable, Disconnect, as `role="menuitem"` with their `data-action`. */
export const MoreMenuOpen: Story = {
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const row = rowOf(element, 'salesforce');
    await expect(actionsOf(row)).toEqual(['settings', 'more']);
    const items = await openMenu(row);
    await expect(items.map((item) => [item.getAttribute('role'), item.dataset.action])).toEqual([
      ['menuitem', 'reconnect'],
      ['menuitem', 'disable'],
      ['menuitem', 'disconnect'],
    ]);
    await expect(buttonOf(row, 'more').getAttribute('aria-expanded')).toBe('true');
    await expect(menuOf(row)!.matches(':popover-open')).toBe(true);
  },
};

/** A busy row (Disable on its way): its buttons wait, More included, and it says what it does. */
export const BusyRow: Story = {
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const row = rowOf(element, 'salesforce');
    await chooseAction(row, 'disable');
    await waitFor(() => expect(row.getAttribute('aria-busy')).toBe('true'), WAIT);
    await expect(buttonOf(row, 'more').disabled).toBe(true);
    await expect(row.querySelector('.progress')?.textContent?.trim()).toBe('Disabling…');
    await waitFor(() => expect(statusOf(rowOf(element, 'salesforce'))).toBe('disabled'), WAIT);
  },
};

/** The status filter on "Needs attention": only the rows whose status asks the user to act, with the counts. */
export const FilterNeedsAttention: Story = {
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await expect(filterOf(element).getAttribute('role')).toBe('radiogroup');
    await userEvent.click(option(element, 'attention'));
    await waitFor(() => expect(option(element, 'attention').getAttribute('aria-checked')).toBe('true'), WAIT);
    const shown = visibleRows(element).map((row) => row.dataset.serviceId).sort();
    await expect(shown).toEqual(inGroup('attention').map((c) => c.service_id).sort());
    await expect(option(element, 'attention').querySelector('.count')?.textContent).toBe(String(inGroup('attention').length));
  },
};

/** Search and filter combine: "Not connected" and a search; the counts are of the rows the search matches. */
export const FilterWithSearch: Story = {
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await userEvent.type(inShadow(element).getByRole('searchbox'), 'o');
    await userEvent.click(option(element, 'not_connected'));
    await waitFor(() => expect(option(element, 'not_connected').getAttribute('aria-checked')).toBe('true'), WAIT);
    for (const row of visibleRows(element)) {
      await expect(row.querySelector('[part="name"]')?.textContent?.toLowerCase()).toContain('o');
      await expect(STATUS_GROUPS[statusOf(row) as keyof typeof STATUS_GROUPS]).toBe('not_connected');
    }
  },
};

/** An option that holds no row says so under the filter. */
export const FilterEmptyOption: Story = {
  parameters: { mockVault: { connections: inGroup('connected') } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await userEvent.click(option(element, 'attention'));
    await waitFor(() => expect(shadowOf(element).querySelector('[part="state"]')?.textContent).toContain('No integrations under “Needs attention”.'), WAIT);
    await expect(visibleRows(element)).toHaveLength(0);
  },
};

/** Focus in a row shows its tag line whole, wrapped, over the row below: the rows do not move. */
export const TagLineInFull: Story = {
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const row = rowOf(element, 'salesforce');
    const next = row.nextElementSibling as HTMLElement;
    const before = [row.getBoundingClientRect().height, next.getBoundingClientRect().top];
    buttonOf(row, 'settings').focus();
    const tagLine = row.querySelector<HTMLElement>('[part="tag-line"]')!;
    await waitFor(() => expect(getComputedStyle(tagLine).whiteSpace).toBe('normal'), WAIT);
    await expect(tagLine.scrollWidth).toBeLessThanOrEqual(tagLine.clientWidth + 1);
    await expect([row.getBoundingClientRect().height, next.getBoundingClientRect().top]).toEqual(before);
  },
};

/** `window-mode="same-tab"`: popup flows run in this tab. The embedded Vault modal (the default) is unaffected. */
export const WindowModeSameTab: Story = {
  args: { 'window-mode': 'same-tab' },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await expect(element.windowMode).toBe('same-tab');
    await expect(actionsOf(rowOf(element, 'xero'))).toEqual(['connect']);
  },
};
