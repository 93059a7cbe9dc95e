/**
 * The VaultRE row without a real popup: when it shows, its status from `GET {vaultre-exchange-url}`, the hints, the
 * authorize URL, a blocked popup, disconnect with its confirmation, a VaultRE-only element, accessibility.
 *
 * The last two groups guard VaultRE row bugs found while writing these tests (fixed in b0d85e3): the token type, a
 * missing exchange URL, removing `vaultre-client-id`, and a same-tab network failure. Each comment names the fix.
 */
import { expect } from '@open-wc/testing';
import { PENDING_KEY, RESULT_KEY } from '../../../src/internal/popup/redirect-fallback.ts';
import { vaultreAuthorizeUrl } from '../../../src/internal/vaultre/authorize-url.ts';
import { fakePopup } from '../support/popup-helpers.ts';
import {
  actionsOf,
  badge,
  button,
  connection,
  dialog,
  forgedToken,
  jsonResponse,
  listResponse,
  restoreFetch,
  row,
  shadow,
  STUB_API,
  statePanel,
  text,
  until,
} from '../support/helpers.ts';
import {
  CALLBACK_URL,
  EXCHANGE_PATH,
  answerDialog,
  mountVaultre,
  settledRow,
  spyOpen,
  storageText,
  stubHost,
  vaultreRow,
  type OpenSpy,
} from '../support/vaultre-helpers.ts';

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const STATE = /^[A-Za-z0-9_-]{22}$/;

let opened: OpenSpy | undefined;

afterEach(() => {
  opened?.restore();
  opened = undefined;
  restoreFetch();
  sessionStorage.clear();
});

describe('vaultreAuthorizeUrl', () => {
  const base = 'https://login.vaultre.com.au/cgi-bin/clientvault';

  it('builds the account (third party) URL of the fact sheet, redirect_uri encoded once, exactly as given', () => {
    const url = vaultreAuthorizeUrl(base, 'account', 'abc', 'demo.com/some-stuff/auth?exampleparameter=value1', 'S'.repeat(22));
    expect(url).to.equal(
      'https://login.vaultre.com.au/cgi-bin/clientvault/oauth-authorize.cgi?client_id=abc' +
        '&redirect_uri=demo.com%2Fsome-stuff%2Fauth%3Fexampleparameter%3Dvalue1&response_type=code&state=' +
        'S'.repeat(22),
    );
  });

  it('uses oauth-authorize-user.cgi for user tokens', () => {
    const url = new URL(vaultreAuthorizeUrl(`${base}/`, 'user', 'abc', 'https://app.example/cb', 'state-value-0123456789'));
    expect(url.origin + url.pathname).to.equal(`${base}/oauth-authorize-user.cgi`);
    expect([...url.searchParams.keys()]).to.deep.equal(['client_id', 'redirect_uri', 'response_type', 'state']);
    expect(url.searchParams.get('redirect_uri')).to.equal('https://app.example/cb');
    expect(url.searchParams.get('response_type')).to.equal('code');
  });

  it('keeps the redirect_uri byte for byte: its own query is neither re-ordered nor re-encoded', () => {
    const redirect = 'https://app.example/cb?b=2&a=1&x=%20y';
    const url = vaultreAuthorizeUrl(base, 'account', 'abc', redirect, 'S'.repeat(22));
    expect(url).to.contain(`redirect_uri=${encodeURIComponent(redirect)}&`);
    expect(new URL(url).searchParams.get('redirect_uri')).to.equal(redirect);
  });
});

describe('<vault-connect> VaultRE row', () => {
  it('is not there without vaultre-client-id', async () => {
    stubHost();
    const { el } = await mountVaultre({ clientId: null });
    await delay(200);
    await el.updateComplete;
    expect(shadow(el).querySelector('[data-service-id="vaultre"]') === null, 'absent').to.equal(true);
  });

  it('appears when vaultre-client-id is set later, with data-service-id="vaultre" and part="connection"', async () => {
    stubHost();
    const { el } = await mountVaultre({ clientId: null });
    el.setAttribute('vaultre-client-id', 'late-client');
    const vaultre = await vaultreRow(el);
    expect(vaultre.getAttribute('part')).to.equal('connection');
    expect(text(vaultre.querySelector('[part="name"]'))).to.equal('VaultRE');
  });

  it('shows Not connected from GET, with the account hint (only a VaultRE system admin can approve)', async () => {
    const host = stubHost({ status: jsonResponse({ connected: false }) });
    const { el } = await mountVaultre();
    const vaultre = await settledRow(el);
    expect(text(badge(vaultre))).to.equal('Not connected');
    expect(badge(vaultre).dataset.status).to.equal('not_connected');
    expect(actionsOf(vaultre)).to.deep.equal(['connect']);
    expect(text(vaultre.querySelector('[part="tag-line"]'))).to.match(/only a VaultRE system administrator can approve/i);
    expect(host.gets()).to.have.length(1);
    expect(host.gets()[0].credentials).to.equal('same-origin');
  });

  it('says user-level access for vaultre-token-type="user"', async () => {
    stubHost();
    const { el } = await mountVaultre({ tokenType: 'user' });
    const vaultre = await settledRow(el);
    const hint = text(vaultre.querySelector('[part="tag-line"]'));
    expect(hint).to.equal('Access as your own VaultRE user.');
    expect(hint).not.to.match(/administrator/i);
  });

  it('shows Connected and "Connected since" its date, with reconnect and disconnect', async () => {
    const connectedAt = '2024-05-01T10:00:00.000Z';
    stubHost({ status: jsonResponse({ connected: true, token_type: 'account', connected_at: connectedAt }) });
    const { el } = await mountVaultre();
    const vaultre = await settledRow(el);
    expect(text(badge(vaultre))).to.equal('Connected');
    expect(badge(vaultre).dataset.status).to.equal('connected');
    const date = new Intl.DateTimeFormat('en', { dateStyle: 'medium' }).format(new Date(connectedAt));
    expect(text(vaultre.querySelector('[part="tag-line"]'))).to.equal(`Connected since ${date}`);
    expect(actionsOf(vaultre)).to.deep.equal(['reconnect', 'disconnect']);
  });

  it('a failed GET shows an error and a retry that reads the status again', async () => {
    let fail = true;
    const host = stubHost({
      status: () => (fail ? jsonResponse({ error: 'oops' }, 503) : jsonResponse({ connected: true })),
    });
    const { el, events } = await mountVaultre();
    await events.waitFor('vault-connect-error');
    expect(events.errors[0]).to.include({ code: 'api_error', retryable: true });
    let vaultre = await settledRow(el);
    expect(text(vaultre.querySelector('[part="row-error"]'))).to.contain('(503)');
    fail = false;
    button(vaultre, 'retry').click();
    await until(() => host.gets().length === 2, 'a second GET');
    await until(() => text(badge(row(el, 'vaultre'))) === 'Connected', 'Connected after the retry');
    vaultre = row(el, 'vaultre');
    expect(vaultre.querySelector('[part="row-error"]') === null, 'absent').to.equal(true);
    expect(actionsOf(vaultre)).to.deep.equal(['reconnect', 'disconnect']);
  });

  it('a network failure on GET is retryable too', async () => {
    let fail = true;
    const host = stubHost({
      status: () => {
        if (fail) throw new TypeError('Failed to fetch');
        return jsonResponse({ connected: false });
      },
    });
    const { el, events } = await mountVaultre();
    await events.waitFor('vault-connect-error');
    expect(events.errors[0]).to.include({ code: 'network_error', retryable: true });
    fail = false;
    button(await settledRow(el), 'retry').click();
    await until(() => host.gets().length === 2, 'a second GET');
    await until(() => row(el, 'vaultre').querySelector('[part="row-error"]') === null, 'the error goes');
  });

  it('a VaultRE-only element (no session-url, no token) shows only the VaultRE row and no "waiting" panel', async () => {
    const host = stubHost();
    const { el } = await mountVaultre();
    await settledRow(el);
    const ids = [...shadow(el).querySelectorAll<HTMLElement>('[part="connection"]')].map((r) => r.dataset.serviceId);
    expect(ids).to.deep.equal(['vaultre']);
    expect(statePanel(el) === null, 'no state panel').to.equal(true);
    expect(shadow(el).textContent).not.to.contain('Waiting for a session');
    // Only the VaultRE endpoint was called: no session, no Vault API.
    expect(host.stub.calls.map((c) => `${c.method} ${c.url.pathname}`)).to.deep.equal([`GET ${EXCHANGE_PATH}`]);
  });

  it('is accessible, alone and beside the Apideck list', async () => {
    stubHost();
    const { el } = await mountVaultre();
    await settledRow(el);
    await expect(el).to.be.accessible();

    const host = stubHost({
      status: jsonResponse({ connected: true, connected_at: '2024-05-01T10:00:00.000Z' }),
      route: (call) =>
        call.url.origin === STUB_API && call.url.pathname === '/vault/connections'
          ? listResponse([connection({ service_id: 'salesforce' }), connection({ service_id: 'hubspot', state: 'available' })])
          : undefined,
    });
    const { el: withList, events } = await mountVaultre({ token: forgedToken(), unifyBaseUrl: STUB_API });
    await events.waitFor('vault-connect-ready');
    await settledRow(withList);
    const ids = [...shadow(withList).querySelectorAll<HTMLElement>('[part="connection"]')].map((r) => r.dataset.serviceId);
    expect(ids).to.have.members(['vaultre', 'salesforce', 'hubspot']);
    expect(host.gets()).to.have.length(1);
    await expect(withList).to.be.accessible();
  });
});

describe('<vault-connect> VaultRE connect button', () => {
  it('opens the authorize page for the attributes: client_id, redirect_uri as given, response_type=code, a 22-char state', async () => {
    stubHost();
    const redirect = 'demo.com/some-stuff/auth?exampleparameter=value1';
    const popups: string[] = [];
    const popup = fakePopup((href) => popups.push(href));
    opened = spyOpen(() => popup);
    const { el } = await mountVaultre({ redirectUri: redirect, authorizeUrl: 'https://login.vaultre.example/cgi-bin/clientvault/' });
    button(await settledRow(el), 'connect').click();
    await until(() => popups.length === 1, 'the popup is sent to VaultRE');
    expect(opened.calls[0].url).to.equal('about:blank');
    const href = popups[0];
    const state = new URL(href).searchParams.get('state') ?? '';
    expect(state).to.match(STATE);
    expect(href).to.equal(
      'https://login.vaultre.example/cgi-bin/clientvault/oauth-authorize.cgi?client_id=test-vaultre-client' +
        `&redirect_uri=demo.com%2Fsome-stuff%2Fauth%3Fexampleparameter%3Dvalue1&response_type=code&state=${state}`,
    );
    expect(text(row(el, 'vaultre').querySelector('[role="status"]'))).to.equal('Waiting for VaultRE…');
    el.cancel();
    await until(() => popup.closed, 'cancel closes the popup');
  });

  it('a fresh state per authorization; the user page for vaultre-token-type="user"', async () => {
    stubHost();
    const popups: string[] = [];
    opened = spyOpen(() => fakePopup((href) => popups.push(href)));
    const { el } = await mountVaultre({ tokenType: 'user', authorizeUrl: 'https://login.vaultre.example/cgi-bin/clientvault' });
    await settledRow(el);
    for (let i = 0; i < 2; i++) {
      button(row(el, 'vaultre'), 'connect').click();
      await until(() => popups.length === i + 1, 'the popup is sent to VaultRE');
      el.cancel();
      await until(() => !row(el, 'vaultre').querySelector('[role="status"]'), 'the flow ends');
    }
    const [first, second] = popups.map((href) => new URL(href));
    expect(first.pathname).to.equal('/cgi-bin/clientvault/oauth-authorize-user.cgi');
    expect(first.searchParams.get('state')).to.match(STATE);
    expect(second.searchParams.get('state')).to.match(STATE);
    expect(first.searchParams.get('state')).not.to.equal(second.searchParams.get('state'));
    // A cancel is the user's own doing: nothing but the row, and no state left behind.
    expect(row(el, 'vaultre').querySelector('[part="row-error"]') === null, 'absent').to.equal(true);
    expect(storageText()).not.to.contain(first.searchParams.get('state'));
  });

  it('popup blocked: popup_blocked and a retry; blocked again: "Continue in this tab"', async () => {
    const host = stubHost();
    opened = spyOpen(() => null);
    const { el, events } = await mountVaultre();
    button(await settledRow(el), 'connect').click();
    await events.waitFor('vault-connect-error');
    expect(events.errors[0]).to.include({ code: 'popup_blocked', retryable: true });
    await el.updateComplete;
    let vaultre = row(el, 'vaultre');
    expect(text(vaultre.querySelector('[part="row-error"]'))).to.equal('The browser blocked the window.');
    expect(actionsOf(vaultre)).to.deep.equal(['connect', 'retry']);
    expect(vaultre.querySelector('[data-same-tab]') === null, 'absent').to.equal(true);

    button(vaultre, 'retry').click();
    await events.waitFor('vault-connect-error', 2);
    expect(events.errors[1].code).to.equal('popup_blocked');
    await el.updateComplete;
    vaultre = row(el, 'vaultre');
    const sameTab = vaultre.querySelector<HTMLButtonElement>('button[data-same-tab]');
    expect(sameTab !== null, 'the same-tab button').to.equal(true);
    expect(text(sameTab)).to.equal('Continue in this tab');
    expect(sameTab!.disabled).to.equal(false);
    expect(opened.calls).to.have.length(2);
    expect(host.posts()).to.have.length(0);
    // Nothing waits for a same-tab flow until the user asks for one.
    expect(sessionStorage.getItem('vault-connect:pending')).to.equal(null);
  });
});

describe('<vault-connect> VaultRE row when disconnecting', () => {
  it('asks first; Cancel keeps the connection, Confirm sends DELETE and shows Not connected', async () => {
    const host = stubHost({ status: jsonResponse({ connected: true, token_type: 'account', connected_at: '2024-05-01T10:00:00.000Z' }) });
    const { el, events } = await mountVaultre();
    button(await settledRow(el), 'disconnect').click();

    let d = await dialog(el);
    await until(() => d.open, 'the dialog opens');
    expect(text(d.querySelector('h2'))).to.equal('Disconnect VaultRE?');
    expect(d.getAttribute('aria-labelledby')).to.equal('confirm-title');
    await answerDialog(d, 'cancel');
    await delay(50);
    expect(host.deletes()).to.have.length(0);
    expect(text(badge(row(el, 'vaultre')))).to.equal('Connected');

    button(row(el, 'vaultre'), 'disconnect').click();
    d = await dialog(el);
    await until(() => d.open, 'the dialog opens again');
    await answerDialog(d, 'confirm');
    await until(() => host.deletes().length === 1, 'DELETE is sent');
    expect(host.deletes()[0].credentials).to.equal('same-origin');
    await until(() => text(badge(row(el, 'vaultre'))) === 'Not connected', 'Not connected');
    expect(actionsOf(row(el, 'vaultre'))).to.deep.equal(['connect']);
    expect(events.errors).to.deep.equal([]);
  });

  it('a failed DELETE keeps the connection and says so', async () => {
    const host = stubHost({
      status: jsonResponse({ connected: true }),
      remove: () => jsonResponse({ error: 'store_failed' }, 500),
    });
    const { el, events } = await mountVaultre();
    button(await settledRow(el), 'disconnect').click();
    const d = await dialog(el);
    await until(() => d.open, 'the dialog opens');
    await answerDialog(d, 'confirm');
    await events.waitFor('vault-connect-error');
    expect(host.deletes()).to.have.length(1);
    expect(events.errors[0]).to.include({ code: 'api_error', retryable: true });
    await el.updateComplete;
    expect(text(badge(row(el, 'vaultre')))).to.equal('Connected');
  });
});

describe('<vault-connect> VaultRE row with a missing or unexpected attribute', () => {
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
});

describe('<vault-connect> VaultRE row back from the same-tab fallback', () => {
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
