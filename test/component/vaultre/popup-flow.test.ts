/**
 * The VaultRE popup flow with a same-origin stand-in popup (an iframe handed out by the `window.open` stub; see
 * `vaultre-helpers.ts` for why not a real window): the element sends it to the (same-origin stand-in) authorize page and
 * the test, acting as VaultRE, sends it on to the real callback page (`src/callback/auto.ts`), which relays the return
 * to the element (over BroadcastChannel and storage, as a popup without an opener does). A message that only the popup's
 * own `postMessage` can carry (a wrong state) is posted from the stand-in's window. The host endpoint is a fetch stub.
 */
import { expect } from '@open-wc/testing';
import type { VaultConnect } from '../../../src/index.ts';
import { CALLBACK_MESSAGE_TYPE } from '../../../src/internal/popup/callback-message.ts';
import { broadcast, callbackMessage, postFrom, removeFrames } from '../support/popup-helpers.ts';
import { actionsOf, badge, button, jsonResponse, restoreFetch, row, text, until, type EventLog } from '../support/helpers.ts';
import {
  CALLBACK_URL,
  CLIENT_ID,
  authorizeUrlOf,
  domText,
  fakeCode,
  hrefOf,
  mountVaultre,
  popupFrames,
  returnTo,
  settledRow,
  spyOpen,
  storageText,
  stubHost,
  type HostStub,
  type OpenSpy,
  type VaultreEvents,
  watchClose,
} from '../support/vaultre-helpers.ts';

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
  options: Parameters<typeof stubHost>[0] & { tokenType?: 'account' | 'user'; redirectUri?: string; popups?: number } = {},
): Promise<Flow> {
  const opened = await popups(options.popups ?? 1);
  const host = stubHost(options);
  const { el, events, vaultre } = await mountVaultre({
    ...(options.tokenType ? { tokenType: options.tokenType } : {}),
    ...(options.redirectUri ? { redirectUri: options.redirectUri } : {}),
  });
  button(await settledRow(el), 'connect').click();
  await until(() => opened.windows.length === 1, 'a popup opens');
  const popup = opened.windows[0];
  const authorize = await authorizeUrlOf(popup);
  return { el, events, vaultre, host, popup, authorize, state: authorize.searchParams.get('state') ?? '' };
}

function rowError(el: VaultConnect): string {
  return text(row(el, 'vaultre').querySelector('[part="row-error"]'));
}

/** No code in the page, the element, either storage, nor the popup's address. */
function expectNoSecret(el: VaultConnect, ...secrets: string[]): void {
  for (const secret of secrets) {
    expect(domText(el), 'the DOM').not.to.contain(secret);
    expect(storageText(), 'the storages').not.to.contain(secret);
    expect(location.href).not.to.contain(secret);
  }
}

describe('<vault-connect> VaultRE popup flow when the user approves', () => {
  it('approve: posts {code, state, token_type, redirect_uri} at once, fires vaultre-connect with the reply, shows Connected', async () => {
    const reply = { connected: true, token_type: 'account', connected_at: '2024-05-01T10:00:00.000Z', extra: 'kept' };
    const flow = await startFlow({ exchange: jsonResponse(reply) });
    const { el, popup, authorize, state, host, vaultre, events } = flow;
    expect(opened!.calls[0].url).to.equal('about:blank');
    expect(authorize.pathname).to.equal('/__vaultre-authorize/cgi-bin/clientvault/oauth-authorize.cgi');
    expect(authorize.searchParams.get('client_id')).to.equal(CLIENT_ID);
    expect(authorize.searchParams.get('redirect_uri')).to.equal(CALLBACK_URL);
    expect(authorize.searchParams.get('response_type')).to.equal('code');
    expect(state).to.match(/^[A-Za-z0-9_-]{22}$/);

    const code = fakeCode();
    returnTo(popup, CALLBACK_URL, { reason: 'success', code, state });
    await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
    expect(host.postBodies()).to.deep.equal([{ code, state, token_type: 'account', redirect_uri: CALLBACK_URL }]);
    const post = host.posts()[0];
    expect(post.headers.get('content-type')).to.equal('application/json');
    expect(post.credentials).to.equal('same-origin');
    expect(vaultre.connects[0]).to.deep.equal({ result: reply, bubbles: true, composed: true });
    await el.updateComplete;
    expect(text(badge(row(el, 'vaultre')))).to.equal('Connected');
    expect(actionsOf(row(el, 'vaultre'))).to.deep.equal(['reconnect', 'disconnect']);
    expect(events.errors).to.deep.equal([]);
    expectNoSecret(el, code);
  });

  it('approve with a user token and a redirect URI that has its own query', async () => {
    const redirectUri = `${CALLBACK_URL}?exampleparameter=value1`;
    const { el, popup, authorize, state, host, vaultre } = await startFlow({
      tokenType: 'user',
      redirectUri,
      exchange: jsonResponse({ connected: true, token_type: 'user' }),
    });
    expect(authorize.pathname).to.match(/\/oauth-authorize-user\.cgi$/);
    expect(authorize.search).to.contain(`redirect_uri=${encodeURIComponent(redirectUri)}&`);
    const code = fakeCode();
    returnTo(popup, redirectUri, { reason: 'success', code, state });
    await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
    expect(host.postBodies()).to.deep.equal([{ code, state, token_type: 'user', redirect_uri: redirectUri }]);
    await el.updateComplete;
    expect(text(badge(row(el, 'vaultre')))).to.equal('Connected');
    expect(text(row(el, 'vaultre').querySelector('[part="tag-line"]'))).to.equal('Access as your own VaultRE user.');
  });

  it('shows progress while the host exchanges, with the buttons disabled', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { el, popup, state, vaultre } = await startFlow({
      exchange: async () => {
        await held;
        return jsonResponse({ connected: true });
      },
    });
    returnTo(popup, CALLBACK_URL, { reason: 'success', code: fakeCode(), state });
    await until(() => text(row(el, 'vaultre').querySelector('[role="status"]')) === 'Connecting…', 'Connecting… is shown');
    expect(row(el, 'vaultre').getAttribute('aria-busy')).to.equal('true');
    expect(button(row(el, 'vaultre'), 'connect').disabled).to.equal(true);
    release();
    await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
  });
});

describe('<vault-connect> VaultRE popup flow when the return is a denial, wrong or forged', () => {
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
    expect(button(row(el, 'vaultre'), 'connect').disabled).to.equal(false);
    expect(actionsOf(row(el, 'vaultre'))).to.contain('retry');
  });

  it('a wrong state from the popup: state_mismatch, nothing posted', async () => {
    const { el, popup, host, events, vaultre } = await startFlow();
    const code = fakeCode();
    // The callback page relays it (BroadcastChannel, storage): from there it cannot end this flow ...
    returnTo(popup, CALLBACK_URL, { reason: 'success', code, state: 'not-the-state-we-sent-0' });
    await delay(300);
    expect(events.errors).to.deep.equal([]);
    // ... but the popup's own postMessage (which a real popup's callback page sends too) does.
    postFrom(popup, callbackMessage({ reason: 'success', code, state: 'not-the-state-we-sent-0' }));
    await events.waitFor('vault-connect-error');
    expect(events.errors[0].code).to.equal('state_mismatch');
    await delay(100);
    expect(host.posts()).to.have.length(0);
    expect(vaultre.connects).to.have.length(0);
    await el.updateComplete;
    expect(rowError(el)).to.equal('The reply did not match this request.');
    expect(button(row(el, 'vaultre'), 'connect').disabled).to.equal(false);
    expectNoSecret(el, code);
  });

  it('no state at all from the popup: state_mismatch, nothing posted', async () => {
    const { popup, host, events } = await startFlow();
    postFrom(popup, callbackMessage({ reason: 'success', code: fakeCode() }));
    await events.waitFor('vault-connect-error');
    expect(events.errors[0].code).to.equal('state_mismatch');
    expect(host.posts()).to.have.length(0);
  });

  it('a forged message from another window (not the popup) is ignored; the real return still connects', async () => {
    const { el, popup, state, host, vaultre, events } = await startFlow();
    // Same origin, right shape, right state, but from this page rather than the popup, and over the same-origin channels.
    const forged = fakeCode();
    window.postMessage({ type: CALLBACK_MESSAGE_TYPE, id: 'forged-message-0001', query: { reason: 'success', code: forged, state: 'wrong-state' }, fragment: {} }, '*');
    const channel = new BroadcastChannel('vault-connect:callback');
    channel.postMessage({ type: CALLBACK_MESSAGE_TYPE, id: 'forged-message-0002', query: { reason: 'User denied request', state: 'x' }, fragment: {} });
    channel.close();
    await delay(150);
    expect(events.errors).to.deep.equal([]);
    expect(host.posts()).to.have.length(0);
    const code = fakeCode();
    returnTo(popup, CALLBACK_URL, { reason: 'success', code, state });
    await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
    expect(host.postBodies().map((b) => b.code)).to.deep.equal([code]);
    await el.updateComplete;
    expect(text(badge(row(el, 'vaultre')))).to.equal('Connected');
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
    const secondState = second.searchParams.get('state');
    expect(secondState).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(secondState).not.to.equal(state);
    await delay(100);
    expect(host.posts(), 'the old code is not posted again').to.have.length(1);
    expect(host.postBodies()[0].code).to.equal(code);
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

  it('a network failure while posting is retried once (2 POSTs), then network_error, retryable', async () => {
    const { el, popup, state, host, events } = await startFlow({
      exchange: () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const code = fakeCode();
    returnTo(popup, CALLBACK_URL, { reason: 'success', code, state });
    await events.waitFor('vault-connect-error');
    expect(events.errors[0]).to.include({ code: 'network_error', retryable: true });
    expect(host.posts()).to.have.length(2);
    expect(host.postBodies().map((b) => b.code)).to.deep.equal([code, code]);
    await delay(100);
    expect(host.posts()).to.have.length(2);
    await el.updateComplete;
    expect(actionsOf(row(el, 'vaultre'))).to.contain('retry');
    expectNoSecret(el, code);
  });

  it('a network failure once the code is no longer young (30 s) is not retried', async () => {
    const realNow = Date.now.bind(Date);
    let offset = 0;
    Date.now = () => realNow() + offset;
    try {
      const { popup, state, host, events } = await startFlow({
        exchange: () => {
          // The POST failed only after half a minute (a stalled network): posting the code again is pointless.
          offset = 31_000;
          throw new TypeError('Failed to fetch');
        },
      });
      returnTo(popup, CALLBACK_URL, { reason: 'success', code: fakeCode(), state });
      await events.waitFor('vault-connect-error');
      expect(events.errors[0]).to.include({ code: 'network_error', retryable: true });
      await delay(100);
      expect(host.posts()).to.have.length(1);
    } finally {
      Date.now = realNow;
    }
  });

  it('a network failure then success: connected after the one retry', async () => {
    let calls = 0;
    const { el, popup, state, host, events, vaultre } = await startFlow({
      exchange: () => {
        calls++;
        if (calls === 1) throw new TypeError('Failed to fetch');
        return jsonResponse({ connected: true, token_type: 'account' });
      },
    });
    returnTo(popup, CALLBACK_URL, { reason: 'success', code: fakeCode(), state });
    await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
    expect(host.posts()).to.have.length(2);
    expect(events.errors).to.deep.equal([]);
    await el.updateComplete;
    expect(text(badge(row(el, 'vaultre')))).to.equal('Connected');
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

  it('the popup reads closed (closed by the user, or severed by COOP): a retry is offered, no error event, and a late code still connects', async () => {
    const { el, state, host, events, vaultre } = await startFlow({ exchange: jsonResponse({ connected: true }) });
    frames[0].remove();
    await until(() => rowError(el) === 'The window was closed before it finished.', 'the row says the window closed', 6000);
    expect(actionsOf(row(el, 'vaultre'))).to.deep.equal(['connect', 'retry']);
    expect(events.errors, 'no error event: the result may still come').to.deep.equal([]);
    expect(host.posts()).to.have.length(0);
    // Under COOP the user was still signing in: the callback page's BroadcastChannel message still reaches us.
    const code = fakeCode();
    broadcast(callbackMessage({ reason: 'success', code, state }));
    await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
    expect(host.postBodies()).to.deep.equal([{ code, state, token_type: 'account', redirect_uri: CALLBACK_URL }]);
    await el.updateComplete;
    expect(rowError(el)).to.equal('');
    expect(text(badge(row(el, 'vaultre')))).to.equal('Connected');
    expect(events.errors).to.deep.equal([]);
  });

  it('after the popup reads closed, Try again opens a new authorization and the first state is discarded', async () => {
    const { el, state: first, host, events, vaultre } = await startFlow({ popups: 2, exchange: jsonResponse({ connected: true }) });
    frames[0].remove();
    await until(() => rowError(el) !== '', 'the retry is offered', 6000);
    button(row(el, 'vaultre'), 'retry').click();
    await until(() => opened!.windows.length === 2, 'a second popup opens');
    const second = (await authorizeUrlOf(opened!.windows[1])).searchParams.get('state') ?? '';
    expect(second).not.to.equal(first);
    await el.updateComplete;
    expect(rowError(el)).to.equal('');
    // A late code for the first authorization is not ours any more: nothing is posted.
    broadcast(callbackMessage({ reason: 'success', code: fakeCode(), state: first }));
    await delay(150);
    expect(host.posts()).to.have.length(0);
    const code = fakeCode();
    returnTo(opened!.windows[1], CALLBACK_URL, { reason: 'success', code, state: second });
    await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
    expect(host.postBodies().map((body) => body.code)).to.deep.equal([code]);
    expect(events.errors).to.deep.equal([]);
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
  async function startReal(exchange?: Response) {
    const spy = spyOpen();
    opened = spy;
    const host = stubHost(exchange ? { exchange } : {});
    const { el, events, vaultre } = await mountVaultre();
    button(await settledRow(el), 'connect').click();
    await until(() => spy.windows.length === 1, 'a popup opens');
    const popup = spy.windows[0];
    const state = (await authorizeUrlOf(popup)).searchParams.get('state') ?? '';
    return { el, events, vaultre, host, popup, state };
  }

  it('approve: the callback page relays on every channel and closes itself; the code is posted once', async () => {
    const { el, popup, state, host, vaultre, events } = await startReal();
    const code = fakeCode();
    returnTo(popup, CALLBACK_URL, { reason: 'success', code, state });
    await until(() => vaultre.connects.length === 1, 'vaultre-connect fires');
    await until(() => popup.closed, 'the popup closes');
    await delay(100);
    expect(host.postBodies()).to.deep.equal([{ code, state, token_type: 'account', redirect_uri: CALLBACK_URL }]);
    expect(events.errors).to.deep.equal([]);
    await el.updateComplete;
    expect(text(badge(row(el, 'vaultre')))).to.equal('Connected');
    expectNoSecret(el, code);
  });

  it('a wrong state relayed by the callback page in the popup: state_mismatch, nothing posted, the popup closed', async () => {
    const { el, popup, host, events } = await startReal();
    const code = fakeCode();
    returnTo(popup, CALLBACK_URL, { reason: 'success', code, state: 'not-the-state-we-sent-0' });
    await events.waitFor('vault-connect-error');
    expect(events.errors.map((e) => e.code)).to.deep.equal(['state_mismatch']);
    await until(() => popup.closed, 'the popup closes');
    await delay(100);
    expect(host.posts()).to.have.length(0);
    expectNoSecret(el, code);
  });

  it('deny relayed by the callback page in the popup: access_denied', async () => {
    const { popup, state, host, events } = await startReal();
    returnTo(popup, CALLBACK_URL, { reason: 'User denied request', state });
    await events.waitFor('vault-connect-error');
    expect(events.errors.map((e) => e.code)).to.deep.equal(['access_denied']);
    expect(host.posts()).to.have.length(0);
  });
});
