/**
 * Flow progress and results are announced through the element's polite live region: what a screen reader hears, in
 * order, is recorded from the region's own mutations (so a message said twice in a row counts twice: the region is
 * cleared in between). Enable, disable, disconnect, a failed action, the embedded Vault, a Hosted Vault popup, a
 * blocked popup, and VaultRE waiting, exchanging, connected, denied, expired, failed and disconnected.
 */
import { expect } from '@open-wc/testing';
import type { VaultConnect } from '../../../src/index.ts';
import { fakeApi, fakeCode, startVaultreFlow, vaultreReturns, type VaultreFlow } from '../support/a11y-helpers.ts';
import {
  badge,
  button,
  chooseAction,
  connection,
  dialog,
  errorResponse,
  FakeVaultModal,
  gate,
  type Gate,
  jsonResponse,
  mountWithList,
  restoreFetch,
  row,
  shadow,
  text,
  until,
} from '../support/helpers.ts';
import { removeFrames } from '../support/popup-helpers.ts';
import { CALLBACK_URL, answerDialog, popupFrames, returnTo, spyOpen, type OpenSpy } from '../support/vaultre-helpers.ts';

let opened: OpenSpy | undefined;
let flow: VaultreFlow | undefined;
let held: Gate | undefined;

afterEach(() => {
  held?.open();
  held = undefined;
  opened?.restore();
  opened = undefined;
  flow?.opened.restore();
  flow?.el.cancel();
  flow = undefined;
  removeFrames();
  restoreFetch();
  sessionStorage.clear();
});

const HOSTILE = '<img src=x onerror="window.__pwned=1">Sales';
const LIST = [
  connection({ service_id: 'salesforce', name: HOSTILE }),
  connection({ service_id: 'hubspot', state: 'available' }),
];

function liveRegion(el: VaultConnect): HTMLElement {
  const region = shadow(el).querySelector<HTMLElement>('[role="status"][aria-live="polite"]');
  if (!region) throw new Error('no live region');
  return region;
}

/**
 * What the live region says from now on (the text already there is old news): each text it shows, in order, with the
 * empty states in between dropped.
 */
function listen(el: VaultConnect): () => string[] {
  const region = liveRegion(el);
  const states: string[] = [text(region)];
  new MutationObserver(() => {
    const now = text(region);
    if (states[states.length - 1] !== now) states.push(now);
  }).observe(region, { childList: true, subtree: true, characterData: true });
  return () => states.slice(1).filter((s) => s !== '');
}

async function said(heard: () => string[], expected: string[]): Promise<void> {
  await until(() => heard().length >= expected.length, `the announcements ${JSON.stringify(expected)} (so far ${JSON.stringify(heard())})`);
  expect(heard()).to.deep.equal(expected);
}

describe('<vault-connect> announcements in the live region', () => {
  it('is there, polite, empty and exposed (visually hidden, not aria-hidden) before anything happens', async () => {
    const { el } = await mountWithList(LIST);
    const region = liveRegion(el);
    expect(text(region)).to.equal('');
    expect(region.closest('[aria-hidden="true"]')).to.equal(null);
    expect(region.checkVisibility({ visibilityProperty: true }), 'rendered (a screen reader reads it)').to.equal(true);
    const box = region.getBoundingClientRect();
    expect(box.width * box.height, 'takes no room on screen').to.be.at.most(1);
  });

  it('disable, enable, disconnect: progress while the API works, then the result — a hostile name is read as text', async () => {
    const hold = gate();
    held = hold;
    const api = fakeApi(LIST, { hold: hold.promise });
    const { el } = await mountWithList([], { route: api.route });
    let heard = listen(el);
    await chooseAction(row(el, 'salesforce'), 'disable');
    await said(heard, ['Disabling…']);
    hold.open();
    await said(heard, ['Disabling…', `${HOSTILE} disabled`]);
    expect(liveRegion(el).children, 'no markup from the name').to.have.length(0);
    expect((window as Window & { __pwned?: number }).__pwned).to.equal(undefined);

    heard = listen(el);
    await chooseAction(row(el, 'salesforce'), 'enable');
    await said(heard, ['Enabling…', `${HOSTILE} enabled`]);

    heard = listen(el);
    await chooseAction(row(el, 'salesforce'), 'disconnect');
    await answerDialog(await dialog(el), 'confirm');
    await said(heard, ['Disconnecting…', `${HOSTILE} disconnected`]);
  });

  it('a failed action says what went wrong (the same sentence as the error event)', async () => {
    const { el, events } = await mountWithList(LIST, {
      route: (call) => (call.method === 'PATCH' ? errorResponse(422, 'Unprocessable Entity', 'InvalidStateError', 'Nope') : undefined),
    });
    const heard = listen(el);
    await chooseAction(row(el, 'salesforce'), 'disable');
    await events.waitFor('vault-connect-error');
    await said(heard, ['Disabling…', events.errors[0].message]);
    expect(events.errors[0].message).to.contain('Nope');
  });

  it('the embedded Vault: "Opening…", then the connection’s new status', async () => {
    const api = fakeApi(LIST);
    const modal = new FakeVaultModal();
    const { el } = await mountWithList([], { route: api.route, vaultModal: modal });
    const heard = listen(el);
    button(row(el, 'hubspot'), 'connect').click();
    await modal.waitForOpen();
    await said(heard, ['Opening…']);
    api.store.get('crm/hubspot')!.state = 'callable';
    modal.last.onClose?.();
    await said(heard, ['Opening…', 'Hubspot updated. Connected']);
  });

  it('a Hosted Vault popup: "Opening…", then the new status; a blocked popup is said each time it happens', async () => {
    const api = fakeApi(LIST);
    const { el, events } = await mountWithList([], { route: api.route });
    el.openMode = 'popup';
    el.callbackUrl = CALLBACK_URL;
    el.vaultUrl = new URL('/__hosted-vault', location.href).href;
    ({ opened } = await popupFrames(1));
    let heard = listen(el);
    button(row(el, 'hubspot'), 'connect').click();
    await until(() => opened!.windows.length === 1, 'the popup opens');
    await until(() => {
      try {
        return opened!.windows[0].location.pathname.startsWith('/__hosted-vault/');
      } catch {
        return false;
      }
    }, 'the popup is on Hosted Vault');
    await said(heard, ['Opening…']);
    api.store.get('crm/hubspot')!.state = 'callable';
    returnTo(opened.windows[0], CALLBACK_URL, { authorizedConnection: 'hubspot' });
    await said(heard, ['Opening…', 'Hubspot updated. Connected']);

    opened.restore();
    opened = spyOpen(() => null);
    heard = listen(el);
    await chooseAction(row(el, 'salesforce'), 'reconnect');
    await events.waitFor('vault-connect-error');
    await said(heard, ['The browser blocked the window.']);
    button(row(el, 'salesforce'), 'retry').click();
    await events.waitFor('vault-connect-error', 2);
    await said(heard, ['The browser blocked the window.', 'The browser blocked the window.']);
  });
});

describe('<vault-connect> announcements during VaultRE flows', () => {
  /** Starts a VaultRE flow and listens from the moment before the click. */
  async function start(options: Parameters<typeof startVaultreFlow>[0] = {}): Promise<{ flow: VaultreFlow; heard: () => string[] }> {
    let heard: () => string[] = () => [];
    flow = await startVaultreFlow({
      ...options,
      activate: (connect) => {
        heard = listen((connect.getRootNode() as ShadowRoot).host as VaultConnect);
        connect.click();
      },
    });
    return { flow, heard: () => heard() };
  }

  it('approve: waiting, connected; then disconnecting, disconnected', async () => {
    const host = gate();
    held = host;
    const { flow, heard } = await start({
      exchange: () => host.promise.then(() => jsonResponse({ connected: true })),
      remove: () => host.promise.then(() => new Response(null, { status: 204 })),
    });
    await said(heard, ['Waiting for VaultRE…']);
    vaultreReturns(flow, { reason: 'success', code: fakeCode() });
    // The callback page in the popup exchanges the code; the row hears only its outcome.
    host.open();
    await said(heard, ['Waiting for VaultRE…', 'VaultRE connected']);

    const after = listen(flow.el);
    await chooseAction(row(flow.el, 'vaultre'), 'disconnect');
    await answerDialog(await dialog(flow.el), 'confirm');
    await said(after, ['Disconnecting…', 'VaultRE disconnected']);
    expect(text(badge(row(flow.el, 'vaultre')))).to.equal('Not connected');
  });

  for (const [outcome, setup, message] of [
    ['denied', {}, 'Access was denied.'],
    ['expired', { exchange: () => jsonResponse({ error: 'code_expired' }, 400) }, 'The authorization expired. Please try again.'],
    ['failed', { exchange: () => jsonResponse({ error: 'exchange_failed', message: 'VaultRE is down' }, 502) }, 'The connection could not be completed'],
    ['not stored', { exchange: () => jsonResponse({ error: 'store_failed', message: 'Disk full' }, 500) }, 'The connection could not be saved. Please connect again.'],
  ] as const) {
    it(`${outcome}: waiting, then “${message}”`, async () => {
      const { flow, heard } = await start(setup);
      vaultreReturns(flow, outcome === 'denied' ? { reason: 'User denied request' } : { reason: 'success', code: fakeCode() });
      await flow.events.waitFor('vault-connect-error');
      const error = flow.events.errors[0].message;
      expect(error).to.contain(message);
      await until(() => heard().at(-1) === error, `“${error}” is said (so far ${JSON.stringify(heard())})`);
      // Between the two, at most the exchange's progress (the host may answer before it is drawn).
      expect(heard().filter((s) => s !== 'Connecting…')).to.deep.equal(['Waiting for VaultRE…', error]);
    });
  }
});
