import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect, userEvent, waitFor } from 'storybook/test';
import type { VaultConnect } from '../src/index.ts';
import { CONNECTED_AT, STORY_VAULTRE_CLIENT_ID, storyCallbackUrl } from './support/mock-vaultre-host.ts';
import {
  actionsOf,
  announcement,
  buttonOf,
  chooseAction,
  focused,
  offeredActions,
  onPage,
  openDialog,
  rowOf,
  shadowOf,
  statusOf,
  WAIT,
} from './support/play.ts';
import { baseMeta, eventsOf, mockFor, renderVaultConnect, STORY_VAULTRE, type VaultConnectArgs } from './support/story.ts';

/**
 * The VaultRE row (shown when `vaultre-exchange-url` is set), here on a page that uses VaultRE only, in each state of
 * its flow: the host builds the authorize URL (`POST {action: "authorize"}`), the authorize page opens in a popup (a
 * stand-in window here: Approve or Deny), the callback page in that window posts the code to the host's
 * `vaultre-exchange-url` (a mock endpoint per story: authorize, `GET` status, `POST` exchange, `DELETE` forget) and
 * relays only the outcome. The code never reaches the element, the page's DOM or the Actions log.
 */
const meta = {
  ...baseMeta,
  title: 'vault-connect/VaultRE',
  args: { ...baseMeta.args, ...STORY_VAULTRE },
  render: (args, context) => renderVaultConnect(args, context, { session: false }),
} satisfies Meta<VaultConnectArgs>;
export default meta;

type Story = StoryObj<VaultConnectArgs>;

function elementOf(canvasElement: HTMLElement): VaultConnect {
  const element = canvasElement.querySelector('vault-connect');
  if (!element) throw new Error('No <vault-connect> in the story');
  return element;
}

/** The VaultRE row once its status is read (`aria-busy="false"`). */
async function settledRow(canvasElement: HTMLElement): Promise<{ element: VaultConnect; row: () => HTMLElement }> {
  const element = elementOf(canvasElement);
  const row = () => rowOf(element, 'vaultre');
  await waitFor(() => expect(row().getAttribute('aria-busy')).toBe('false'), WAIT);
  return { element, row };
}

const errorCodes = (element: VaultConnect) => eventsOf(element).errors.map((error) => error.code);

/** Clicks Connect and returns the stand-in VaultRE authorize window and the URL it was sent to. */
async function startConnect(element: VaultConnect): Promise<{ popup: HTMLElement; url: URL }> {
  await userEvent.click(buttonOf(rowOf(element, 'vaultre'), 'connect'));
  const popup = await onPage().findByRole('dialog', { name: 'VaultRE sign-in (stand-in)' }, WAIT);
  return { popup, url: new URL(popup.firstElementChild?.textContent?.trim() ?? '') };
}

/** Idle: the host reports no token; Connect is offered, with the hint that a VaultRE admin must approve. */
export const Idle: Story = {
  play: async ({ canvasElement }) => {
    const { row } = await settledRow(canvasElement);
    await expect(statusOf(row())).toBe('not_connected');
    await expect(actionsOf(row())).toEqual(['connect']);
    await expect(row().querySelector('[part="tag-line"]')?.textContent?.trim()).not.toBe('');
  },
};

/** Connect was clicked: the authorize page the host built is open in the popup and the row waits for it (announced). */
export const WaitingForPopup: Story = {
  play: async (context) => {
    const { element, row } = await settledRow(context.canvasElement);
    const { url } = await startConnect(element);
    await expect(url.pathname).toMatch(/\/oauth-authorize\.cgi$/);
    await expect(url.searchParams.get('client_id')).toBe(STORY_VAULTRE_CLIENT_ID);
    await expect(url.searchParams.get('redirect_uri')).toBe(storyCallbackUrl());
    await expect(url.searchParams.get('response_type')).toBe('code');
    await expect(url.searchParams.get('state')).toBe(mockFor(context).host.states[0]);
    await waitFor(() => expect(row().querySelector('[role="status"]')).not.toBeNull(), WAIT);
    await waitFor(() => expect(announcement(element)).not.toBe(''), WAIT);
  },
};

/**
 * Approved: the callback page in the popup has posted `{code, state}` to the host, which takes its time (it never
 * answers here); the popup says "Connecting…" and the row waits for the outcome. The element never had the code.
 */
export const Exchanging: Story = {
  parameters: { vaultreHost: { exchange: 'pending' } },
  play: async (context) => {
    const { element, row } = await settledRow(context.canvasElement);
    const { url } = await startConnect(element);
    await userEvent.click(onPage().getByRole('button', { name: 'Approve' }));
    await onPage().findByRole('dialog', { name: 'Connecting…' }, WAIT);
    await waitFor(() => expect(mockFor(context).host.exchanges).toHaveLength(1), WAIT);
    const [body] = mockFor(context).host.exchanges;
    await expect(Object.keys(body).sort()).toEqual(['code', 'state']);
    await expect(body.code).toMatch(/^[0-9a-f]{40}$/);
    await expect(body.state).toBe(url.searchParams.get('state'));
    await expect(row().querySelector('[role="status"]')?.textContent?.trim()).toBe('Waiting for VaultRE…');
    await expect(shadowOf(element).innerHTML).not.toContain(String(body.code));
  },
};

/** The host holds a token: Connected since its date, with Reconnect and Disconnect. */
export const Connected: Story = {
  parameters: { vaultreHost: { status: 'connected' } },
  play: async ({ canvasElement }) => {
    const { row } = await settledRow(canvasElement);
    await expect(statusOf(row())).toBe('connected');
    await expect(await offeredActions(row())).toEqual(['reconnect', 'disconnect']);
    const date = new Intl.DateTimeFormat('en', { dateStyle: 'medium' }).format(new Date(CONNECTED_AT));
    await expect(row().querySelector('[part="tag-line"]')?.textContent).toContain(date);
  },
};

/**
 * The host holds a token that VaultRE no longer accepts (the user revoked it in their VaultRE account; the host's
 * `verifyToken` found out): "Reconnect needed" (`needs_reauth`), with Reconnect as the primary action.
 */
export const Revoked: Story = {
  parameters: { vaultreHost: { status: 'revoked' } },
  play: async ({ canvasElement }) => {
    const { element, row } = await settledRow(canvasElement);
    await expect(statusOf(row())).toBe('needs_reauth');
    await expect(await offeredActions(row())).toEqual(['reconnect', 'disconnect']);
    await expect(buttonOf(row(), 'reconnect').className).toBe('primary');
    await expect(row().querySelector('[part="tag-line"]')?.textContent).toContain('revoked in VaultRE');
    await expect(errorCodes(element)).toEqual([]);
  },
};

/** Connect → Approve → the host exchanges the code: Connected, `vaultre-connect` fires, focus returns to the row. */
export const ConnectApproved: Story = {
  play: async (context) => {
    const { element, row } = await settledRow(context.canvasElement);
    const { popup } = await startConnect(element);
    await userEvent.click(onPage().getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(statusOf(row())).toBe('connected'), WAIT);
    await expect(popup.isConnected).toBe(false);
    await expect(eventsOf(element).vaultre).toHaveLength(1);
    await expect(mockFor(context).host.exchanges).toHaveLength(1);
    await waitFor(() => expect(focused(element)?.closest('[data-service-id]')).toBe(row()), WAIT);
  },
};

/** Connect → Deny (`reason=User denied request`): access_denied, shown in the row with a retry; nothing is posted. */
export const Denied: Story = {
  play: async (context) => {
    const { element, row } = await settledRow(context.canvasElement);
    await startConnect(element);
    await userEvent.click(onPage().getByRole('button', { name: 'Deny' }));
    await waitFor(() => expect(errorCodes(element)).toEqual(['access_denied']), WAIT);
    await waitFor(() => expect(row().querySelector('[part="row-error"]')).not.toBeNull(), WAIT);
    await expect(actionsOf(row())).toContain('retry');
    await expect(statusOf(row())).toBe('not_connected');
    await expect(mockFor(context).host.exchanges).toHaveLength(0);
  },
};

/** The host answers `{"error": "code_expired"}` (VaultRE's codes live 60 seconds): code_expired, with a retry. */
export const Expired: Story = {
  parameters: { vaultreHost: { exchange: 'expired' } },
  play: async ({ canvasElement }) => {
    const { element, row } = await settledRow(canvasElement);
    await startConnect(element);
    await userEvent.click(onPage().getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(errorCodes(element)).toEqual(['code_expired']), WAIT);
    await waitFor(() => expect(actionsOf(row())).toContain('retry'), WAIT);
    await expect(statusOf(row())).toBe('not_connected');
  },
};

/** The host's exchange fails (502 with its message): exchange_failed, shown in the row, retryable. */
export const Failed: Story = {
  parameters: { vaultreHost: { exchange: 'failed' } },
  play: async ({ canvasElement }) => {
    const { element, row } = await settledRow(canvasElement);
    await startConnect(element);
    await userEvent.click(onPage().getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(errorCodes(element)).toEqual(['exchange_failed']), WAIT);
    await waitFor(() => expect(row().querySelector('[part="row-error"]')?.textContent).toContain('VaultRE refused the code'), WAIT);
    await expect(eventsOf(element).errors[0].retryable).toBe(true);
    await expect(statusOf(row())).toBe('not_connected');
  },
};

/** The host could not store the token (`{"error": "store_failed"}`): the row says so and offers to connect again. */
export const NotSaved: Story = {
  parameters: { vaultreHost: { exchange: 'not-stored' } },
  play: async ({ canvasElement }) => {
    const { element, row } = await settledRow(canvasElement);
    await startConnect(element);
    await userEvent.click(onPage().getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(errorCodes(element)).toEqual(['store_failed']), WAIT);
    await waitFor(() => expect(row().querySelector('[part="row-error"]')?.textContent).toContain('could not be saved'), WAIT);
    await expect(eventsOf(element).errors[0].retryable).toBe(true);
    await expect(actionsOf(row())).toContain('retry');
  },
};

/** The host's limit is reached (429 with Retry-After): rate_limited, retryable, and the row says how long to wait. */
export const RateLimited: Story = {
  parameters: { vaultreHost: { exchange: 'rate-limited' } },
  play: async ({ canvasElement }) => {
    const { element, row } = await settledRow(canvasElement);
    await startConnect(element);
    await userEvent.click(onPage().getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(errorCodes(element)).toEqual(['rate_limited']), WAIT);
    await waitFor(() => expect(row().querySelector('[part="row-error"]')?.textContent).toContain('Too many attempts. Try again in 42 seconds.'), WAIT);
    await expect(eventsOf(element).errors[0].retryable).toBe(true);
    await expect(statusOf(row())).toBe('not_connected');
  },
};

/** The browser blocks the popup: popup_blocked, and a retry inside a fresh click. */
export const PopupBlocked: Story = {
  parameters: { popups: { blocked: 1 } },
  play: async (context) => {
    const { element, row } = await settledRow(context.canvasElement);
    await userEvent.click(buttonOf(row(), 'connect'));
    await waitFor(() => expect(errorCodes(element)).toEqual(['popup_blocked']), WAIT);
    await waitFor(() => expect(actionsOf(row())).toContain('retry'), WAIT);
    await userEvent.click(buttonOf(row(), 'retry'));
    await onPage().findByRole('dialog', { name: 'VaultRE sign-in (stand-in)' }, WAIT);
    await expect(mockFor(context).popups.calls.map((call) => call.window !== null)).toEqual([false, true]);
  },
};

/** `GET {vaultre-exchange-url}` fails: the row says so and offers a retry that reads the status again. */
export const StatusUnavailable: Story = {
  parameters: { vaultreHost: { status: 'error' } },
  play: async ({ canvasElement }) => {
    const { element, row } = await settledRow(canvasElement);
    await waitFor(() => expect(errorCodes(element)).toEqual(['api_error']), WAIT);
    await expect(actionsOf(row())).toContain('retry');
  },
};

/**
 * Disconnect asks first, and says what it does: this app forgets its token, which stays valid at VaultRE until the
 * user revokes it there. Confirming sends `DELETE` and the row is not connected again.
 */
export const Disconnect: Story = {
  parameters: { vaultreHost: { status: 'connected' } },
  play: async (context) => {
    const { element, row } = await settledRow(context.canvasElement);
    await chooseAction(row(), 'disconnect');
    await waitFor(() => expect(openDialog(element)).not.toBeNull(), WAIT);
    await expect(openDialog(element)!.textContent).toContain('The token stays valid at VaultRE until you revoke it there');
    await userEvent.click(openDialog(element)!.querySelector<HTMLButtonElement>('button[value="confirm"]')!);
    await waitFor(() => expect(statusOf(row())).toBe('not_connected'), WAIT);
    await expect(mockFor(context).host.connected).toBe(false);
  },
};

/**
 * The user closes the VaultRE window before deciding: `popup_closed` (retryable) after a short grace period, and the row
 * says only what is known, with "Try again"; `connectVaultre()` has settled. A late outcome would still connect.
 */
export const PopupClosed: Story = {
  play: async ({ canvasElement }) => {
    const { element, row } = await settledRow(canvasElement);
    const done = element.connectVaultre();
    await onPage().findByRole('dialog', { name: 'VaultRE sign-in (stand-in)' }, WAIT);
    await userEvent.click(onPage().getByRole('button', { name: 'Close window' }));
    await done;
    await expect(errorCodes(element)).toEqual(['popup_closed']);
    await waitFor(() => expect(row().querySelector('[part="row-error"]')?.textContent).toContain('We lost track of the window'), WAIT);
    await expect(actionsOf(row())).toContain('retry');
    await expect(statusOf(row())).toBe('not_connected');
  },
};
