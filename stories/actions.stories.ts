import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect, userEvent, waitFor } from 'storybook/test';
import { FIXTURE_CONNECTIONS } from './support/mock-vault.ts';
import {
  buttonOf,
  clearText,
  focused,
  inShadow,
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

/** Disconnect asks first, in a modal dialog inside the element; Cancel closes it, changes nothing, and focus returns. */
export const DisconnectCancelled: Story = {
  parameters: { mockVault: { connections: TWO_ROWS } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const disconnect = buttonOf(rowOf(element, 'salesforce'), 'disconnect');
    await userEvent.click(disconnect);
    await waitFor(() => expect(openDialog(element)).not.toBeNull(), WAIT);
    const dialog = openDialog(element)!;
    await expect(dialog.matches(':modal')).toBe(true);
    await expect(inShadow(element).getByRole('dialog')).toBe(dialog);
    await userEvent.click(dialog.querySelector<HTMLButtonElement>('button[value="cancel"]')!);
    await waitFor(() => expect(shadowOf(element).querySelector('dialog')).toBeNull(), WAIT);
    await waitFor(() => expect(focused(element)).toBe(buttonOf(rowOf(element, 'salesforce'), 'disconnect')), WAIT);
    await untilStatus(element, 'salesforce', 'connected');
    await expect(eventsOf(element).deletes).toHaveLength(0);
  },
};

/** Confirming disconnects: the row is listed again as not connected and `vault-connection-delete` fires. */
export const DisconnectConfirmed: Story = {
  parameters: { mockVault: { connections: TWO_ROWS } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await userEvent.click(buttonOf(rowOf(element, 'salesforce'), 'disconnect'));
    await waitFor(() => expect(openDialog(element)).not.toBeNull(), WAIT);
    await userEvent.click(openDialog(element)!.querySelector<HTMLButtonElement>('button[value="confirm"]')!);
    await untilStatus(element, 'salesforce', 'not_connected');
    await waitFor(() => expect(eventsOf(element).deletes.map((d) => d.connection.service_id)).toEqual(['salesforce']), WAIT);
    await expect(buttonOf(rowOf(element, 'salesforce'), 'connect')).toBeTruthy();
  },
};

/** Disable, then Enable: the badge follows the Vault API's reply and each change fires `vault-connection-change`. */
export const DisableAndEnable: Story = {
  parameters: { mockVault: { connections: TWO_ROWS } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await userEvent.click(buttonOf(rowOf(element, 'salesforce'), 'disable'));
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
 * Keyboard only: Tab from the search box through a row's buttons, Enter opens the disconnect dialog, Escape closes it
 * and focus returns to Disconnect; Space disables, Enter enables, and the Vault modal opened with Enter returns focus
 * to the row when it closes. Under the test harness the keys are real browser input.
 */
export const KeyboardNavigation: Story = {
  parameters: { mockVault: { connections: TWO_ROWS } },
  play: async ({ canvasElement, step }) => {
    const element = await readyElement(canvasElement);
    const salesforce = () => rowOf(element, 'salesforce');
    const search = inShadow(element).getByRole('searchbox');

    await step('Tab order: search box, then the first row’s buttons in order', async () => {
      search.focus();
      await press('Tab');
      await expect(focused(element)).toBe(buttonOf(salesforce(), 'settings'));
      await press('Tab');
      await expect(focused(element)).toBe(buttonOf(salesforce(), 'reconnect'));
      await press('Tab');
      await expect(focused(element)).toBe(buttonOf(salesforce(), 'disable'));
      await press('Tab');
      await expect(focused(element)).toBe(buttonOf(salesforce(), 'disconnect'));
    });

    await step('Enter opens the confirmation; focus is inside it; Escape closes it and focus returns', async () => {
      await press('Enter');
      await waitFor(() => expect(openDialog(element)).not.toBeNull(), WAIT);
      const dialog = openDialog(element)!;
      await waitFor(() => expect(dialog.contains(focused(element))).toBe(true), WAIT);
      await press('Tab');
      await expect(dialog.contains(focused(element))).toBe(true);
      await press('Escape');
      await waitFor(() => expect(shadowOf(element).querySelector('dialog')).toBeNull(), WAIT);
      await waitFor(() => expect(focused(element)).toBe(buttonOf(salesforce(), 'disconnect')), WAIT);
      await expect(eventsOf(element).deletes).toHaveLength(0);
    });

    await step('Space on Disable disables; focus stays in the row; Enter on Enable enables', async () => {
      await press('Shift+Tab');
      await expect(focused(element)).toBe(buttonOf(salesforce(), 'disable'));
      await press('Space');
      await untilStatus(element, 'salesforce', 'disabled');
      await waitFor(() => expect(focused(element)).toBe(buttonOf(salesforce(), 'enable')), WAIT);
      await press('Enter');
      await untilStatus(element, 'salesforce', 'connected');
      await waitFor(() => expect(focused(element)?.closest('[data-service-id]')).toBe(salesforce()), WAIT);
    });

    await step('Enter on Connect opens the Vault modal; authorizing there returns focus to the row', async () => {
      buttonOf(salesforce(), 'disconnect').focus();
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
