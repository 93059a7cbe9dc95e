/**
 * Fuzz: the host's VaultRE endpoint replies as the element's VaultRE row reads them (src/internal/vaultre/vaultre-row.ts, vaultre-client.ts).
 *
 * - `GET {vaultre-exchange-url}`: any reply ends as a status that satisfies the oracle, or a `vault-connect-error` with a
 *   contract code and a disconnected row.
 * - `POST {vaultre-exchange-url}` (the code, the moment it arrives): any reply ends as `vaultre-connect` with the host's
 *   JSON as sent, or an error (`code_expired`, `exchange_failed`, `network_error`, …) whose text is at most the host's
 *   message (cut to 200 characters), never the code; a network failure is retried once at most.
 * - The row renders (to a template) in every resulting state.
 *
 * The row runs here in Node against a minimal stand-in of the browser globals it touches (window, location, storage,
 * a popup object); the callback arrives as a `message` event from the callback page's origin, as in a browser. Rendering
 * into a real shadow root is covered in test/component/fuzz/render.test.ts.
 */
import { afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nothing } from 'lit';
import { VaultConnectError, describeError } from '../../src/internal/api/errors.ts';
import { CALLBACK_MESSAGE_TYPE } from '../../src/internal/popup/callback-message.ts';
import { en } from '../../src/i18n/en.ts';
import { VaultreRow, type VaultreHost } from '../../src/internal/vaultre/vaultre-row.ts';
import { anyBodyText, corrupt, hostileJson, hostileString } from './arbitraries.ts';
import { assertNoStrayErrors, guardProcess, params } from './config.ts';
import { isErrorCode, isPlainObject, isVaultreStatus } from './oracles.ts';

guardProcess();

const APP = 'https://app.test';
const CALLBACK = 'https://callback.test/vaultre/callback';
const EXCHANGE = `${APP}/api/vaultre`;
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
  close(): void;
  focus(): void;
}

const fakeWindow = new EventTarget() as EventTarget & { open: () => FakePopup };
let lastPopup: FakePopup | undefined;
fakeWindow.open = () => {
  lastPopup = {
    closed: false,
    location: { href: 'about:blank' },
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
  vaultreClientId = 'client-fuzz';
  vaultreRedirectUri = CALLBACK;
  vaultreExchangeUrl = EXCHANGE;
  vaultreTokenType: 'account' | 'user' = 'account';
  vaultreAuthorizeUrl = 'https://login.vaultre.test/cgi-bin/clientvault';
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
    describe: (error: VaultConnectError) => describeError(error, en.errors),
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

  test('POST exchange: vaultre-connect with the host JSON, or a typed error without the code', async () => {
    const exchangeReply = fc.oneof(
      { arbitrary: statusReply, weight: 3 },
      { arbitrary: hostileJson, weight: 2 },
    );
    let codes = 0;
    await fc.assert(
      fc.asyncProperty(replies(exchangeReply), replies(exchangeReply), fc.constantFrom('account' as const, 'user' as const), async (first, second, tokenType) => {
        const code = `c0de${(++codes).toString(16).padStart(8, '0')}0123456789abcdef`;
        const { calls } = stubFetch(first, second);
        const host = new FakeHost();
        host.vaultreTokenType = tokenType;
        const row = rowFor(host);
        const done = row.connect();
        const popup = lastPopup!;
        const authorize = new URL(popup.location.href);
        assert.equal(authorize.searchParams.get('redirect_uri'), CALLBACK);
        const state = authorize.searchParams.get('state') ?? '';
        fakeWindow.dispatchEvent(
          new MessageEvent('message', {
            origin: new URL(CALLBACK).origin,
            data: { type: CALLBACK_MESSAGE_TYPE, id: `id-${state}`, query: { reason: 'success', code, state }, fragment: {} },
          }),
        );
        await done;
        assert.equal(row.phase, 'idle');
        assert.ok(popup.closed, 'the popup is closed');
        assert.ok(calls.length >= 1 && calls.length <= 2, 'posted once, or twice after a network failure');
        for (const call of calls) {
          assert.equal(call.method, 'POST');
          assert.deepEqual(JSON.parse(call.body ?? ''), { code, state, token_type: tokenType, redirect_uri: CALLBACK });
        }
        // The reply that decided: the second only after a network failure of the first.
        const reply = first.kind === 'throw' ? second : first;
        assert.equal(calls.length, first.kind === 'throw' ? 2 : 1);
        if (reply.kind === 'throw') {
          assertError(host, row, 'network_error', code);
        } else {
          const json = await jsonOf(reply);
          const echoed = reply.body?.includes(code) ?? false;
          if (reply.status >= 200 && reply.status <= 299 && json !== NOT_JSON) {
            assert.equal(row.error, undefined);
            assert.deepEqual(host.connects, [json], 'the host JSON as sent');
            assert.deepEqual(row.status, isVaultreStatus(json) ? json : { connected: true, token_type: tokenType });
          } else {
            assert.equal(host.connects.length, 0);
            const fields = json !== NOT_JSON && isPlainObject(json) ? json : undefined;
            const hostShape = fields && (fields.error === undefined || typeof fields.error === 'string') && (fields.message === undefined || typeof fields.message === 'string');
            if (hostShape && fields.error === 'code_expired') {
              assertError(host, row, 'code_expired', echoed ? undefined : code);
            } else {
              assertError(host, row, 'exchange_failed', echoed ? undefined : code);
              const message = hostShape && typeof fields.message === 'string' ? fields.message.slice(0, 200) : undefined;
              assert.equal(row.error?.detail, message ?? `(${reply.status})`);
              assert.equal(row.error?.status, reply.status);
              assert.equal(row.error?.retryable, reply.status >= 500 || reply.status === 429, 'a 5xx or 429 is worth trying again');
            }
          }
        }
        assertRenders(row);
        await assertNoStrayErrors();
      }),
      params(),
    );
  });
});
