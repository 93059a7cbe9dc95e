import { expect } from '@open-wc/testing';
import { relayCallback } from '../../../src/callback/index.ts';
import {
  CALLBACK_CHANNEL,
  CALLBACK_STORAGE_KEY,
  parseCallbackMessage,
  type CallbackMessage,
} from '../../../src/internal/popup/callback-message.ts';
import { listenForCallback } from '../../../src/internal/popup/callback-listener.ts';
import { randomState } from '../../../src/internal/popup/random-state.ts';
import {
  PENDING_KEY,
  RESULT_KEY,
  startRedirectFlow,
  takeRedirectResult,
  type PendingRedirect,
} from '../../../src/internal/popup/redirect-fallback.ts';
import { OriginalBroadcastChannel, delay, fixtureUrl, frame, removeFrames, until, within } from '../support/popup-helpers.ts';

type RealmWindow = Window & typeof globalThis;

/** Everything that reaches this page on the three channels, for messages of one state. */
function record(state: string) {
  const seen: Array<{ channel: string; message: CallbackMessage; source?: MessageEventSource | null }> = [];
  const keep = (channel: string, data: unknown, source?: MessageEventSource | null) => {
    const message = parseCallbackMessage(data);
    if (message?.query.state === state) seen.push({ channel, message, source });
  };
  const onMessage = (event: MessageEvent) => {
    if (event.origin === location.origin) keep('message', event.data, event.source);
  };
  const onStorage = (event: StorageEvent) => {
    if (event.key === CALLBACK_STORAGE_KEY && event.newValue) keep('storage', JSON.parse(event.newValue));
  };
  const channel = new OriginalBroadcastChannel(CALLBACK_CHANNEL);
  channel.onmessage = (event) => keep('broadcast', event.data);
  window.addEventListener('message', onMessage);
  window.addEventListener('storage', onStorage);
  return {
    seen,
    stop() {
      channel.close();
      window.removeEventListener('message', onMessage);
      window.removeEventListener('storage', onStorage);
    },
  };
}

/** Records every Storage write made in a realm (sessionStorage and localStorage share the prototype). */
function spyStorage(win: Window): { writes: Array<[string, string]>; restore(): void } {
  const proto = (win as RealmWindow).Storage.prototype;
  const original = Object.getOwnPropertyDescriptor(proto, 'setItem')!;
  const writes: Array<[string, string]> = [];
  proto.setItem = function (this: Storage, key: string, value: string) {
    writes.push([key, value]);
    (original.value as Storage['setItem']).call(this, key, value);
  };
  return { writes, restore: () => Object.defineProperty(proto, 'setItem', original) };
}

/** An iframe on the fixture page with a callback's query and fragment: a callback page with no opener, in this tab. */
async function callbackFrame(query: Record<string, string>, fragment?: Record<string, string>): Promise<RealmWindow> {
  return (await frame(fixtureUrl('blank.html', query, fragment))).contentWindow as RealmWindow;
}

function pendingFlow(overrides: Partial<PendingRedirect> = {}): PendingRedirect {
  return {
    id: randomState(),
    kind: 'hosted',
    state: randomState(),
    serviceId: 'pipedrive',
    unifiedApi: 'crm',
    returnUrl: fixtureUrl('blank.html', { returned: '1' }),
    startedAt: Date.now(),
    ...overrides,
  };
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function stubFetch(win: Window, reply: () => Response | Promise<Response>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  (win as RealmWindow).fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, init: init ?? {} });
    return Promise.resolve(reply());
  };
  return calls;
}

const returned = (win: Window) => until(() => win.location.search === '?returned=1', 'returned to the page that started');

describe('relayCallback', () => {
  afterEach(() => {
    removeFrames();
    sessionStorage.removeItem(PENDING_KEY);
    sessionStorage.removeItem(RESULT_KEY);
  });

  describe('in a popup', () => {
    it('relays on all three channels with its own origin, then closes', async () => {
      const state = randomState();
      const recorder = record(state);
      try {
        const popup = window.open(fixtureUrl('callback.html', { state, authorizedConnection: 'pipedrive' }, { nonce: 'n' }), 'relay-test', 'popup=yes')!;
        await until(() => recorder.seen.length === 3, 'a copy on every channel');
        expect(recorder.seen.map((entry) => entry.channel).sort()).to.deep.equal(['broadcast', 'message', 'storage']);
        expect(new Set(recorder.seen.map((entry) => entry.message.id)).size).to.equal(1);
        expect(recorder.seen.find((entry) => entry.channel === 'message')?.source).to.equal(popup);
        expect(recorder.seen[0].message.query).to.deep.equal({ state, authorizedConnection: 'pipedrive' });
        expect(recorder.seen[0].message.flow, 'no flow record in that window: a hint only').to.equal(undefined);
        expect(recorder.seen[0].message.fragment).to.deep.equal({ nonce: 'n' });
        await until(() => popup.closed, 'the popup closed itself');
        expect(localStorage.getItem(CALLBACK_STORAGE_KEY)).to.equal(null);
      } finally {
        recorder.stop();
      }
    });

    it('without an opener (as under COOP) still reaches the waiting flow over BroadcastChannel and storage', async () => {
      const state = randomState();
      const controller = new AbortController();
      const listener = listenForCallback({
        callbackOrigin: location.origin,
        signal: controller.signal,
        match: (message) => (message.query.state === state ? 'accept' : 'ignore'),
      });
      const recorder = record(state);
      try {
        expect(window.open(fixtureUrl('callback.html', { state }), 'relay-noopener', 'popup=yes,noopener')).to.equal(null);
        const message = await listener.result;
        expect(message.query.state).to.equal(state);
        await until(() => recorder.seen.length === 2, 'both same-origin channels');
        expect(recorder.seen.map((entry) => entry.channel).sort()).to.deep.equal(['broadcast', 'storage']);
      } finally {
        recorder.stop();
        listener.dispose();
      }
    });

    it('posts to the opener with the page’s own origin as target and strips the parameters from its URL', async () => {
      const state = randomState();
      const win = await callbackFrame({ state, authorizedConnection: 'pipedrive' });
      const posts: Array<[unknown, string]> = [];
      (win as { opener: unknown }).opener = { postMessage: (data: unknown, target: string) => posts.push([data, target]) };
      const outcome = await relayCallback({ window: win, closeCheckMs: 10 });
      expect(outcome).to.deep.equal({ relayed: true, mode: 'popup' });
      expect(posts).to.have.length(1);
      expect(posts[0][1]).to.equal(location.origin);
      expect(parseCallbackMessage(posts[0][0])?.query).to.deep.equal({ state, authorizedConnection: 'pipedrive' });
      expect(win.location.search).to.equal('');
      // An iframe cannot close itself: the page says so.
      expect(win.document.body.textContent).to.equal('You can close this window.');
    });

    it('says so in the browser’s language, in the tab’s title too', async () => {
      const win = await callbackFrame({ state: randomState() });
      Object.defineProperty(win.navigator, 'languages', { value: ['fr-CA', 'en'], configurable: true });
      await relayCallback({ window: win, closeCheckMs: 10 });
      expect(win.document.body.textContent).to.equal('Vous pouvez fermer cette fenêtre.');
      expect(win.document.title).to.equal('Vous pouvez fermer cette fenêtre.');
      expect(win.document.documentElement.lang).to.equal('fr');
    });

    it('says so in its own words when asked', async () => {
      const win = await callbackFrame({ state: randomState() });
      await relayCallback({ window: win, closeCheckMs: 10, message: 'Vous pouvez fermer cette fenêtre.' });
      expect(win.document.body.textContent).to.equal('Vous pouvez fermer cette fenêtre.');
    });
  });

  describe('with no opener and no flow in flight', () => {
    it('opened bare, relays nothing and only shows the message', async () => {
      const win = await callbackFrame({});
      const storage = spyStorage(win);
      // Channels the page opens (other test files may broadcast on this origin, so count at the source).
      let channels = 0;
      const RealmChannel = win.BroadcastChannel;
      win.BroadcastChannel = class extends RealmChannel {
        constructor(name: string) {
          super(name);
          channels++;
        }
      };
      const posts: unknown[] = [];
      (win as { opener: unknown }).opener = null;
      const onMessage = (event: MessageEvent) => {
        if (event.source === win) posts.push(event.data);
      };
      window.addEventListener('message', onMessage);
      try {
        const outcome = await relayCallback({ window: win, closeCheckMs: 10 });
        expect(outcome).to.deep.equal({ relayed: false, mode: 'none' });
        await delay(60);
        expect(channels).to.equal(0);
        expect(posts).to.deep.equal([]);
        expect(storage.writes).to.deep.equal([]);
        expect(win.document.body.textContent).to.equal('You can close this window.');
      } finally {
        storage.restore();
        window.removeEventListener('message', onMessage);
      }
    });

    it('a VaultRE return (a code) with no flow record of this window: relayed to no one, posted nowhere', async () => {
      const code = `stray-code-${randomState()}`;
      const state = randomState();
      const win = await callbackFrame({ reason: 'success', code, state });
      const posts: unknown[] = [];
      (win as { opener: unknown }).opener = { postMessage: (data: unknown) => posts.push(data) };
      const calls = stubFetch(win, () => jsonResponse(200, {}));
      const recorder = record(state);
      const storage = spyStorage(win);
      try {
        expect(await relayCallback({ window: win, closeCheckMs: 10 })).to.deep.equal({ relayed: false, mode: 'none' });
        await delay(60);
        expect(posts).to.deep.equal([]);
        expect(recorder.seen).to.deep.equal([]);
        expect(calls).to.have.length(0);
        expect(storage.writes).to.deep.equal([]);
        expect(win.location.search).to.equal('');
        expect(win.document.body.textContent).to.equal('You can close this window.');
      } finally {
        storage.restore();
        recorder.stop();
      }
    });

    it('with parameters, changes nothing for a flow that waits for another state, and stores nothing', async () => {
      const mine = randomState();
      const controller = new AbortController();
      let considered = 0;
      const listener = listenForCallback({
        callbackOrigin: location.origin,
        signal: controller.signal,
        match: (message) => {
          if (message.query.code === 'stray-code') considered++;
          return message.query.state === mine ? 'accept' : 'ignore';
        },
      });
      const win = await callbackFrame({ state: randomState(), code: 'stray-code' });
      try {
        await relayCallback({ window: win, closeCheckMs: 10 });
        expect((await within(listener.result, 80)).status).to.equal('pending');
        expect(considered, 'a code without its flow record is not relayed at all').to.equal(0);
        expect(sessionStorage.getItem(RESULT_KEY)).to.equal(null);
        expect(localStorage.getItem(CALLBACK_STORAGE_KEY)).to.equal(null);
        expect(win.document.body.textContent).to.equal('You can close this window.');
      } finally {
        listener.dispose();
      }
    });
  });

  describe('in a popup flow (the element wrote the flow record into this window)', () => {
    /** A popup flow's record in this window's sessionStorage (an iframe shares this tab's, as a popup has its own). */
    function popupRecord(overrides: Partial<PendingRedirect> = {}): PendingRedirect {
      const pending = pendingFlow({ kind: 'vaultre', mode: 'popup', exchangeUrl: '/api/vaultre/token', ...overrides });
      sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
      return pending;
    }

    it('replaces its URL before anything else: before any request, message or storage write', async () => {
      const pending = popupRecord();
      const win = await callbackFrame({ reason: 'success', code: 'first-things-first', state: pending.state });
      const order: string[] = [];
      const replace = win.history.replaceState.bind(win.history);
      win.history.replaceState = (...args: Parameters<History['replaceState']>) => {
        order.push(`replaceState ${win.location.search === '' ? 'clean' : 'with parameters'}`);
        replace(...args);
      };
      stubFetch(win, () => {
        order.push('fetch');
        return jsonResponse(200, { connected: true });
      });
      const RealmChannel = win.BroadcastChannel;
      win.BroadcastChannel = class extends RealmChannel {
        override postMessage(message: unknown) {
          order.push('broadcast');
          super.postMessage(message);
        }
      };
      await relayCallback({ window: win, closeCheckMs: 10 });
      expect(order[0]).to.equal('replaceState with parameters');
      expect(order).to.include.members(['fetch', 'broadcast']);
      expect(win.location.search).to.equal('');
    });

    it('VaultRE: checks the state, posts {code, state} itself, relays only the outcome with the record’s id, takes the record', async () => {
      const pending = popupRecord({ previous: '2024-01-01T00:00:00.000Z' });
      const code = `vaultre-code-${randomState()}`;
      const recorder = record(pending.state);
      const win = await callbackFrame({ reason: 'success', code, state: pending.state });
      const calls = stubFetch(win, () => jsonResponse(200, { connected: true, token_type: 'account' }));
      try {
        expect(await relayCallback({ window: win, closeCheckMs: 10 })).to.deep.equal({ relayed: true, mode: 'popup' });
        await until(() => recorder.seen.length === 2, 'relayed on BroadcastChannel and storage');
      } finally {
        recorder.stop();
      }
      expect(calls).to.have.length(1);
      expect(JSON.parse(calls[0].init.body as string)).to.deep.equal({ code, state: pending.state });
      for (const { message } of recorder.seen) {
        expect(message).to.deep.include({ flow: pending.id, query: { state: pending.state }, fragment: {} });
        expect(message.outcome).to.deep.equal({ result: 'connected', body: { connected: true, token_type: 'account' } });
        expect(JSON.stringify(message)).not.to.include(code);
      }
      expect(sessionStorage.getItem(PENDING_KEY), 'the record is single use').to.equal(null);
      expect(localStorage.getItem(CALLBACK_STORAGE_KEY)).to.equal(null);
    });

    it('VaultRE: a wrong state posts nothing and relays state_mismatch; a denial relays denied', async () => {
      for (const [query, outcome] of [
        [{ reason: 'success', code: 'stolen-code' }, { result: 'failed', status: 0, error: 'state_mismatch' }],
        [{ reason: 'success', code: 'stolen-code', state: 'another-state-0000' }, { result: 'failed', status: 0, error: 'state_mismatch' }],
        [{ reason: 'User denied request' }, { result: 'denied' }],
        [{ reason: 'Office not found' }, { result: 'denied', reason: 'Office not found' }],
      ] as const) {
        const pending = popupRecord();
        const recorder = record(pending.state);
        const state = 'state' in query ? query.state : query.reason === 'success' ? undefined : pending.state;
        const win = await callbackFrame({ ...query, ...(state ? { state } : {}) });
        const calls = stubFetch(win, () => jsonResponse(200, {}));
        try {
          await relayCallback({ window: win, closeCheckMs: 10 });
          await until(() => recorder.seen.length > 0, 'the outcome is relayed');
        } finally {
          recorder.stop();
        }
        expect(calls, JSON.stringify(query)).to.have.length(0);
        expect(recorder.seen[0].message.outcome).to.deep.equal(outcome);
        expect(JSON.stringify(recorder.seen)).not.to.include('stolen-code');
        removeFrames();
      }
    });

    it('VaultRE: a lost reply is settled with GET, and the code is never posted again', async () => {
      const pending = popupRecord();
      const recorder = record(pending.state);
      const win = await callbackFrame({ reason: 'success', code: 'spent-once', state: pending.state });
      // The POST fails on the way back; the GET that follows answers.
      const calls: RequestInit[] = [];
      win.fetch = (_input: RequestInfo | URL, init?: RequestInit) => {
        calls.push(init ?? {});
        return init?.method === 'POST'
          ? Promise.reject(new TypeError('Failed to fetch'))
          : Promise.resolve(jsonResponse(200, { connected: true, connected_at: '2024-06-01T00:00:00.000Z' }));
      };
      try {
        await relayCallback({ window: win, closeCheckMs: 10 });
        await until(() => recorder.seen.length > 0, 'the outcome is relayed');
      } finally {
        recorder.stop();
      }
      expect(calls.map((call) => call.method ?? 'GET')).to.deep.equal(['POST', 'GET']);
      expect(recorder.seen[0].message.outcome).to.deep.equal({ result: 'connected', body: { connected: true, connected_at: '2024-06-01T00:00:00.000Z' } });
    });

    it('an Apideck flow (Hosted Vault): relays the return with the record’s id, without a code', async () => {
      const pending = popupRecord({ kind: 'hosted', exchangeUrl: undefined });
      const seen: CallbackMessage[] = [];
      const channel = new OriginalBroadcastChannel(CALLBACK_CHANNEL);
      channel.onmessage = (event) => seen.push(event.data as CallbackMessage);
      const win = await callbackFrame({ authorizedConnection: 'pipedrive', code: 'not-for-anyone' });
      try {
        await relayCallback({ window: win, closeCheckMs: 10 });
        await until(() => seen.length === 1, 'relayed');
      } finally {
        channel.close();
      }
      expect(seen[0]).to.deep.include({ flow: pending.id, query: { authorizedConnection: 'pipedrive' }, fragment: {} });
    });

    it('decides from the record, never from window.opener', async () => {
      // A popup record and no opener (COOP severed it): still the popup path.
      const pending = popupRecord({ kind: 'hosted', exchangeUrl: undefined });
      const win = await callbackFrame({ authorizedConnection: 'pipedrive' });
      (win as { opener: unknown }).opener = null;
      expect(await relayCallback({ window: win, closeCheckMs: 10 })).to.deep.equal({ relayed: true, mode: 'popup' });
      expect(sessionStorage.getItem(PENDING_KEY)).to.equal(null);
      expect(pending.mode).to.equal('popup');
      removeFrames();

      // A same-tab record and an opener (this tab was opened by another page): still the same-tab path.
      const sameTab = pendingFlow({ kind: 'hosted', mode: 'same-tab' });
      sessionStorage.setItem(PENDING_KEY, JSON.stringify(sameTab));
      const tab = await callbackFrame({ authorizedConnection: 'pipedrive' });
      const posts: unknown[] = [];
      (tab as { opener: unknown }).opener = { postMessage: (data: unknown) => posts.push(data) };
      expect(await relayCallback({ window: tab })).to.deep.equal({ relayed: true, mode: 'redirect' });
      await returned(tab);
      expect(posts).to.deep.equal([]);
      expect(takeRedirectResult()?.result).to.deep.equal({ type: 'callback', id: sameTab.id, query: { authorizedConnection: 'pipedrive' }, fragment: {} });
    });
  });

  describe('the same-tab fallback', () => {
    it('round trip: the flow is stored, the callback page stores the result and returns, the element takes it once', async () => {
      const pending = pendingFlow({ kind: 'direct' });
      const navigations: string[] = [];
      startRedirectFlow(pending, 'https://unify.example/vault/authorize/pipedrive/app', (url) => navigations.push(url));
      expect(navigations).to.deep.equal(['https://unify.example/vault/authorize/pipedrive/app']);
      expect(JSON.parse(sessionStorage.getItem(PENDING_KEY)!)).to.deep.equal(pending);

      const win = await callbackFrame({ code: 'apideck-code' }, { nonce: pending.state, confirm_token: 'ct', service_id: 'pipedrive' });
      const outcome = await relayCallback({ window: win });
      expect(outcome).to.deep.equal({ relayed: true, mode: 'redirect' });
      await returned(win);

      const taken = takeRedirectResult();
      expect(taken?.pending).to.deep.equal(pending);
      expect(taken?.result).to.deep.equal({
        type: 'callback',
        id: pending.id,
        query: {},
        fragment: { nonce: pending.state, confirm_token: 'ct', service_id: 'pipedrive' },
      });
      expect(takeRedirectResult()).to.equal(undefined);
      expect(sessionStorage.getItem(PENDING_KEY)).to.equal(null);
      expect(sessionStorage.getItem(RESULT_KEY)).to.equal(null);
    });

    it('VaultRE: posts the code at once and stores only the outcome, never the code', async () => {
      const pending = pendingFlow({
        kind: 'vaultre',
        exchangeUrl: '/api/vaultre/token',
        tokenType: 'user',
        redirectUri: 'https://host.example/callback.html',
      });
      startRedirectFlow(pending, 'https://login.vaultre.example/authorize', () => {});
      const code = `vaultre-code-${randomState()}`;
      const win = await callbackFrame({ reason: 'success', code, state: pending.state });
      const calls = stubFetch(win, () => jsonResponse(200, { connected: true, token_type: 'user' }));
      const sessionWrites = spyStorage(win);
      const localWrites = spyStorage(window);
      try {
        expect(await relayCallback({ window: win })).to.deep.equal({ relayed: true, mode: 'redirect' });
      } finally {
        sessionWrites.restore();
        localWrites.restore();
      }
      expect(calls).to.have.length(1);
      expect(calls[0].url).to.equal('/api/vaultre/token');
      expect(calls[0].init.method).to.equal('POST');
      expect(calls[0].init.credentials).to.equal('same-origin');
      expect(new Headers(calls[0].init.headers).get('content-type')).to.equal('application/json');
      expect(JSON.parse(calls[0].init.body as string)).to.deep.equal({ code, state: pending.state });
      const written = [...sessionWrites.writes, ...localWrites.writes].map(([key, value]) => key + value).join('\n');
      expect(written).to.not.include(code);
      expect(written).to.include(RESULT_KEY);
      const everything = [sessionStorage, localStorage]
        .flatMap((store) => Object.keys(store).map((key) => key + store.getItem(key)))
        .join('\n');
      expect(everything).to.not.include(code);

      await returned(win);
      expect(win.location.href).to.not.include(code);
      expect(takeRedirectResult()?.result).to.deep.equal({
        type: 'exchange',
        id: pending.id,
        ok: true,
        body: { connected: true, token_type: 'user' },
      });
    });

    it('VaultRE: a refused exchange is stored as its status and error, and the page is never asked twice', async () => {
      const pending = pendingFlow({ kind: 'vaultre', exchangeUrl: '/api/vaultre/token' });
      sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
      const win = await callbackFrame({ reason: 'success', code: 'expired-code', state: pending.state });
      const calls = stubFetch(win, () => jsonResponse(400, { error: 'code_expired', message: 'The code expired.', token: 'never' }));
      await relayCallback({ window: win });
      await returned(win);
      // The callback page loaded again (a reload, a back button) does not exchange again.
      const again = await callbackFrame({ reason: 'success', code: 'expired-code', state: pending.state });
      const againCalls = stubFetch(again, () => jsonResponse(200, {}));
      await relayCallback({ window: again });
      expect(calls).to.have.length(1);
      expect(againCalls).to.have.length(0);
      expect(takeRedirectResult()?.result).to.deep.equal({
        type: 'exchange',
        id: pending.id,
        ok: false,
        status: 400,
        error: 'code_expired',
        message: 'The code expired.',
      });
    });

    it('VaultRE: a rate-limited exchange is stored with the wait its Retry-After names', async () => {
      const pending = pendingFlow({ kind: 'vaultre', exchangeUrl: '/api/vaultre/token' });
      sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
      const win = await callbackFrame({ reason: 'success', code: 'c', state: pending.state });
      stubFetch(win, () =>
        new Response(JSON.stringify({ error: 'rate_limited', message: 'Too many attempts.' }), {
          status: 429,
          headers: { 'content-type': 'application/json', 'retry-after': '42' },
        }),
      );
      await relayCallback({ window: win });
      await returned(win);
      expect(takeRedirectResult()?.result).to.deep.equal({
        type: 'exchange',
        id: pending.id,
        ok: false,
        status: 429,
        error: 'rate_limited',
        message: 'Too many attempts.',
        retryAfter: 42,
      });
    });

    it('VaultRE: a network failure or a reply that is not JSON is a failed exchange', async () => {
      for (const [reply, expected] of [
        [() => Promise.reject(new TypeError('Failed to fetch')), { status: 0, error: 'network_error' }],
        [() => new Response('<html>', { status: 200 }), { status: 200, error: 'invalid_response' }],
      ] as const) {
        const pending = pendingFlow({ kind: 'vaultre', exchangeUrl: '/api/vaultre/token' });
        sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
        const win = await callbackFrame({ reason: 'success', code: 'c', state: pending.state });
        stubFetch(win, reply);
        await relayCallback({ window: win });
        await returned(win);
        expect(takeRedirectResult()?.result).to.deep.equal({ type: 'exchange', id: pending.id, ok: false, ...expected });
        removeFrames();
      }
    });

    it('VaultRE: a wrong state or a denial is not exchanged; the return is stored without the code', async () => {
      const returns: Array<Record<string, string>> = [
        { reason: 'success', code: 'stolen-code', state: 'not-the-flow-state' },
        { reason: 'User denied request' },
      ];
      for (const query of returns) {
        const pending = pendingFlow({ kind: 'vaultre', exchangeUrl: '/api/vaultre/token' });
        sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
        const win = await callbackFrame(query);
        const calls = stubFetch(win, () => jsonResponse(200, {}));
        await relayCallback({ window: win });
        await returned(win);
        expect(calls).to.have.length(0);
        const { code: _code, ...withoutCode } = query;
        expect(takeRedirectResult()?.result).to.deep.equal({ type: 'callback', id: pending.id, query: withoutCode, fragment: {} });
        removeFrames();
      }
    });

    it('stays on the callback page when the return URL is on another origin', async () => {
      const pending = pendingFlow({ returnUrl: 'https://elsewhere.example/settings' });
      sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
      const win = await callbackFrame({ authorizedConnection: 'pipedrive' });
      const before = win.location.pathname;
      expect(await relayCallback({ window: win })).to.deep.equal({ relayed: true, mode: 'redirect' });
      await delay(50);
      expect(win.location.pathname).to.equal(before);
      expect(win.document.body.textContent).to.equal('You can close this window.');
    });

    it('ignores a flow older than 15 minutes, and takes nothing from it', async () => {
      const pending = pendingFlow({ startedAt: Date.now() - 16 * 60_000 });
      sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
      const win = await callbackFrame({ authorizedConnection: 'pipedrive' });
      expect((await relayCallback({ window: win, closeCheckMs: 10 })).mode).to.equal('popup');
      sessionStorage.setItem(RESULT_KEY, JSON.stringify({ type: 'callback', id: pending.id, query: {}, fragment: {} }));
      expect(takeRedirectResult()).to.equal(undefined);
      expect(sessionStorage.getItem(PENDING_KEY)).to.equal(null);
      expect(sessionStorage.getItem(RESULT_KEY)).to.equal(null);
    });

    it('takes nothing from another flow’s result or from malformed entries, and removes them', () => {
      const pending = pendingFlow();
      const cases: Array<[string, string]> = [
        [JSON.stringify(pending), JSON.stringify({ type: 'callback', id: randomState(), query: {}, fragment: {} })],
        [JSON.stringify(pending), '{broken'],
        [JSON.stringify({ ...pending, kind: 'other' }), JSON.stringify({ type: 'callback', id: pending.id, query: {}, fragment: {} })],
        [JSON.stringify(pending), JSON.stringify({ type: 'callback', id: pending.id, query: { a: 1 }, fragment: {} })],
      ];
      for (const [storedPending, storedResult] of cases) {
        sessionStorage.setItem(PENDING_KEY, storedPending);
        sessionStorage.setItem(RESULT_KEY, storedResult);
        expect(takeRedirectResult()).to.equal(undefined);
        expect(sessionStorage.getItem(PENDING_KEY)).to.equal(null);
        expect(sessionStorage.getItem(RESULT_KEY)).to.equal(null);
      }
    });

    it('refuses to store a flow that does not fit the schema', () => {
      const navigations: string[] = [];
      expect(() => startRedirectFlow({ ...pendingFlow(), state: 'x' }, 'https://a.example', (url) => navigations.push(url))).to.throw();
      expect(navigations).to.deep.equal([]);
    });
  });
});
