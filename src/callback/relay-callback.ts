/**
 * The callback page's module (`vault-connect/callback`): run it on the `redirect_uri` page.
 *
 * First it takes its query and fragment and replaces its own URL without them (`history.replaceState`), before
 * anything else. Then the flow record decides (see `redirect-fallback.ts`), never `window.opener` (which
 * Cross-Origin-Opener-Policy severs):
 *
 * - **A popup flow's record** (the element wrote it into this window's `sessionStorage`): the record is taken (single
 *   use). For VaultRE, the returned `state` must equal the record's: then the page posts the `code` to the host's
 *   exchange endpoint itself and relays only the outcome (connected, denied or failed, with an error code); on a
 *   mismatch it posts nothing and relays `state_mismatch`. For Apideck flows it relays the query and fragment. Every
 *   message carries the record's id, which marks it as the popup's own. Then it closes the window.
 * - **The same-tab fallback's record** (this tab's own, the popup was blocked twice): the same, but the outcome is
 *   stored for the element under `RESULT_KEY` and the page returns to the page that started the flow.
 * - **No record:** a VaultRE return (it has `reason` or `code`) is relayed to no one (it can only be a stray or forged
 *   one); any other return is relayed without a flow id, which the element takes only as a hint to re-read.
 *
 * The relay goes over every channel that can reach the waiting element: `window.opener.postMessage` (the page's own
 * origin as target) when there is an opener, a `BroadcastChannel` and a `localStorage` write (the `storage` event). No
 * message, storage entry or URL that outlives this page carries a VaultRE code. When the window cannot close itself
 * it says "You can close this window.", in the browser's language.
 */
import {
  CALLBACK_CHANNEL,
  CALLBACK_MESSAGE_TYPE,
  CALLBACK_STORAGE_KEY,
  CallbackParamsSchema,
  paramsOf,
  type CallbackMessage,
  type CallbackOutcome,
  type CallbackParams,
} from '../internal/popup/callback-message.ts';
import { randomState } from '../internal/popup/random-state.ts';
import { closeMessage } from '../i18n/callback.ts';
import {
  PENDING_KEY,
  RESULT_KEY,
  modeOf,
  readPendingRedirect,
  readRedirectResult,
  type PendingRedirect,
  type RedirectResult,
} from '../internal/popup/redirect-fallback.ts';
import { VaultreClient, type ExchangeOutcome } from '../internal/vaultre/vaultre-client.ts';

export interface RelayCallbackOptions {
  /** The callback page's window. Default: `window`. */
  window?: Window;
  /** What the page says when it cannot close itself. Default: "You can close this window.", in the browser's language. */
  message?: string;
  /** How long to wait for the window to close before saying so, in ms. Default: 300. */
  closeCheckMs?: number;
}

export type RelayMode = 'popup' | 'redirect' | 'none';

export interface RelayOutcome {
  /** Whether a message or result was handed over. */
  relayed: boolean;
  /** `popup`: relayed to the waiting element; `redirect`: finished a same-tab flow; `none`: nothing to relay. */
  mode: RelayMode;
}

type CallbackWindow = Window & typeof globalThis;

/** The most of a host's success reply that is relayed (it is passed on in `vaultre-connect`); a longer one is re-read. */
const MAX_RELAYED_BODY = 4096;

function say(win: CallbackWindow, text: string, lang?: string): void {
  const doc = win.document;
  const body = doc.body ?? doc.documentElement.appendChild(doc.createElement('body'));
  body.textContent = text;
  // The tab's title too: the page ships "Connecting…", in English, for the moment before it knows.
  doc.title = text;
  if (lang) doc.documentElement.lang = lang;
}

/** The page's own message, or ours in the browser's language (and the page's `lang` with it). */
function sayClose(win: CallbackWindow, message: string | undefined): void {
  if (message !== undefined) return say(win, message);
  const { lang, text } = closeMessage(attempt(() => win.navigator.languages));
  say(win, text, lang);
}

/** Runs `action`, or returns `undefined` when it throws (a channel or storage that cannot be used here). */
function attempt<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch {
    return undefined;
  }
}

function withoutCode(params: CallbackParams): CallbackParams {
  const copy: CallbackParams = { ...params };
  delete copy.code;
  return copy;
}

function sameOrigin(win: CallbackWindow, url: string): boolean {
  try {
    return new URL(url, win.location.href).origin === win.location.origin;
  } catch {
    return false;
  }
}

/** Whether a return is VaultRE's (`reason=…`, `code=…`): only a flow record's own state may take its code anywhere. */
const isVaultreReturn = (query: CallbackParams): boolean => query.reason !== undefined || query.code !== undefined;

/**
 * A VaultRE return finished against its record: the code posted to the host's exchange endpoint when the state is the
 * record's (and only then), the outcome otherwise.
 */
async function vaultreOutcome(win: CallbackWindow, pending: PendingRedirect, query: CallbackParams): Promise<ExchangeOutcome | { denied: string }> {
  if (query.state !== pending.state) return { ok: false, status: 0, error: 'state_mismatch' };
  if (query.reason !== 'success') return { denied: query.reason ?? '' };
  if (!query.code || !pending.exchangeUrl) return { ok: false, status: 0, error: 'exchange_failed' };
  const client = new VaultreClient(pending.exchangeUrl, (input, init) => win.fetch(input, init));
  return client.exchange({ code: query.code, state: query.state, previous: pending.previous });
}

/** A VaultRE outcome as relayed: never the code; the host's reply only when short. Exported for the fuzz tests. */
export function relayedOutcome(outcome: ExchangeOutcome | { denied: string }): CallbackOutcome {
  if ('denied' in outcome) {
    return { result: 'denied', ...(outcome.denied !== 'User denied request' ? { reason: outcome.denied.slice(0, 200) } : {}) };
  }
  if (outcome.ok) {
    const text = attempt(() => JSON.stringify(outcome.body));
    return { result: 'connected', ...(text !== undefined && text.length <= MAX_RELAYED_BODY ? { body: outcome.body } : {}) };
  }
  return {
    result: 'failed',
    status: outcome.status,
    ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    ...(outcome.message !== undefined ? { message: outcome.message } : {}),
    ...(outcome.retryAfter !== undefined ? { retryAfter: outcome.retryAfter } : {}),
  };
}

/** Hands a message to the element over every channel that can reach it, then closes this window. */
async function relay(win: CallbackWindow, message: CallbackMessage, options: RelayCallbackOptions, show: () => void): Promise<void> {
  const origin = win.location.origin;
  const opener = attempt(() => win.opener as Window | null);
  if (opener) attempt(() => opener.postMessage(message, origin));
  attempt(() => {
    const channel = new win.BroadcastChannel(CALLBACK_CHANNEL);
    channel.postMessage(message);
    channel.close();
  });
  attempt(() => {
    win.localStorage.setItem(CALLBACK_STORAGE_KEY, JSON.stringify(message));
    win.localStorage.removeItem(CALLBACK_STORAGE_KEY);
  });
  attempt(() => win.close());
  await new Promise((resolve) => win.setTimeout(resolve, options.closeCheckMs ?? 300));
  if (!win.closed) show();
}

/** A popup flow: the record is taken (single use), the return finished against it, and the outcome relayed with its id. */
async function finishPopup(
  win: CallbackWindow,
  pending: PendingRedirect,
  query: CallbackParams,
  fragment: CallbackParams,
  options: RelayCallbackOptions,
  show: () => void,
): Promise<RelayOutcome> {
  attempt(() => win.sessionStorage.removeItem(PENDING_KEY));
  const base = { type: CALLBACK_MESSAGE_TYPE, id: randomState(), flow: pending.id } as const;
  const message: CallbackMessage =
    pending.kind === 'vaultre'
      ? { ...base, query: { state: pending.state }, fragment: {}, outcome: relayedOutcome(await vaultreOutcome(win, pending, query)) }
      : { ...base, query: withoutCode(query), fragment: withoutCode(fragment) };
  await relay(win, message, options, show);
  return { relayed: true, mode: 'popup' };
}

/** The same-tab fallback: store the outcome for the element, then return to the page that started the flow. */
async function finishRedirect(
  win: CallbackWindow,
  pending: PendingRedirect,
  query: CallbackParams,
  fragment: CallbackParams,
  show: () => void,
): Promise<RelayOutcome> {
  const store = win.sessionStorage;
  // Reloaded after the result was stored: do not exchange twice.
  if (readRedirectResult(store)?.id !== pending.id) {
    let result: RedirectResult = { type: 'callback', id: pending.id, query: withoutCode(query), fragment: withoutCode(fragment) };
    if (pending.kind === 'vaultre' && query.reason === 'success' && query.state === pending.state) {
      const outcome = await vaultreOutcome(win, pending, query);
      if (!('denied' in outcome)) result = { type: 'exchange', id: pending.id, ...outcome };
    }
    // Storage full or refused: the element then finds no result and reports the flow as not finished.
    attempt(() => store.setItem(RESULT_KEY, JSON.stringify(result)));
  }
  if (sameOrigin(win, pending.returnUrl)) win.location.replace(pending.returnUrl);
  else show();
  return { relayed: true, mode: 'redirect' };
}

/**
 * Finishes the flow this callback page belongs to (see above). Call it once on load.
 */
export async function relayCallback(options: RelayCallbackOptions = {}): Promise<RelayOutcome> {
  const win = (options.window ?? window) as CallbackWindow;
  const show = () => sayClose(win, options.message);
  const { search, hash } = win.location;
  // The parameters (a code among them) leave the address bar and this history entry before anything else happens.
  if (search !== '' || hash !== '') attempt(() => win.history.replaceState(win.history.state, '', win.location.pathname));
  const parsedQuery = CallbackParamsSchema.safeParse(paramsOf(search));
  const parsedFragment = CallbackParamsSchema.safeParse(paramsOf(hash));
  // The parsed copies: bounded, string values only (the refinement checked), an own `__proto__` key left out.
  const query = (parsedQuery.success ? parsedQuery.data : {}) as CallbackParams;
  const fragment = (parsedFragment.success ? parsedFragment.data : {}) as CallbackParams;
  if (!parsedQuery.success || !parsedFragment.success || Object.keys(query).length + Object.keys(fragment).length === 0) {
    show();
    return { relayed: false, mode: 'none' };
  }

  const pending = attempt(() => readPendingRedirect(win.sessionStorage));
  if (pending && modeOf(pending) === 'same-tab') return finishRedirect(win, pending, query, fragment, show);
  if (pending) return finishPopup(win, pending, query, fragment, options, show);

  // No flow of this window: a VaultRE return goes nowhere; an Apideck one is only a hint (the element re-reads).
  if (isVaultreReturn(query)) {
    show();
    return { relayed: false, mode: 'none' };
  }
  await relay(win, { type: CALLBACK_MESSAGE_TYPE, id: randomState(), query: withoutCode(query), fragment: withoutCode(fragment) }, options, show);
  return { relayed: true, mode: 'popup' };
}
