/**
 * Keyboard only, with real key presses (`sendKeys`: Tab, Shift+Tab, Enter, Space, Escape, arrows, typing), never
 * synthetic clicks: every action is reachable and operable, the ones in a row's More menu through the menu-button
 * pattern; the search box is labelled; the confirmation dialog is a native modal `<dialog>` whose focus starts on
 * Cancel and stays on its buttons, Escape closes it and focus goes back to the More button that held Disconnect; after
 * every flow focus returns to the row's button — to the toggle's twin after Enable/Disable (or the More button holding
 * it), to the row's first button when the pressed one is gone (Connect after a disconnect), to the search box when the
 * row itself is gone, and to the search box (or the next Try again) after the list's Try again. The menu and the status
 * filter's own keys are in menu-and-filter.test.ts.
 */
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { VaultConnect } from '../../../src/index.ts';
import {
  accessibleName,
  deepActive,
  describeActive,
  fakeApi,
  fakeCode,
  focusNothing,
  focusedButton,
  shiftTab,
  startVaultreFlow,
  tab,
  tabTo,
  vaultreReturns,
  type VaultreFlow,
} from '../support/a11y-helpers.ts';
import {
  FakeVaultModal,
  STUB_API,
  actionsOf,
  badge,
  connection,
  dialog,
  errorResponse,
  mountWithList,
  restoreFetch,
  row,
  shadow,
  text,
  until,
  visibleRows,
} from '../support/helpers.ts';
import { removeFrames } from '../support/popup-helpers.ts';
import { CALLBACK_URL, popupFrames, returnTo, spyOpen, type OpenSpy } from '../support/vaultre-helpers.ts';

const press = (key: string) => sendKeys({ press: key });

let opened: OpenSpy | undefined;
let flow: VaultreFlow | undefined;

afterEach(() => {
  opened?.restore();
  opened = undefined;
  flow?.opened.restore();
  flow?.el.cancel();
  flow = undefined;
  removeFrames();
  restoreFetch();
  sessionStorage.clear();
});

const LIST = [
  connection({ service_id: 'salesforce' }),
  connection({ service_id: 'hubspot', state: 'available' }),
  connection({ service_id: 'pipedrive', state: 'callable', enabled: false }),
];

function searchBox(el: VaultConnect): HTMLInputElement {
  return shadow(el).querySelector<HTMLInputElement>('input[type="search"]')!;
}

/** Every enabled row button, in document order, as `service/action`. */
function rowButtons(el: VaultConnect): string[] {
  return [...shadow(el).querySelectorAll<HTMLButtonElement>('[part="connection"]:not([hidden]) button:not(:disabled)')]
    .filter((b) => !b.closest('[hidden]'))
    .map((b) => `${b.closest<HTMLElement>('[part="connection"]')!.dataset.serviceId}/${b.dataset.action}`);
}

const onButton = (serviceId: string, action: string) => () => focusedButton() === `${serviceId}/${action}`;

/** Tabs to a row's More button, opens its menu with Enter and moves down to `action`'s item. */
async function toMenuItem(serviceId: string, action: string): Promise<void> {
  await tabTo(onButton(serviceId, 'more'), `More for ${serviceId}`);
  await press('Enter');
  await until(() => (deepActive() as HTMLElement | null)?.getAttribute('role') === 'menuitem', `the menu of ${serviceId} has focus`);
  for (let i = 0; i < 5 && focusedButton() !== `${serviceId}/${action}`; i++) await press('ArrowDown');
  expect(focusedButton()).to.equal(`${serviceId}/${action}`);
}

async function openDialogWith(el: VaultConnect, key: 'Enter' | 'Space'): Promise<HTMLDialogElement> {
  await press(key);
  const d = await dialog(el);
  await until(() => d.open, 'the dialog opens');
  return d;
}

describe('<vault-connect> with the keyboard only', () => {
  it('Tab reaches the labelled search box, the filter, then every row button in order; Shift+Tab goes back; typing filters', async () => {
    const { el } = await mountWithList(LIST);
    focusNothing();
    await tab();
    expect(deepActive(), describeActive()).to.equal(searchBox(el));
    expect(accessibleName(searchBox(el)), 'the search box’s accessible name').to.equal('Search integrations');
    // The status filter is one Tab stop, its chosen option.
    await tab();
    expect((deepActive() as HTMLElement).dataset.filter, describeActive()).to.equal('all');

    // One visible button per row, and More where the row has other actions.
    const expected = rowButtons(el);
    expect(expected).to.deep.equal(['salesforce/settings', 'salesforce/more', 'hubspot/connect', 'pipedrive/enable', 'pipedrive/more']);
    const reached: string[] = [];
    for (let i = 0; i < expected.length; i++) {
      await tab();
      reached.push(focusedButton());
    }
    expect(reached).to.deep.equal(expected);
    await shiftTab();
    expect(focusedButton()).to.equal('pipedrive/enable');

    // Back to the search box, type (real key presses), and Tab skips the rows the search hid.
    searchBox(el).focus();
    await sendKeys({ type: 'pipe' });
    await el.updateComplete;
    expect(visibleRows(el).map((r) => r.dataset.serviceId)).to.deep.equal(['pipedrive']);
    await tab();
    expect(describeActive(), 'the filter counts what the search matches').to.equal('button “All 1”');
    await tab();
    expect(focusedButton()).to.equal('pipedrive/enable');
  });

  it('Space disables (in the More menu), Enter enables; focus moves to the toggle’s twin, or the More button holding it', async () => {
    const api = fakeApi(LIST);
    const { el, stub } = await mountWithList([], { route: api.route });
    focusNothing();
    await toMenuItem('salesforce', 'disable');
    await press('Space');
    await until(() => badge(row(el, 'salesforce')).dataset.status === 'disabled', 'disabled');
    await until(onButton('salesforce', 'enable'), `focus on Enable (now ${describeActive()})`);
    await press('Enter');
    await until(() => badge(row(el, 'salesforce')).dataset.status === 'connected', 'enabled again');
    await until(onButton('salesforce', 'more'), `focus on More, which holds Disable (now ${describeActive()})`);
    expect(stub.calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).to.deep.equal(['{"enabled":false}', '{"enabled":true}']);
  });

  it('the disconnect dialog: focus starts on Cancel, Tab and Shift+Tab stay on its buttons, Escape returns focus; Enter confirms', async () => {
    const api = fakeApi(LIST);
    const { el, stub } = await mountWithList([], { route: api.route });
    focusNothing();
    await toMenuItem('salesforce', 'disconnect');
    let d = await openDialogWith(el, 'Enter');
    expect(d.matches(':modal'), 'a modal dialog').to.equal(true);
    expect(d.getAttribute('aria-describedby')).to.equal('confirm-body');
    const [cancel, confirm] = [...d.querySelectorAll('button')];
    await until(() => deepActive() === cancel, `focus on Cancel (now ${describeActive()})`);
    const seen: (Element | null)[] = [];
    for (let i = 0; i < 3; i++) {
      await tab();
      seen.push(deepActive());
    }
    expect(seen).to.deep.equal([confirm, cancel, confirm]);
    await shiftTab();
    expect(deepActive()).to.equal(cancel);
    await shiftTab();
    expect(deepActive()).to.equal(confirm);
    await press('Escape');
    await until(() => !d.open, 'Escape closes it');
    await until(onButton('salesforce', 'more'), `focus back on More (now ${describeActive()})`);
    expect(stub.calls.filter((c) => c.method === 'DELETE')).to.have.length(0);

    await press('ArrowUp');
    await until(onButton('salesforce', 'disconnect'), 'Arrow Up opens the menu on its last item, Disconnect');
    d = await openDialogWith(el, 'Space');
    await until(() => deepActive() === d.querySelector('button'), 'focus on Cancel');
    await tab();
    await press('Enter');
    await until(() => badge(row(el, 'salesforce')).dataset.status === 'not_connected', 'disconnected');
    expect(stub.calls.filter((c) => c.method === 'DELETE')).to.have.length(1);
    // The Disconnect button is gone with the connection: focus goes to the row's Connect.
    await until(onButton('salesforce', 'connect'), `focus on Connect (now ${describeActive()})`);
  });

  it('a disconnect that removes the row: focus goes to the search box', async () => {
    const api = fakeApi(LIST, { gone: 'hubspot' });
    api.store.get('crm/hubspot')!.state = 'callable';
    const { el } = await mountWithList([], { route: api.route });
    focusNothing();
    await toMenuItem('hubspot', 'disconnect');
    await openDialogWith(el, 'Enter');
    await tab();
    await press('Enter');
    await until(() => !shadow(el).querySelector('[data-service-id="hubspot"]'), 'the row goes');
    await until(() => deepActive() === searchBox(el), `focus on the search box (now ${describeActive()})`);
  });

  it('the embedded Vault (modal flow): Enter opens it; when it closes focus is back on the row', async () => {
    const api = fakeApi(LIST);
    const modal = new FakeVaultModal();
    const { el } = await mountWithList([], { route: api.route, vaultModal: modal });
    focusNothing();
    await tabTo(onButton('hubspot', 'connect'), 'Connect Hubspot');
    await press('Enter');
    const options = await modal.waitForOpen();
    expect(options.serviceId).to.equal('hubspot');
    // Unchanged: focus back on Connect itself.
    options.onClose?.();
    await until(onButton('hubspot', 'connect'), `focus back on Connect (now ${describeActive()})`);

    await press('Space');
    await modal.waitForOpen(2);
    api.store.get('crm/hubspot')!.state = 'callable';
    modal.last.onClose?.();
    // Connected now: Connect is gone, focus goes to the row's first button.
    await until(() => badge(row(el, 'hubspot')).dataset.status === 'connected', 'connected');
    await until(onButton('hubspot', 'settings'), `focus on Settings (now ${describeActive()})`);
  });

  it('a popup flow (Hosted Vault): Enter opens the popup; when it returns focus is back on the row', async () => {
    const api = fakeApi(LIST);
    const { el } = await mountWithList([], { route: api.route });
    el.openMode = 'popup';
    el.callbackUrl = CALLBACK_URL;
    el.vaultUrl = new URL('/__hosted-vault', location.href).href;
    ({ opened } = await popupFrames(1));
    focusNothing();
    await tabTo(onButton('hubspot', 'connect'), 'Connect Hubspot');
    await press('Enter');
    await until(() => opened!.windows.length === 1, 'the popup opens');
    const popup = opened.windows[0];
    await until(() => {
      try {
        return popup.location.pathname.startsWith('/__hosted-vault/integrations/crm/hubspot');
      } catch {
        return false;
      }
    }, 'the popup is on Hosted Vault');
    api.store.get('crm/hubspot')!.state = 'callable';
    returnTo(popup, CALLBACK_URL, { authorizedConnection: 'hubspot' });
    await until(() => badge(row(el, 'hubspot')).dataset.status === 'connected', 'connected');
    await until(onButton('hubspot', 'settings'), `focus on Settings (now ${describeActive()})`);
  });

  it('a blocked popup: focus moves to Try again; Enter there, blocked again, offers Continue in this tab next', async () => {
    const { el, events } = await mountWithList(LIST);
    el.openMode = 'popup';
    el.callbackUrl = CALLBACK_URL;
    opened = spyOpen(() => null);
    focusNothing();
    await tabTo(onButton('hubspot', 'connect'), 'Connect Hubspot');
    await press('Enter');
    await events.waitFor('vault-connect-error');
    await until(onButton('hubspot', 'retry'), `focus on Try again (now ${describeActive()})`);
    await press('Enter');
    await events.waitFor('vault-connect-error', 2);
    await until(onButton('hubspot', 'retry'), 'focus on Try again');
    expect(opened.calls).to.have.length(2);
    await tab();
    const sameTab = deepActive() as HTMLElement;
    expect(sameTab.dataset.sameTab, describeActive()).to.equal('');
    expect(text(sameTab)).to.equal('Continue in this tab');
  });

  it('VaultRE: Enter connects; approve → focus on Reconnect; Space on Disconnect, Escape, then confirm → focus on Connect', async () => {
    flow = await startVaultreFlow({
      list: LIST.slice(0, 1),
      activate: async () => {
        focusNothing();
        await tabTo(onButton('vaultre', 'connect'), 'Connect VaultRE');
        await press('Enter');
      },
    });
    const { el } = flow;
    vaultreReturns(flow, { reason: 'success', code: fakeCode() });
    await until(() => text(badge(row(el, 'vaultre'))) === 'Connected', 'connected');
    await until(onButton('vaultre', 'reconnect'), `focus on Reconnect (now ${describeActive()})`);

    // Disconnect is in the row's More menu, as in an Apideck row.
    await tab();
    expect(focusedButton()).to.equal('vaultre/more');
    await press('Enter');
    await until(onButton('vaultre', 'disconnect'), `focus on Disconnect in the menu (now ${describeActive()})`);
    let d = await openDialogWith(el, 'Space');
    await until(() => deepActive() === d.querySelector('button'), 'focus on Cancel');
    await press('Escape');
    await until(() => !d.open, 'Escape closes it');
    await until(onButton('vaultre', 'more'), `focus back on More (now ${describeActive()})`);
    expect(flow.host.deletes()).to.have.length(0);

    await press('ArrowDown');
    await until(onButton('vaultre', 'disconnect'), 'Arrow Down opens the menu on Disconnect');
    d = await openDialogWith(el, 'Enter');
    await tab();
    await press('Enter');
    await until(() => flow!.host.deletes().length === 1, 'DELETE');
    await until(() => actionsOf(row(el, 'vaultre')).join() === 'connect', 'not connected');
    await until(onButton('vaultre', 'connect'), `focus on Connect (now ${describeActive()})`);
  });

  it('the list’s Try again: focus goes to the next Try again while it fails, then to the search box', async () => {
    let fail = true;
    const { el } = await mountWithList(LIST, {
      route: (call) => (fail && call.url.origin === STUB_API ? errorResponse(503, 'Unavailable', 'ServiceUnavailable', 'Down') : undefined),
    });
    focusNothing();
    await tabTo((a) => a?.getAttribute('data-action') === 'retry', 'Try again');
    const first = deepActive();
    await press('Enter');
    // The panel (and its button) went while the list loaded again; it failed again, so a new Try again has focus.
    await until(() => !first?.isConnected, 'the panel is drawn again');
    await until(() => (deepActive() as HTMLElement | null)?.dataset.action === 'retry', `focus on the new Try again (now ${describeActive()})`);
    fail = false;
    await press('Space');
    await until(() => visibleRows(el).length === 3, 'the list');
    await until(() => deepActive() === searchBox(el), `focus on the search box (now ${describeActive()})`);
  });
});
