import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect, userEvent, waitFor } from 'storybook/test';
import type { VaultConnect } from '../src/index.ts';
import { FIXTURE_CONNECTIONS } from './support/mock-vault.ts';
import {
  actionsOf,
  buttonOf,
  chooseAction,
  elementIn,
  onPage,
  readyElement,
  rowOf,
  shadowOf,
  statusOf,
  visibleRows,
  WAIT,
} from './support/play.ts';
import { baseMeta, eventsOf, mockFor, STORY_CALLBACK_URL, type VaultConnectArgs } from './support/story.ts';

/**
 * Failures, each shown in the element and reported through `vault-connect-error` (see the Actions panel) with its
 * `code`: the list (the Vault API fails, the network fails, the session is refused, the reply is malformed), a row's
 * action, and a popup flow (blocked, closed, timed out, denied). The list failures stay failed on "Try again", except
 * in `RecoversOnRetry`. The VaultRE flow's own failures are in the VaultRE stories.
 */
const meta = {
  ...baseMeta,
  title: 'vault-connect/Error',
} satisfies Meta<VaultConnectArgs>;
export default meta;

type Story = StoryObj<VaultConnectArgs>;

const errorCodes = (element: VaultConnect) => eventsOf(element).errors.map((error) => error.code);

/** The list's error panel (`role="alert"`) is shown, `code` was reported, and "Try again" is offered. */
function listFailure(code: string, retryable: boolean): Story['play'] {
  return async ({ canvasElement }) => {
    const element = elementIn(canvasElement);
    await waitFor(() => expect(shadowOf(element).querySelector('[part="state"][role="alert"]')).not.toBeNull(), WAIT);
    await expect(errorCodes(element)).toEqual([code]);
    await expect(eventsOf(element).errors[0].retryable).toBe(retryable);
    await expect(shadowOf(element).querySelector('[part~="button-retry"]')).not.toBeNull();
    await expect(shadowOf(element).querySelectorAll('[part="connection"]')).toHaveLength(0);
  };
}

/** The Vault API answers 500 with Apideck's error envelope: `api_error`, retryable; Apideck's message is shown. */
export const ServerError: Story = {
  parameters: { mockVault: { mode: 'server-error' } },
  play: async (context) => {
    await listFailure('api_error', true)?.(context);
    await expect(shadowOf(elementIn(context.canvasElement)).querySelector('[role="alert"]')?.textContent).toContain('Unexpected error');
  },
};

/** The request fails at the network level (`fetch` rejects): `network_error`, retryable. */
export const NetworkFailure: Story = {
  parameters: { mockVault: { mode: 'network-error' } },
  play: listFailure('network_error', true),
};

/** The Vault API answers 401 and a `token` cannot be renewed: `session_failed`. */
export const SessionExpired: Story = {
  parameters: { mockVault: { mode: 'unauthorized' } },
  play: listFailure('session_failed', false),
};

/** A 200 whose `data` is not a list of connections: `invalid_response`. */
export const InvalidResponse: Story = {
  parameters: { mockVault: { mode: 'invalid-response' } },
  play: listFailure('invalid_response', false),
};

/** The first request fails at the network level; "Try again" loads the list. */
export const RecoversOnRetry: Story = {
  parameters: { mockVault: { mode: 'network-error', failures: 1 } },
  play: async ({ canvasElement }) => {
    const element = elementIn(canvasElement);
    await waitFor(() => expect(shadowOf(element).querySelector('[part~="button-retry"]')).not.toBeNull(), WAIT);
    await userEvent.click(shadowOf(element).querySelector<HTMLButtonElement>('[part~="button-retry"]')!);
    await waitFor(() => expect(visibleRows(element)).toHaveLength(FIXTURE_CONNECTIONS.length), WAIT);
    await expect(shadowOf(element).querySelector('[role="alert"]')).toBeNull();
  },
};

/** The list loads, but Disable, Enable and Disconnect answer 500: the row shows the error and keeps its state. */
export const RowActionFails: Story = {
  parameters: { mockVault: { failActions: true } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await chooseAction(rowOf(element, 'salesforce'), 'disable');
    await waitFor(() => expect(rowOf(element, 'salesforce').querySelector('[part="row-error"]')).not.toBeNull(), WAIT);
    await expect(statusOf(rowOf(element, 'salesforce'))).toBe('connected');
    await expect(errorCodes(element)).toEqual(['api_error']);
  },
};

/**
 * The page's Content-Security-Policy blocks the Vault modal's frame (a `frame-src` without Vault JS's origin): the
 * element closes it at once, the row says so with the directive and offers "Try again" (`blocked_by_policy`); the
 * developer gets one `console.warn` naming the fix. A frame that never loads ends the same way after 10 s, with
 * `network_error`.
 */
export const ModalBlocked: Story = {
  parameters: { vaultModalFrame: 'blocked' },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await userEvent.click(buttonOf(rowOf(element, 'xero'), 'connect'));
    await waitFor(() => expect(errorCodes(element)).toEqual(['blocked_by_policy']), WAIT);
    await expect(eventsOf(element).errors[0].message).toContain('frame-src');
    await waitFor(() => expect(actionsOf(rowOf(element, 'xero'))).toEqual(['connect', 'retry']), WAIT);
    await expect(rowOf(element, 'xero').querySelector('[part="row-error"]')?.textContent).toContain('Content-Security-Policy');
    await expect(buttonOf(rowOf(element, 'xero'), 'connect').disabled).toBe(false);
  },
};

const popupArgs = { 'open-mode': 'popup', 'callback-url': STORY_CALLBACK_URL } as const;

/**
 * The browser blocks the popup (`window.open` returns `null`): `popup_blocked`, and a "Try again" inside a fresh
 * click; blocked twice, the row also offers to continue in this tab (not clicked here: it would leave Storybook).
 */
export const PopupBlocked: Story = {
  args: popupArgs,
  parameters: { popups: { blocked: 2 } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const row = () => rowOf(element, 'xero');
    await userEvent.click(buttonOf(row(), 'connect'));
    await waitFor(() => expect(errorCodes(element)).toEqual(['popup_blocked']), WAIT);
    await waitFor(() => expect(actionsOf(row())).toContain('retry'), WAIT);
    await userEvent.click(buttonOf(row(), 'retry'));
    await waitFor(() => expect(row().querySelector('[data-same-tab]')).not.toBeNull(), WAIT);
    await expect(errorCodes(element)).toEqual(['popup_blocked', 'popup_blocked']);
  },
};

/**
 * The user closes the popup before finishing: after a short grace period `popup_closed` (retryable) fires, the
 * method's promise settles, and the row says only what is known (under Cross-Origin-Opener-Policy a popup reads closed
 * while the user is still in it) with "Try again". The flow goes on listening: a late result would still connect.
 */
export const PopupClosed: Story = {
  args: popupArgs,
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await userEvent.click(buttonOf(rowOf(element, 'xero'), 'connect'));
    await onPage().findByRole('dialog', { name: 'Hosted Vault (stand-in)' }, WAIT);
    await userEvent.click(onPage().getByRole('button', { name: 'Close window' }));
    await waitFor(() => expect(errorCodes(element)).toEqual(['popup_closed']), WAIT);
    await expect(eventsOf(element).errors[0].retryable).toBe(true);
    await waitFor(() => expect(rowOf(element, 'xero').querySelector('[part="row-error"]')?.textContent).toContain('We lost track of the window'), WAIT);
    await waitFor(() => expect(actionsOf(rowOf(element, 'xero'))).toContain('retry'), WAIT);
    await expect(statusOf(rowOf(element, 'xero'))).toBe('not_connected');
  },
};

/** `flow-timeout="1500"` and a popup that never returns: the element closes it and reports `timeout`. */
export const FlowTimeout: Story = {
  args: { ...popupArgs, 'flow-timeout': 1500 },
  play: async (context) => {
    const element = await readyElement(context.canvasElement);
    await userEvent.click(buttonOf(rowOf(element, 'xero'), 'connect'));
    const popup = await onPage().findByRole('dialog', { name: 'Hosted Vault (stand-in)' }, WAIT);
    await waitFor(() => expect(errorCodes(element)).toEqual(['timeout']), WAIT);
    await expect(popup.isConnected).toBe(false);
    await expect(mockFor(context).popups.calls[0].window?.closed).toBe(true);
  },
};

/** `open-mode="direct"` and the user denies access at the provider: `access_denied`. */
export const AccessDenied: Story = {
  args: { 'open-mode': 'direct', 'callback-url': STORY_CALLBACK_URL },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await userEvent.click(buttonOf(rowOf(element, 'xero'), 'connect'));
    await onPage().findByRole('dialog', { name: 'xero sign-in (stand-in)' }, WAIT);
    await userEvent.click(onPage().getByRole('button', { name: 'Deny' }));
    await waitFor(() => expect(errorCodes(element)).toEqual(['access_denied']), WAIT);
    await expect(statusOf(rowOf(element, 'xero'))).toBe('not_connected');
  },
};
