/**
 * The VaultRE popup flow with a same-origin stand-in popup (an iframe handed out by the `window.open` stub; see
 * `vaultre-helpers.ts` for why not a real window): the element opens it blank, asks the host for the authorize URL,
 * writes the flow record into it and sends it to the (same-origin stand-in) authorize page; the test, acting as VaultRE,
 * sends it on to the real callback page (`src/callback/auto.ts`), which checks the state, posts the code to the host
 * itself and relays only the outcome (over BroadcastChannel and storage, as a popup without an opener does). The host
 * endpoint is a fetch stub, reached by the callback page too.
 */
import { expect } from '@open-wc/testing';
import type { VaultConnect } from '../../../src/index.ts';
import { CALLBACK_CHANNEL, CALLBACK_MESSAGE_TYPE, CALLBACK_STORAGE_KEY } from '../../../src/internal/popup/callback-message.ts';
import { OriginalBroadcastChannel, broadcast, removeFrames } from '../support/popup-helpers.ts';
import {
  badge,
  button,
  type EventLog,
  gate,
  jsonResponse,
  offeredActions,
  restoreFetch,
  row,
  text,
  until,
} from '../support/helpers.ts';
import {
  CALLBACK_URL,
  CLIENT_ID,
  EXCHANGE_PATH,
  authorizeUrlOf,
  authorizeUrlFor,
  domText,
  fakeCode,
  hrefOf,
  mountVaultre,
  popupFrames,
  returnTo,
  settledRow,
  spyOpen,
  storageText,
  storedRecord,
  stubHost,
  type HostStub,
  type OpenSpy,
  type VaultreEvents,
  watchClose,
} from '../support/vaultre-helpers.ts';

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const SAYS = 'We lost track of the window. If you finished, this updates by itself; otherwise try again.';

let opened: OpenSpy | undefined;
let frames: HTMLIFrameElement[] = [];

afterEach(() => {
  opened?.restore();
  opened = undefined;
  removeFrames();
  frames = [];
  restoreFetch();
  sessionStorage.clear();
});

/** Stand-in popups for the next `count` window.open calls. */
async function popups(count = 1): Promise<OpenSpy> {
  ({ frames, opened } = await popupFrames(count));
  return opened;
}

interface Flow {
  el: VaultConnect;
  events: EventLog;
  vaultre: VaultreEvents;
  host: HostStub;
  popup: Window;
  authorize: URL;
  state: string;
}

/** Mounts, clicks Connect and waits until the popup is on the authorize page. */
async function startFlow(
  options: Parameters<typeof stubHost>[0] & { tokenType?: 'account' | 'user'; popups?: number; action?: 'connect' | 'reconnect' } = {},
): Promise<Flow> {
  const opened = await popups(options.popups ?? 1);
  const host = stubHost(options);
  const { el, events, vaultre } = await mountVaultre(options.tokenType ? { tokenType: options.tokenType } : {});
  button(await settledRow(el), options.action ?? 'connect').click();
  await until(() => opened.windows.length === 1, 'a popup opens');
  const popup = opened.windows[0];
  const authorize = await authorizeUrlOf(popup);
  return { el, events, vaultre, host, popup, authorize, state: authorize.searchParams.get('state') ?? '' };
}

function rowError(el: VaultConnect): string {
  return text(row(el, 'vaultre').querySelector('[part="row-error"]'));
}

/** No code in the page, the element, either storage, nor this page's address. */
function expectNoSecret(el: VaultConnect, ...secrets: string[]): void {
  for (const secret of secrets) {
    expect(domText(el), 'the DOM').not.to.contain(secret);
    expect(storageText(), 'the storages').not.to.contain(secret);
    expect(location.href).not.to.contain(secret);
  }
}

/** Everything any same-origin document receives on the callback channels: what another tab of this origin would see. */
function eavesdrop(): { seen: string[]; stop(): void } {
  const seen: string[] = [];
  const channel = new OriginalBroadcastChannel(CALLBACK_CHANNEL);
  channel.onmessage = (event) => seen.push(`broadcast ${JSON.stringify(event.data)}`);
  const onStorage = (event: StorageEvent) => seen.push(`storage ${event.key ?? ''}=${event.newValue ?? ''}`);
  const onMessage = (event: MessageEvent) => seen.push(`message ${JSON.stringify(event.data)}`);
  window.addEventListener('storage', onStorage);
  window.addEventListener('message', onMessage);
  return {
    seen,
    stop() {
      channel.close();
      window.removeEventListener('storage', onStorage);
      window.removeEventListener('message', onMessage);
    },
  };
}

describe('<vault-connect> VaultRE popup flow: the server builds the authorize URL', () => {
  it('opens about:blank in the click, says "Opening VaultRE…", asks the host, then sends the popup to the URL it got', async () => {
    const opened = await popups();
    const held = gate();
    const host = stubHost({
      authorize: async () => {
        await held.promise;
        return jsonResponse({ authorize_url: authorizeUrlFor('account', 'state-from-the-server-0001') });
      },
    });
    const { el } = await mountVaultre();
    button(await settledRow(el), 'connect').click();
    await until(() => opened.windows.length === 1, 'a popup opens in the click');
    expect(opened.calls[0].url).to.equal('about:blank');
    const popup = opened.windows[0];
    await until(() => text(popup.document.body) === 'Opening VaultRE…', 'the popup says what is happening');
    expect(popup.document.title).to.equal('Opening VaultRE…');
    expect(host.authorizes()).to.have.length(1);
    expect(JSON.parse(host.authorizes()[0].body ?? '')).to.deep.equal({ action: 'authorize', token_type: 'account' });
    expect(host.authorizes()[0].credentials).to.equal('same-origin');
    held.open();
    const authorize = await authorizeUrlOf(popup);
    expect(authorize.searchParams.get('state')).to.equal('state-from-the-server-0001');
    expect(authorize.searchParams.get('client_id')).to.equal(CLIENT_ID);
    expect(text(row(el, 'vaultre').querySelector('[role="status"]'))).to.equal('Waiting for VaultRE…');
  });

  it('writes the flow record into the popup before it leaves about:blank: mode, exchange URL, expected state', async () => {
    const { state, el } = await startFlow();
    // A stand-in popup (an iframe) shares this tab's sessionStorage, so its record is readable here.
    const record = storedRecord();
    expect(record).to.include({ kind: 'vaultre', mode: 'popup', state, tokenType: 'account' });
    expect(record?.exchangeUrl).to.equal(new URL(EXCHANGE_PATH, location.href).href);
    expect(record?.id).to.match(/^[A-Za-z0-9_-]{22}$/);
    el.cancel();
  });

  it('the host’s limit on {action: "authorize"} (429): rate_limited with the wait, the popup closes, Try again is offered', async () => {
    const opened = await popups();
    const host = stubHost({
      authorize: () =>
        new Response(JSON.stringify({ error: 'rate_limited', message: 'Too many attempts.', retry_after: 12 }), {
          status: 429,
          headers: { 'content-type': 'application/json', 'retry-after': '12' },
        }),
    });
    const { el, events } = await mountVaultre();
    const closing = watchClose(opened.windows.length ? opened.windows[0] : frames[0].contentWindow!);
    button(await settledRow(el), 'connect').click();
    await events.waitFor('vault-connect-error');
    expect(events.errors).to.deep.equal([{ code: 'rate_limited', message: 'Too many attempts. Try again in 12 seconds.', retryable: true }]);
    await until(() => closing.calls() === 1, 'the popup is closed');
    await el.updateComplete;
    expect(rowError(el)).to.equal('Too many attempts. Try again in 12 seconds.');
    expect(await offeredActions(row(el, 'vaultre'))).to.include('retry');
    expect(host.authorizes()).to.have.length(1);
    expect(host.posts()).to.have.length(0);
  });

  it('the host refuses to authorize: the popup closes and the row shows the host’s message', async () => {
    const opened = await popups();
    stubHost({ authorize: jsonResponse({ error: 'invalid_consumer', message: 'Sign in to manage your VaultRE connection.' }, 401) });
    const { el, events } = await mountVaultre();
    const closing = watchClose(opened.windows.length ? opened.windows[0] : frames[0].contentWindow!);
    button(await settledRow(el), 'connect').click();
    await events.waitFor('vault-connect-error');
    expect(events.errors[0]).to.deep.equal({
      code: 'exchange_failed',
      message: 'The connection could not be completed. Sign in to manage your VaultRE connection.',
      retryable: false,
    });
    await until(() => closing.calls() === 1, 'the popup is closed');
    await el.updateComplete;
    expect(rowError(el)).to.equal('The connection could not be completed. Sign in to manage your VaultRE connection.');
    expect(button(row(el, 'vaultre'), 'connect').disabled).to.equal(false);
  });

  it('the authorize request fails on the network: network_error, the popup closes, a retry is offered', async () => {
    await popups();
    stubHost({
      authorize: () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const { el, events } = await mountVaultre();
    const closing = watchClose(frames[0].contentWindow!);
    button(await settledRow(el), 'connect').click();
    await events.waitFor('vault-connect-error');
    expect(events.errors[0]).to.include({ code: 'network_error', retryable: true });
    await until(() => closing.calls() === 1, 'the popup is closed');
    await el.updateComplete;
    expect(await offeredActions(row(el, 'vaultre'))).to.contain('retry');
  });

  for (const [name, url] of [
    ['not a URL', 'nope'],
    ['javascript:', 'javascript:alert(1)//?state=x&redirect_uri=x'],
    ['plain http off this machine', `http://login.vaultre.example/cgi-bin/clientvault/oauth-authorize.cgi?state=s&redirect_uri=${encodeURIComponent(CALLBACK_URL)}`],
    ['without a state', `${new URL('/x/oauth-authorize.cgi', location.href).href}?redirect_uri=${encodeURIComponent(CALLBACK_URL)}`],
  ] as const) {
    it(`an authorize_url that is ${name}: invalid_response, the popup closes without loading it`, async () => {
      await popups();
      stubHost({ authorize: jsonResponse({ authorize_url: url }) });
      const { el, events } = await mountVaultre();
      const closing = watchClose(frames[0].contentWindow!);
      button(await settledRow(el), 'connect').click();
      await events.waitFor('vault-connect-error');
      expect(events.errors[0].code).to.equal('invalid_response');
      await until(() => closing.calls() === 1, 'the popup is closed');
      expect(hrefOf(frames[0].contentWindow!)).not.to.contain('javascript');
    });
  }

  it('a redirect URI on another origin: invalid_config (its callback page could not read the record)', async () => {
    await popups();
    stubHost({ redirectUri: 'https://elsewhere.example/callback.html' });
    const { el, events } = await mountVaultre();
    button(await settledRow(el), 'connect').click();
    await events.waitFor('vault-connect-error');
    expect(events.errors[0].code).to.equal('invalid_config');
    expect(events.errors[0].message).to.equal('This page is not set up correctly: The VaultRE redirect URI must be a page on this origin.');
  });
});

describe('<vault-connect> VaultRE popup flow when the user approves', () => {
  it('approve: the callback page posts {code, state} at once; the element fires vaultre-connect with the reply', async () => {
    const reply = { connected: true, token_type: 'account', connected_at: '2024-05-01T10:00:00.000Z', extra: 'kept' };
    const { el, popup, state, host, vaultre, events } = await startFlow({ exchange: jsonResponse(reply) });
    const code = fakeCode();
    returnTo(popup, CALLBACK_URL, { reason: 'success', code, state });
    await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
    expect(host.postBodies()).to.deep.equal([{ code, state }]);
    const post = host.posts()[0];
    expect(post.headers.get('content-type')).to.equal('application/json');
    expect(post.credentials).to.equal('same-origin');
    expect(vaultre.connects[0]).to.deep.equal({ result: reply, bubbles: true, composed: true });
    await el.updateComplete;
    expect(text(badge(row(el, 'vaultre')))).to.equal('Connected');
    expect(await offeredActions(row(el, 'vaultre'))).to.deep.equal(['reconnect', 'disconnect']);
    expect(events.errors).to.deep.equal([]);
    expect(storedRecord(), 'the record is taken').to.equal(undefined);
    expectNoSecret(el, code);
  });

  it('a user token: the host is asked for a user authorization', async () => {
    const { el, popup, authorize, state, host, vaultre } = await startFlow({
      tokenType: 'user',
      exchange: jsonResponse({ connected: true, token_type: 'user' }),
    });
    expect(JSON.parse(host.authorizes()[0].body ?? '')).to.deep.equal({ action: 'authorize', token_type: 'user' });
    expect(authorize.pathname).to.match(/\/oauth-authorize-user\.cgi$/);
    returnTo(popup, CALLBACK_URL, { reason: 'success', code: fakeCode(), state });
    await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
    await el.updateComplete;
    expect(text(badge(row(el, 'vaultre')))).to.equal('Connected');
    expect(text(row(el, 'vaultre').querySelector('[part="tag-line"]'))).to.equal('Access as your own VaultRE user.');
  });
});

describe('<vault-connect> VaultRE popup flow: the code goes one way (issue 14, finding 4)', () => {
  it('no message, storage entry or URL that another same-origin tab can see carries the code; only the outcome', async () => {
    const ears = eavesdrop();
    try {
      const { el, popup, state, host, vaultre } = await startFlow();
      const code = fakeCode();
      returnTo(popup, CALLBACK_URL, { reason: 'success', code, state });
      await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
      await delay(100);
      expect(host.postBodies().map((b) => b.code)).to.deep.equal([code], 'the callback page posted it, once');
      expect(ears.seen.length, 'the outcome was relayed').to.be.greaterThan(0);
      for (const seen of ears.seen) expect(seen, 'no relayed message carries the code').not.to.contain(code);
      const relayed = ears.seen.find((line) => line.startsWith('broadcast '))!;
      const message = JSON.parse(relayed.slice('broadcast '.length)) as Record<string, unknown>;
      expect(message).to.include({ type: CALLBACK_MESSAGE_TYPE });
      expect(message.query).to.deep.equal({ state });
      expect((message.outcome as { result: string }).result).to.equal('connected');
      expect(hrefOf(popup), 'the callback page’s own address lost its parameters').not.to.contain(code);
      expectNoSecret(el, code);
    } finally {
      ears.stop();
    }
  });

  it('a wrong state: the callback page posts nothing and relays state_mismatch, which ends the flow', async () => {
    const ears = eavesdrop();
    try {
      const { el, popup, host, events, vaultre } = await startFlow();
      const code = fakeCode();
      returnTo(popup, CALLBACK_URL, { reason: 'success', code, state: 'not-the-state-the-server-issued' });
      await events.waitFor('vault-connect-error');
      expect(events.errors[0].code).to.equal('state_mismatch');
      await delay(100);
      expect(host.posts()).to.have.length(0);
      expect(vaultre.connects).to.have.length(0);
      for (const seen of ears.seen) expect(seen).not.to.contain(code);
      await el.updateComplete;
      expect(rowError(el)).to.equal('The reply did not match this request.');
      expect(button(row(el, 'vaultre'), 'connect').disabled).to.equal(false);
      expectNoSecret(el, code);
    } finally {
      ears.stop();
    }
  });

  it('no state at all: state_mismatch, nothing posted', async () => {
    const { popup, host, events } = await startFlow();
    returnTo(popup, CALLBACK_URL, { reason: 'success', code: fakeCode() });
    await events.waitFor('vault-connect-error');
    expect(events.errors[0].code).to.equal('state_mismatch');
    expect(host.posts()).to.have.length(0);
  });

  it('forged outcomes (no flow id, another flow’s id) and raw returns are ignored; the real return still connects', async () => {
    const { el, popup, state, host, vaultre, events } = await startFlow();
    const connected = { result: 'connected', body: { connected: true } };
    window.postMessage({ type: CALLBACK_MESSAGE_TYPE, id: 'forged-message-0001', query: { state }, fragment: {}, outcome: connected }, '*');
    broadcast({ type: CALLBACK_MESSAGE_TYPE, id: 'forged-message-0002', flow: 'another-flow-id-000', query: { state }, fragment: {}, outcome: connected });
    broadcast({ type: CALLBACK_MESSAGE_TYPE, id: 'forged-message-0003', query: { reason: 'success', code: fakeCode(), state }, fragment: {} });
    broadcast({ type: CALLBACK_MESSAGE_TYPE, id: 'forged-message-0004', query: { state }, fragment: {}, outcome: { result: 'failed', error: 'state_mismatch' } });
    await delay(150);
    expect(events.errors).to.deep.equal([]);
    expect(vaultre.connects).to.have.length(0);
    expect(host.posts()).to.have.length(0);
    const code = fakeCode();
    returnTo(popup, CALLBACK_URL, { reason: 'success', code, state });
    await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
    expect(host.postBodies().map((b) => b.code)).to.deep.equal([code]);
    await el.updateComplete;
    expect(text(badge(row(el, 'vaultre')))).to.equal('Connected');
  });

  it('deny: access_denied, a calm message, nothing posted, connect again possible', async () => {
    const { el, popup, state, host, events, vaultre } = await startFlow();
    returnTo(popup, CALLBACK_URL, { reason: 'User denied request', state });
    await events.waitFor('vault-connect-error');
    expect(events.errors[0]).to.deep.equal({ code: 'access_denied', message: 'Access was denied.', retryable: false });
    await el.updateComplete;
    expect(rowError(el)).to.equal('Access was denied.');
    expect(host.posts()).to.have.length(0);
    expect(vaultre.connects).to.have.length(0);
    expect(text(badge(row(el, 'vaultre')))).to.equal('Not connected');
    expect(await offeredActions(row(el, 'vaultre'))).to.contain('retry');
  });
});

describe('<vault-connect> VaultRE popup flow when the exchange fails', () => {
  it('code_expired: a retry starts a NEW authorization (new state) and the old code is never posted again', async () => {
    const { el, popup, state, host, events, vaultre } = await startFlow({
      popups: 2,
      exchange: () => jsonResponse({ error: 'code_expired', message: 'The VaultRE authorization code has expired.' }, 400),
    });
    const code = fakeCode();
    returnTo(popup, CALLBACK_URL, { reason: 'success', code, state });
    await events.waitFor('vault-connect-error');
    expect(events.errors[0]).to.include({ code: 'code_expired', retryable: true });
    expect(events.errors[0].message).to.equal('The authorization expired. Please try again.');
    expect(host.posts()).to.have.length(1);
    await el.updateComplete;
    expect(rowError(el)).to.equal('The authorization expired. Please try again.');

    button(row(el, 'vaultre'), 'retry').click();
    await until(() => opened!.windows.length === 2, 'a second popup opens');
    const second = await authorizeUrlOf(opened!.windows[1]);
    expect(second.searchParams.get('state')).not.to.equal(state);
    expect(host.authorizes()).to.have.length(2);
    await delay(100);
    expect(host.posts(), 'the old code is not posted again').to.have.length(1);
    const closing = watchClose(opened!.windows[1]);
    el.cancel();
    await until(() => closing.calls() === 1, 'cancel closes the popup');
    expect(vaultre.connects).to.have.length(0);
    expectNoSecret(el, code);
  });

  it('exchange_failed shows the host message', async () => {
    const { el, popup, state, events } = await startFlow({
      exchange: () => jsonResponse({ error: 'exchange_failed', message: 'VaultRE is down' }, 502),
    });
    returnTo(popup, CALLBACK_URL, { reason: 'success', code: fakeCode(), state });
    await events.waitFor('vault-connect-error');
    expect(events.errors[0]).to.deep.equal({
      code: 'exchange_failed',
      message: 'The connection could not be completed. VaultRE is down',
      retryable: true,
    });
    await el.updateComplete;
    expect(rowError(el)).to.equal('The connection could not be completed. VaultRE is down');
    expect(text(badge(row(el, 'vaultre')))).to.equal('Not connected');
  });

  it('store_failed (issue 14, finding 7): the row says so and Try again connects anew', async () => {
    const { el, popup, state, events } = await startFlow({
      popups: 2,
      exchange: () => jsonResponse({ error: 'store_failed', message: 'The server could not save the VaultRE connection. Try again later.' }, 500),
    });
    returnTo(popup, CALLBACK_URL, { reason: 'success', code: fakeCode(), state });
    await events.waitFor('vault-connect-error');
    expect(events.errors[0]).to.deep.equal({ code: 'store_failed', message: 'The connection could not be saved. Please connect again.', retryable: true });
    await el.updateComplete;
    expect(rowError(el)).to.equal('The connection could not be saved. Please connect again.');
    button(row(el, 'vaultre'), 'retry').click();
    await until(() => opened!.windows.length === 2, 'Try again opens a new authorization');
    el.cancel();
  });
});

describe('<vault-connect> VaultRE popup flow when the reply is lost (issue 14, finding 6)', () => {
  it('the exchange went through but its reply was lost: the code is not posted again, GET says connected, the row is Connected', async () => {
    let exchanged = false;
    const { el, popup, state, host, events, vaultre } = await startFlow({
      status: () => jsonResponse(exchanged ? { connected: true, token_type: 'account', connected_at: '2024-06-01T00:00:00.000Z' } : { connected: false }),
      exchange: () => {
        // The host stored the token; the reply never arrived.
        exchanged = true;
        throw new TypeError('Failed to fetch');
      },
    });
    returnTo(popup, CALLBACK_URL, { reason: 'success', code: fakeCode(), state });
    await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
    expect(host.posts(), 'posted once').to.have.length(1);
    expect(events.errors, 'no false "expired"').to.deep.equal([]);
    expect(vaultre.connects[0].result).to.deep.equal({ connected: true, token_type: 'account', connected_at: '2024-06-01T00:00:00.000Z' });
    await el.updateComplete;
    expect(text(badge(row(el, 'vaultre')))).to.equal('Connected');
  });

  it('a reconnect whose reply was lost: connected only if the connection is a new one (connected_at changed)', async () => {
    let exchanged = false;
    const before = { connected: true, token_type: 'account', connected_at: '2024-01-01T00:00:00.000Z' };
    const { popup, state, host, events, vaultre } = await startFlow({
      action: 'reconnect',
      status: () => jsonResponse(exchanged ? { ...before, connected_at: '2024-06-01T00:00:00.000Z' } : before),
      exchange: () => {
        exchanged = true;
        throw new TypeError('Failed to fetch');
      },
    });
    returnTo(popup, CALLBACK_URL, { reason: 'success', code: fakeCode(), state });
    await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
    expect(host.posts()).to.have.length(1);
    expect(events.errors).to.deep.equal([]);
  });

  it('the exchange did not go through either: network_error (retryable), the code posted once, the old connection not taken for new', async () => {
    const before = { connected: true, token_type: 'account', connected_at: '2024-01-01T00:00:00.000Z' };
    const { el, popup, state, host, events, vaultre } = await startFlow({
      action: 'reconnect',
      status: jsonResponse(before),
      exchange: () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const code = fakeCode();
    returnTo(popup, CALLBACK_URL, { reason: 'success', code, state });
    await events.waitFor('vault-connect-error');
    expect(events.errors[0]).to.include({ code: 'network_error', retryable: true });
    await delay(100);
    expect(host.posts()).to.have.length(1);
    expect(host.postBodies()[0].code).to.equal(code);
    expect(vaultre.connects).to.have.length(0);
    await el.updateComplete;
    expect(await offeredActions(row(el, 'vaultre'))).to.contain('retry');
    expectNoSecret(el, code);
  });
});

describe('<vault-connect> VaultRE popup flow when it ends early', () => {
  it('cancel() closes the popup and reports nothing', async () => {
    const { el, popup, host, events } = await startFlow();
    const closing = watchClose(popup);
    el.cancel();
    await until(() => closing.calls() === 1, 'the popup is closed');
    await delay(100);
    await el.updateComplete;
    expect(events.errors).to.deep.equal([]);
    expect(host.posts()).to.have.length(0);
    expect(row(el, 'vaultre').querySelector('[role="status"]') === null, 'absent').to.equal(true);
    expect(button(row(el, 'vaultre'), 'connect').disabled).to.equal(false);
  });

  it('the popup reads closed (closed by the user, or severed by COOP): popup_closed within 5 s, a retry, and a late outcome still connects', async () => {
    const { el, state, host, events, vaultre } = await startFlow();
    const flow = storedRecord()!.id;
    const closedAt = performance.now();
    frames[0].remove();
    await events.waitFor('vault-connect-error');
    expect(performance.now() - closedAt, 'within 5 s').to.be.below(5_000);
    expect(events.errors).to.deep.equal([{ code: 'popup_closed', message: SAYS, retryable: true }]);
    await el.updateComplete;
    expect(rowError(el)).to.equal(SAYS);
    expect(await offeredActions(row(el, 'vaultre'))).to.deep.equal(['connect', 'retry']);
    expect(row(el, 'vaultre').querySelector('[role="status"]'), 'no "Waiting for VaultRE…" beside it').to.equal(null);
    // Under COOP the user was still signing in: the callback page's BroadcastChannel message still reaches us.
    broadcast({ type: CALLBACK_MESSAGE_TYPE, id: 'late-outcome-0001', flow, query: { state }, fragment: {}, outcome: { result: 'connected', body: { connected: true } } });
    await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
    expect(host.posts()).to.have.length(0);
    await el.updateComplete;
    expect(rowError(el)).to.equal('');
    expect(text(badge(row(el, 'vaultre')))).to.equal('Connected');
    expect(events.errors.map((e) => e.code)).to.deep.equal(['popup_closed']);
  });

  it('connectVaultre() settles at popup_closed; a late outcome still fires vaultre-connect; one warning names COOP', async () => {
    const opened = await popups();
    stubHost();
    const { el, events, vaultre } = await mountVaultre();
    await settledRow(el);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
    try {
      const done = el.connectVaultre();
      await until(() => opened.windows.length === 1, 'a popup opens');
      const state = (await authorizeUrlOf(opened.windows[0])).searchParams.get('state') ?? '';
      const flow = storedRecord()!.id;
      frames[0].remove();
      await done;
      expect(events.errors.map((e) => e.code), 'settled when popup_closed fired').to.deep.equal(['popup_closed']);
      expect(warnings, 'a user may just have closed it: no warning yet').to.deep.equal([]);
      broadcast({ type: CALLBACK_MESSAGE_TYPE, id: 'late-outcome-0003', flow, query: { state }, fragment: {}, outcome: { result: 'connected', body: { connected: true } } });
      await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.contain('Cross-Origin-Opener-Policy').and.not.contain(state);
    } finally {
      console.warn = warn;
    }
  });

  it('a flow that goes on listening after popup_closed times out: the row says so; nothing is reported twice', async () => {
    const opened = await popups();
    stubHost();
    const { el, events } = await mountVaultre();
    el.flowTimeout = 3_500;
    button(await settledRow(el), 'connect').click();
    await until(() => opened.windows.length === 1, 'a popup opens');
    await authorizeUrlOf(opened.windows[0]);
    frames[0].remove();
    await events.waitFor('vault-connect-error');
    await until(() => rowError(el) === 'This took too long and was stopped.', 'the row says it timed out', 4_000);
    expect(events.errors.map((e) => e.code)).to.deep.equal(['popup_closed']);
    expect(await offeredActions(row(el, 'vaultre'))).to.deep.equal(['connect', 'retry']);
  });

  it('after the popup reads closed, Try again opens a new authorization and the first flow’s outcome is not taken', async () => {
    const { el, state: first, vaultre, events } = await startFlow({ popups: 2 });
    const firstFlow = storedRecord()!.id;
    frames[0].remove();
    await until(() => rowError(el) !== '', 'the retry is offered', 6000);
    button(row(el, 'vaultre'), 'retry').click();
    await until(() => opened!.windows.length === 2, 'a second popup opens');
    const second = (await authorizeUrlOf(opened!.windows[1])).searchParams.get('state') ?? '';
    expect(second).not.to.equal(first);
    await el.updateComplete;
    expect(rowError(el)).to.equal('');
    broadcast({ type: CALLBACK_MESSAGE_TYPE, id: 'late-outcome-0002', flow: firstFlow, query: { state: first }, fragment: {}, outcome: { result: 'connected' } });
    await delay(150);
    expect(vaultre.connects).to.have.length(0);
    returnTo(opened!.windows[1], CALLBACK_URL, { reason: 'success', code: fakeCode(), state: second });
    await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
    expect(events.errors.map((e) => e.code)).to.deep.equal(['popup_closed']);
  });
});

describe('<vault-connect> VaultRE popup flow started by connectVaultre()', () => {
  it('connectVaultre() runs the same flow and settles when it ends', async () => {
    const opened = await popups();
    const host = stubHost();
    const { el, vaultre } = await mountVaultre();
    await settledRow(el);
    const done = el.connectVaultre();
    await until(() => opened.windows.length === 1, 'a popup opens');
    const popup = opened.windows[0];
    const state = (await authorizeUrlOf(popup)).searchParams.get('state') ?? '';
    returnTo(popup, CALLBACK_URL, { reason: 'success', code: fakeCode(), state });
    await done;
    expect(vaultre.connects).to.have.length(1);
    expect(host.posts()).to.have.length(1);
    expect(new URL(hrefOf(popup)).pathname).to.equal(new URL(CALLBACK_URL).pathname);
  });
});

describe('<vault-connect> VaultRE popup flow in a real popup window', () => {
  /** Connect with `window.open` spied on (real windows); the popup is on the stand-in authorize page. */
  async function startReal(options: Parameters<typeof stubHost>[0] = {}) {
    const spy = spyOpen();
    opened = spy;
    const host = stubHost(options);
    const { el, events, vaultre } = await mountVaultre();
    button(await settledRow(el), 'connect').click();
    await until(() => spy.windows.length === 1, 'a popup opens');
    const popup = spy.windows[0];
    const state = (await authorizeUrlOf(popup)).searchParams.get('state') ?? '';
    return { el, events, vaultre, host, popup, state };
  }

  it('approve: the record is in the popup’s own sessionStorage, not this tab’s; the code is posted once; the popup closes', async () => {
    const { el, popup, state, host, vaultre, events } = await startReal();
    expect(sessionStorage.getItem('vault-connect:pending'), 'nothing in this tab').to.equal(null);
    const code = fakeCode();
    returnTo(popup, CALLBACK_URL, { reason: 'success', code, state });
    await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
    await until(() => popup.closed, 'the popup closes');
    await delay(100);
    expect(host.postBodies()).to.deep.equal([{ code, state }]);
    expect(events.errors).to.deep.equal([]);
    await el.updateComplete;
    expect(text(badge(row(el, 'vaultre')))).to.equal('Connected');
    expect(localStorage.getItem(CALLBACK_STORAGE_KEY)).to.equal(null);
    expectNoSecret(el, code);
  });

  it('a wrong state: state_mismatch, nothing posted, the popup closed', async () => {
    const { el, popup, host, events } = await startReal();
    const code = fakeCode();
    returnTo(popup, CALLBACK_URL, { reason: 'success', code, state: 'not-the-state-we-were-given' });
    await events.waitFor('vault-connect-error');
    expect(events.errors.map((e) => e.code)).to.deep.equal(['state_mismatch']);
    await until(() => popup.closed, 'the popup closes');
    await delay(100);
    expect(host.posts()).to.have.length(0);
    expectNoSecret(el, code);
  });

  it('deny: access_denied', async () => {
    const { popup, state, host, events } = await startReal();
    returnTo(popup, CALLBACK_URL, { reason: 'User denied request', state });
    await events.waitFor('vault-connect-error');
    expect(events.errors.map((e) => e.code)).to.deep.equal(['access_denied']);
    expect(host.posts()).to.have.length(0);
  });
});
