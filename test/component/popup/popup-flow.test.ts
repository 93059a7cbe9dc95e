import { expect } from '@open-wc/testing';
import { VaultConnectError } from '../../../src/internal/api/errors.ts';
import type { CallbackMessage } from '../../../src/internal/popup/callback-message.ts';
import type { MatchResult } from '../../../src/internal/popup/callback-listener.ts';
import { openPopup } from '../../../src/internal/popup/open-popup.ts';
import { popupFlowResources, runPopupFlow, type PopupFlowOptions } from '../../../src/internal/popup/popup-flow.ts';
import { randomState } from '../../../src/internal/popup/random-state.ts';
import {
  broadcast,
  callbackMessage,
  delay,
  fakePopup,
  fixtureUrl,
  frame,
  postFrom,
  rejection,
  removeFrames,
  trackBroadcastChannels,
  until,
  within,
} from '../support/popup-helpers.ts';

const PROVIDER = 'https://provider.example/authorize?client_id=abc';

/** Accepts this flow's state, calls a known wrong one a mismatch, ignores the rest. */
function matcher(state: string, wrongState = 'wrong-state-value') {
  return (message: CallbackMessage): MatchResult =>
    message.query.state === state ? 'accept' : message.query.state === wrongState ? 'mismatch' : 'ignore';
}

function flow(overrides: Partial<PopupFlowOptions> = {}) {
  const state = randomState();
  const popup = fakePopup();
  const options: PopupFlowOptions = {
    popup,
    url: PROVIDER,
    callbackOrigin: location.origin,
    match: matcher(state),
    pollMs: 10,
    closedGraceMs: 150,
    timeoutMs: 5000,
    ...overrides,
  };
  return { state, popup: options.popup as ReturnType<typeof fakePopup>, result: runPopupFlow(options) };
}

const released = () => expect(popupFlowResources()).to.deep.equal({ listeners: 0, timers: 0, channels: 0 });

describe('runPopupFlow', () => {
  afterEach(() => {
    removeFrames();
    released();
  });

  it('listens before it navigates, resolves with the accepted message and closes the popup', async () => {
    let atNavigation: ReturnType<typeof popupFlowResources> | undefined;
    const popup = fakePopup(() => {
      atNavigation = popupFlowResources();
    });
    const { state, result } = flow({ popup });
    expect(atNavigation?.channels).to.equal(1);
    expect(atNavigation?.listeners).to.be.greaterThan(0);
    expect(popup.href).to.equal(PROVIDER);
    const message = callbackMessage({ state, code: 'abc' });
    broadcast(message);
    expect(await result).to.deep.equal(message);
    expect(popup.closeCalls).to.equal(1);
  });

  it('waits for a URL promise with the popup on about:blank, then navigates', async () => {
    let provide!: (url: string) => void;
    const popup = fakePopup();
    const { state, result } = flow({ popup, url: new Promise<string>((resolve) => (provide = resolve)) });
    await delay(20);
    expect(popup.href).to.equal('about:blank');
    provide(PROVIDER);
    await until(() => popup.href === PROVIDER, 'navigated');
    broadcast(callbackMessage({ state }));
    await result;
  });

  it('closes the popup and rethrows when the URL promise rejects', async () => {
    const failure = new VaultConnectError('session_failed', { retryable: true });
    const { popup, result } = flow({ url: Promise.reject(failure) });
    expect(await rejection(result)).to.equal(failure);
    expect(popup.closeCalls).to.equal(1);
    expect(popup.href).to.equal('about:blank');
  });

  it('refuses a URL that is not http(s) without loading it', async () => {
    const { popup, result } = flow({ url: 'javascript:alert(document.domain)' });
    expect((await rejection(result)).code).to.equal('invalid_response');
    expect(popup.href).to.equal('about:blank');
    expect(popup.closeCalls).to.equal(1);
  });

  it('treats popup.closed as a hint: popup_closed only after the grace period', async () => {
    const { popup, result } = flow({ closedGraceMs: 200 });
    const closedAt = performance.now();
    popup.closed = true;
    expect((await within(result, 120)).status).to.equal('pending');
    const error = await rejection(result);
    expect(error.code).to.equal('popup_closed');
    expect(error.retryable).to.be.true;
    expect(performance.now() - closedAt).to.be.at.least(200);
  });

  it('with onClosed and a same-origin callback page: calls it once, keeps listening, and a late result still wins', async () => {
    let hints = 0;
    const { state, popup, result } = flow({ closedGraceMs: 100, onClosed: () => hints++ });
    popup.closed = true; // what COOP makes the opener read while the user is still on the provider's page
    await delay(400);
    expect(hints).to.equal(1);
    expect((await within(result, 10)).status).to.equal('pending');
    const message = callbackMessage({ state, code: 'late' });
    broadcast(message);
    expect(await result).to.deep.equal(message);
    expect(hints).to.equal(1);
  });

  it('with onClosed, the flow that goes on listening still ends at its timeout', async () => {
    let hints = 0;
    const { popup, result } = flow({ closedGraceMs: 20, timeoutMs: 300, onClosed: () => hints++ });
    popup.closed = true;
    expect((await rejection(result)).code).to.equal('timeout');
    expect(hints).to.equal(1);
  });

  it('with onClosed but a callback page on another origin (it could only answer through the severed opener): popup_closed', async () => {
    let hints = 0;
    const { popup, result } = flow({ closedGraceMs: 50, callbackOrigin: 'https://callback.example', onClosed: () => hints++ });
    popup.closed = true;
    expect((await rejection(result)).code).to.equal('popup_closed');
    expect(hints).to.equal(0);
  });

  it('lets a result that arrives during the grace period win', async () => {
    const { state, popup, result } = flow({ closedGraceMs: 300 });
    popup.closed = true;
    await delay(80);
    const message = callbackMessage({ state });
    broadcast(message);
    expect(await result).to.deep.equal(message);
  });

  it('times out, closing the popup', async () => {
    const { popup, result } = flow({ timeoutMs: 80 });
    const error = await rejection(result);
    expect(error.code).to.equal('timeout');
    expect(error.retryable).to.be.true;
    expect(popup.closeCalls).to.equal(1);
  });

  it('times out with a numeric string too (a framework template sets flowTimeout="80" as a property)', async () => {
    const { result } = flow({ timeoutMs: '80' });
    const started = performance.now();
    expect((await rejection(result)).code).to.equal('timeout');
    expect(performance.now() - started).to.be.greaterThan(60);
  });

  it('ends with aborted when the signal fires, closing the popup', async () => {
    const controller = new AbortController();
    const { popup, result } = flow({ signal: controller.signal });
    await delay(10);
    controller.abort();
    expect((await rejection(result)).code).to.equal('aborted');
    expect(popup.closeCalls).to.equal(1);
  });

  it('ends with aborted at once for an already aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    const { popup, result } = flow({ signal: controller.signal });
    expect((await rejection(result)).code).to.equal('aborted');
    expect(popup.closeCalls).to.equal(1);
    expect(popup.href).to.equal('about:blank');
  });

  it('rejects state_mismatch for a wrong state from its own popup, and ignores it from elsewhere', async () => {
    const popupWindow = (await frame()).contentWindow!;
    const state = randomState();
    const result = runPopupFlow({
      popup: popupWindow,
      url: fixtureUrl('blank.html', { provider: '1' }),
      callbackOrigin: location.origin,
      match: matcher(state),
      pollMs: 10,
    });
    broadcast(callbackMessage({ state: 'wrong-state-value' }));
    expect((await within(result, 80)).status).to.equal('pending');
    await until(() => popupWindow.location.search === '?provider=1', 'navigated');
    postFrom(popupWindow, callbackMessage({ state: 'wrong-state-value' }));
    expect((await rejection(result)).code).to.equal('state_mismatch');
  });

  it('two flows on one page never take each other’s results', async () => {
    const first = flow();
    const second = flow();
    const forSecond = callbackMessage({ state: second.state });
    broadcast(forSecond);
    expect(await second.result).to.deep.equal(forSecond);
    expect((await within(first.result, 60)).status).to.equal('pending');
    expect(first.popup.closeCalls).to.equal(0);
    broadcast(callbackMessage({ state: first.state }));
    await first.result;
  });

  it('completes with a real popup and the real callback page', async () => {
    const state = randomState();
    const popup = openPopup('vault-connect-test');
    const message = await runPopupFlow({
      popup,
      url: fixtureUrl('callback.html', { state, authorizedConnection: 'pipedrive' }, { nonce: 'n1' }),
      callbackOrigin: location.origin,
      match: matcher(state),
    });
    expect(message.query).to.deep.equal({ state, authorizedConnection: 'pipedrive' });
    expect(message.fragment).to.deep.equal({ nonce: 'n1' });
    await until(() => popup.closed, 'the popup closed');
  });

  it('releases every listener, timer and channel after 50 flows', async function () {
    this.timeout(20000);
    const tracker = trackBroadcastChannels();
    try {
      const outcomes: string[] = [];
      for (let round = 0; round < 50; round++) {
        const controller = new AbortController();
        const kind = round % 5;
        const { state, popup, result } = flow({ signal: controller.signal, timeoutMs: kind === 2 ? 20 : 5000, closedGraceMs: 20 });
        if (kind === 0) broadcast(callbackMessage({ state }));
        if (kind === 1) controller.abort();
        if (kind === 3) popup.closed = true;
        if (kind === 4) {
          await delay(1);
          broadcast(callbackMessage({ state: randomState() }));
          controller.abort();
        }
        outcomes.push(await result.then(() => 'resolved', (error: VaultConnectError) => error.code));
      }
      expect(new Set(outcomes)).to.deep.equal(new Set(['resolved', 'aborted', 'timeout', 'popup_closed']));
      expect(tracker.created()).to.equal(50);
      expect(tracker.open()).to.equal(0);
      released();
    } finally {
      tracker.restore();
    }
  });
});
