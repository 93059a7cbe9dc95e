/**
 * A list longer than 200 rows is windowed: only the rows near the viewport are in the DOM, and scrolling the page draws
 * the others. Search covers every row, the `data-service-id` hooks and the row buttons work on the drawn rows, keyboard
 * users can Tab past the first drawn rows, `openConnection()` reaches a row that is not drawn, and each drawn row says
 * where it is in its group (`aria-posinset` / `aria-setsize`).
 *
 * The list request starts the windowing chunk's download: the chunk comes in while the reply is on its way, so a long
 * list is drawn as soon as it is parsed instead of after one more round trip. Shown with a reply held back until the
 * chunk has been asked for, then a short list, which is drawn as usual (every row in the DOM, not windowed).
 */
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { VaultConnect } from '../../../src/index.ts';
import { deepActive } from '../support/a11y-helpers.ts';
import {
  chooseAction,
  connection,
  connectionResponse,
  FakeVaultModal,
  forgedToken,
  gate,
  listResponse,
  mount,
  mountWithList,
  numberedConnections,
  restoreFetch,
  row,
  rows,
  shadow,
  statePanel,
  STUB_API,
  stubFetch,
  text,
  typeInSearch,
  until,
} from '../support/helpers.ts';

const COUNT = 1500;
/** Two groups of 750: accounting (even indexes) first, then crm (odd). */
const list = numberedConnections(COUNT, (i) => (i === 4 ? ' <img src=x onerror=alert(1)>' : ''));

/** The drawn rows, once there is at least one. */
async function drawn(el: VaultConnect): Promise<HTMLElement[]> {
  await el.updateComplete;
  await until(() => rows(el).length > 0, 'rows drawn');
  return rows(el);
}

const requested = (name: string) => performance.getEntriesByType('resource').some((entry) => entry.name.includes(name));

// First in the file: a module, once loaded, stays loaded, and every list request (a short list's too) asks for the chunk.
describe('<vault-connect> loading the windowing chunk', () => {
  afterEach(restoreFetch);

  it('is asked for with the list request, before the reply is in', async () => {
    expect(requested('windowed-rows'), 'not loaded before the test').to.equal(false);
    const reply = gate();
    const stub = stubFetch(async (call) => {
      if (call.url.origin !== STUB_API || call.url.pathname !== '/vault/connections') return undefined;
      await reply.promise;
      return listResponse([connection({ service_id: 'hubspot' }), connection({ service_id: 'pipedrive' })]);
    });
    const { el, events } = await mount({ token: forgedToken(), unifyBaseUrl: STUB_API });
    await until(() => stub.count('GET', '/vault/connections') === 1, 'the list request');
    await until(() => requested('windowed-rows'), 'the chunk asked for while the reply is held');
    expect(events.ready).to.have.length(0);

    reply.open();
    await until(() => events.ready.length > 0, 'the list');
    await el.updateComplete;
    expect(rows(el).map((row) => row.dataset['serviceId'])).to.deep.equal(['hubspot', 'pipedrive']);
    expect(el.shadowRoot?.querySelector('ul.windowed'), 'a short list is not windowed').to.equal(null);
    expect(events.errors).to.have.length(0);
  });
});

describe('<vault-connect> windowed list', () => {
  afterEach(() => {
    restoreFetch();
    window.scrollTo(0, 0);
  });

  it('draws only the rows near the viewport, each with its place in its group', async () => {
    const { el, events } = await mountWithList(list);
    expect(events.ready).to.have.length(1);
    const first = await drawn(el);
    expect(first.length, 'rows in the DOM').to.be.greaterThan(5).and.lessThan(120);
    expect(first[0].dataset.serviceId).to.equal('svc-0');
    expect(shadow(el).querySelectorAll('ul.windowed')).to.have.length(2);
    await until(() => first[0].getAttribute('aria-posinset') === '1', 'rows numbered');
    expect(first[0].getAttribute('aria-setsize')).to.equal(String(COUNT / 2));
    expect(first[1].getAttribute('aria-posinset')).to.equal('2');
    // Hostile text is still text.
    expect(text(row(el, 'svc-4').querySelector('[part="name"]'))).to.contain('<img src=x onerror=alert(1)>');
    expect(shadow(el).querySelector('img[src="x"]')).to.equal(null);
  });

  it('scrolling the page to the end draws the last rows, numbered within their group', async () => {
    const { el } = await mountWithList(list);
    await drawn(el);
    const crm = shadow(el).querySelectorAll<HTMLElement>('ul.windowed')[1];
    expect(crm.getBoundingClientRect().height, 'the list is as tall as all its rows').to.be.greaterThan(750 * 40);
    // As a user drags the scrollbar to the end again when the list grows under it (rows measured taller than guessed).
    await until(() => {
      window.scrollTo(0, document.documentElement.scrollHeight);
      return rows(el).some((r) => r.dataset.serviceId === `svc-${COUNT - 1}`);
    }, 'the last row drawn');
    expect(rows(el).some((r) => r.dataset.serviceId === 'svc-0'), 'the first row is gone').to.equal(false);
    const last = row(el, `svc-${COUNT - 1}`);
    await until(() => last.getAttribute('aria-posinset') === String(COUNT / 2), 'the last row numbered');
    expect(last.getBoundingClientRect().top).to.be.lessThan(window.innerHeight);
  });

  it('inside a scrolling box, scrolling the box draws the rows it brings into view', async () => {
    const { el } = await mountWithList(list);
    const box = document.createElement('div');
    box.style.cssText = 'height: 300px; overflow: auto';
    document.body.append(box);
    try {
      box.append(el);
      await drawn(el);
      await until(() => {
        box.scrollTop = box.scrollHeight;
        return rows(el).some((r) => r.dataset.serviceId === `svc-${COUNT - 1}`);
      }, 'the last row drawn');
      const last = row(el, `svc-${COUNT - 1}`).getBoundingClientRect();
      const frame = box.getBoundingClientRect();
      expect(last.bottom, 'the last row is inside the box').to.be.within(frame.top, frame.bottom + 1);
    } finally {
      box.remove();
    }
  });

  it('search covers every row, draws only the matches and renumbers them; no match shows the panel', async () => {
    const { el } = await mountWithList(list);
    await drawn(el);
    await typeInSearch(el, 'zebra');
    await until(() => rows(el).length === 1, 'one row');
    const zebra = row(el, `svc-${COUNT - 1}`);
    await until(() => zebra.getAttribute('aria-setsize') === '1', 'renumbered');
    expect(zebra.getAttribute('aria-posinset')).to.equal('1');
    expect(shadow(el).querySelector<HTMLElement>('section[data-unified-api="accounting"]')!.hidden, 'the empty group').to.equal(true);
    await typeInSearch(el, 'no such connector');
    expect(text(statePanel(el))).to.contain('no such connector');
    await typeInSearch(el, '');
    await until(() => rows(el).length > 5, 'rows back');
    expect(rows(el)[0].dataset.serviceId).to.equal('svc-0');
    expect(statePanel(el)).to.equal(null);
  });

  it('Tab moves through the rows past the first drawn ones', async () => {
    const { el } = await mountWithList(list);
    const first = await drawn(el);
    const lastDrawn = Number(first.at(-1)!.dataset.serviceId!.slice(4));
    shadow(el).querySelector<HTMLInputElement>('input[type="search"]')!.focus();
    // Enough presses to pass every button of the rows drawn at first.
    const buttons = first.reduce((n, r) => n + r.querySelectorAll('button').length, 0);
    for (let i = 0; i < buttons + 6; i++) await sendKeys({ press: 'Tab' });
    const focused = deepActive() as HTMLElement;
    const at = focused.closest<HTMLElement>('[part="connection"]');
    expect(at, 'focus is still on a row').to.not.equal(null);
    expect(Number(at!.dataset.serviceId!.slice(4)), 'a row that was not drawn at first').to.be.greaterThan(lastDrawn);
    expect(focused.dataset.action).to.be.oneOf(['settings', 'reconnect', 'disable', 'disconnect']);
  });

  it('the focused row stays drawn while it is scrolled a little away, and is let go far away', async () => {
    const { el } = await mountWithList(list);
    await drawn(el);
    const button = row(el, 'svc-0').querySelector<HTMLButtonElement>('button')!;
    button.focus();
    window.scrollTo(0, 2500);
    await until(() => rows(el).some((r) => r.dataset.serviceId === 'svc-80'), 'rows further down drawn');
    expect(rows(el)[0].dataset.serviceId, 'the focused row is still there').to.equal('svc-0');
    expect(deepActive()).to.equal(button);
    window.scrollTo(0, 40_000);
    await until(() => !rows(el).some((r) => r.dataset.serviceId === 'svc-0'), 'the focused row let go');
    expect(rows(el).length, 'only rows near the viewport').to.be.lessThan(120);
  });

  it('openConnection() opens a row that is not drawn', async () => {
    const modal = new FakeVaultModal();
    const { el } = await mountWithList(list, { vaultModal: modal });
    await drawn(el);
    expect(rows(el).some((r) => r.dataset.serviceId === 'svc-1201')).to.equal(false);
    void el.openConnection('svc-1201');
    const options = await modal.waitForOpen();
    expect(options.serviceId).to.equal('svc-1201');
    el.cancel();
  });

  it('a row action updates that row from the reply', async () => {
    const { el } = await mountWithList(list, {
      route: (call) => (call.method === 'PATCH' ? connectionResponse({ ...list[2], enabled: false }) : undefined),
    });
    await drawn(el);
    await chooseAction(row(el, 'svc-2'), 'disable');
    await until(() => text(row(el, 'svc-2').querySelector('[part="badge"]')) === 'Disabled', 'the badge follows the reply');
    expect(text(row(el, 'svc-0').querySelector('[part="badge"]'))).to.not.equal('Disabled');
  });

  it('follows the window\'s scroll only while a windowed list is drawn, and again once moved', async () => {
    // The window's scroll and resize listeners that are objects (the windowing's), as they come and go.
    const live = new Set<string>();
    const add = window.addEventListener.bind(window);
    const remove = window.removeEventListener.bind(window);
    const name = (type: string, listener: unknown) => (typeof listener === 'object' && listener && (type === 'scroll' || type === 'resize') ? type : undefined);
    window.addEventListener = function (...args: Parameters<Window['addEventListener']>) {
      const type = name(args[0], args[1]);
      if (type) live.add(type);
      add(...args);
    } as Window['addEventListener'];
    window.removeEventListener = function (...args: Parameters<Window['removeEventListener']>) {
      const type = name(args[0], args[1]);
      if (type) live.delete(type);
      remove(...args);
    } as Window['removeEventListener'];
    try {
      let answer: readonly unknown[] = list;
      const { el, events } = await mountWithList([], {
        route: (call) => (call.method === 'GET' && call.url.pathname === '/vault/connections' ? listResponse(answer) : undefined),
      });
      await drawn(el);
      expect([...live].sort(), 'a windowed list').to.deep.equal(['resize', 'scroll']);

      // The next session's list is short: drawn in full, no scroll to follow.
      answer = list.slice(0, 12);
      el.token = forgedToken({ consumer_id: 'short-list' });
      await until(() => rows(el).length === 12 && shadow(el).querySelector('ul.windowed') === null, 'the short list');
      await el.updateComplete;
      expect([...live], 'a short list').to.deep.equal([]);

      // Long again, then moved in the page: still drawn as the page scrolls.
      answer = list;
      el.token = forgedToken({ consumer_id: 'long-again' });
      await until(() => shadow(el).querySelector('ul.windowed') !== null && rows(el).length > 0, 'the long list again');
      await el.updateComplete;
      expect([...live].sort()).to.deep.equal(['resize', 'scroll']);
      const box = document.createElement('div');
      document.body.append(box);
      box.append(el);
      expect([...live].sort(), 'moved').to.deep.equal(['resize', 'scroll']);
      await until(() => {
        window.scrollTo(0, document.documentElement.scrollHeight);
        return rows(el).some((r) => r.dataset.serviceId === `svc-${COUNT - 1}`);
      }, 'the last row drawn after the move');
      expect(events.errors).to.deep.equal([]);
      el.remove();
      expect([...live], 'removed').to.deep.equal([]);
      box.remove();
    } finally {
      // The patches are own properties of `window`, over those of EventTarget.prototype.
      delete (window as { addEventListener?: unknown }).addEventListener;
      delete (window as { removeEventListener?: unknown }).removeEventListener;
    }
  });

  it('is accessible', async () => {
    const { el } = await mountWithList(list);
    await drawn(el);
    await expect(el).to.be.accessible();
  });
});
