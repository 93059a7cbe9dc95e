/**
 * Fuzz: the popup engine's acceptance rules for callback messages (src/internal/popup/callback-listener.ts), in Chromium.
 *
 * Sequences of `message` and `storage` events (right and wrong origins, sources, keys and storage areas; valid, near-valid
 * and junk payloads, repeated ids) and batches of `BroadcastChannel` posts go to `listenForCallback`. What the listener
 * does must be exactly what its documented rules give, step by step: which messages reach `match` (and with which
 * provenance), and whether the flow resolves, fails with `state_mismatch` (only for a mismatch from its own popup) or
 * keeps waiting; a `match` that throws counts as `ignore`; nothing malformed has any effect; every listener and channel
 * is released on dispose; no uncaught error or unhandled rejection. 2,000 cases for each channel family.
 */
import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import { VaultConnectError } from '../../../src/internal/api/errors.ts';
import { listenForCallback, type MatchResult, type MessageProvenance } from '../../../src/internal/popup/callback-listener.ts';
import { CALLBACK_CHANNEL, CALLBACK_MESSAGE_TYPE, CALLBACK_STORAGE_KEY, type CallbackMessage } from '../../../src/internal/popup/callback-message.ts';
import { popupFlowResources } from '../../../src/internal/popup/resources.ts';
import { POISON, anyValue, corrupt, hostileKey, hostileString } from '../../fuzz/arbitraries.ts';
import { isCallbackMessage } from '../../fuzz/oracles.ts';

const SEED = 20_240_601;
const SCALE = Number((window as Window & { FUZZ_SCALE?: number }).FUZZ_SCALE ?? 1);
const OTHER_ORIGIN = 'https://callback.test';
const EVIL_ORIGIN = 'https://evil.test';
/** The listener's de-duplication memory (callback-listener.ts). */
const SEEN_LIMIT = 100;

// ---------------------------------------------------------------------------------------------------------------------
// Stray errors fail the test

const stray: string[] = [];
const onError = (event: ErrorEvent) => stray.push(`error: ${event.message}`);
const onRejection = (event: PromiseRejectionEvent) => stray.push(`unhandled rejection: ${String(event.reason)}`);

async function check<T>(property: fc.IAsyncProperty<T>, runs: number): Promise<void> {
  try {
    await fc.assert(property, { seed: SEED, numRuns: runs, endOnFailure: true });
  } catch (error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    throw new Error(`${String(cause).slice(0, 600)}\n${String((error as Error).message).slice(0, 1500)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Messages

const VERDICTS = ['accept', 'mismatch', 'ignore', 'throw'] as const;
type Verdict = (typeof VERDICTS)[number];

/**
 * Ids from a small pool, so that sequences repeat ids; some too short or too long, some 8 UTF-16 units but fewer code
 * points (too short for `minLength`, which counts code points).
 */
const ids = fc.oneof(
  { arbitrary: fc.constantFrom('id-aaaaaaaa', 'id-bbbbbbbb', 'id-cccccccc', '\u{1d436}\u{1d437}\u{1d438}\u{1d439}', 'ab\u{1f600}\u{1f600}\u{1f600}'), weight: 4 },
  { arbitrary: fc.string({ minLength: 8, maxLength: 64 }), weight: 2 },
  { arbitrary: fc.constantFrom('', 'short', 'x'.repeat(65)), weight: 1 },
);

const params = fc.oneof(
  { arbitrary: fc.dictionary(hostileKey, hostileString({ huge: false }), { maxKeys: 3, noNullPrototype: true }), weight: 6 },
  { arbitrary: fc.constantFrom({ long: 'x'.repeat(4097) }, { ['k'.repeat(257)]: 'v' }, { n: 1 }), weight: 1 },
);

/** A callback message whose `query.verdict` tells the test's `match` what to answer; or a corruption of one. */
const message = corrupt(
  fc.record({
    type: fc.constant(CALLBACK_MESSAGE_TYPE),
    id: ids,
    query: fc.tuple(params, fc.constantFrom(...VERDICTS)).map(([rest, verdict]) => ({ ...rest, verdict })),
    fragment: params,
  }),
);

const payload = fc.oneof({ arbitrary: message, weight: 5 }, { arbitrary: anyValue, weight: 1 });

/** JSON text of a value, or `null` for one JSON cannot hold (a BigInt). */
function toJson(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return null;
  }
}

function verdictOf(value: CallbackMessage): Verdict {
  const verdict = value.query.verdict;
  return (VERDICTS as readonly string[]).includes(verdict ?? '') ? (verdict as Verdict) : 'ignore';
}

// ---------------------------------------------------------------------------------------------------------------------
// The documented rules, as a reference model

interface Model {
  seen: Map<string, boolean>;
  calls: { id: string; provenance: MessageProvenance }[];
  outcome: { kind: 'pending' } | { kind: 'resolved'; id: string } | { kind: 'rejected'; code: string };
}

function model(): Model {
  return { seen: new Map(), calls: [], outcome: { kind: 'pending' } };
}

/** One candidate that passed the channel rules: parse, de-duplicate, ask `match`, settle or remember. */
function consider(state: Model, data: unknown, provenance: MessageProvenance): void {
  if (state.outcome.kind !== 'pending' || !isCallbackMessage(data)) return;
  const value = data as CallbackMessage;
  const before = state.seen.get(value.id);
  if (before === true || (before === false && !provenance.fromPopup)) return;
  state.calls.push({ id: value.id, provenance });
  const verdict = verdictOf(value);
  if (verdict === 'accept') state.outcome = { kind: 'resolved', id: value.id };
  else if (verdict === 'mismatch' && provenance.fromPopup) state.outcome = { kind: 'rejected', code: 'state_mismatch' };
  else {
    if (state.seen.size >= SEEN_LIMIT) state.seen.delete(state.seen.keys().next().value as string);
    state.seen.set(value.id, provenance.fromPopup);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Running the real listener

interface Run {
  calls: { id: string; provenance: MessageProvenance }[];
  outcome: () => Model['outcome'];
  dispose: () => void;
  result: Promise<CallbackMessage>;
}

function listen(callbackOrigin: string, popup: Window): Run {
  const calls: Run['calls'] = [];
  let outcome: Model['outcome'] = { kind: 'pending' };
  const controller = new AbortController();
  const listener = listenForCallback({
    callbackOrigin,
    popup,
    signal: controller.signal,
    match: (value: CallbackMessage, provenance: MessageProvenance): MatchResult => {
      calls.push({ id: value.id, provenance: { ...provenance } });
      const verdict = verdictOf(value);
      if (verdict === 'throw') throw new Error('a broken match');
      return verdict;
    },
  });
  listener.result.then(
    (value) => {
      outcome = { kind: 'resolved', id: value.id };
    },
    (error: unknown) => {
      outcome = { kind: 'rejected', code: error instanceof VaultConnectError ? error.code : String(error) };
    },
  );
  return { calls, outcome: () => outcome, dispose: () => listener.dispose(), result: listener.result };
}

/** Lets the listener's promise callbacks run (microtasks only: a chain of zero timeouts is clamped to 4 ms each). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

// ---------------------------------------------------------------------------------------------------------------------

describe('fuzz: callback listener acceptance rules', function () {
  this.timeout(60_000);
  let frame: HTMLIFrameElement;
  let popup: Window;

  before(async () => {
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
    // A real window to stand for the flow's popup: `event.source` must be a window to compare with.
    frame = document.createElement('iframe');
    frame.title = 'stand-in popup';
    document.body.append(frame);
    await new Promise((resolve) => setTimeout(resolve, 0));
    popup = frame.contentWindow!;
  });

  after(() => {
    frame.remove();
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onRejection);
  });

  afterEach(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (stray.length > 0) throw new Error(`stray errors:\n${stray.splice(0).join('\n')}`);
  });

  it('regression: a message whose id has a `length` that cannot be compared is dropped, with no uncaught error', async () => {
    // zod threw a TypeError out of safeParse for such an id, inside the window's message and storage listeners.
    const run = listen(location.origin, popup);
    const data = { type: CALLBACK_MESSAGE_TYPE, id: POISON[0], query: { verdict: 'accept' }, fragment: {} };
    window.dispatchEvent(new MessageEvent('message', { data, origin: location.origin, source: popup }));
    window.dispatchEvent(new StorageEvent('storage', { key: CALLBACK_STORAGE_KEY, newValue: JSON.stringify(data), storageArea: localStorage }));
    await settle();
    expect(run.calls).to.deep.equal([]);
    expect(run.outcome()).to.deep.equal({ kind: 'pending' });
    run.dispose();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(stray).to.deep.equal([]);
  });

  it('message and storage events: exactly the documented acceptance, then nothing left behind', async () => {
    const event = fc.oneof(
      fc.record({
        channel: fc.constant('message' as const),
        origin: fc.constantFrom('callback' as const, 'page' as const, 'evil' as const),
        source: fc.constantFrom('popup' as const, 'page' as const, 'none' as const),
        data: payload,
      }),
      fc.record({
        channel: fc.constant('storage' as const),
        key: fc.oneof({ arbitrary: fc.constant(CALLBACK_STORAGE_KEY), weight: 5 }, { arbitrary: fc.constantFrom('other', '', 'vault-connect:pending'), weight: 1 }),
        area: fc.oneof({ arbitrary: fc.constant('local' as const), weight: 5 }, { arbitrary: fc.constant('session' as const), weight: 1 }),
        text: fc.oneof(
          { arbitrary: payload.map(toJson), weight: 5 },
          { arbitrary: fc.constantFrom(null, '', '{', 'null', '[]', '"x"'), weight: 1 },
          { arbitrary: hostileString(), weight: 1 },
        ),
      }),
    );
    const baseline = popupFlowResources();
    await check(
      fc.asyncProperty(fc.boolean(), fc.array(event, { minLength: 1, maxLength: 5 }), async (sameOrigin, events) => {
        const callbackOrigin = sameOrigin ? location.origin : OTHER_ORIGIN;
        const run = listen(callbackOrigin, popup);
        const expected = model();
        for (const item of events) {
          if (item.channel === 'message') {
            const origin = { callback: callbackOrigin, page: location.origin, evil: EVIL_ORIGIN }[item.origin];
            const source = { popup, page: window, none: null }[item.source];
            window.dispatchEvent(new MessageEvent('message', { data: item.data, origin, source }));
            if (origin === callbackOrigin) consider(expected, item.data, { channel: 'message', fromPopup: item.source === 'popup' });
          } else {
            const storageArea = item.area === 'local' ? localStorage : sessionStorage;
            window.dispatchEvent(new StorageEvent('storage', { key: item.key, newValue: item.text, storageArea }));
            if (sameOrigin && item.key === CALLBACK_STORAGE_KEY && item.text && item.area === 'local') {
              let data: unknown;
              try {
                data = JSON.parse(item.text);
              } catch {
                continue;
              }
              consider(expected, data, { channel: 'storage', fromPopup: false });
            }
          }
        }
        await settle();
        expect(run.calls).to.deep.equal(expected.calls, 'the messages that reach match, in order, with their provenance');
        expect(run.outcome()).to.deep.equal(expected.outcome);
        run.dispose();
        await settle();
        if (expected.outcome.kind === 'pending') expect(run.outcome()).to.deep.equal({ kind: 'rejected', code: 'aborted' });
        expect(popupFlowResources()).to.deep.equal(baseline, 'every listener and channel released');
      }),
      Math.round(2000 * SCALE),
    );
  });

  it('BroadcastChannel posts: exactly the documented acceptance, in batches', async () => {
    let batches = 0;
    let posted = 0;
    await check(
      fc.asyncProperty(fc.array(payload, { minLength: 40, maxLength: 60 }), async (batch) => {
        batches++;
        const run = listen(location.origin, popup);
        const expected = model();
        const sender = new BroadcastChannel(CALLBACK_CHANNEL);
        // A last message that ends the batch: accepted, unless an earlier one was.
        const sentinel = { type: CALLBACK_MESSAGE_TYPE, id: `sentinel-${batches}`, query: { verdict: 'accept' }, fragment: {} };
        for (const data of [...batch, sentinel]) {
          try {
            sender.postMessage(data);
          } catch {
            // Not cloneable (the arbitrary can make such values): it never leaves this page.
            continue;
          }
          posted++;
          consider(expected, structuredClone(data), { channel: 'broadcast', fromPopup: false });
        }
        sender.close();
        await run.result.catch(() => undefined);
        await settle();
        expect(run.calls).to.deep.equal(expected.calls);
        expect(run.outcome()).to.deep.equal(expected.outcome);
        run.dispose();
      }),
      Math.round(40 * SCALE),
    );
    expect(posted, 'broadcast messages').to.be.at.least(Math.round(2000 * SCALE));
  });
});
