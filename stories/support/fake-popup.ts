/**
 * `window.open` for stories: no real window is ever opened. Each call returns a stand-in window (the members the
 * popup engine uses: `closed`, `close()`, `focus()`, `location.href`, and, while it is "about:blank", its `document` and
 * its own `sessionStorage`, where the element writes the flow record), drawn as a small non-modal panel on the page
 * that plays the page the element sent it to:
 *
 * - VaultRE's authorize page (`…/oauth-authorize.cgi`, `…/oauth-authorize-user.cgi`): Approve returns
 *   `reason=success&code=…&state=…`, Deny returns `reason=User denied request&state=…`;
 * - Hosted Vault (`/integrations/{unified_api}/{service_id}`): Authorize changes the connection in the mock Vault API,
 *   then returns `authorizedConnection=<service_id>`, as Hosted Vault does;
 * - a connection's `authorize_url` (`open-mode="direct"`): Approve authorizes it in the mock and returns our `nonce`,
 *   Deny returns `error=access_denied`.
 *
 * The return runs the package's own callback page (`relayCallback`) in the stand-in window, with the window's flow
 * record: for VaultRE it checks the state, posts the code to the story's mock host and relays only the outcome, on the
 * callback `BroadcastChannel` (the stories' redirect URIs are on the Storybook origin); then the window closes. "Close
 * window" closes it without an answer, as a user closing the popup would. `blocked` makes the first calls return
 * `null`, as a popup blocker does.
 */
import { html, nothing, render, type TemplateResult } from 'lit';
import { relayCallback } from '../../src/callback/relay-callback.ts';
import { storyCallbackUrl } from './mock-vaultre-host.ts';
import type { MockVault } from './mock-vault.ts';

export interface FakePopupScenario {
  /** How many `window.open` calls return `null` before one opens. Default 0. */
  blocked?: number;
}

export interface FakePopupWindow {
  readonly name: string;
  closed: boolean;
  close(): void;
  focus(): void;
  readonly location: { href: string };
  /** What a blank same-origin popup offers before it navigates. */
  readonly document: Document;
  readonly sessionStorage: Storage;
}

export interface FakePopups {
  /** Every `window.open` call, blocked ones included (`window` is `null` for those). */
  readonly calls: readonly { target: string; window: FakePopupWindow | null }[];
  /** Restores `window.open` and closes the stand-in windows. */
  dispose(): void;
}

export type PopupLog = (name: string, detail?: unknown) => void;

/** The query of a URL as a record, for the stand-in pages. */
function paramsOf(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams);
}

/** A URL as the panel's address bar shows it: the session token of a Hosted Vault URL is never shown. */
function displayUrl(url: URL): string {
  const shown = new URL(url.href);
  if (shown.searchParams.has('jwt')) shown.searchParams.set('jwt', '…');
  return shown.href;
}

/** A code in VaultRE's format (40 hex digits). Made up: the story's host endpoint accepts any code. */
function fakeCode(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A `Storage` in memory: the stand-in window's own `sessionStorage`. */
function memoryStorage(): Storage {
  const entries = new Map<string, string>();
  return {
    get length() {
      return entries.size;
    },
    key: (index: number) => [...entries.keys()][index] ?? null,
    getItem: (key: string) => entries.get(key) ?? null,
    setItem: (key: string, value: string) => void entries.set(key, String(value)),
    removeItem: (key: string) => void entries.delete(key),
    clear: () => entries.clear(),
  };
}

/**
 * The callback page loaded in the stand-in window with the provider's return: the package's `relayCallback` with the
 * window's own storage and document; its requests go through the page's (mocked) `fetch`.
 */
function runCallbackPage(popup: FakePopupWindow, query: Record<string, string>, fragment: Record<string, string>): Promise<unknown> {
  const callback = new URL(storyCallbackUrl());
  const search = Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : '';
  const hash = Object.keys(fragment).length > 0 ? `#${new URLSearchParams(fragment).toString()}` : '';
  const callbackWindow = {
    location: { search, hash, pathname: callback.pathname, origin: callback.origin, href: `${callback.href}${search}${hash}`, replace: () => undefined },
    history: { state: null, replaceState: () => undefined },
    sessionStorage: popup.sessionStorage,
    localStorage,
    BroadcastChannel,
    fetch: (input: RequestInfo | URL, init?: RequestInit) => window.fetch(input, init),
    opener: null,
    close: () => popup.close(),
    get closed() {
      return popup.closed;
    },
    setTimeout: (handler: () => void, ms: number) => window.setTimeout(handler, ms),
    navigator,
    document: popup.document,
  };
  return relayCallback({ window: callbackWindow as unknown as Window, closeCheckMs: 0 });
}

const PANEL_STYLE = [
  'position: fixed',
  'inset: 16px 16px auto auto',
  'margin: 0',
  'width: 320px',
  'padding: 0',
  'border: 1px solid #6b7280',
  'border-radius: 10px',
  'box-shadow: 0 12px 32px rgb(0 0 0 / 0.3)',
  'background: #ffffff',
  'color: #111827',
  'font: 14px/1.4 system-ui, sans-serif',
  'z-index: 10',
].join(';');
const BAR_STYLE = 'padding: 6px 10px; background: #f3f4f6; border-bottom: 1px solid #d1d5db; font-size: 12px; color: #374151; overflow-wrap: anywhere';
const BODY_STYLE = 'padding: 14px';
const BUTTON_STYLE = 'font: inherit; padding: 6px 12px; border-radius: 6px; border: 1px solid #1e3a8a; background: #1d4ed8; color: #ffffff; cursor: pointer';
const SECONDARY_STYLE = 'font: inherit; padding: 6px 12px; border-radius: 6px; border: 1px solid #4b5563; background: #ffffff; color: #111827; cursor: pointer';

export function installFakePopups(mock: MockVault | undefined, scenario: FakePopupScenario = {}, log: PopupLog = () => {}): FakePopups {
  const calls: { target: string; window: FakePopupWindow | null }[] = [];
  const windows: FakePopupWindow[] = [];
  let blockedLeft = scenario.blocked ?? 0;
  const original = Object.getOwnPropertyDescriptor(window, 'open');

  const open = (target: string): FakePopupWindow => {
    const panel = document.createElement('dialog');
    panel.className = 'sb-fake-popup';
    panel.style.cssText = PANEL_STYLE;
    let href = 'about:blank';

    const popup: FakePopupWindow = {
      name: target,
      closed: false,
      document: document.implementation.createHTMLDocument(''),
      sessionStorage: memoryStorage(),
      close() {
        if (popup.closed) return;
        popup.closed = true;
        log('popup.close');
        panel.remove();
      },
      focus() {
        panel.querySelector('button')?.focus();
      },
      location: {
        get href() {
          return href;
        },
        set href(value: string) {
          href = value;
          log('popup.location', displayUrl(new URL(value)));
          draw(new URL(value));
        },
      },
    };

    /** What the page the popup was sent to shows and does. */
    const page = (url: URL): { title: string; body: TemplateResult } => {
      const query = paramsOf(url);
      const vaultre = /\/oauth-authorize(-user)?\.cgi$/.exec(url.pathname);
      if (vaultre) {
        const state = query.state ?? '';
        return {
          title: 'VaultRE sign-in (stand-in)',
          body: html`<p style="margin: 0 0 12px">
              Allow <strong>${query.client_id}</strong> ${vaultre[1] ? 'user-level' : 'office-level'} access to VaultRE?
            </p>
            ${buttons(
              ['Approve', () => answer({ reason: 'success', code: fakeCode(), state })],
              ['Deny', () => answer({ reason: 'User denied request', state })],
            )}`,
        };
      }
      const hosted = /^\/integrations\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (hosted) {
        const unifiedApi = decodeURIComponent(hosted[1]);
        const serviceId = decodeURIComponent(hosted[2]);
        return {
          title: 'Hosted Vault (stand-in)',
          body: html`<p style="margin: 0 0 12px">Authorize <strong>${serviceId}</strong> (${unifiedApi})?</p>
            ${buttons([
              'Authorize',
              () => {
                mock?.update(unifiedApi, serviceId, { state: 'callable', enabled: true, health: 'ok' });
                answer({ authorizedConnection: serviceId });
              },
            ])}`,
        };
      }
      const direct = /^\/vault\/authorize\/([^/]+)\//.exec(url.pathname);
      if (direct) {
        const serviceId = decodeURIComponent(direct[1]);
        const nonce = query.nonce ?? '';
        return {
          title: `${serviceId} sign-in (stand-in)`,
          body: html`<p style="margin: 0 0 12px">Sign in to <strong>${serviceId}</strong> and allow access?</p>
            ${buttons(
              [
                'Approve',
                () => {
                  const connection = mock?.connections.find((c) => c.service_id === serviceId);
                  if (connection) mock?.update(connection.unified_api, serviceId, { state: 'callable', enabled: true, health: 'ok' });
                  answer({}, { nonce });
                },
              ],
              ['Deny', () => answer({ error: 'access_denied' }, { nonce })],
            )}`,
        };
      }
      if (url.href === storyCallbackUrl()) return { title: 'Connecting…', body: html`<p style="margin: 0">Connecting…</p>` };
      const blank = url.protocol === 'about:' ? (popup.document.body?.textContent ?? '') || 'Loading…' : 'Nothing is mocked at this address.';
      return { title: 'Loading…', body: html`<p style="margin: 0">${blank}</p>` };
    };

    const answer = (query: Record<string, string>, fragment: Record<string, string> = {}) => {
      log('popup → callback page', { query: Object.keys(query), fragment: Object.keys(fragment) });
      draw(new URL(storyCallbackUrl()));
      // The callback page closes its window once it has handed the result over.
      void runCallbackPage(popup, query, fragment).finally(() => popup.close());
    };

    const buttons = (...list: [string, () => void][]) =>
      html`<div style="display: flex; gap: 8px; flex-wrap: wrap">
        ${list.map(([label, action], index) => html`<button type="button" style=${index === 0 ? BUTTON_STYLE : SECONDARY_STYLE} @click=${action}>${label}</button>`)}
        <button type="button" style=${SECONDARY_STYLE} @click=${() => popup.close()}>Close window</button>
      </div>`;

    const draw = (url: URL) => {
      if (popup.closed) return;
      const { title, body } = page(url);
      panel.setAttribute('aria-label', title);
      render(
        html`<div style=${BAR_STYLE}>${url.protocol === 'about:' ? nothing : displayUrl(url)}</div>
          <div style=${BODY_STYLE}><strong style="display: block; margin-bottom: 8px">${title}</strong>${body}</div>`,
        panel,
      );
    };

    draw(new URL(href));
    document.body.append(panel);
    panel.show();
    return popup;
  };

  Object.defineProperty(window, 'open', {
    configurable: true,
    writable: true,
    value: (_url?: string | URL, target?: string) => {
      if (blockedLeft > 0) {
        blockedLeft--;
        calls.push({ target: target ?? '', window: null });
        log('window.open → null (blocked)');
        return null;
      }
      const popup = open(target ?? '');
      windows.push(popup);
      calls.push({ target: target ?? '', window: popup });
      log('window.open', target);
      return popup;
    },
  });

  return {
    calls,
    dispose() {
      if (original) Object.defineProperty(window, 'open', original);
      for (const popup of windows) popup.close();
    },
  };
}
