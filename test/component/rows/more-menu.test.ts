/**
 * A row's More menu, as a keyboard and a pointer user meet it: one visible button per row (the status's primary
 * action) and a More button (`data-action="more"`, `aria-haspopup="menu"`, `aria-expanded`) whose menu, drawn inside
 * the row, holds the other actions as `role="menuitem"` buttons that keep their `data-action`. The menu-button
 * pattern: Enter, Space, Arrow Down open it on its first item, Arrow Up on its last; arrows go round, Home/End go to the
 * ends, a letter to the next item starting with it; Escape closes it and focus goes back to More; Tab and a click
 * outside close it. Disconnect, chosen there, still asks first. The VaultRE row follows the same pattern.
 */
import { expect } from '@open-wc/testing';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import type { VaultConnect } from '../../../src/index.ts';
import { menuKeyTarget } from '../../../src/internal/menu/row-menu.ts';
import { deepActive, describeActive, expectAccessibleInBothThemes, fakeApi, focusedButton } from '../support/a11y-helpers.ts';
import {
  actionsOf,
  badge,
  button,
  connection,
  dialog,
  jsonResponse,
  mount,
  mountWithList,
  openMenu,
  openMenuOf,
  restoreFetch,
  row,
  shadow,
  stubFetch,
  text,
  until,
} from '../support/helpers.ts';

const press = (key: string) => sendKeys({ press: key });

const LIST = [
  connection({ service_id: 'salesforce', name: 'Salesforce' }),
  connection({ service_id: 'hubspot', name: 'HubSpot', state: 'available' }),
  connection({ service_id: 'pipedrive', name: 'Pipedrive', enabled: false }),
];

afterEach(restoreFetch);

/** The More button of a row. */
function more(el: VaultConnect, serviceId: string): HTMLButtonElement {
  return button(row(el, serviceId), 'more');
}

/** The focused item's action, or a description of whatever has focus. */
function focusedItem(): string {
  const active = deepActive() as HTMLElement | null;
  return active?.getAttribute('role') === 'menuitem' ? (active.dataset.action ?? '') : describeActive();
}

/**
 * Focuses a row's More button and opens its menu with a key. The menu's keys are handled once the interactions chunk
 * is in (focus entering the list fetches it; a click waits for it, a key pressed before it arrives is not replayed), so
 * a first click opens and closes the menu to have it in.
 */
async function openWith(el: VaultConnect, serviceId: string, key: string): Promise<HTMLElement> {
  await openMenu(row(el, serviceId));
  more(el, serviceId).click();
  await until(() => !openMenuOf(row(el, serviceId)), 'the second click closes it');
  more(el, serviceId).focus();
  await press(key);
  await until(() => openMenuOf(row(el, serviceId)), `${key} opens the menu`);
  return openMenuOf(row(el, serviceId))!;
}

describe('<vault-connect> a row’s one primary action and its More menu', () => {
  it('shows one visible button, the primary action, and a More button with the menu-button hooks', async () => {
    const { el } = await mountWithList(LIST);
    expect(actionsOf(row(el, 'salesforce'))).to.deep.equal(['settings', 'more']);
    expect(actionsOf(row(el, 'hubspot')), 'a single action needs no menu').to.deep.equal(['connect']);
    expect(actionsOf(row(el, 'pipedrive'))).to.deep.equal(['enable', 'more']);
    const trigger = more(el, 'salesforce');
    expect(trigger.getAttribute('aria-haspopup')).to.equal('menu');
    expect(trigger.getAttribute('aria-expanded')).to.equal('false');
    expect(trigger.getAttribute('aria-label')).to.equal('More actions for Salesforce');
    expect(trigger.type).to.equal('button');
    // The menu is drawn only while open.
    expect(shadow(el).querySelector('[role="menu"]')).to.equal(null);
  });

  it('a click opens the menu inside the row, its items keep their data-action; a second click closes it', async () => {
    const { el } = await mountWithList(LIST);
    const items = await openMenu(row(el, 'salesforce'));
    const menu = openMenuOf(row(el, 'salesforce'))!;
    expect(menu.closest('[part="connection"]')?.getAttribute('data-service-id')).to.equal('salesforce');
    expect(menu.getAttribute('part')).to.equal('menu');
    expect(menu.getAttribute('aria-label')).to.equal('More actions for Salesforce');
    expect(more(el, 'salesforce').getAttribute('aria-expanded')).to.equal('true');
    expect(items.map((item) => [item.getAttribute('role'), item.dataset.action, text(item)])).to.deep.equal([
      ['menuitem', 'reconnect', 'Reconnect'],
      ['menuitem', 'disable', 'Disable'],
      ['menuitem', 'disconnect', 'Disconnect'],
    ]);
    // Keyboard focus moves into the menu, on its first item.
    await until(() => focusedItem() === 'reconnect', 'focus on the first item');
    more(el, 'salesforce').click();
    await until(() => !openMenuOf(row(el, 'salesforce')), 'the second click closes it');
    expect(more(el, 'salesforce').getAttribute('aria-expanded')).to.equal('false');
  });

  it('sits below its trigger, aligned with its end, in the viewport, above the rows after it', async () => {
    const { el } = await mountWithList(LIST);
    await openMenu(row(el, 'salesforce'));
    const menu = openMenuOf(row(el, 'salesforce'))!;
    const trigger = more(el, 'salesforce').getBoundingClientRect();
    const box = menu.getBoundingClientRect();
    expect(box.top).to.be.at.least(trigger.bottom);
    expect(Math.abs(box.right - trigger.right)).to.be.below(1);
    expect(box.left).to.be.at.least(0);
    expect(box.bottom).to.be.at.most(document.documentElement.clientHeight);
    // In the top layer: what is drawn at its centre is the menu, not the row below.
    const hit = shadow(el).elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    expect(menu.contains(hit), `${hit?.outerHTML.slice(0, 60)}`).to.equal(true);
  });

  describe('with the keyboard', () => {
    it('Enter opens it on the first item; the arrows go round; Home and End go to the ends; Escape returns focus to More', async () => {
      const { el } = await mountWithList(LIST);
      await openWith(el, 'salesforce', 'Enter');
      await until(() => focusedItem() === 'reconnect', 'the first item');
      const seen: string[] = [];
      for (const key of ['ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowUp', 'End', 'Home', 'ArrowUp']) {
        await press(key);
        seen.push(focusedItem());
      }
      expect(seen).to.deep.equal(['disable', 'disconnect', 'reconnect', 'disconnect', 'disconnect', 'reconnect', 'disconnect']);
      await press('Escape');
      await until(() => !openMenuOf(row(el, 'salesforce')), 'Escape closes it');
      expect(focusedButton()).to.equal('salesforce/more');
      expect(more(el, 'salesforce').getAttribute('aria-expanded')).to.equal('false');
    });

    it('Space and Arrow Down open it on the first item, Arrow Up on the last', async () => {
      const { el } = await mountWithList(LIST);
      for (const [key, first] of [['Space', 'reconnect'], ['ArrowDown', 'reconnect'], ['ArrowUp', 'disconnect']] as const) {
        await openWith(el, 'salesforce', key);
        await until(() => focusedItem() === first, `${key}: focus on ${first} (now ${focusedItem()})`);
        await press('Escape');
        await until(() => !openMenuOf(row(el, 'salesforce')), 'closed');
      }
    });

    it('a letter moves to the next item starting with it', async () => {
      const { el } = await mountWithList(LIST);
      await openWith(el, 'salesforce', 'Enter');
      await press('d');
      expect(focusedItem()).to.equal('disable');
      await press('d');
      expect(focusedItem()).to.equal('disconnect');
      await press('d');
      expect(focusedItem()).to.equal('disable');
      await press('x');
      expect(focusedItem(), 'no item starts with x').to.equal('disable');
    });

    it('Tab closes it and moves on to the next row', async () => {
      const { el } = await mountWithList(LIST);
      await openWith(el, 'salesforce', 'Enter');
      await press('Tab');
      await until(() => !openMenuOf(row(el, 'salesforce')), 'Tab closes it');
      expect(focusedButton()).to.equal('hubspot/connect');
    });

    it('Enter on an item runs it: Disable, with focus on Enable, the toggle’s other half', async () => {
      const api = fakeApi(LIST);
      const { el } = await mountWithList([], { route: api.route });
      await openWith(el, 'salesforce', 'Enter');
      await press('ArrowDown');
      await press('Enter');
      await until(() => badge(row(el, 'salesforce')).dataset.status === 'disabled', 'disabled');
      expect(openMenuOf(row(el, 'salesforce'))).to.equal(null);
      await until(() => focusedButton() === 'salesforce/enable', `focus on Enable (now ${describeActive()})`);
    });

    it('Disconnect still asks first; Cancel returns focus to More', async () => {
      const api = fakeApi(LIST);
      const { el, stub } = await mountWithList([], { route: api.route });
      await openWith(el, 'salesforce', 'ArrowUp');
      await press('Enter');
      const d = await dialog(el);
      await until(() => d.open, 'the dialog opens');
      expect(text(d.querySelector('h2'))).to.equal('Disconnect Salesforce?');
      await press('Escape');
      await until(() => !d.open, 'closed');
      await until(() => focusedButton() === 'salesforce/more', `focus on More (now ${describeActive()})`);
      expect(stub.calls.filter((c) => c.method === 'DELETE')).to.have.length(0);
    });
  });

  describe('with a pointer', () => {
    it('a click outside closes it and leaves focus where the click put it', async () => {
      const { el } = await mountWithList(LIST);
      await openMenu(row(el, 'salesforce'));
      const search = shadow(el).querySelector<HTMLInputElement>('input[type="search"]')!;
      const box = search.getBoundingClientRect();
      await sendMouse({ type: 'click', position: [Math.round(box.left + 10), Math.round(box.top + box.height / 2)] });
      await until(() => !openMenuOf(row(el, 'salesforce')), 'the click outside closes it');
      expect(deepActive()).to.equal(search);
    });

    it('opening another row’s menu closes the first; a click on an item runs it', async () => {
      const api = fakeApi(LIST);
      const { el } = await mountWithList([], { route: api.route });
      await openMenu(row(el, 'salesforce'));
      const items = await openMenu(row(el, 'pipedrive'));
      await until(() => !openMenuOf(row(el, 'salesforce')), 'only one menu is open');
      expect(items.map((item) => item.dataset.action)).to.deep.equal(['settings', 'disconnect']);
      expect(shadow(el).querySelectorAll('[role="menu"]')).to.have.length(1);
    });

    it('a busy row disables More, and its open menu closes', async () => {
      const api = fakeApi(LIST, { hold: new Promise(() => undefined) });
      const { el } = await mountWithList([], { route: api.route });
      (await openMenu(row(el, 'salesforce'))).find((item) => item.dataset.action === 'disable')!.click();
      await until(() => row(el, 'salesforce').getAttribute('aria-busy') === 'true', 'busy');
      expect(more(el, 'salesforce').disabled).to.equal(true);
      expect(openMenuOf(row(el, 'salesforce'))).to.equal(null);
    });
  });

  it('is axe-clean open, in light and dark', async () => {
    const { el } = await mountWithList(LIST);
    await openMenu(row(el, 'salesforce'));
    await expectAccessibleInBothThemes(el, 'the More menu open');
  });

  it('the VaultRE row: Reconnect visible, Disconnect in its More menu; chosen there, it asks first', async () => {
    stubFetch((call) =>
      call.url.pathname === '/api/vaultre' && call.method === 'GET' ? jsonResponse({ connected: true, token_type: 'account' }) : undefined,
    );
    const { el } = await mount({});
    el.vaultreExchangeUrl = '/api/vaultre';
    await until(() => shadow(el).querySelector('[data-service-id="vaultre"][aria-busy="false"]'), 'the VaultRE row');
    const vaultre = row(el, 'vaultre');
    expect(actionsOf(vaultre)).to.deep.equal(['reconnect', 'more']);
    const items = await openMenu(vaultre);
    expect(items.map((item) => [item.getAttribute('role'), item.dataset.action])).to.deep.equal([['menuitem', 'disconnect']]);
    items[0].click();
    const d = await dialog(el);
    await until(() => d.open, 'the dialog opens');
    d.close();
    await until(() => deepActive() === button(vaultre, 'more'), `focus back on More (now ${describeActive()})`);
  });
});

describe('menuKeyTarget', () => {
  it('moves round the items and to the ends, and leaves other keys alone', () => {
    expect([0, 1, 2].map((i) => menuKeyTarget('ArrowDown', i, 3))).to.deep.equal([1, 2, 0]);
    expect([0, 1, 2].map((i) => menuKeyTarget('ArrowUp', i, 3))).to.deep.equal([2, 0, 1]);
    expect(menuKeyTarget('Home', 2, 3)).to.equal(0);
    expect(menuKeyTarget('End', 0, 3)).to.equal(2);
    expect(menuKeyTarget('ArrowLeft', 1, 3)).to.equal(undefined);
    expect(menuKeyTarget('a', 1, 3)).to.equal(undefined);
  });
});
