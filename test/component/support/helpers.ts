/**
 * Shared helpers for the component tests: mounting `<vault-connect>` with an event log, reading its shadow DOM, the
 * sandbox's details, a `window.fetch` stub/spy, crafted connections and forged session tokens.
 */
import { fixture, html, waitUntil } from '@open-wc/testing';
import '../../../src/index.ts';
import type { Connection, VaultConnect, VaultModal, VaultModalOptions } from '../../../src/index.ts';

// ---------------------------------------------------------------------------------------------------------------------
// Waiting

/** `waitUntil` with a timeout that leaves room for a busy machine (it polls, so passing tests stay fast). */
export function until(predicate: () => unknown, message: string, timeout = 5000): Promise<void> {
  return waitUntil(predicate, message, { timeout, interval: 10 });
}

// ---------------------------------------------------------------------------------------------------------------------
// Sandbox

export interface SandboxInfo {
  vaultApiUrl: string;
  vaultJsUrl: string;
  apiKey: string;
  applicationId: string;
}

const sandboxInfo = new Map<string, Promise<SandboxInfo>>();

/**
 * The running sandbox's URLs (served by `sandbox-plugin.ts`). `instance` names a separate sandbox with its own sessions
 * and data (for tests that expire every session). Uses the real `fetch`, even while a stub is installed.
 */
export function sandbox(instance = 'default'): Promise<SandboxInfo> {
  let info = sandboxInfo.get(instance);
  if (!info) {
    info = realFetch(`/__sandbox.json?instance=${instance}`).then((r) => r.json() as Promise<SandboxInfo>);
    sandboxInfo.set(instance, info);
  }
  return info;
}

/** A consumer id no other test uses: each consumer gets its own fresh copy of the seed. */
export function uniqueConsumer(prefix = 'consumer'): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

/** The `session-url` that makes a real sandbox session for a consumer (with more of the session's `settings`). */
export function sessionUrl(consumer: string, allowActions?: readonly string[], instance?: string, settings?: Record<string, unknown>): string {
  const query = new URLSearchParams({ consumer });
  if (allowActions) query.set('allow_actions', allowActions.join(','));
  if (instance) query.set('instance', instance);
  if (settings) query.set('settings', JSON.stringify(settings));
  return `/__sandbox/session?${query.toString()}`;
}

/** A fresh sandbox session token for a consumer. */
export async function sandboxToken(consumer: string): Promise<string> {
  const response = await realFetch(sessionUrl(consumer), { method: 'POST', body: '{}' });
  const body = (await response.json()) as { session_token?: string; error?: string };
  if (!body.session_token) throw new Error(`no sandbox session: ${body.error ?? response.status}`);
  return body.session_token;
}

/** Calls the sandbox's Vault API as the consumer (with a fresh session), bypassing any fetch stub. Returns `data`. */
export async function sandboxApi<T = unknown>(consumer: string, method: string, path: string, body?: unknown): Promise<T> {
  const { vaultApiUrl, applicationId } = await sandbox();
  const response = await realFetch(new URL(path, vaultApiUrl), {
    method,
    headers: {
      authorization: `Bearer ${await sandboxToken(consumer)}`,
      'x-apideck-app-id': applicationId,
      'x-apideck-consumer-id': consumer,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`sandbox ${method} ${path} answered ${response.status}`);
  if (response.status === 204) return undefined as T;
  return ((await response.json()) as { data: T }).data;
}

/** The sandbox's current value of one of a consumer's connections. */
export function sandboxConnection(consumer: string, unifiedApi: string, serviceId: string): Promise<Connection> {
  return sandboxApi<Connection>(consumer, 'GET', `/vault/connections/${unifiedApi}/${serviceId}`);
}

/** Makes every session token a sandbox issued so far answer 401. */
export async function expireSessions(instance: string): Promise<void> {
  await realFetch(`/__sandbox/expire-sessions?instance=${instance}`, { method: 'POST' });
}

// ---------------------------------------------------------------------------------------------------------------------
// fetch stub / spy

/** The page's own `fetch`, kept before any stub is installed. */
export const realFetch: typeof fetch = window.fetch.bind(window);

export interface FetchCall {
  url: URL;
  method: string;
  headers: Headers;
  body: string | undefined;
  credentials: RequestCredentials | undefined;
}

/**
 * Answers a request, or returns `undefined` to let it through to the real network. A promise that resolves to
 * `undefined` lets the request through once it resolves (to hold a real request back).
 */
export type FetchRoute = (call: FetchCall, signal: AbortSignal | undefined) => Response | undefined | Promise<Response | undefined>;

export interface FetchStub {
  readonly calls: FetchCall[];
  /** The calls whose method and path (or full URL, when `path` has a scheme) match. */
  count(method: string, path: string): number;
  restore(): void;
}

let activeStub: FetchStub | undefined;

/** Settles with `promise`, or rejects as `fetch` does when the signal aborts first. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new DOMException('Aborted', 'AbortError'));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Replaces `window.fetch` with a function that records every call and answers it with `route` (or passes it through).
 * The stub honours the request's `AbortSignal` as real `fetch` does. Call `restore()` after the test (or `restoreFetch()`).
 */
export function stubFetch(route: FetchRoute = () => undefined): FetchStub {
  restoreFetch();
  const calls: FetchCall[] = [];
  const stubbed = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(input instanceof Request ? input.url : input instanceof URL ? input.href : input, location.href);
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const headers = new Headers(init?.headers ?? request?.headers);
    const body = typeof init?.body === 'string' ? init.body : undefined;
    const call: FetchCall = { url, method, headers, body, credentials: init?.credentials ?? request?.credentials };
    calls.push(call);
    const signal = init?.signal ?? request?.signal ?? undefined;
    const answer = await abortable(Promise.resolve().then(() => route(call, signal)), signal);
    return answer ?? realFetch(input, init);
  };
  window.fetch = stubbed;
  const stub: FetchStub = {
    calls,
    count(method, path) {
      return calls.filter(
        (c) => c.method === method.toUpperCase() && (/^[a-z]+:/.test(path) ? c.url.href === path : c.url.pathname === path),
      ).length;
    },
    restore() {
      if (activeStub === stub) {
        window.fetch = realFetch;
        activeStub = undefined;
      }
    },
  };
  activeStub = stub;
  return stub;
}

/** Puts the real `fetch` back (safe to call when no stub is installed). */
export function restoreFetch(): void {
  activeStub?.restore();
  window.fetch = realFetch;
}

/** A promise to hold a stubbed reply until the test releases it. */
export interface Gate {
  readonly promise: Promise<void>;
  readonly open: () => void;
}

export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** Apideck's list envelope. */
export function listResponse(data: unknown): Response {
  return jsonResponse({ status_code: 200, status: 'OK', data });
}

/** Apideck's one-connection envelope. */
export function connectionResponse(data: unknown): Response {
  return jsonResponse({ status_code: 200, status: 'OK', data });
}

/** Apideck's error envelope. */
export function errorResponse(status: number, error: string, typeName: string, message: string): Response {
  return jsonResponse({ status_code: status, error, type_name: typeName, message, detail: message, ref: 'https://developers.apideck.com/errors' }, status);
}

// ---------------------------------------------------------------------------------------------------------------------
// Crafted data

/** The base URL of the stubbed (never reached) Vault API. */
export const STUB_API = 'https://unify.test';

function base64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * A JWT with Vault session claims and a made-up signature: the element decodes it (it never verifies), the sandbox's
 * Vault API rejects it with 401.
 */
export function forgedToken(claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = { application_id: 'sandbox-app', consumer_id: 'forged-consumer', iat: now, exp: now + 3600, jti: crypto.randomUUID(), ...claims };
  return `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(payload)}.${base64url('not-a-signature')}`;
}

/** A crafted connection; the defaults are a callable OAuth connection in `crm`. */
export function connection(overrides: Partial<Connection> & { service_id: string }): Connection {
  return {
    id: `${overrides.unified_api ?? 'crm'}+${overrides.service_id}`,
    unified_api: 'crm',
    name: overrides.service_id.replace(/^./, (c) => c.toUpperCase()),
    state: 'callable',
    integration_state: 'configured',
    auth_type: 'oauth2',
    enabled: true,
    ...overrides,
  };
}

/**
 * `count` connected connections `svc-0`, `svc-1`, … named "Connector 0000", …, alternating between `accounting` (even)
 * and `crm` (odd); the last one's name ends in " Zebra" (a search finds only it). `suffix` adds to any row's name.
 */
export function numberedConnections(count: number, suffix: (index: number) => string = () => ''): Connection[] {
  return Array.from({ length: count }, (_, i) =>
    connection({
      service_id: `svc-${i}`,
      name: `Connector ${String(i).padStart(4, '0')}${i === count - 1 ? ' Zebra' : ''}${suffix(i)}`,
      unified_api: i % 2 ? 'crm' : 'accounting',
      state: 'callable',
      enabled: true,
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// Mounting and events

type EventName = 'vault-connect-ready' | 'vault-connection-change' | 'vault-connection-delete' | 'vault-connect-error';
const EVENT_NAMES: readonly EventName[] = ['vault-connect-ready', 'vault-connection-change', 'vault-connection-delete', 'vault-connect-error'];

export interface ErrorDetail {
  code: string;
  message: string;
  retryable: boolean;
}

/** Every contract event the element fired, in order. */
export class EventLog {
  readonly all: { type: EventName; detail: unknown; bubbles: boolean; composed: boolean }[] = [];

  constructor(target: EventTarget) {
    for (const type of EVENT_NAMES) {
      target.addEventListener(type, (event) => {
        const custom = event as CustomEvent<unknown>;
        this.all.push({ type, detail: custom.detail, bubbles: custom.bubbles, composed: custom.composed });
      });
    }
  }

  of<T = unknown>(type: EventName): T[] {
    return this.all.filter((e) => e.type === type).map((e) => e.detail as T);
  }

  get ready(): { connections: readonly Connection[] }[] {
    return this.of('vault-connect-ready');
  }

  get changes(): Connection[] {
    return this.of<{ connection: Connection }>('vault-connection-change').map((d) => d.connection);
  }

  get deletes(): Connection[] {
    return this.of<{ connection: Connection }>('vault-connection-delete').map((d) => d.connection);
  }

  get errors(): ErrorDetail[] {
    return this.of<ErrorDetail>('vault-connect-error');
  }

  /** Waits until `type` has fired `count` times in all. */
  async waitFor(type: EventName, count = 1): Promise<void> {
    await until(() => this.of(type).length >= count, `${type} ×${count} (events so far: ${this.summary()})`);
  }

  summary(): string {
    return JSON.stringify(this.all.map((e) => (e.type === 'vault-connect-error' ? `${e.type}:${(e.detail as ErrorDetail).code}` : e.type)));
  }
}

export interface MountOptions {
  sessionUrl?: string;
  token?: string;
  unifyBaseUrl?: string;
  unifiedApi?: string;
  locale?: string;
  vaultModal?: VaultModal;
}

/** Creates `<vault-connect>` with the event log attached before it connects, and renders it. */
export async function mount(options: MountOptions = {}): Promise<{ el: VaultConnect; events: EventLog }> {
  const el = document.createElement('vault-connect');
  const events = new EventLog(el);
  if (options.sessionUrl !== undefined) el.setAttribute('session-url', options.sessionUrl);
  if (options.unifyBaseUrl !== undefined) el.setAttribute('unify-base-url', options.unifyBaseUrl);
  if (options.unifiedApi !== undefined) el.setAttribute('unified-api', options.unifiedApi);
  if (options.locale !== undefined) el.setAttribute('locale', options.locale);
  if (options.token !== undefined) el.token = options.token;
  if (options.vaultModal !== undefined) el.vaultModal = options.vaultModal;
  // A bare element, so that `fixture` awaits its `updateComplete` (a wrapper would wait for an animation frame, which a
  // page in the background never gets while another test file types into its own page).
  await fixture(html`${el}`);
  return { el, events };
}

/** Mounts against the sandbox with a fresh consumer and waits for the first list. */
export async function mountSandbox(
  options: {
    consumer?: string;
    allowActions?: readonly string[];
    instance?: string;
    /** More of the session's `settings` (`unified_apis`, `sandbox_mode`, …). */
    settings?: Record<string, unknown>;
  } & Omit<MountOptions, 'sessionUrl' | 'unifyBaseUrl'> = {},
): Promise<{ el: VaultConnect; events: EventLog; consumer: string }> {
  const { vaultApiUrl } = await sandbox(options.instance);
  const consumer = options.consumer ?? uniqueConsumer();
  const { el, events } = await mount({
    ...options,
    sessionUrl: sessionUrl(consumer, options.allowActions, options.instance, options.settings),
    unifyBaseUrl: vaultApiUrl,
  });
  await events.waitFor('vault-connect-ready');
  await el.updateComplete;
  return { el, events, consumer };
}

/**
 * Mounts with a forged token (with `claims` added, such as the session's `settings`) against the stubbed API answering
 * `GET /vault/connections` with `connections`.
 */
export async function mountWithList(
  connections: readonly unknown[],
  options: Omit<MountOptions, 'token' | 'unifyBaseUrl'> & { route?: FetchRoute; claims?: Record<string, unknown> } = {},
): Promise<{ el: VaultConnect; events: EventLog; stub: FetchStub }> {
  const stub = stubFetch((call, signal) => {
    const routed = options.route?.(call, signal);
    if (routed !== undefined) return routed;
    if (call.url.origin === STUB_API && call.method === 'GET' && call.url.pathname === '/vault/connections') return listResponse(connections);
    return undefined;
  });
  const { el, events } = await mount({ ...options, token: forgedToken(options.claims), unifyBaseUrl: STUB_API });
  await until(() => events.ready.length > 0 || events.errors.length > 0, 'the list or an error');
  await el.updateComplete;
  return { el, events, stub };
}

// ---------------------------------------------------------------------------------------------------------------------
// Reading the shadow DOM

export function shadow(el: VaultConnect): ShadowRoot {
  if (!el.shadowRoot) throw new Error('no shadow root');
  return el.shadowRoot;
}

export function rows(el: VaultConnect): HTMLElement[] {
  return [...shadow(el).querySelectorAll<HTMLElement>('[part="connection"][data-service-id]')];
}

/** The rows the user can see (search hides the others). */
export function visibleRows(el: VaultConnect): HTMLElement[] {
  return rows(el).filter((row) => !row.hidden && !row.closest<HTMLElement>('[hidden]'));
}

export function serviceIds(list: readonly HTMLElement[]): string[] {
  return list.map((row) => row.dataset.serviceId ?? '');
}

export function row(el: VaultConnect, serviceId: string, unifiedApi?: string): HTMLElement {
  const found = rows(el).find(
    (r) => r.dataset.serviceId === serviceId && (!unifiedApi || r.closest<HTMLElement>('[part="group"]')?.dataset.unifiedApi === unifiedApi),
  );
  if (!found) throw new Error(`no row for ${serviceId}; rows: ${serviceIds(rows(el)).join(', ')}`);
  return found;
}

export function badge(rowElement: HTMLElement): HTMLElement {
  const found = rowElement.querySelector<HTMLElement>('[part="badge"][data-status]');
  if (!found) throw new Error('no badge');
  return found;
}

/** The `data-action`s of a row's visible buttons, in order (`more` for its More button; not its menu's items). */
export function actionsOf(rowElement: HTMLElement): string[] {
  return [...rowElement.querySelectorAll<HTMLButtonElement>('button[data-action]:not([role="menuitem"])')].map((b) => b.dataset.action ?? '');
}

/** A row's visible button for `action` (its primary action, More, a retry; never an item of its menu). */
export function button(rowElement: HTMLElement, action: string): HTMLButtonElement {
  const found = rowElement.querySelector<HTMLButtonElement>(`button[data-action="${action}"]:not([role="menuitem"])`);
  if (!found) throw new Error(`no ${action} button; actions: ${actionsOf(rowElement).join(', ')}`);
  return found;
}

/** A row's open More menu, if it is open. */
export function openMenuOf(rowElement: HTMLElement): HTMLElement | null {
  return rowElement.querySelector<HTMLElement>('[role="menu"]:popover-open');
}

/** Opens a row's More menu with a click on its trigger, and returns its items once it shows. */
export async function openMenu(rowElement: HTMLElement): Promise<HTMLButtonElement[]> {
  if (!openMenuOf(rowElement)) button(rowElement, 'more').click();
  await until(() => openMenuOf(rowElement), `the More menu of ${rowElement.dataset.serviceId} opens`);
  return [...openMenuOf(rowElement)!.querySelectorAll<HTMLButtonElement>('[role="menuitem"]')];
}

/** An item of a row's More menu (the menu is opened first). */
export async function menuItem(rowElement: HTMLElement, action: string): Promise<HTMLButtonElement> {
  const found = (await openMenu(rowElement)).find((item) => item.dataset.action === action);
  if (!found) throw new Error(`no ${action} in the More menu of ${rowElement.dataset.serviceId}; actions: ${(await offeredActions(rowElement)).join(', ')}`);
  return found;
}

/** Closes a row's open More menu with Escape, as a keyboard user would. */
export async function closeMenu(rowElement: HTMLElement): Promise<void> {
  const menu = openMenuOf(rowElement);
  if (!menu) return;
  (menu.querySelector<HTMLElement>(':focus') ?? menu).dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
  await until(() => !openMenuOf(rowElement), 'the More menu closes');
}

/**
 * The actions a row offers, as its user finds them: its visible buttons (More aside), then the items of its More menu
 * (opened and closed again to read them).
 */
export async function offeredActions(rowElement: HTMLElement): Promise<string[]> {
  const visible = actionsOf(rowElement).filter((action) => action !== 'more');
  if (!rowElement.querySelector('button[data-action="more"]')) return visible;
  const items = (await openMenu(rowElement)).map((item) => item.dataset.action ?? '');
  await closeMenu(rowElement);
  return [...visible, ...items];
}

/** The control for an action: its visible button, or else its item in the row's More menu (which opens). */
export async function actionControl(rowElement: HTMLElement, action: string): Promise<HTMLButtonElement> {
  return rowElement.querySelector<HTMLButtonElement>(`button[data-action="${action}"]:not([role="menuitem"])`) ?? menuItem(rowElement, action);
}

/** Chooses an action as a user would: a click on its visible button, or on its item in the row's More menu. */
export async function chooseAction(rowElement: HTMLElement, action: string): Promise<void> {
  (await actionControl(rowElement, action)).click();
}

export function text(node: Element | null | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** The loading/empty/error panel (`part="state"`), if shown. */
/** Types `value` into the search box (one input event) and waits for the element to update. */
export function typeInSearch(el: VaultConnect, value: string): Promise<boolean> {
  const input = shadow(el).querySelector<HTMLInputElement>('input[type="search"]');
  if (!input) throw new Error('no search box');
  input.value = value;
  input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  return el.updateComplete;
}

export function statePanel(el: VaultConnect): HTMLElement | null {
  return shadow(el).querySelector<HTMLElement>('[part="state"]');
}

/** The confirmation dialog, once its (lazy) chunk has put it in the shadow root. */
export async function dialog(el: VaultConnect): Promise<HTMLDialogElement> {
  await until(() => shadow(el).querySelector('dialog') !== null, 'the dialog appears');
  return shadow(el).querySelector('dialog')!;
}

/** The polite live region's text. */
export function announcement(el: VaultConnect): string {
  return text(shadow(el).querySelector('[role="status"][aria-live="polite"]'));
}

/** The status filter (`part="filter"`), once its chunk has drawn it. */
export function filterBar(el: VaultConnect): HTMLElement | null {
  return shadow(el).querySelector<HTMLElement>('[part~="filter"]');
}

/** A status filter option (`data-filter`). */
export function filterOption(el: VaultConnect, group: string): HTMLButtonElement {
  const found = filterBar(el)?.querySelector<HTMLButtonElement>(`[data-filter="${group}"]`);
  if (!found) throw new Error(`no filter option ${group}`);
  return found;
}

/** The count each filter option shows. */
export function filterCounts(el: VaultConnect): Record<string, number> {
  return Object.fromEntries(
    [...(filterBar(el)?.querySelectorAll<HTMLElement>('[data-filter]') ?? [])].map((option): [string, number] => [
      option.dataset.filter ?? '',
      Number(text(option.querySelector('.count'))),
    ]),
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// A fake embedded Vault

/**
 * A stand-in for `@apideck/vault-js`: records what it was opened with and closed. It calls `onReady` once opened, as the
 * contract asks of every modal, unless made with `{ ready: false }` (a frame that never loads); then the test calls
 * `last.onReady()` itself, or lets the element give up on it.
 */
export class FakeVaultModal implements VaultModal {
  readonly opened: VaultModalOptions[] = [];
  closed = 0;
  readonly #ready: boolean;

  constructor(options: { ready?: boolean } = {}) {
    this.#ready = options.ready ?? true;
  }

  open(options: VaultModalOptions): void {
    this.opened.push(options);
    if (this.#ready) queueMicrotask(() => options.onReady?.());
  }

  close(): void {
    this.closed++;
  }

  get last(): VaultModalOptions {
    const options = this.opened.at(-1);
    if (!options) throw new Error('the modal was never opened');
    return options;
  }

  async waitForOpen(count = 1): Promise<VaultModalOptions> {
    await until(() => this.opened.length >= count, `modal opened ×${count}`);
    return this.last;
  }
}
