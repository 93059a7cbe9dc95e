import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect, userEvent, waitFor } from 'storybook/test';
import { buttonOf, onPage, readyElement, rowOf, untilStatus, WAIT } from './support/play.ts';
import { baseMeta, eventsOf, mockFor, STORY_CALLBACK_URL, type VaultConnectArgs } from './support/story.ts';

/**
 * The three ways `open-mode` opens an Apideck connection, each played by clicking Connect on Xero (not connected,
 * OAuth): the embedded Vault modal (a fake one here), Hosted Vault in a popup, or the connection's `authorize_url` in a
 * popup. No real window opens in Storybook: `window.open` returns a stand-in window drawn on the page, which plays the
 * page it was sent to and hands the result back as the callback page would.
 */
const meta = {
  ...baseMeta,
  title: 'vault-connect/Open mode',
} satisfies Meta<VaultConnectArgs>;
export default meta;

type Story = StoryObj<VaultConnectArgs>;

/** `open-mode="modal"` (the default): `vaultModal.open()` with the session; the row is re-read when it reports back. */
export const Modal: Story = {
  args: { 'open-mode': 'modal' },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await userEvent.click(buttonOf(rowOf(element, 'xero'), 'connect'));
    const modal = await onPage().findByRole('dialog', { name: 'Fake Vault modal' }, WAIT);
    await userEvent.click(modal.querySelector('button')!);
    await untilStatus(element, 'xero', 'connected');
    await expect(eventsOf(element).changes.map((c) => c.connection.service_id)).toContain('xero');
  },
};

/**
 * `open-mode="popup"` with a `callback-url`: Hosted Vault (`{vault-url}/integrations/accounting/xero?jwt=…`) in a
 * popup. Its return carries only `authorizedConnection=xero`; the element re-reads the connection from the API.
 */
export const Popup: Story = {
  args: { 'open-mode': 'popup', 'callback-url': STORY_CALLBACK_URL },
  play: async (context) => {
    const element = await readyElement(context.canvasElement);
    await userEvent.click(buttonOf(rowOf(element, 'xero'), 'connect'));
    const popup = await onPage().findByRole('dialog', { name: 'Hosted Vault (stand-in)' }, WAIT);
    await expect(popup.textContent).toContain('vault.storybook.invalid/integrations/accounting/xero');
    // The session token travels in the URL to Hosted Vault, but the stand-in never shows it.
    await expect(popup.textContent).not.toContain(mockFor(context).mock.token);
    await userEvent.click(onPage().getByRole('button', { name: 'Authorize' }));
    await untilStatus(element, 'xero', 'connected');
    await waitFor(() => expect(popup.isConnected).toBe(false), WAIT);
    await expect(mockFor(context).popups.calls).toHaveLength(1);
  },
};

/**
 * `open-mode="direct"` with a `callback-url`: the connection's own `authorize_url` in a popup, with our `redirect_uri`
 * and a fresh `nonce`; the return must carry that nonce.
 */
export const Direct: Story = {
  args: { 'open-mode': 'direct', 'callback-url': STORY_CALLBACK_URL },
  play: async (context) => {
    const element = await readyElement(context.canvasElement);
    await userEvent.click(buttonOf(rowOf(element, 'xero'), 'connect'));
    const popup = await onPage().findByRole('dialog', { name: 'xero sign-in (stand-in)' }, WAIT);
    const address = new URL(popup.firstElementChild?.textContent?.trim() ?? '');
    await expect(address.origin).toBe(mockFor(context).mock.origin);
    await expect(address.searchParams.get('redirect_uri')).toBe(new URL(STORY_CALLBACK_URL, location.href).href);
    await expect(address.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await userEvent.click(onPage().getByRole('button', { name: 'Approve' }));
    await untilStatus(element, 'xero', 'connected');
  },
};
