/**
 * Fuzz: the host's VaultRE endpoint replies as the callback page and the VaultRE row read them
 * (src/internal/vaultre/vaultre-client.ts, src/callback/relay-callback.ts, src/internal/vaultre/vaultre-row.ts).
 *
 * - `GET {vaultre-exchange-url}`: any reply ends as a status that satisfies the oracle, or a `vault-connect-error` with a
 *   contract code and a disconnected row.
 * - `POST {code, state}` (the callback page, the moment the code arrives): any reply ends as a connected outcome with
 *   the host's JSON as sent, or a failed one (status, error code, message cut to 512 characters); a network failure is
 *   never followed by a second POST, only by a `GET`, whose connected answer settles it.
 * - The outcome as relayed, delivered to the row from its own popup: `vaultre-connect` with the host's JSON, or an error
 *   (`code_expired`, `store_failed`, `exchange_failed`, `network_error`, …) whose text is at most the host's message
 *   (cut to 200 characters), never the code. The row renders (to a template) in every resulting state.
 *
 * The row runs here in Node against a minimal stand-in of the browser globals it touches (window, location, storage,
 * a popup object); the outcome arrives as a `message` event from the page's origin carrying the flow record's id, as
 * the callback page's relay does. Rendering into a real shadow root is covered in test/component/fuzz/vaultre.test.ts.
 */
import { afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nothing } from 'lit';
import { relayedOutcome } from '../../src/callback/relay-callback.ts';
import { VaultConnectError, describeError } from '../../src/internal/api/errors.ts';
import { CALLBACK_MESSAGE_TYPE } from '../../src/internal/popup/callback-message.ts';
import { PENDING_KEY } from '../../src/internal/popup/redirect-keys.ts';
import { en } from '../../src/i18n/en.ts';
import { VaultreClient } from '../../src/internal/vaultre/vaultre-client.ts';
import { VaultreRow, type VaultreHost } from '../../src/internal/vaultre/vaultre-row.ts';
import { anyBodyText, corrupt, hostileJson, hostileString } from './arbitraries.ts';
import { assertNoStrayErrors, guardProcess, params } from './config.ts';
import { isErrorCode, isVaultreStatus } from './oracles.ts';

guardProcess();

const APP = 'https://app.test';
const CALLBACK = `${APP}/vaultre/callback`;
const EXCHANGE = `${APP}/api/vaultre`;
const AUTHORIZE_URL = `https://login.vaultre.test/cgi-bin/clientvault/oauth-authorize.cgi?client_id=c&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code&state=`;
const realFetch = globalThis.fetch;

// ---------------------------------------------------------------------------------------------------------------------
// The browser globals the row touches, in memory

class MemoryStorage {
  readonly #items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.#items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
}

interface FakePopup {
  closed: boolean;
  location: { href: string };
  sessionStorage: MemoryStorage;
  close(): void;
  focus(): void;
}

const fakeWindow = new EventTarget() as EventTarget & { open: () => FakePopup };
let lastPopup: FakePopup | undefined;
fakeWindow.open = () => {
  lastPopup = {
    closed: false,
    location: { href: 'about:blank' },
    sessionStorage: new MemoryStorage(),
    close() {
      this.closed = true;
    },
    focus() {},
  };
  return lastPopup;
};

before(() => {
  Object.assign(globalThis, {
    window: fakeWindow,
    location: { href: `${APP}/settings`, origin: APP },
    sessionStorage: new MemoryStorage(),
    localStorage: new MemoryStorage(),
    screenX: 0,
    screenY: 0,
    outerWidth: 1200,
    outerHeight: 900,
  });
});

afterEach(() => {
  globalThis.fetch = realFetch;
});

// ---------------------------------------------------------------------------------------------------------------------
// A host element stand-in

class FakeHost extends EventTarget implements VaultreHost {
  vaultreExchangeUrl = EXCHANGE;
  vaultreTokenType: 'account' | 'user' = 'account';
  windowMode = 'popup';
  flowTimeout = 60_000;
  locale = 'en';
  strings = undefined;
  renderRoot = {} as HTMLElement;
  updateComplete = Promise.resolve(true);
  readonly errors: { code: string; message: string; retryable: boolean }[] = [];
  readonly connects: unknown[] = [];

  constructor() {
    super();
    this.addEventListener('vault-connect-error', (event) => this.errors.push((event as CustomEvent<{ code: string; message: string; retryable: boolean }>).detail));
    this.addEventListener('vaultre-connect', (event) => this.connects.push((event as CustomEvent<{ result: unknown }>).detail.result));
  }
  addController(): void {}
  removeController(): void {}
  requestUpdate(): void {}
}

function rowFor(host: FakeHost): VaultreRow {
  return new VaultreRow(host, {
    strings: () => en,
    announce: () => {},
    describe: (error: VaultConnectError) => describeError(error, en),
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Replies

type Reply = { kind: 'reply'; status: number; body: string | null } | { kind: 'throw' };

const statusReply = corrupt(
  fc.record(
    { connected: fc.boolean(), token_type: fc.constantFrom('account', 'user'), connected_at: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), hostileString({ huge: false })) },
    { requiredKeys: ['connected'] },
  ),
  hostileJson,
);

const hostError = corrupt(
  fc.record({ error: fc.oneof(fc.constantFrom('code_expired', 'exchange_failed', 'store_failed', 'state_mismatch', 'invalid_request', 'origin_not_allowed'), hostileString({ huge: false })), message: hostileString() }, { requiredKeys: [] }),
  hostileJson,
);

function replies(good: fc.Arbitrary<unknown>): fc.Arbitrary<Reply> {
  const body = fc.oneof(
    { arbitrary: good.map((value) => JSON.stringify(value) ?? 'null'), weight: 5 },
    { arbitrary: hostError.map((value) => JSON.stringify(value) ?? 'null'), weight: 3 },
    { arbitrary: anyBodyText, weight: 2 },
    { arbitrary: fc.constant(null), weight: 1 },
  );
  const status = fc.oneof({ arbitrary: fc.constant(200), weight: 4 }, { arbitrary: fc.constantFrom(201, 204, 400, 401, 403, 409, 410, 500, 502, 504), weight: 3 }, { arbitrary: fc.integer({ min: 200, max: 599 }), weight: 1 });
  return fc.oneof({ arbitrary: fc.record({ kind: fc.constant('reply' as const), status, body }), weight: 12 }, { arbitrary: fc.constant({ kind: 'throw' as const }), weight: 1 });
}

function responseOf(reply: Extract<Reply, { kind: 'reply' }>): Response {
  const bodyless = [204, 205, 304].includes(reply.status);
  return new Response(bodyless ? null : reply.body, { status: reply.status, headers: { 'content-type': 'application/json' } });
}

const NOT_JSON = Symbol('not JSON');
async function jsonOf(reply: Extract<Reply, { kind: 'reply' }>): Promise<unknown> {
  try {
    return (await responseOf(reply).json()) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/** Stubs `fetch` with `replies` in turn (the last one repeats) and records the requests. */
function stubFetch(...sequence: Reply[]): { calls: { method: string; body: string | undefined }[] } {
  if (sequence.length === 0) sequence = [{ kind: 'throw' }];
  const calls: { method: string; body: string | undefined }[] = [];
  globalThis.fetch = (_input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    calls.push({ method: init.method ?? 'GET', body: typeof init.body === 'string' ? init.body : undefined });
    const reply = sequence[Math.min(calls.length - 1, sequence.length - 1)];
    return reply.kind === 'throw' ? Promise.reject(new TypeError('fetch failed')) : Promise.resolve(responseOf(reply));
  };
  return { calls };
}

function assertRenders(row: VaultreRow): void {
  const template = row.render();
  // English is built in: the row draws at once (other locales may draw nothing until their strings are in).
  assert.ok(template !== nothing && Array.isArray(template.strings), 'render() returns a template');
}

function assertError(host: FakeHost, row: VaultreRow, code: string, secret?: string): void {
  assert.ok(row.error instanceof VaultConnectError, 'the row shows an error');
  assert.equal(row.error.code, code);
  assert.ok(isErrorCode(row.error.code));
  assert.equal(host.errors.at(-1)?.code, code, 'vault-connect-error carries the code');
  if (secret) {
    assert.ok(!host.errors.some((e) => e.message.includes(secret)), 'the code is not in the error message');
    assert.ok(!`${row.error.message} ${row.error.detail ?? ''}`.includes(secret), 'the code is not in the error');
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Properties

describe('fuzz: VaultRE host replies (element side)', () => {
  test('GET status: a status that passes the contract, or an error and a disconnected row', async () => {
    await fc.assert(
      fc.asyncProperty(replies(statusReply), async (reply) => {
        stubFetch(reply);
        const host = new FakeHost();
        const row = rowFor(host);
        await row.refresh();
        const json = reply.kind === 'reply' ? await jsonOf(reply) : NOT_JSON;
        const ok = reply.kind === 'reply' && reply.status >= 200 && reply.status <= 299;
        if (ok && json !== NOT_JSON && isVaultreStatus(json)) {
          assert.deepEqual(row.status, json);
          assert.equal(row.error, undefined);
          assert.equal(host.errors.length, 0);
        } else {
          assert.deepEqual(row.status, { connected: false });
          assertError(host, row, reply.kind === 'throw' ? 'network_error' : ok ? 'invalid_response' : 'api_error');
          if (reply.kind === 'reply' && !ok) assert.equal(row.error?.retryable, reply.status >= 500 || reply.status === 429);
        }
        assertRenders(row);
        await assertNoStrayErrors();
      }),
      params(),
    );
  });

  test('POST {code, state} (the callback page): one POST; its JSON, or a failed outcome; a lost reply asks GET', async () => {
    const exchangeReply = fc.oneof({ arbitrary: statusReply, weight: 3 }, { arbitrary: hostileJson, weight: 2 });
    let codes = 0;
    await fc.assert(
      fc.asyncProperty(replies(exchangeReply), replies(statusReply), fc.option(fc.constantFrom('', '2024-01-01T00:00:00.000Z'), { nil: undefined }), async (post, get, previous) => {
        const code = `c0de${(++codes).toString(16).padStart(8, '0')}0123456789abcdef`;
        const { calls } = stubFetch(post, get);
        const outcome = await new VaultreClient(EXCHANGE).exchange({ code, state: 'signed-state', previous });
        assert.equal(calls.filter((call) => call.method === 'POST').length, 1, 'the code is posted once, whatever happens');
        assert.deepEqual(JSON.parse(calls[0]?.body ?? ''), { code, state: 'signed-state' });
        if (post.kind === 'throw') {
          assert.deepEqual(calls.map((call) => call.method), ['POST', 'GET'], 'a lost reply: the status is asked');
          const status = get.kind === 'reply' ? await jsonOf(get) : NOT_JSON;
          const okReply = get.kind === 'reply' && get.status >= 200 && get.status <= 299;
          const isNew =
            okReply && status !== NOT_JSON && isVaultreStatus(status) && status.connected && (previous === undefined || (status.connected_at ?? '') !== previous);
          assert.deepEqual(outcome, isNew ? { ok: true, body: status } : { ok: false, status: 0, error: 'network_error' });
        } else {
          assert.equal(calls.length, 1);
          const json = await jsonOf(post);
          if (post.status >= 200 && post.status <= 299 && json !== NOT_JSON) {
            assert.deepEqual(outcome, { ok: true, body: json });
          } else {
            assert.equal(outcome.ok, false);
            if (outcome.ok) return;
            assert.equal(outcome.status, post.status);
            for (const text of [outcome.error, outcome.message]) if (text !== undefined) assert.ok(text.length <= 512);
          }
        }
        const relayed = relayedOutcome(outcome);
        assert.ok(!JSON.stringify(relayed).includes(code) || (post.kind === 'reply' && (post.body ?? '').includes(code)), 'the code is not relayed');
        await assertNoStrayErrors();
      }),
      params(),
    );
  });

  test('the relayed outcome, from the row’s own popup: vaultre-connect with the host JSON, or a typed error without the code', async () => {
    const exchangeReply = fc.oneof({ arbitrary: statusReply, weight: 3 }, { arbitrary: hostileJson, weight: 2 });
    let codes = 0;
    await fc.assert(
      fc.asyncProperty(replies(exchangeReply), replies(statusReply), fc.constantFrom('account' as const, 'user' as const), async (post, afterwards, tokenType) => {
        const code = `c0de${(++codes).toString(16).padStart(8, '0')}0123456789abcdef`;
        // What the callback page relays for this host reply (its GET after a lost reply fails too).
        stubFetch(post, { kind: 'throw' });
        const outcome = relayedOutcome(await new VaultreClient(EXCHANGE).exchange({ code, state: 'signed-state' }));
        // The row: the host answers the authorize request, then (after a lost reply) the row's own GET.
        const { calls } = stubFetch({ kind: 'reply', status: 200, body: JSON.stringify({ authorize_url: `${AUTHORIZE_URL}signed-state` }) }, afterwards);
        const host = new FakeHost();
        host.vaultreTokenType = tokenType;
        const row = rowFor(host);
        const done = row.connect();
        const popup = lastPopup!;
        for (let i = 0; i < 50 && popup.location.href === 'about:blank'; i++) await new Promise((resolve) => setImmediate(resolve));
        assert.ok(popup.location.href.startsWith('https://login.vaultre.test/'), 'the popup goes to the authorize URL');
        const record = JSON.parse(popup.sessionStorage.getItem(PENDING_KEY) ?? '{}') as { id: string; state: string };
        assert.equal(record.state, 'signed-state');
        fakeWindow.dispatchEvent(
          new MessageEvent('message', {
            origin: APP,
            data: { type: CALLBACK_MESSAGE_TYPE, id: `outcome-message-${codes}`, flow: record.id, query: { state: record.state }, fragment: {}, outcome },
          }),
        );
        await done;
        assert.equal(row.phase, 'idle');
        assert.ok(popup.closed, 'the popup is closed');
        assert.ok(!calls.some((call) => call.body?.includes(code)), 'the row never posts a code');
        const echoed = post.kind === 'reply' && (post.body ?? '').includes(code);
        if (outcome.result === 'connected') {
          assert.equal(row.error, undefined);
          assert.deepEqual(host.connects, [outcome.body], 'the host JSON as sent');
        } else if (outcome.error === 'network_error' && outcome.status === 0) {
          // The row asked the status itself: connected, or network_error.
          const status = afterwards.kind === 'reply' ? await jsonOf(afterwards) : NOT_JSON;
          const okReply = afterwards.kind === 'reply' && afterwards.status >= 200 && afterwards.status <= 299;
          if (okReply && status !== NOT_JSON && isVaultreStatus(status) && status.connected) assert.deepEqual(host.connects, [status]);
          else assertError(host, row, 'network_error', code);
        } else {
          assert.equal(host.connects.length, 0);
          const renewing = ['code_expired', 'store_failed', 'state_mismatch'];
          const expected = outcome.error !== undefined && renewing.includes(outcome.error) ? outcome.error : 'exchange_failed';
          assertError(host, row, expected, echoed ? undefined : code);
          if (expected === 'exchange_failed') {
            // An empty message says nothing: the status stands in for it.
            assert.equal(row.error?.detail, outcome.message ? outcome.message.slice(0, 200) : `(${outcome.status})`);
            assert.equal(row.error?.retryable, (outcome.status ?? 0) >= 500 || outcome.status === 429, 'a 5xx or 429 is worth trying again');
          } else {
            assert.equal(row.error?.retryable, true, 'a new authorization is offered');
          }
        }
        assertRenders(row);
        await assertNoStrayErrors();
      }),
      params(),
    );
  });
});
