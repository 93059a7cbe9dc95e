/**
 * The VaultRE row without a real popup: when it shows, its status from `GET {vaultre-exchange-url}`, the hints, the
 * authorize URL the host answers, a blocked popup, disconnect with its confirmation, a VaultRE-only element,
 * accessibility, the deprecated attributes.
 *
 * The last two groups guard VaultRE row bugs found while writing these tests (fixed in b0d85e3): the token type, a
 * missing exchange URL, removing the row's attribute, and a same-tab network failure. Each comment names the fix.
 */
import { expect } from '@open-wc/testing';
import { PENDING_KEY, RESULT_KEY } from '../../../src/internal/popup/redirect-fallback.ts';
import { fakePopup } from '../support/popup-helpers.ts';
import {
  badge,
  button,
  chooseAction,
  connection,
  dialog,
  forgedToken,
  jsonResponse,
  listResponse,
  offeredActions,
  restoreFetch,
  row,
  shadow,
  statePanel,
  STUB_API,
  text,
  until,
} from '../support/helpers.ts';
import {
  CALLBACK_URL,
  EXCHANGE_PATH,
  answerDialog,
  authorizeUrlFor,
  mountVaultre,
  settledRow,
  spyOpen,
  storageText,
  stubHost,
  vaultreRow,
  type OpenSpy,
} from '../support/vaultre-helpers.ts';

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let opened: OpenSpy | undefined;

afterEach(() => {
  opened?.restore();
  opened = undefined;
  restoreFetch();
  sessionStorage.clear();
});

describe('<vault-connect> VaultRE row', () => {
  it('is not there without vaultre-exchange-url', async () => {
    stubHost();
    const { el } = await mountVaultre({ exchangeUrl: null });
    await delay(200);
    await el.updateComplete;
    expect(shadow(el).querySelector('[data-service-id="vaultre"]') === null, 'absent').to.equal(true);
  });

  it('appears when vaultre-exchange-url is set later, with data-service-id="vaultre" and part="connection"', async () => {
    stubHost();
    const { el } = await mountVaultre({ exchangeUrl: null });
    el.setAttribute('vaultre-exchange-url', EXCHANGE_PATH);
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
    expect(await offeredActions(vaultre)).to.deep.equal(['connect']);
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
    expect(await offeredActions(vaultre)).to.deep.equal(['reconnect', 'disconnect']);
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
    expect(await offeredActions(vaultre)).to.deep.equal(['reconnect', 'disconnect']);
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
  it('sends the popup to the authorize URL exactly as the host answered it, redirect_uri byte for byte', async () => {
    const redirect = `${CALLBACK_URL}?b=2&a=1&x=%20y`;
    const answered = authorizeUrlFor('account', 'server-signed-state-0001', redirect, 'https://login.vaultre.example/cgi-bin/clientvault');
    stubHost({ authorize: jsonResponse({ authorize_url: answered }) });
    const popups: string[] = [];
    const popup = fakePopup((href) => popups.push(href));
    opened = spyOpen(() => popup);
    const { el } = await mountVaultre();
    button(await settledRow(el), 'connect').click();
    await until(() => popups.length === 1, 'the popup is sent to VaultRE');
    expect(opened.calls[0].url).to.equal('about:blank');
    expect(popups[0]).to.equal(answered);
    expect(new URL(popups[0]).searchParams.get('redirect_uri')).to.equal(redirect);
    expect(text(row(el, 'vaultre').querySelector('[role="status"]'))).to.equal('Waiting for VaultRE…');
    // The flow record went into the popup's own storage, with the state the server signed.
    const record = JSON.parse(popup.sessionStorage.getItem(PENDING_KEY) ?? '{}') as Record<string, unknown>;
    expect(record).to.include({ kind: 'vaultre', mode: 'popup', state: 'server-signed-state-0001' });
    expect(sessionStorage.getItem(PENDING_KEY), 'not in this tab').to.equal(null);
    el.cancel();
    await until(() => popup.closed, 'cancel closes the popup');
  });

  it('a new authorization (a new state from the host) each time; the user page for vaultre-token-type="user"', async () => {
    const host = stubHost();
    const popups: string[] = [];
    opened = spyOpen(() => fakePopup((href) => popups.push(href)));
    const { el } = await mountVaultre({ tokenType: 'user' });
    await settledRow(el);
    for (let i = 0; i < 2; i++) {
      button(row(el, 'vaultre'), 'connect').click();
      await until(() => popups.length === i + 1, 'the popup is sent to VaultRE');
      el.cancel();
      await until(() => !row(el, 'vaultre').querySelector('[role="status"]'), 'the flow ends');
    }
    expect(host.authorizes().map((call) => JSON.parse(call.body ?? '') as unknown)).to.deep.equal([
      { action: 'authorize', token_type: 'user' },
      { action: 'authorize', token_type: 'user' },
    ]);
    const [first, second] = popups.map((href) => new URL(href));
    expect(first.pathname).to.match(/\/oauth-authorize-user\.cgi$/);
    expect(first.searchParams.get('state')).to.equal(host.states[0]);
    expect(second.searchParams.get('state')).to.equal(host.states[1]);
    expect(host.states[0]).not.to.equal(host.states[1]);
    // A cancel is the user's own doing: nothing but the row, and no state left behind in this tab.
    expect(row(el, 'vaultre').querySelector('[part="row-error"]') === null, 'absent').to.equal(true);
    expect(storageText()).not.to.contain(host.states[0]);
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
    expect(await offeredActions(vaultre)).to.deep.equal(['connect', 'retry']);
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
    expect(host.authorizes(), 'no authorization without a window').to.have.length(0);
    // Nothing waits for a same-tab flow until the user asks for one.
    expect(sessionStorage.getItem('vault-connect:pending')).to.equal(null);
  });
});

describe('<vault-connect> VaultRE row when disconnecting', () => {
  it('asks first; Cancel keeps the connection, Confirm sends DELETE and shows Not connected', async () => {
    const host = stubHost({ status: jsonResponse({ connected: true, token_type: 'account', connected_at: '2024-05-01T10:00:00.000Z' }) });
    const { el, events } = await mountVaultre();
    await chooseAction(await settledRow(el), 'disconnect');

    let d = await dialog(el);
    await until(() => d.open, 'the dialog opens');
    expect(text(d.querySelector('h2'))).to.equal('Disconnect VaultRE?');
    expect(d.getAttribute('aria-labelledby')).to.equal('confirm-title');
    await answerDialog(d, 'cancel');
    await delay(50);
    expect(host.deletes()).to.have.length(0);
    expect(text(badge(row(el, 'vaultre')))).to.equal('Connected');

    await chooseAction(row(el, 'vaultre'), 'disconnect');
    d = await dialog(el);
    await until(() => d.open, 'the dialog opens again');
    await answerDialog(d, 'confirm');
    await until(() => host.deletes().length === 1, 'DELETE is sent');
    expect(host.deletes()[0].credentials).to.equal('same-origin');
    await until(() => text(badge(row(el, 'vaultre'))) === 'Not connected', 'Not connected');
    expect(await offeredActions(row(el, 'vaultre'))).to.deep.equal(['connect']);
    expect(events.errors).to.deep.equal([]);
  });

  it('a failed DELETE keeps the connection and says so', async () => {
    const host = stubHost({
      status: jsonResponse({ connected: true }),
      remove: () => jsonResponse({ error: 'store_failed' }, 500),
    });
    const { el, events } = await mountVaultre();
    await chooseAction(await settledRow(el), 'disconnect');
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

describe('<vault-connect> VaultRE row with a missing, unexpected or deprecated attribute', () => {
  // The token type is normalised once (anything but `user` is `account`) for the hint and the authorize request.
  it('an unknown vaultre-token-type is treated as "account": the host is asked for an account authorization', async () => {
    const host = stubHost();
    const navigations: string[] = [];
    opened = spyOpen(() => fakePopup((href) => navigations.push(href)));
    const { el } = await mountVaultre({ tokenType: 'User' as 'user' });
    button(await settledRow(el), 'connect').click();
    await until(() => navigations.length === 1, 'the popup is sent to VaultRE');
    expect(JSON.parse(host.authorizes()[0].body ?? '')).to.deep.equal({ action: 'authorize', token_type: 'account' });
    expect(new URL(navigations[0]).pathname).to.match(/\/oauth-authorize\.cgi$/);
    el.cancel();
  });

  it('connectVaultre() without vaultre-exchange-url reports invalid_config instead of doing nothing', async () => {
    stubHost();
    opened = spyOpen(() => fakePopup());
    const { el, events } = await mountVaultre({ exchangeUrl: null });
    await el.connectVaultre();
    await events.waitFor('vault-connect-error');
    expect(events.errors[0]).to.include({ code: 'invalid_config' });
    expect(events.errors[0].message).to.equal('This page is not set up correctly: vaultre-exchange-url');
    expect(opened.calls, 'no window').to.have.length(0);
  });

  it('removing vaultre-exchange-url removes the row', async () => {
    stubHost();
    const { el } = await mountVaultre();
    await settledRow(el);
    el.removeAttribute('vaultre-exchange-url');
    await el.updateComplete;
    expect(shadow(el).querySelector('[data-service-id="vaultre"]') === null, 'absent').to.equal(true);
  });

  it('vaultre-client-id, vaultre-redirect-uri and vaultre-authorize-url are accepted and ignored (deprecated in 0.2.0)', async () => {
    const host = stubHost();
    const navigations: string[] = [];
    opened = spyOpen(() => fakePopup((href) => navigations.push(href)));
    const deprecated = {
      'vaultre-client-id': 'client-from-the-page',
      'vaultre-redirect-uri': 'https://evil.example/callback',
      'vaultre-authorize-url': 'https://evil.example/cgi-bin/clientvault',
    } as const;
    const { el, events } = await mountVaultre({ deprecated });
    expect(el.vaultreClientId, 'the property still reads the attribute').to.equal('client-from-the-page');
    button(await settledRow(el), 'connect').click();
    await until(() => navigations.length === 1, 'the popup is sent to VaultRE');
    const url = new URL(navigations[0]);
    expect(url.origin).to.equal(location.origin, 'the host’s URL, not the attribute’s');
    expect(url.searchParams.get('redirect_uri')).to.equal(CALLBACK_URL);
    expect(url.searchParams.get('client_id')).not.to.equal('client-from-the-page');
    expect(host.authorizes()).to.have.length(1);
    expect(events.errors).to.deep.equal([]);
    el.cancel();

    // Without vaultre-exchange-url they show no row at all.
    const { el: without } = await mountVaultre({ exchangeUrl: null, deprecated });
    await delay(150);
    await without.updateComplete;
    expect(shadow(without).querySelector('[data-service-id="vaultre"]') === null, 'absent').to.equal(true);
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
        mode: 'same-tab',
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

  it('same-tab fallback: a lost reply the callback page could not settle, but the status can: Connected, no error', async () => {
    stubHost({ status: jsonResponse({ connected: true, token_type: 'account', connected_at: '2024-06-01T00:00:00.000Z' }) });
    const id = 'same-tab-flow-0003';
    sessionStorage.setItem(
      PENDING_KEY,
      JSON.stringify({
        id,
        kind: 'vaultre',
        mode: 'same-tab',
        state: 'S'.repeat(22),
        returnUrl: location.href,
        exchangeUrl: new URL(EXCHANGE_PATH, location.href).href,
        tokenType: 'account',
        startedAt: Date.now(),
      }),
    );
    sessionStorage.setItem(RESULT_KEY, JSON.stringify({ type: 'exchange', id, ok: false, status: 0, error: 'network_error' }));
    const { el, events, vaultre } = await mountVaultre();
    await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
    expect(events.errors).to.deep.equal([]);
    await el.updateComplete;
    expect(text(badge(row(el, 'vaultre')))).to.equal('Connected');
  });
});
