/**
 * Fuzz: callback messages (callback-message.ts), the callback page that sends them (relay-callback.ts) and the same-tab
 * fallback's stored entries (redirect-fallback.ts), including the host's exchange reply the callback page stores.
 *
 * - `parseCallbackMessage` accepts exactly what the contract oracle accepts, for any value (structured-clone values too).
 * - The callback page, on any URL, relays a message that parses (to the opener with its own origin as target, never
 *   `*`), or relays nothing; it never throws and never leaves the query in the history entry.
 * - In the same-tab fallback, whatever the host's exchange endpoint answers, the stored result is one the element can
 *   read, and the VaultRE `code` is never stored.
 * - `readPendingRedirect` / `readRedirectResult` turn any stored text into a valid entry or `undefined`.
 *
 * The listener's acceptance rules (origins, channels, de-duplication) need a browser's `window`: see
 * test/component/fuzz/callback-listener.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { relayCallback } from '../../src/callback/relay-callback.ts';
import { CALLBACK_MESSAGE_TYPE, CALLBACK_STORAGE_KEY, parseCallbackMessage, paramsOf } from '../../src/internal/popup/callback-message.ts';
import { PENDING_KEY, RESULT_KEY, readPendingRedirect, readRedirectResult } from '../../src/internal/popup/redirect-fallback.ts';
import { anyBodyText, anyValue, corrupt, hostileJson, hostileKey, hostileString } from './arbitraries.ts';
import { assertNoStrayErrors, guardProcess, params } from './config.ts';
import { codePoints, isCallbackMessage, isCallbackParams, isPlainObject } from './oracles.ts';

guardProcess();

const ORIGIN = 'https://app.test';

// ---------------------------------------------------------------------------------------------------------------------
// Arbitraries

/** Query or fragment parameters: a few hostile keys and values, sometimes too many or too long. */
const paramsArb = fc.oneof(
  { arbitrary: fc.dictionary(hostileKey, hostileString({ huge: false }), { maxKeys: 5, noNullPrototype: true }), weight: 8 },
  { arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fc.string(), { minKeys: 45, maxKeys: 60, noNullPrototype: true }), weight: 1 },
  { arbitrary: fc.constant({ long: 'x'.repeat(4097) }), weight: 1 },
  { arbitrary: fc.constant({ ['k'.repeat(257)]: 'v' }), weight: 1 },
);

const messageArb = corrupt(
  fc.record({
    type: fc.constant(CALLBACK_MESSAGE_TYPE),
    id: fc.oneof(
      fc.string({ minLength: 8, maxLength: 64 }),
      fc.string({ maxLength: 8 }),
      fc.string({ minLength: 64, maxLength: 70 }),
      // 8 UTF-16 units but fewer code points; 64 units of astral characters (32 code points).
      fc.constantFrom('\u{1d436}\u{1d437}\u{1d438}\u{1d439}', '\u{1f600}'.repeat(32), '\u{1f600}'.repeat(33)),
    ),
    query: paramsArb,
    fragment: paramsArb,
    flow: fc.oneof(fc.string({ minLength: 8, maxLength: 64 }), fc.string({ maxLength: 8 }), fc.string({ minLength: 64, maxLength: 70 }), anyValue),
    outcome: fc.oneof(
      fc.record(
        {
          result: fc.oneof(fc.constantFrom('connected', 'denied', 'failed'), hostileString({ huge: false })),
          error: fc.oneof(fc.constantFrom('code_expired', 'store_failed'), hostileString({ huge: false }), fc.constant('e'.repeat(513))),
          message: fc.oneof(hostileString({ huge: false }), fc.constant('m'.repeat(513))),
          reason: hostileString({ huge: false }),
          status: fc.oneof(fc.integer(), fc.double(), fc.constant('500')),
          body: anyValue,
        },
        { requiredKeys: ['result'] },
      ),
      anyValue,
    ),
  }, { requiredKeys: ['type', 'id', 'query', 'fragment'] }),
);

/** A query string or fragment as it may arrive: encoded pairs, raw hostile text, repeated keys, bare `?`/`#`. */
const rawParams = fc.oneof(
  paramsArb.map((record) => new URLSearchParams(Object.entries(record)).toString()),
  hostileString(),
  fc.array(fc.tuple(fc.constantFrom('code', 'state', 'reason', '__proto__', 'a'), hostileString({ huge: false })), { maxLength: 4 }).map((pairs) =>
    pairs.map(([key, value]) => `${key}=${encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '?'))}`).join('&'),
  ),
);

// ---------------------------------------------------------------------------------------------------------------------
// A callback page's window, in memory

class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  readonly writes: [string, string][] = [];
  get length(): number {
    return this.#items.size;
  }
  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.writes.push([key, String(value)]);
    this.#items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
  clear(): void {
    this.#items.clear();
  }
  [name: string]: unknown;
}

interface FakePage {
  window: Window;
  posted: { message: unknown; targetOrigin: string }[];
  broadcast: unknown[];
  history: string[];
  replaced: string[];
  fetches: { url: string; body: string }[];
  local: MemoryStorage;
  session: MemoryStorage;
}

function fakePage(url: URL, options: { opener: boolean; session?: MemoryStorage; fetch?: (url: string, init: RequestInit) => Promise<Response> }): FakePage {
  const page: FakePage = {
    window: undefined as unknown as Window,
    posted: [],
    broadcast: [],
    history: [],
    replaced: [],
    fetches: [],
    local: new MemoryStorage(),
    session: options.session ?? new MemoryStorage(),
  };
  class FakeChannel {
    postMessage(message: unknown) {
      page.broadcast.push(structuredClone(message));
    }
    close() {}
  }
  const win = {
    location: {
      href: url.href,
      search: url.search,
      hash: url.hash,
      pathname: url.pathname,
      origin: url.origin,
      replace: (target: string) => page.replaced.push(target),
    },
    history: { state: null, replaceState: (_state: unknown, _title: string, target: string) => page.history.push(target) },
    opener: options.opener ? { postMessage: (message: unknown, targetOrigin: string) => page.posted.push({ message: structuredClone(message), targetOrigin }) } : null,
    sessionStorage: page.session,
    localStorage: page.local,
    BroadcastChannel: FakeChannel,
    closed: false,
    close() {
      win.closed = true;
    },
    setTimeout: (callback: () => void) => {
      queueMicrotask(callback);
      return 0;
    },
    fetch: (target: string, init: RequestInit) => {
      page.fetches.push({ url: target, body: typeof init.body === 'string' ? init.body : '' });
      return options.fetch ? options.fetch(target, init) : Promise.reject(new TypeError('no network'));
    },
    document: { body: { textContent: '' }, documentElement: { appendChild: (node: unknown) => node }, createElement: () => ({}) },
  };
  page.window = win as unknown as Window;
  return page;
}

/** The parameters of a query or fragment, first value winning, read with the platform's URLSearchParams. */
function expectedParams(text: string): Record<string, string> {
  const result = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(text.replace(/^[?#]/, ''))) if (!result.has(key)) result.set(key, value);
  return Object.fromEntries(result);
}

/** A record's own entries, sorted (so that `__proto__` as an own key compares like any other). */
function entriesOf(record: unknown): [string, unknown][] {
  return Object.entries(record as object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The entries a parsed message keeps: zod skips an own `__proto__` key (see `isCallbackParams` in oracles.ts). */
function keptEntriesOf(record: unknown): [string, unknown][] {
  return entriesOf(record).filter(([key]) => key !== '__proto__');
}

// ---------------------------------------------------------------------------------------------------------------------
// Properties

describe('fuzz: callback messages', () => {
  test('parseCallbackMessage accepts exactly the messages of the contract, for any value', () => {
    fc.assert(
      fc.property(fc.oneof(messageArb, anyValue), (value) => {
        const parsed = parseCallbackMessage(value);
        assert.equal(parsed !== undefined, isCallbackMessage(value), 'agrees with the oracle');
        if (parsed) {
          const input = value as Record<string, unknown>;
          assert.equal(parsed.id, input.id);
          assert.deepEqual(entriesOf(parsed.query), keptEntriesOf(input.query));
          assert.deepEqual(entriesOf(parsed.fragment), keptEntriesOf(input.fragment));
          assert.equal(Object.getPrototypeOf(parsed.query), Object.prototype, 'no prototype from the input');
        }
      }),
      params(),
    );
  });

  test('paramsOf reads any text into own string properties, first value winning, with no prototype change', () => {
    fc.assert(
      fc.property(fc.oneof(rawParams, hostileString()), fc.constantFrom('', '?', '#'), (text, prefix) => {
        const params = paramsOf(`${prefix}${text}`);
        assert.equal(Object.getPrototypeOf(params), Object.prototype);
        assert.deepEqual(entriesOf(params), entriesOf(expectedParams(`${prefix}${text}`)));
        for (const value of Object.values(params)) assert.equal(typeof value, 'string');
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      }),
      params(),
    );
  });

  test('the callback page relays a message that parses, to its own origin only, or nothing', async () => {
    await fc.assert(
      fc.asyncProperty(rawParams, rawParams, fc.boolean(), async (query, fragment, opener) => {
        const url = new URL(`${ORIGIN}/callback?${query}#${fragment}`);
        const page = fakePage(url, { opener });
        const outcome = await relayCallback({ window: page.window, closeCheckMs: 0 });
        const expectedQuery = expectedParams(url.search);
        const expectedFragment = expectedParams(url.hash);
        const count = keptEntriesOf(expectedQuery).length + keptEntriesOf(expectedFragment).length;
        // No flow record in this window: a VaultRE return (`reason` or `code`) is relayed to no one.
        const vaultre = Object.hasOwn(expectedQuery, 'reason') || Object.hasOwn(expectedQuery, 'code');
        const relayable = count > 0 && isCallbackParams(expectedQuery) && isCallbackParams(expectedFragment) && !vaultre;
        assert.equal(outcome.mode, relayable ? 'popup' : 'none');
        assert.equal(outcome.relayed, relayable);
        assert.equal(page.fetches.length, 0, 'nothing is posted without a flow record');
        const sent = [...page.posted.map((p) => p.message), ...page.broadcast, ...page.local.writes.filter(([key]) => key === CALLBACK_STORAGE_KEY).map(([, value]) => JSON.parse(value) as unknown)];
        assert.equal(sent.length, relayable ? (opener ? 3 : 2) : 0);
        // A `code` is never relayed, in the query or the fragment.
        const withoutCode = (entries: [string, unknown][]) => entries.filter(([key]) => key !== 'code');
        for (const message of sent) {
          const parsed = parseCallbackMessage(message);
          assert.ok(parsed, 'every relayed message parses');
          assert.deepEqual(entriesOf(parsed.query), withoutCode(keptEntriesOf(expectedQuery)));
          assert.deepEqual(entriesOf(parsed.fragment), withoutCode(keptEntriesOf(expectedFragment)));
        }
        for (const { targetOrigin } of page.posted) assert.equal(targetOrigin, ORIGIN, 'posted to its own origin, never *');
        assert.equal(page.local.length, 0, 'the storage entry is removed at once');
        // Before anything else, whatever the parameters are.
        assert.deepEqual(page.history, url.search !== '' || url.hash !== '' ? ['/callback'] : [], 'the parameters leave the history entry');
        await assertNoStrayErrors();
      }),
      params(),
    );
  });

  test('same-tab fallback: whatever the host answers, the stored result is readable and holds no code', async () => {
    const reply = fc.oneof(
      fc.record({ kind: fc.constant('reply' as const), status: fc.integer({ min: 200, max: 599 }), body: fc.oneof(anyBodyText, hostileJson.map((v) => JSON.stringify(v) ?? 'null')) }),
      fc.constant({ kind: 'throw' as const }),
    );
    const ret = fc.record({
      reason: fc.constantFrom('success', 'User denied request', 'other'),
      sameState: fc.boolean(),
      withCode: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(reply, ret, fc.string({ minLength: 8, maxLength: 40, unit: 'grapheme-ascii' }), async (answer, back, stateSuffix) => {
        const code = `code-${stateSuffix.replace(/[^A-Za-z0-9]/g, 'x')}-0123456789abcdef`;
        const state = `state-${stateSuffix}`;
        const session = new MemoryStorage();
        const pending = {
          id: 'pending-0123456789',
          kind: 'vaultre',
          state,
          returnUrl: `${ORIGIN}/settings`,
          exchangeUrl: `${ORIGIN}/api/vaultre`,
          tokenType: 'account',
          redirectUri: `${ORIGIN}/callback`,
          startedAt: Date.now(),
        };
        session.setItem(PENDING_KEY, JSON.stringify(pending));
        const query = new URLSearchParams({ reason: back.reason, state: back.sameState ? state : `${state}-other`, ...(back.withCode ? { code } : {}) });
        const page = fakePage(new URL(`${ORIGIN}/callback?${query.toString()}`), {
          opener: false,
          session,
          fetch: () =>
            answer.kind === 'throw'
              ? Promise.reject(new TypeError('network'))
              : Promise.resolve(new Response([204, 205, 304].includes(answer.status) ? null : answer.body, { status: answer.status })),
        });
        const outcome = await relayCallback({ window: page.window, closeCheckMs: 0 });
        assert.deepEqual(outcome, { relayed: true, mode: 'redirect' });
        // Our state and success: an exchange's outcome (without a code to post: exchange_failed); otherwise the return.
        const exchanges = back.reason === 'success' && back.sameState;
        const posts = page.fetches.filter((call) => call.body !== '');
        assert.equal(posts.length, exchanges && back.withCode ? 1 : 0, 'the code is posted once, only for our state');
        // A lost reply is followed by a status read (GET), never by a second POST.
        assert.equal(page.fetches.length - posts.length, exchanges && back.withCode && answer.kind === 'throw' ? 1 : 0);
        if (exchanges && back.withCode) assert.deepEqual(JSON.parse(posts[0].body), { code, state });
        const stored = session.getItem(RESULT_KEY);
        assert.ok(stored !== null, 'a result is stored');
        const echoed = answer.kind === 'reply' && answer.body.includes(code);
        if (!echoed) assert.ok(!stored.includes(code), 'the code is never stored');
        const result = readRedirectResult(session);
        assert.ok(result, 'the element can read the stored result');
        assert.equal(result.id, pending.id);
        assert.equal(result.type, exchanges ? 'exchange' : 'callback');
        if (result.type === 'exchange' && !back.withCode) {
          assert.deepEqual(result, { type: 'exchange', id: pending.id, ok: false, status: 0, error: 'exchange_failed' });
        } else if (result.type === 'exchange') {
          // Connected exactly when the host answered 2xx with JSON; otherwise its status is kept for the element.
          const json = answer.kind === 'reply' && ![204, 205, 304].includes(answer.status) ? await new Response(answer.body).json().then(() => true, () => false) : false;
          const ok = answer.kind === 'reply' && answer.status >= 200 && answer.status <= 299 && json;
          assert.equal(result.ok, ok);
          if (!result.ok) assert.equal(result.status, answer.kind === 'reply' ? answer.status : 0);
        }
        assert.deepEqual(page.replaced, [pending.returnUrl], 'back to the page that started the flow');
        await assertNoStrayErrors();
      }),
      params(),
    );
  });

  test('stored same-tab entries: any stored text reads as a valid entry or nothing', () => {
    const pendingArb = corrupt(
      fc.record({
        id: fc.string({ minLength: 8, maxLength: 63 }),
        kind: fc.constantFrom('hosted', 'direct', 'vaultre'),
        state: fc.string({ minLength: 8, maxLength: 255 }),
        returnUrl: hostileString({ huge: false }),
        exchangeUrl: hostileString({ huge: false }),
        tokenType: fc.constantFrom('account', 'user'),
        startedAt: fc.oneof(fc.constant(Date.now()), fc.integer()),
      }),
      hostileJson,
    );
    const resultArb = corrupt(
      fc.oneof(
        fc.record({ type: fc.constant('callback'), id: fc.string(), query: paramsArb, fragment: paramsArb }),
        fc.record({ type: fc.constant('exchange'), id: fc.string(), ok: fc.boolean(), body: hostileJson, status: fc.integer({ min: 0, max: 599 }), error: hostileString(), message: hostileString() }),
      ),
      hostileJson,
    );
    const stored = fc.oneof(
      pendingArb.map((value) => JSON.stringify(value) ?? 'null'),
      resultArb.map((value) => JSON.stringify(value) ?? 'null'),
      anyBodyText,
    );
    fc.assert(
      fc.property(stored, stored, (pendingText, resultText) => {
        const store = new MemoryStorage();
        store.setItem(PENDING_KEY, pendingText);
        store.setItem(RESULT_KEY, resultText);
        const pending = readPendingRedirect(store);
        if (pending) {
          assert.ok(isPlainObject(pending));
          assert.ok(['hosted', 'direct', 'vaultre'].includes(pending.kind));
          assert.ok(codePoints(pending.id) >= 8 && pending.id.length <= 64 && codePoints(pending.state) >= 8 && pending.state.length <= 256);
          assert.ok(Math.abs(Date.now() - pending.startedAt) <= 15 * 60_000 + 60_000, 'fresh');
        }
        const result = readRedirectResult(store);
        if (result) {
          assert.ok(result.type === 'callback' || result.type === 'exchange');
          assert.equal(typeof result.id, 'string');
          if (result.type === 'callback') assert.ok(isCallbackParams(result.query) && isCallbackParams(result.fragment));
          else if (!result.ok) {
            assert.equal(typeof result.status, 'number');
            for (const text of [result.error, result.message]) assert.ok(text === undefined || (typeof text === 'string' && text.length <= 4096));
          }
        }
      }),
      params(),
    );
  });
});
