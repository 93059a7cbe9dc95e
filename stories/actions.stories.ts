import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect, userEvent, waitFor } from 'storybook/test';
import { FIXTURE_CONNECTIONS } from './support/mock-vault.ts';
import {
  buttonOf,
  chooseAction,
  clearText,
  focused,
  inShadow,
  menuOf,
  onPage,
  openDialog,
  press,
  readyElement,
  rowOf,
  shadowOf,
  untilStatus,
  visibleRows,
  WAIT,
} from './support/play.ts';
import { baseMeta, eventsOf, type VaultConnectArgs } from './support/story.ts';

/**
 * The main interactions, each played by the story's `play` function against the mock Vault API (see the Interactions
 * panel): search, the disconnect confirmation, disable/enable, and the whole list by keyboard.
 */
const meta = {
  ...baseMeta,
  title: 'vault-connect/Actions',
} satisfies Meta<VaultConnectArgs>;
export default meta;

type Story = StoryObj<VaultConnectArgs>;

const TWO_ROWS = FIXTURE_CONNECTIONS.filter((c) => c.service_id === 'salesforce' || c.service_id === 'xero');

/** Typing in the search box hides the rows (and groups) that do not match; clearing it shows them all again. */
export const SearchFilters: Story = {
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const search = inShadow(element).getByRole('searchbox');
    await userEvent.type(search, 'hub');
    await waitFor(() => expect(visibleRows(element).map((row) => row.dataset.serviceId)).toEqual(['hubspot']), WAIT);
    const shownGroups = [...shadowOf(element).querySelectorAll<HTMLElement>('[part="group"]')].filter((group) => !group.hidden);
    await expect(shownGroups.map((group) => group.dataset.unifiedApi)).toEqual(['crm']);
    await clearText(search);
    await waitFor(() => expect(visibleRows(element)).toHaveLength(FIXTURE_CONNECTIONS.length), WAIT);
  },
};

/**
 * Disconnect, in the row's More menu, asks first, in a modal dialog inside the element; Cancel closes it, changes
 * nothing, and focus returns to More.
 */
export const DisconnectCancelled: Story = {
  parameters: { mockVault: { connections: TWO_ROWS } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await chooseAction(rowOf(element, 'salesforce'), 'disconnect');
    await waitFor(() => expect(openDialog(element)).not.toBeNull(), WAIT);
    const dialog = openDialog(element)!;
    await expect(dialog.matches(':modal')).toBe(true);
    await expect(inShadow(element).getByRole('dialog')).toBe(dialog);
    await userEvent.click(dialog.querySelector<HTMLButtonElement>('button[value="cancel"]')!);
    await waitFor(() => expect(shadowOf(element).querySelector('dialog')).toBeNull(), WAIT);
    await waitFor(() => expect(focused(element)).toBe(buttonOf(rowOf(element, 'salesforce'), 'more')), WAIT);
    await untilStatus(element, 'salesforce', 'connected');
    await expect(eventsOf(element).deletes).toHaveLength(0);
  },
};

/** Confirming disconnects: the row is listed again as not connected and `vault-connection-delete` fires. */
export const DisconnectConfirmed: Story = {
  parameters: { mockVault: { connections: TWO_ROWS } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await chooseAction(rowOf(element, 'salesforce'), 'disconnect');
    await waitFor(() => expect(openDialog(element)).not.toBeNull(), WAIT);
    await userEvent.click(openDialog(element)!.querySelector<HTMLButtonElement>('button[value="confirm"]')!);
    await untilStatus(element, 'salesforce', 'not_connected');
    await waitFor(() => expect(eventsOf(element).deletes.map((d) => d.connection.service_id)).toEqual(['salesforce']), WAIT);
    await expect(buttonOf(rowOf(element, 'salesforce'), 'connect')).toBeTruthy();
  },
};

/**
 * Disable (in the More menu), then Enable (the disabled row's primary action): the badge follows the Vault API's reply
 * and each change fires `vault-connection-change`.
 */
export const DisableAndEnable: Story = {
  parameters: { mockVault: { connections: TWO_ROWS } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await chooseAction(rowOf(element, 'salesforce'), 'disable');
    await untilStatus(element, 'salesforce', 'disabled');
    await waitFor(() => expect(focused(element)?.closest('[data-service-id]')).toBe(rowOf(element, 'salesforce')), WAIT);
    await userEvent.click(buttonOf(rowOf(element, 'salesforce'), 'enable'));
    await untilStatus(element, 'salesforce', 'connected');
    const changes = eventsOf(element).changes.map((c) => [c.connection.service_id, c.connection.enabled]);
    await expect(changes).toEqual([
      ['salesforce', false],
      ['salesforce', true],
    ]);
  },
};

/**
 * Keyboard only: Tab from the search box to the status filter and a row's buttons (its primary action and More); Enter
 * on More opens its menu, End and Enter choose Disconnect, Escape closes the dialog and focus returns to More; Arrow
 * Down opens the menu again, Space on Disable disables and focus moves to Enable, Enter enables; the Vault modal opened
 * with Enter returns focus to the row when it closes. Under the test harness the keys are real browser input.
 */
export const KeyboardNavigation: Story = {
  parameters: { mockVault: { connections: TWO_ROWS } },
  play: async ({ canvasElement, step }) => {
    const element = await readyElement(canvasElement);
    const salesforce = () => rowOf(element, 'salesforce');
    const search = inShadow(element).getByRole('searchbox');
    const item = (action: string) => menuOf(salesforce())?.querySelector(`[data-action="${action}"]`);

    await step('Tab order: search box, the filter, then the first row’s primary action and More', async () => {
      search.focus();
      await press('Tab');
      await expect((focused(element) as HTMLElement | null)?.dataset.filter).toBe('all');
      await press('Tab');
      await expect(focused(element)).toBe(buttonOf(salesforce(), 'settings'));
      await press('Tab');
      await expect(focused(element)).toBe(buttonOf(salesforce(), 'more'));
    });

    await step('Enter opens the menu; End and Enter open the confirmation; Escape closes it and focus returns to More', async () => {
      await press('Enter');
      await waitFor(() => expect(focused(element)).toBe(item('reconnect')), WAIT);
      await press('End');
      await expect(focused(element)).toBe(item('disconnect'));
      await press('Enter');
      await waitFor(() => expect(openDialog(element)).not.toBeNull(), WAIT);
      const dialog = openDialog(element)!;
      await waitFor(() => expect(dialog.contains(focused(element))).toBe(true), WAIT);
      await press('Tab');
      await expect(dialog.contains(focused(element))).toBe(true);
      await press('Escape');
      await waitFor(() => expect(shadowOf(element).querySelector('dialog')).toBeNull(), WAIT);
      await waitFor(() => expect(focused(element)).toBe(buttonOf(salesforce(), 'more')), WAIT);
      await expect(eventsOf(element).deletes).toHaveLength(0);
    });

    await step('Arrow Down opens the menu; Space on Disable disables; focus moves to Enable; Enter enables', async () => {
      await press('ArrowDown');
      await waitFor(() => expect(focused(element)).toBe(item('reconnect')), WAIT);
      await press('ArrowDown');
      await expect(focused(element)).toBe(item('disable'));
      await press('Space');
      await untilStatus(element, 'salesforce', 'disabled');
      await waitFor(() => expect(focused(element)).toBe(buttonOf(salesforce(), 'enable')), WAIT);
      await press('Enter');
      await untilStatus(element, 'salesforce', 'connected');
      await waitFor(() => expect(focused(element)?.closest('[data-service-id]')).toBe(salesforce()), WAIT);
    });

    await step('Enter on Connect opens the Vault modal; authorizing there returns focus to the row', async () => {
      buttonOf(salesforce(), 'more').focus();
      await press('Tab');
      const connect = buttonOf(rowOf(element, 'xero'), 'connect');
      await expect(focused(element)).toBe(connect);
      await press('Enter');
      const modal = await onPage().findByRole('dialog', { name: 'Fake Vault modal' }, WAIT);
      await waitFor(() => expect(modal.contains(document.activeElement)).toBe(true), WAIT);
      await press('Enter');
      await untilStatus(element, 'xero', 'connected');
      await waitFor(() => expect(focused(element)?.closest('[data-service-id]')).toBe(rowOf(element, 'xero')), WAIT);
    });
  },
};
