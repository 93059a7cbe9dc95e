/**
 * Waits for the callback page's message on all three channels at once — `window` `message` events, a
 * `BroadcastChannel` and `storage` events — and takes the first one that the flow accepts, once.
 *
 * What counts: a `message` event only from `callbackOrigin`; `BroadcastChannel` and `storage` only when the callback page
 * shares this page's origin (both are same-origin channels, so from another origin they could only carry a message the
 * callback page did not send). Every candidate is parsed with `CallbackMessageSchema`, and anything malformed is
 * dropped without side effects. Then `match(message)` decides: `accept` resolves, `ignore` drops it (another flow's
 * result, a replayed or unknown state), and `mismatch` rejects with `state_mismatch` only when the message came from
 * this flow's own popup — a wrong state from another tab or element must not end this flow.
 *
 * "From this flow's own popup" (`fromPopup`) means: a `postMessage` whose source is the popup, or a message on any
 * channel that carries the flow's id (`flowId`), which only the callback page running in that popup can know: the
 * element wrote it into the popup's `sessionStorage` (the flow record) and into no URL.
 */
import { VaultConnectError } from '../api/errors.ts';
import {
  CALLBACK_CHANNEL,
  CALLBACK_STORAGE_KEY,
  parseCallbackMessage,
  type CallbackMessage,
} from './callback-message.ts';
import { ResourceScope } from './resources.ts';

export type MatchResult = 'accept' | 'mismatch' | 'ignore';

/** How a message arrived: `message` is `window.postMessage`; `fromPopup` when it came from this flow's popup (see above). */
export interface MessageProvenance {
  channel: 'message' | 'broadcast' | 'storage';
  fromPopup: boolean;
}

export interface CallbackListenerOptions {
  /** The callback page's origin (an origin or any URL on it). */
  callbackOrigin: string;
  /** This flow's popup: only a message from it can end the flow with `state_mismatch`. */
  popup?: Window;
  /** The id of the flow record written into the popup: a message that carries it came from the popup's callback page. */
  flowId?: string;
  match: (message: CallbackMessage, provenance: MessageProvenance) => MatchResult;
  signal: AbortSignal;
}

export interface CallbackListener {
  /** Resolves with the accepted message; rejects with `state_mismatch`, or `aborted` when the signal fires or on `dispose()`. */
  readonly result: Promise<CallbackMessage>;
  /** Removes every listener and closes the channel. */
  dispose(): void;
}

/** Message ids remembered for de-duplication, at most. */
const SEEN_LIMIT = 100;

function originOf(value: string): string {
  try {
    return new URL(value).origin;
  } catch {
    return value;
  }
}

export function listenForCallback(options: CallbackListenerOptions): CallbackListener {
  const { popup, flowId, match, signal } = options;
  const callbackOrigin = originOf(options.callbackOrigin);
  const scope = new ResourceScope();
  // Ids already decided, and whether that decision had the popup's provenance (a later copy from the popup may still
  // turn an ignored mismatch into `state_mismatch`).
  const seen = new Map<string, boolean>();
  let resolve!: (message: CallbackMessage) => void;
  let reject!: (error: VaultConnectError) => void;
  const result = new Promise<CallbackMessage>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // The caller may only dispose() and never read `result`: that rejection is not an unhandled one.
  result.catch(() => {});

  const settle = (outcome: CallbackMessage | VaultConnectError) => {
    if (scope.disposed) return;
    scope.dispose();
    seen.clear();
    if (outcome instanceof VaultConnectError) reject(outcome);
    else resolve(outcome);
  };

  const consider = (data: unknown, channel: MessageProvenance['channel'], sentByPopup = false) => {
    if (scope.disposed) return;
    const message = parseCallbackMessage(data);
    if (!message) return;
    const provenance: MessageProvenance = { channel, fromPopup: sentByPopup || (flowId !== undefined && message.flow === flowId) };
    const before = seen.get(message.id);
    if (before === true || (before === false && !provenance.fromPopup)) return;
    let verdict: MatchResult;
    try {
      verdict = match(message, provenance);
    } catch {
      verdict = 'ignore';
    }
    if (verdict === 'accept') {
      settle(message);
    } else if (verdict === 'mismatch' && provenance.fromPopup) {
      settle(new VaultConnectError('state_mismatch'));
    } else {
      if (seen.size >= SEEN_LIMIT) seen.delete(seen.keys().next().value as string);
      seen.set(message.id, provenance.fromPopup);
    }
  };

  const abort = () => settle(new VaultConnectError('aborted'));
  if (signal.aborted) {
    abort();
    return { result, dispose: abort };
  }
  scope.listen(signal, 'abort', abort);

  scope.listen<MessageEvent>(window, 'message', (event) => {
    if (event.origin !== callbackOrigin) return;
    consider(event.data, 'message', popup !== undefined && event.source === popup);
  });

  if (callbackOrigin === location.origin) {
    if (typeof BroadcastChannel === 'function') {
      scope.channel(CALLBACK_CHANNEL, (event) => consider(event.data, 'broadcast'));
    }
    scope.listen<StorageEvent>(window, 'storage', (event) => {
      if (event.key !== CALLBACK_STORAGE_KEY || !event.newValue) return;
      try {
        if (event.storageArea !== localStorage) return;
      } catch {
        return;
      }
      let data: unknown;
      try {
        data = JSON.parse(event.newValue);
      } catch {
        return;
      }
      consider(data, 'storage');
    });
  }

  return { result, dispose: abort };
}
