/**
 * Helpers for the VaultRE row's component tests: mounting `<vault-connect>` with `vaultre-*` attributes, a stub of the
 * host's VaultRE endpoint (authorize, status, exchange, forget), a `window.open` spy, stand-in popups, and the
 * `vaultre-connect` event log.
 *
 * Stand-in popups are mostly same-origin iframes (`popupFrames`): the test can then watch the element close them and
 * "close" one itself (by removing it), and no window is opened per test. They have no opener, so the callback page in
 * them relays over BroadcastChannel and storage only (with the flow record's id, which makes them the popup's own); an
 * iframe shares this tab's `sessionStorage`, so the flow record the element writes into it lands here too. The opener
 * path is covered with real popups (`spyOpen()`) and by the end-to-end tests. The callback page's own requests (its
 * code exchange) reach the stub through `fixtures/route-fetch-to-test-page.js`.
 */
import { fixture, html } from '@open-wc/testing';
import '../../../src/index.ts';
import type { VaultConnect } from '../../../src/index.ts';
import { PENDING_KEY, type PendingRedirect } from '../../../src/internal/popup/redirect-fallback.ts';
import { EventLog, jsonResponse, row, shadow, stubFetch, until, type FetchCall, type FetchRoute, type FetchStub } from './helpers.ts';
import { fixtureUrl, frame, runIn } from './popup-helpers.ts';

/** The (stubbed) host endpoint: `POST {action}` authorize, `GET` status, `POST {code, state}` exchange, `DELETE` forget. */
export const EXCHANGE_PATH = '/__vaultre-host/exchange';
/** A same-origin authorize base: the popup lands on a 404 page of the test server, which the test can still read. */
export const AUTHORIZE_BASE = new URL('/__vaultre-authorize/cgi-bin/clientvault', location.href).href;
/** The real callback page (it runs `src/callback/auto.ts`), registered as the VaultRE redirect URI. */
export const CALLBACK_URL = new URL('./fixtures/callback.html', import.meta.url).href;
export const CLIENT_ID = 'test-vaultre-client';

export interface VaultreMountOptions {
  exchangeUrl?: string | null;
  tokenType?: 'account' | 'user';
  sessionUrl?: string;
  token?: string;
  unifyBaseUrl?: string;
  /** The deprecated attributes (accepted and ignored since 0.2.0): `vaultre-client-id` and the others. */
  deprecated?: Record<'vaultre-client-id' | 'vaultre-redirect-uri' | 'vaultre-authorize-url', string>;
}

/** Every `vaultre-connect` event, with its flags. */
export class VaultreEvents {
  readonly connects: { result: unknown; bubbles: boolean; composed: boolean }[] = [];

  constructor(target: EventTarget) {
    target.addEventListener('vaultre-connect', (event) => {
      const custom = event as CustomEvent<{ result: unknown }>;
      this.connects.push({ result: custom.detail.result, bubbles: custom.bubbles, composed: custom.composed });
    });
  }
}

/** Mounts `<vault-connect>` with `vaultre-exchange-url` (unless given `null`), and both event logs. */
export async function mountVaultre(options: VaultreMountOptions = {}): Promise<{ el: VaultConnect; events: EventLog; vaultre: VaultreEvents }> {
  const el = document.createElement('vault-connect');
  const events = new EventLog(el);
  const vaultre = new VaultreEvents(el);
  const attributes: Record<string, string | null | undefined> = {
    'vaultre-exchange-url': options.exchangeUrl === undefined ? EXCHANGE_PATH : options.exchangeUrl,
    'vaultre-token-type': options.tokenType,
    'session-url': options.sessionUrl,
    'unify-base-url': options.unifyBaseUrl,
    ...options.deprecated,
  };
  for (const [name, value] of Object.entries(attributes)) if (value !== null && value !== undefined) el.setAttribute(name, value);
  if (options.token !== undefined) el.token = options.token;
  await fixture(html`${el}`);
  return { el, events, vaultre };
}

/** The VaultRE row, once its lazy chunk has rendered it. */
export async function vaultreRow(el: VaultConnect): Promise<HTMLElement> {
  await until(() => shadow(el).querySelector('[data-service-id="vaultre"]'), 'the VaultRE row appears');
  return row(el, 'vaultre');
}

/** Waits until the row's status is read (`aria-busy` false) and returns the row. */
export async function settledRow(el: VaultConnect): Promise<HTMLElement> {
  await vaultreRow(el);
  await until(() => row(el, 'vaultre').getAttribute('aria-busy') === 'false', 'the VaultRE row settles');
  await el.updateComplete;
  return row(el, 'vaultre');
}

export interface HostStub {
  stub: FetchStub;
  /** The code exchanges (`POST {code, state}`), in order. */
  posts(): FetchCall[];
  /** The authorize requests (`POST {action: "authorize"}`), in order. */
  authorizes(): FetchCall[];
  gets(): FetchCall[];
  deletes(): FetchCall[];
  /** The parsed bodies of the code exchanges. */
  postBodies(): Record<string, unknown>[];
  /** Every state the stub put in an authorize URL, in order. */
  readonly states: string[];
}

export type HostReply = Response | Promise<Response> | (() => Response | Promise<Response>);

function answer(reply: HostReply): Response | Promise<Response> {
  if (typeof reply === 'function') return reply();
  // A Response can be read once: hand out a copy each time.
  return reply instanceof Response ? reply.clone() : reply.then((r) => r.clone());
}

/** A random state as long as one the server signs (a JWS of about 350 characters); its shape does not matter here. */
function issuedState(): string {
  const random = Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `eyJhbGciOiJIUzI1NiJ9.${'x'.repeat(280)}${random}.signature`;
}

/** The authorize URL the host answers with, as `createVaultreHandler` builds it. */
export function authorizeUrlFor(tokenType: string, state: string, redirectUri = CALLBACK_URL, base = AUTHORIZE_BASE): string {
  const page = tokenType === 'user' ? 'oauth-authorize-user.cgi' : 'oauth-authorize.cgi';
  const query = [
    ['client_id', CLIENT_ID],
    ['redirect_uri', redirectUri],
    ['response_type', 'code'],
    ['state', state],
  ]
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
  return `${base}/${page}?${query}`;
}

const isAuthorize = (call: FetchCall) => call.method === 'POST' && (call.body ?? '').includes('"action"');

declare global {
  interface Window {
    /** The test page's fetch, for the callback fixture (`route-fetch-to-test-page.js`). */
    __vaultConnectTestFetch?: typeof fetch;
  }
}

/**
 * Stubs the host endpoint (`EXCHANGE_PATH`) for this page and for the callback fixture in its popups: `authorize` answers
 * `POST {action: "authorize"}` (default: the authorize URL on `AUTHORIZE_BASE` with `redirectUri` and a fresh state),
 * `status` answers `GET`, `exchange` answers `POST {code, state}` (a function that throws a `TypeError` is a network
 * failure), `DELETE` answers 204. Every other request goes to `route`, else the network.
 */
export function stubHost(
  options: { status?: HostReply; exchange?: HostReply; authorize?: HostReply; remove?: HostReply; route?: FetchRoute; redirectUri?: string } = {},
): HostStub {
  const status = options.status ?? jsonResponse({ connected: false });
  const exchange = options.exchange ?? jsonResponse({ connected: true, token_type: 'account', connected_at: '2024-05-01T10:00:00.000Z' });
  const remove = options.remove ?? (() => new Response(null, { status: 204 }));
  const states: string[] = [];
  const authorize = (call: FetchCall): HostReply => {
    if (options.authorize) return options.authorize;
    const state = issuedState();
    states.push(state);
    const tokenType = (JSON.parse(call.body ?? '{}') as { token_type?: string }).token_type ?? 'account';
    return jsonResponse({ authorize_url: authorizeUrlFor(tokenType, state, options.redirectUri) });
  };
  const stub = stubFetch((call, signal) => {
    if (call.url.origin !== location.origin || call.url.pathname !== EXCHANGE_PATH) return options.route?.(call, signal);
    if (call.method === 'GET') return answer(status);
    if (isAuthorize(call)) return answer(authorize(call));
    if (call.method === 'POST') return answer(exchange);
    if (call.method === 'DELETE') return answer(remove);
    return new Response(null, { status: 405 });
  });
  window.__vaultConnectTestFetch = (input, init) => window.fetch(input, init);
  const of = (method: string) => () => stub.calls.filter((c) => c.method === method && c.url.pathname === EXCHANGE_PATH);
  const posts = () => of('POST')().filter((c) => !isAuthorize(c));
  return {
    stub,
    posts,
    authorizes: () => of('POST')().filter(isAuthorize),
    gets: of('GET'),
    deletes: of('DELETE'),
    postBodies: () => posts().map((c) => JSON.parse(c.body ?? 'null') as Record<string, unknown>),
    states,
  };
}

/** The flow record in this tab's `sessionStorage` (where a stand-in popup's record lands), if any. */
export function storedRecord(): PendingRedirect | undefined {
  const raw = sessionStorage.getItem(PENDING_KEY);
  return raw === null ? undefined : (JSON.parse(raw) as PendingRedirect);
}

/** `window.open` replaced by a spy: `result` decides what each call returns (default: the real window). */
export interface OpenSpy {
  readonly calls: { url: string; target: string; features: string }[];
  /** The windows returned so far (non-null ones). */
  readonly windows: Window[];
  restore(): void;
}

const originalOpen = Object.getOwnPropertyDescriptor(window, 'open')!;

export function spyOpen(result?: (url: string, target: string, features: string) => Window | null): OpenSpy {
  const real = window.open.bind(window);
  const calls: OpenSpy['calls'] = [];
  const windows: Window[] = [];
  window.open = (url?: string | URL, target?: string, features?: string) => {
    const call = { url: String(url ?? ''), target: target ?? '', features: features ?? '' };
    calls.push(call);
    const opened = result ? result(call.url, call.target, call.features) : real(url, target, features);
    if (opened) windows.push(opened);
    return opened;
  };
  return {
    calls,
    windows,
    restore() {
      Object.defineProperty(window, 'open', originalOpen);
      for (const win of windows) {
        try {
          if (!win.closed) win.close();
        } catch {
          // Already gone.
        }
      }
    },
  };
}

/**
 * `count` loaded same-origin iframes standing in for popups, and a `window.open` spy that hands them out in order (then
 * `null`, as a blocker would). Remove them with `removeFrames()` from `./popup-helpers.ts`.
 */
export async function popupFrames(count = 1): Promise<{ frames: HTMLIFrameElement[]; opened: OpenSpy }> {
  const frames: HTMLIFrameElement[] = [];
  for (let i = 0; i < count; i++) frames.push(await frame(fixtureUrl('blank.html'), { title: `stand-in popup ${i + 1}` }));
  let next = 0;
  const opened = spyOpen(() => frames[next++]?.contentWindow ?? null);
  return { frames, opened };
}

/** Records `close()` calls on a stand-in popup's current document (set again after each navigation). */
export function watchClose(win: Window): { calls: () => number } {
  runIn(win, 'window.__closeCalls = 0; window.close = () => { window.__closeCalls++; };');
  return { calls: () => (win as Window & { __closeCalls?: number }).__closeCalls ?? 0 };
}

/** The href of a same-origin popup, or '' while it cannot be read. */
export function hrefOf(win: Window): string {
  try {
    return win.location.href;
  } catch {
    return '';
  }
}

/** Waits until the popup was sent to the authorize page and returns that URL. */
export async function authorizeUrlOf(win: Window): Promise<URL> {
  await until(() => /oauth-authorize(-user)?\.cgi\?/.test(hrefOf(win)), `the popup goes to the authorize page (at ${hrefOf(win)})`);
  return new URL(hrefOf(win));
}

/** Acts as VaultRE: sends the popup to the callback page with the given parameters (`%20` for spaces, as VaultRE does). */
export function returnTo(win: Window, redirectUri: string, params: Record<string, string>): void {
  const query = Object.entries(params)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  win.location.href = `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${query}`;
}

/** Everything in both storages, as text. */
export function storageText(): string {
  const dump = (store: Storage) => Array.from({ length: store.length }, (_, i) => `${store.key(i)}=${store.getItem(store.key(i) ?? '')}`).join('\n');
  return `${dump(localStorage)}\n${dump(sessionStorage)}`;
}

/** All the markup of the page and the element's shadow root. */
export function domText(el: VaultConnect): string {
  return `${document.documentElement.outerHTML}\n${shadow(el).innerHTML}\n${shadow(el).textContent ?? ''}`;
}

/** A code in VaultRE's format (40 hex digits), unique per call. */
export function fakeCode(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Answers the confirmation dialog with one of its real buttons, then waits for it to go. Chromium fires a dialog's
 * `close` event (which the element waits for) with an animation frame, and web-test-runner runs two files at once, each
 * in its own tab: the one in the background gets no frames. After a second without the event, the event the browser
 * holds back is dispatched here, once (the element's listener is `once`, so a late real event finds none).
 */
export async function answerDialog(dialog: HTMLDialogElement, value: 'confirm' | 'cancel'): Promise<void> {
  dialog.querySelector<HTMLButtonElement>(`button[value="${value}"]`)!.click();
  await until(() => !dialog.open, 'the dialog closes');
  try {
    await until(() => !dialog.isConnected, 'the dialog goes', 1000);
  } catch {
    dialog.dispatchEvent(new Event('close'));
    await until(() => !dialog.isConnected, 'the dialog goes');
  }
}
