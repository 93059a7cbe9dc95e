/**
 * Regression tests for VaultRE row bugs found while writing these tests (fixed in b0d85e3): the token type, a missing
 * exchange URL, removing `vaultre-client-id`, and a same-tab network failure. Each comment names the fix it guards.
 */
import { expect } from '@open-wc/testing';
import { PENDING_KEY, RESULT_KEY } from '../../src/flows/popup/redirect-fallback.ts';
import { fakePopup } from './support/popup-helpers.ts';
import { button, restoreFetch, row, shadow, text, until } from './support/helpers.ts';
import { CALLBACK_URL, EXCHANGE_PATH, mountVaultre, settledRow, spyOpen, stubHost, vaultreRow, type OpenSpy } from './support/vaultre-helpers.ts';

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let opened: OpenSpy | undefined;

afterEach(() => {
  opened?.restore();
  opened = undefined;
  restoreFetch();
  sessionStorage.clear();
});

describe('VaultRE row: regressions', () => {
  // The token type is normalised once (anything but `user` is `account`) for the page, the hint and the POST body.
  it('an unknown vaultre-token-type is treated as "account" everywhere, so the POST matches the page VaultRE showed', async () => {
    const host = stubHost();
    const navigations: string[] = [];
    const popup = fakePopup((href) => navigations.push(href));
    opened = spyOpen(() => popup);
    const { el } = await mountVaultre({ tokenType: 'User' as 'user' });
    button(await settledRow(el), 'connect').click();
    await until(() => navigations.length === 1, 'the popup is sent to VaultRE');
    // The row opened the office-level (account) page ...
    expect(new URL(navigations[0]).pathname).to.match(/\/oauth-authorize\.cgi$/);
    const state = new URL(navigations[0]).searchParams.get('state')!;
    // ... VaultRE returns (delivered as the callback page would, over the same-origin channel) ...
    const channel = new BroadcastChannel('vault-connect:callback');
    channel.postMessage({ type: 'vault-connect:callback', id: 'bug-token-type-0001', query: { reason: 'success', code: 'c0de', state }, fragment: {} });
    channel.close();
    await until(() => host.posts().length === 1, 'the code is posted');
    // ... so the host must be told "account", a value its schema accepts, not the attribute's raw "User".
    expect(host.postBodies()[0].token_type).to.equal('account');
  });

  // refresh() without an exchange URL reports the misconfiguration instead of showing "Checking…" for ever.
  it('without vaultre-exchange-url the row does not stay on "Checking…" with its buttons disabled for ever', async () => {
    stubHost();
    const { el, events } = await mountVaultre({ exchangeUrl: null });
    const vaultre = await vaultreRow(el);
    await delay(300);
    await el.updateComplete;
    expect(vaultre.getAttribute('aria-busy'), 'the row is not busy for ever').to.equal('false');
    expect(text(vaultre.querySelector('[role="status"]'))).not.to.equal('Checking…');
    expect(events.errors.length, 'the misconfiguration is reported').to.be.greaterThan(0);
  });

  // render() shows the row only while vaultre-client-id is set.
  it('removing vaultre-client-id removes the row', async () => {
    stubHost();
    const { el } = await mountVaultre();
    await settledRow(el);
    el.removeAttribute('vaultre-client-id');
    await el.updateComplete;
    expect(shadow(el).querySelector('[data-service-id="vaultre"]') === null, 'absent').to.equal(true);
  });

  // #resume() keeps the callback page's network failure as network_error.
  it('same-tab fallback: a network failure while the callback page posted is reported as network_error', async () => {
    stubHost();
    const id = 'same-tab-flow-0001';
    sessionStorage.setItem(
      PENDING_KEY,
      JSON.stringify({
        id,
        kind: 'vaultre',
        state: 'S'.repeat(22),
        returnUrl: location.href,
        exchangeUrl: new URL(EXCHANGE_PATH, location.href).href,
        tokenType: 'account',
        redirectUri: CALLBACK_URL,
        startedAt: Date.now(),
      }),
    );
    sessionStorage.setItem(RESULT_KEY, JSON.stringify({ type: 'exchange', id, ok: false, status: 0, error: 'network_error' }));
    const { el, events } = await mountVaultre();
    await events.waitFor('vault-connect-error');
    expect(events.errors[0]).to.include({ code: 'network_error', retryable: true });
    expect(sessionStorage.getItem(PENDING_KEY)).to.equal(null);
    await el.updateComplete;
    expect(text(row(el, 'vaultre').querySelector('[part="row-error"]'))).to.equal('Network error. Check your connection and try again.');
  });
});
