/**
 * The callback page's module (`vault-connect/callback`): run it on the `redirect_uri` page.
 *
 * It reads the page's query and fragment and hands them, as one `CallbackMessage` with a random id, over every channel
 * that can reach the waiting element: `window.opener.postMessage` (the page's own origin as target), a
 * `BroadcastChannel` and a `localStorage` write (the `storage` event), then closes the popup. Under
 * Cross-Origin-Opener-Policy the popup has no opener, so the last two carry the result; a message no flow is waiting
 * for is ignored by every listener.
 *
 * With no opener and a same-tab flow stored in `sessionStorage` (the redirect fallback), it finishes that flow instead:
 * a VaultRE `code` whose `state` matches is posted at once to the host's exchange endpoint and only the outcome is
 * stored; any other return is stored without a `code`; then it goes back to the page that started the flow.
 * When the window cannot close itself it says "You can close this window.", in the browser's language.
 */
import {
  CALLBACK_CHANNEL,
  CALLBACK_MESSAGE_TYPE,
  CALLBACK_STORAGE_KEY,
  CallbackMessageSchema,
  paramsOf,
  type CallbackMessage,
  type CallbackParams,
} from '../internal/popup/callback-message.ts';
import { randomState } from '../internal/popup/random-state.ts';
import { closeMessage } from '../i18n/callback.ts';
import {
  RESULT_KEY,
  readPendingRedirect,
  readRedirectResult,
  type PendingRedirect,
  type RedirectResult,
} from '../internal/popup/redirect-fallback.ts';
import { VaultreClient } from '../internal/vaultre/vaultre-client.ts';

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
  /** `popup`: relayed to the opener and other same-origin tabs; `redirect`: finished a same-tab flow; `none`: nothing to relay. */
  mode: RelayMode;
}

type CallbackWindow = Window & typeof globalThis;

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

/** Posts the VaultRE code to the host's exchange endpoint (the one VaultRE client) and keeps only the outcome. */
async function exchange(win: CallbackWindow, pending: PendingRedirect, code: string, state: string): Promise<RedirectResult> {
  const client = new VaultreClient(pending.exchangeUrl ?? '', (input, init) => win.fetch(input, init));
  const outcome = await client.exchange({ code, state, tokenType: pending.tokenType ?? 'account', redirectUri: pending.redirectUri });
  return { type: 'exchange', id: pending.id, ...outcome };
}

/** The same-tab fallback: store the outcome for the element, then return to the page that started the flow. */
async function finishRedirect(
  win: CallbackWindow,
  pending: PendingRedirect,
  message: CallbackMessage,
  show: () => void,
): Promise<RelayOutcome> {
  const store = win.sessionStorage;
  // Reloaded after the result was stored: do not exchange twice.
  if (readRedirectResult(store)?.id !== pending.id) {
    const { query, fragment } = message;
    const code = query.code;
    const result: RedirectResult =
      pending.kind === 'vaultre' && pending.exchangeUrl && code && query.reason === 'success' && query.state === pending.state
        ? await exchange(win, pending, code, query.state)
        : { type: 'callback', id: pending.id, query: withoutCode(query), fragment: withoutCode(fragment) };
    // Storage full or refused: the element then finds no result and reports the flow as not finished.
    attempt(() => store.setItem(RESULT_KEY, JSON.stringify(result)));
  }
  if (sameOrigin(win, pending.returnUrl)) win.location.replace(pending.returnUrl);
  else show();
  return { relayed: true, mode: 'redirect' };
}

/**
 * Relays the callback page's query and fragment to the element waiting for them, then closes the popup (or, in the
 * same-tab fallback, stores the result and returns to the page that started the flow). Call it once on load.
 */
export async function relayCallback(options: RelayCallbackOptions = {}): Promise<RelayOutcome> {
  const win = (options.window ?? window) as CallbackWindow;
  const show = () => sayClose(win, options.message);
  const parsed = CallbackMessageSchema.safeParse({
    type: CALLBACK_MESSAGE_TYPE,
    id: randomState(),
    query: paramsOf(win.location.search),
    fragment: paramsOf(win.location.hash),
  });
  if (!parsed.success || Object.keys(parsed.data.query).length + Object.keys(parsed.data.fragment).length === 0) {
    show();
    return { relayed: false, mode: 'none' };
  }
  // The schema's refinements checked that every query and fragment value is a string.
  const message = parsed.data as CallbackMessage;
  // The parameters (a code among them) stay out of the page's history entry.
  attempt(() => win.history.replaceState(win.history.state, '', win.location.pathname));

  const opener = attempt(() => win.opener as Window | null);
  if (!opener) {
    const pending = attempt(() => readPendingRedirect(win.sessionStorage));
    if (pending) return finishRedirect(win, pending, message, show);
  }

  const origin = win.location.origin;
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
  return { relayed: true, mode: 'popup' };
}
