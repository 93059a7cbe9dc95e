import { expect } from '@open-wc/testing';
import { VaultConnectError } from '../../../src/internal/api/errors.ts';
import { CALLBACK_STORAGE_KEY, type CallbackMessage } from '../../../src/internal/popup/callback-message.ts';
import {
  listenForCallback,
  type CallbackListener,
  type MatchResult,
  type MessageProvenance,
} from '../../../src/internal/popup/callback-listener.ts';
import { popupFlowResources } from '../../../src/internal/popup/popup-flow.ts';
import { randomState } from '../../../src/internal/popup/random-state.ts';
import {
  broadcast,
  callbackMessage,
  frame,
  postFrom,
  rejection,
  removeFrames,
  storageFrom,
  trackBroadcastChannels,
  within,
} from '../support/popup-helpers.ts';

/** How long "nothing happened" is watched for: every channel delivers within a few ms. */
const QUIET_MS = 120;

interface Harness {
  state: string;
  listener: CallbackListener;
  controller: AbortController;
  /** Every call of `match` for a message of this test (other test files may share the origin). */
  calls: Array<{ message: CallbackMessage; provenance: MessageProvenance }>;
}

/**
 * A listener that accepts messages whose `query.state` is this test's state, calls `mismatch` those that carry the
 * test's `wrongState`, and ignores the rest.
 */
function listen(options: { popup?: Window; callbackOrigin?: string; flowId?: string } = {}): Harness & { wrongState: string } {
  const state = randomState();
  const wrongState = randomState();
  const controller = new AbortController();
  const calls: Harness['calls'] = [];
  const listener = listenForCallback({
    callbackOrigin: options.callbackOrigin ?? location.origin,
    ...(options.popup ? { popup: options.popup } : {}),
    ...(options.flowId ? { flowId: options.flowId } : {}),
    signal: controller.signal,
    match(message, provenance): MatchResult {
      const received = message.query.state;
      if (received !== state && received !== wrongState) return 'ignore';
      calls.push({ message, provenance });
      return received === state ? 'accept' : 'mismatch';
    },
  });
  return { state, wrongState, listener, controller, calls };
}

describe('listenForCallback', () => {
  let harness: (Harness & { wrongState: string }) | undefined;
  afterEach(() => {
    harness?.listener.dispose();
    harness = undefined;
    removeFrames();
    expect(popupFlowResources()).to.deep.equal({ listeners: 0, timers: 0, channels: 0 });
  });

  it('accepts a postMessage from the popup, with its provenance', async () => {
    const popup = (await frame()).contentWindow!;
    harness = listen({ popup });
    const message = callbackMessage({ state: harness.state, code: 'c' }, { nonce: 'n' });
    postFrom(popup, message);
    expect(await harness.listener.result).to.deep.equal(message);
    expect(harness.calls.map((call) => call.provenance)).to.deep.equal([{ channel: 'message', fromPopup: true }]);
  });

  it('accepts a postMessage from another same-origin window when it matches', async () => {
    const other = (await frame()).contentWindow!;
    harness = listen({ popup: (await frame()).contentWindow! });
    const message = callbackMessage({ state: harness.state });
    postFrom(other, message);
    expect(await harness.listener.result).to.deep.equal(message);
    expect(harness.calls[0].provenance).to.deep.equal({ channel: 'message', fromPopup: false });
  });

  it('accepts a BroadcastChannel message', async () => {
    harness = listen();
    const message = callbackMessage({ state: harness.state });
    broadcast(message);
    expect(await harness.listener.result).to.deep.equal(message);
    expect(harness.calls[0].provenance).to.deep.equal({ channel: 'broadcast', fromPopup: false });
  });

  it('accepts a storage event written by another same-origin document', async () => {
    const other = (await frame()).contentWindow!;
    harness = listen();
    const message = callbackMessage({ state: harness.state });
    storageFrom(other, CALLBACK_STORAGE_KEY, JSON.stringify(message));
    expect(await harness.listener.result).to.deep.equal(message);
    expect(harness.calls[0].provenance).to.deep.equal({ channel: 'storage', fromPopup: false });
  });

  it('takes a message that arrives on all three channels once', async () => {
    const popup = (await frame()).contentWindow!;
    harness = listen({ popup });
    const message = callbackMessage({ state: harness.state });
    storageFrom(popup, CALLBACK_STORAGE_KEY, JSON.stringify(message));
    broadcast(message);
    postFrom(popup, message);
    expect(await harness.listener.result).to.deep.equal(message);
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    expect(harness.calls).to.have.length(1);
  });

  it('decides an ignored message once, however many channels repeat it', async () => {
    const other = (await frame()).contentWindow!;
    harness = listen({ popup: (await frame()).contentWindow! });
    const message = callbackMessage({ state: harness.wrongState });
    broadcast(message);
    storageFrom(other, CALLBACK_STORAGE_KEY, JSON.stringify(message));
    postFrom(other, message);
    expect((await within(harness.listener.result, QUIET_MS)).status).to.equal('pending');
    expect(harness.calls).to.have.length(1);
  });

  it('ignores a postMessage from another origin', async () => {
    harness = listen();
    // A sandboxed frame has an opaque origin ("null"), as any foreign page would differ from the callback origin.
    const message = callbackMessage({ state: harness.state });
    await frame('', {
      sandbox: 'allow-scripts',
      srcdoc: `<script>parent.postMessage(${JSON.stringify(message)}, '*')</script>`,
    });
    expect((await within(harness.listener.result, QUIET_MS)).status).to.equal('pending');
    expect(harness.calls).to.have.length(0);
  });

  it('with a callback page on another origin, counts only postMessage from that origin', async () => {
    const tracker = trackBroadcastChannels();
    try {
      const other = (await frame()).contentWindow!;
      harness = listen({ callbackOrigin: 'https://callback.example/path?x=1' });
      expect(tracker.created()).to.equal(0);
      const message = callbackMessage({ state: harness.state });
      postFrom(other, message);
      storageFrom(other, CALLBACK_STORAGE_KEY, JSON.stringify(message));
      expect((await within(harness.listener.result, QUIET_MS)).status).to.equal('pending');
      expect(harness.calls).to.have.length(0);
      // The origin is compared exactly, after normalising the URL that was given.
      window.dispatchEvent(new MessageEvent('message', { data: message, origin: 'https://callback.example' }));
      expect(await harness.listener.result).to.deep.equal(message);
    } finally {
      tracker.restore();
    }
  });

  it('ignores malformed messages on every channel without side effects', async () => {
    const popup = (await frame()).contentWindow!;
    harness = listen({ popup });
    const valid = callbackMessage({ state: harness.state });
    const malformed: unknown[] = [
      'vault-connect:callback',
      null,
      { ...valid, type: 'something-else' },
      { ...valid, id: undefined },
      { ...valid, query: { state: [harness.state] } },
      { ...valid, query: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, harness!.state])) },
      { ...valid, fragment: 'nonce=x' },
    ];
    for (const data of malformed) {
      postFrom(popup, data);
      broadcast(data);
      storageFrom(popup, CALLBACK_STORAGE_KEY, JSON.stringify(data));
    }
    storageFrom(popup, CALLBACK_STORAGE_KEY, '{not json');
    storageFrom(popup, 'another-key', JSON.stringify(valid));
    expect((await within(harness.listener.result, QUIET_MS)).status).to.equal('pending');
    expect(harness.calls).to.have.length(0);
    // Still listening.
    broadcast(valid);
    expect(await harness.listener.result).to.deep.equal(valid);
  });

  it('ignores a message with an unknown state', async () => {
    const popup = (await frame()).contentWindow!;
    harness = listen({ popup });
    const stranger = callbackMessage({ state: randomState(), code: 'someone-else' });
    postFrom(popup, stranger);
    broadcast(stranger);
    expect((await within(harness.listener.result, QUIET_MS)).status).to.equal('pending');
    expect(harness.calls).to.have.length(0);
  });

  it('rejects state_mismatch for a wrong state posted by its own popup', async () => {
    const popup = (await frame()).contentWindow!;
    harness = listen({ popup });
    postFrom(popup, callbackMessage({ state: harness.wrongState }));
    const error = await rejection(harness.listener.result);
    expect(error).to.be.instanceOf(VaultConnectError);
    expect(error.code).to.equal('state_mismatch');
  });

  it('ignores a wrong state from another window, a BroadcastChannel or a storage event', async () => {
    const other = (await frame()).contentWindow!;
    harness = listen({ popup: (await frame()).contentWindow! });
    postFrom(other, callbackMessage({ state: harness.wrongState }));
    broadcast(callbackMessage({ state: harness.wrongState }));
    storageFrom(other, CALLBACK_STORAGE_KEY, JSON.stringify(callbackMessage({ state: harness.wrongState })));
    expect((await within(harness.listener.result, QUIET_MS)).status).to.equal('pending');
    expect(harness.calls).to.have.length(3);
    // The flow goes on and still finishes.
    broadcast(callbackMessage({ state: harness.state }));
    expect((await harness.listener.result).query.state).to.equal(harness.state);
  });

  it('a message carrying the flow id counts as the popup’s own on any channel (under COOP the only proof); another id does not', async () => {
    const flowId = randomState();
    harness = listen({ popup: (await frame()).contentWindow!, flowId });
    const other = (await frame()).contentWindow!;
    // Another flow's id, or none: a wrong state from there cannot end this flow.
    broadcast({ ...callbackMessage({ state: harness.wrongState }), flow: randomState() });
    storageFrom(other, CALLBACK_STORAGE_KEY, JSON.stringify(callbackMessage({ state: harness.wrongState })));
    expect((await within(harness.listener.result, QUIET_MS)).status).to.equal('pending');
    expect(harness.calls.map((call) => call.provenance.fromPopup)).to.deep.equal([false, false]);
    // This flow's id, over BroadcastChannel: the popup's own, so its wrong state ends the flow.
    broadcast({ ...callbackMessage({ state: harness.wrongState }), flow: flowId });
    expect((await rejection(harness.listener.result)).code).to.equal('state_mismatch');
    expect(harness.calls.at(-1)?.provenance).to.deep.equal({ channel: 'broadcast', fromPopup: true });
  });

  it('still rejects state_mismatch when the popup sends a message first seen on another channel', async () => {
    const popup = (await frame()).contentWindow!;
    harness = listen({ popup });
    const message = callbackMessage({ state: harness.wrongState });
    broadcast(message);
    await within(harness.listener.result, 30);
    postFrom(popup, message);
    expect((await rejection(harness.listener.result)).code).to.equal('state_mismatch');
  });

  it('rejects aborted and releases everything when the signal fires or on dispose()', async () => {
    const tracker = trackBroadcastChannels();
    try {
      harness = listen();
      expect(popupFlowResources()).to.deep.equal({ listeners: 3, timers: 0, channels: 1 });
      expect(tracker.open()).to.equal(1);
      harness.controller.abort();
      expect((await rejection(harness.listener.result)).code).to.equal('aborted');
      expect(popupFlowResources()).to.deep.equal({ listeners: 0, timers: 0, channels: 0 });
      expect(tracker.open()).to.equal(0);

      const second = listen();
      second.listener.dispose();
      expect((await rejection(second.listener.result)).code).to.equal('aborted');
      expect(tracker.open()).to.equal(0);
      // A result after the end is not taken.
      broadcast(callbackMessage({ state: second.state }));
      await within(second.listener.result, 30);
      expect(second.calls).to.have.length(0);
    } finally {
      tracker.restore();
    }
  });

  it('rejects aborted at once for an already aborted signal, adding nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const listener = listenForCallback({ callbackOrigin: location.origin, signal: controller.signal, match: () => 'accept' });
    expect(popupFlowResources()).to.deep.equal({ listeners: 0, timers: 0, channels: 0 });
    expect((await rejection(listener.result)).code).to.equal('aborted');
  });

  it('treats a throwing match as ignore', async () => {
    const controller = new AbortController();
    const listener = listenForCallback({
      callbackOrigin: location.origin,
      signal: controller.signal,
      match: () => {
        throw new Error('bug');
      },
    });
    broadcast(callbackMessage({ state: 'x' }));
    expect((await within(listener.result, QUIET_MS)).status).to.equal('pending');
    listener.dispose();
  });
});
