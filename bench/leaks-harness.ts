/**
 * The in-page half of `bench/leaks.ts` (browser code; transpiled and served as `/leaks-harness.js` beside the built
 * `vault-connect.js`). It imports nothing. Exposes `window.vcLeaks`.
 *
 * The page stands in for everything outside the element, and keeps no reference to what a cycle created once the
 * cycle is over (so that what the heap keeps is the element's doing):
 * - `fetch`: the Vault API at `STUB_ORIGIN` (the list from `/data/list.json`, one connection) and the VaultRE host
 *   endpoint (status, and the authorize URL it builds) answer from memory, on a macrotask, honouring the request's
 *   `AbortSignal` as the network does;
 * - `window.open`: a stand-in popup (an object the element writes its flow record into, navigates and closes); only the
 *   last one is kept;
 * - `vaultModal`: a modal in the manner of `@apideck/vault-js` (an iframe and a `message` listener per open, both
 *   removed on close).
 * Cycles are the component test's (`test/component/leaks/resource-counts.test.ts`): a flow started through the public
 * API and cancelled with `el.cancel()` at once, once open, or after a short delay; attach/detach of new elements
 * (loaded, still loading, or drawing a 1,000-row list in slices) and of one reused element in the middle of each kind
 * of flow.
 */

type Flow = 'modal' | 'hosted' | 'direct' | 'vaultre';
type Scenario = Flow | 'attach';

interface VaultConnectElement extends HTMLElement {
  token: string | undefined;
  vaultModal: unknown;
  openMode: string;
  vaultreExchangeUrl: string | undefined;
  updateComplete: Promise<boolean>;
  cancel(): void;
  openConnection(serviceId: string, unifiedApi?: string): Promise<void>;
  connectVaultre(): Promise<void>;
}

interface StandInPopup {
  closed: boolean;
  location: { href: string };
  /** What a blank same-origin popup offers before it navigates: the element writes into both. */
  document: Document;
  sessionStorage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  close(): void;
  focus(): void;
}

interface ModalOptions {
  onReady?: () => void;
  onClose?: () => void;
}

export interface CycleReport {
  cycles: number;
  ms: number;
  /** Popups handed out and closed by the element. */
  popupsOpened: number;
  popupsClosed: number;
  modalOpens: number;
  modalCloses: number;
  /** Flows that reached the provider (popup navigated) or the modal before they were cancelled. */
  reachedOpen: number;
  /** `vault-connect-error` events (a cancel is not an error: expected 0). */
  errors: string[];
}

const STUB_ORIGIN = 'https://vault-api.leaks.invalid';
/** A Vault API with a long list (1,000 rows: the element draws them in slices, a task each). */
const LONG_ORIGIN = 'https://long-vault-api.leaks.invalid';
const VAULT_URL = 'https://vault.leaks.invalid';
const VAULTRE_AUTHORIZE = 'https://vaultre.leaks.invalid/cgi-bin/clientvault';
const HOST_ENDPOINT = '/host/vaultre';
const CALLBACK = `${location.origin}/callback.html`;
const STAGES = ['at-once', 'open', 'in-between'] as const;
const FLOWS: readonly Flow[] = ['modal', 'hosted', 'direct', 'vaultre'];

let listText = '';
let longText = '';
let token = '';
const counters = { popupsOpened: 0, popupsClosed: 0, modalOpens: 0, modalCloses: 0 };
let lastPopup: StandInPopup | undefined;
const errors: string[] = [];

function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(predicate: () => unknown, what: string, timeout = 5000): Promise<void> {
  const deadline = performance.now() + timeout;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick(1);
  }
}

/** Waits for a flow's promise; one that does not settle within `timeout` is a failure (and would hang the bench). */
async function settled(promise: Promise<void>, what: string, timeout = 5000): Promise<void> {
  let timer = 0;
  const limit = new Promise<never>((_, reject) => {
    timer = window.setTimeout(() => reject(new Error(`${what} did not settle`)), timeout);
  });
  try {
    await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

function unsignedJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

/** A reply from memory on the next macrotask, or an `AbortError` as soon as the request's signal fires. */
function reply(body: string, signal: AbortSignal | null | undefined): Promise<Response> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DOMException('The operation was aborted.', 'AbortError'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }));
    }, 0);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function stubFetch(): void {
  const real = window.fetch.bind(window);
  const connections = (JSON.parse(listText) as { data: { unified_api: string; service_id: string }[] }).data;
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    if (url.origin === LONG_ORIGIN && url.pathname === '/vault/connections') return reply(longText, signal);
    if (url.origin === STUB_ORIGIN) {
      if (url.pathname === '/vault/connections') return reply(listText, signal);
      const one = /^\/vault\/connections\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      const found = one && connections.find((c) => c.unified_api === one[1] && c.service_id === one[2]);
      if (found) return reply(JSON.stringify({ status_code: 200, status: 'OK', data: found }), signal);
    }
    if (url.origin === location.origin && url.pathname === HOST_ENDPOINT) {
      if ((init?.method ?? 'GET').toUpperCase() !== 'POST') return reply('{"connected":false}', signal);
      const query = new URLSearchParams({ client_id: 'bench-client', redirect_uri: CALLBACK, response_type: 'code', state: `bench-state-${Math.random().toString(36).slice(2)}` });
      return reply(JSON.stringify({ authorize_url: `${VAULTRE_AUTHORIZE}/oauth-authorize.cgi?${query.toString()}` }), signal);
    }
    return real(input, init);
  };
}

function standInPopup(): StandInPopup {
  const stored = new Map<string, string>();
  const popup: StandInPopup = {
    closed: false,
    location: { href: 'about:blank' },
    document: document.implementation.createHTMLDocument(''),
    sessionStorage: {
      getItem: (key) => stored.get(key) ?? null,
      setItem: (key, value) => void stored.set(key, value),
      removeItem: (key) => void stored.delete(key),
    },
    close() {
      if (!popup.closed) counters.popupsClosed++;
      popup.closed = true;
    },
    focus() {},
  };
  counters.popupsOpened++;
  lastPopup = popup;
  return popup;
}

/**
 * A modal in the manner of `@apideck/vault-js`: an iframe and a `message` listener per open, removed on close; it calls
 * `onReady` once its frame has loaded, as the contract asks.
 */
class Modal {
  #frame: HTMLIFrameElement | undefined;
  #onMessage: ((event: MessageEvent) => void) | undefined;
  #options: ModalOptions | undefined;

  get isOpen(): boolean {
    return this.#frame !== undefined;
  }

  open(options: ModalOptions): void {
    this.#remove();
    counters.modalOpens++;
    const frame = document.createElement('iframe');
    frame.title = 'Vault';
    frame.srcdoc = '<!doctype html><title>Vault</title><p>Vault</p>';
    frame.style.cssText = 'position:fixed;inset:0;width:100%;height:100%;border:0';
    this.#onMessage = (event) => {
      if (event.source === frame.contentWindow && event.data === 'on-close') this.#options?.onClose?.();
    };
    window.addEventListener('message', this.#onMessage);
    frame.addEventListener('load', () => this.#options === options && options.onReady?.(), { once: true });
    this.#frame = frame;
    this.#options = options;
    document.body.append(frame);
  }

  close(): void {
    counters.modalCloses++;
    this.#remove();
  }

  #remove(): void {
    if (this.#onMessage) window.removeEventListener('message', this.#onMessage);
    this.#frame?.remove();
    this.#frame = undefined;
    this.#onMessage = undefined;
    this.#options = undefined;
  }
}

const modal = new Modal();

function createElement(options: { apideck: boolean; vaultre: boolean }): VaultConnectElement {
  const el = document.createElement('vault-connect') as VaultConnectElement;
  el.setAttribute('theme', 'light');
  if (options.apideck) {
    el.token = token;
    el.setAttribute('unify-base-url', STUB_ORIGIN);
    el.setAttribute('vault-url', VAULT_URL);
    el.setAttribute('callback-url', CALLBACK);
    el.vaultModal = modal;
  }
  if (options.vaultre) {
    el.setAttribute('vaultre-exchange-url', HOST_ENDPOINT);
  }
  el.addEventListener('vault-connect-error', (event) => errors.push((event as CustomEvent<{ code: string }>).detail.code));
  return el;
}

async function attach(el: VaultConnectElement): Promise<void> {
  document.body.append(el);
  const apideck = el.hasAttribute('unify-base-url');
  await waitFor(
    () =>
      (!apideck || el.shadowRoot?.querySelector('[data-service-id="xero"]')) &&
      (!el.vaultreExchangeUrl || el.shadowRoot?.querySelector('[data-service-id="vaultre"][aria-busy="false"]')),
    'the element to be ready',
  );
  await el.updateComplete;
}

function start(el: VaultConnectElement, flow: Flow): Promise<void> {
  if (flow === 'vaultre') return el.connectVaultre();
  el.openMode = flow === 'modal' ? 'modal' : flow === 'hosted' ? 'popup' : 'direct';
  return el.openConnection('xero', 'accounting');
}

/** Whether the flow has opened: the popup left about:blank, or the modal is open. */
function opened(flow: Flow, popupsBefore: number): boolean {
  if (flow === 'modal') return modal.isOpen;
  return counters.popupsOpened > popupsBefore && lastPopup !== undefined && lastPopup.location.href !== 'about:blank';
}

let element: VaultConnectElement | undefined;
/** The control's deliberate leak (`retainBytesPerCycle`). */
const retained: number[][] = [];

/** Loads the list reply and installs the stand-ins. */
async function install(): Promise<void> {
  listText = await (await fetch('/data/list.json')).text();
  longText = await (await fetch('/data/long.json')).text();
  token = unsignedJwt({ application_id: 'bench-app', consumer_id: 'bench-consumer', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 });
  stubFetch();
  window.open = () => standInPopup() as unknown as Window;
}

/** Creates the scenario's element: attached for a flow, detached (attached by each cycle) for `attach`. */
async function setup(scenario: Scenario): Promise<void> {
  element = createElement({ apideck: scenario !== 'vaultre', vaultre: scenario === 'vaultre' || scenario === 'attach' });
  if (scenario !== 'attach') await attach(element);
}

async function flowCycle(el: VaultConnectElement, flow: Flow, index: number): Promise<boolean> {
  const stage = STAGES[index % STAGES.length];
  const popupsBefore = counters.popupsOpened;
  const done = start(el, flow);
  let reached = false;
  if (stage === 'open') {
    await waitFor(() => opened(flow, popupsBefore), `the ${flow} flow to open`);
    reached = true;
  } else if (stage === 'in-between') {
    await tick(index % 7);
    reached = opened(flow, popupsBefore);
  }
  el.cancel();
  await settled(done, `the ${flow} flow of cycle ${index}`);
  return reached;
}

/** Kinds of attach/detach cycle, as in the component test: new element loaded / loading / drawing a long list, then mid-flow. */
const KINDS = 7;

async function attachCycle(reused: VaultConnectElement, index: number): Promise<boolean> {
  const kind = index % KINDS;
  if (kind === 2) {
    const long = createElement({ apideck: true, vaultre: false });
    long.setAttribute('unify-base-url', LONG_ORIGIN);
    document.body.append(long);
    await waitFor(() => (long.shadowRoot?.querySelectorAll('[part="connection"]').length ?? 0) > 0, 'the long list\'s first rows');
    long.remove();
    return false;
  }
  if (kind <= 1) {
    const fresh = createElement({ apideck: true, vaultre: true });
    if (kind === 0) await attach(fresh);
    else document.body.append(fresh);
    fresh.remove();
    return false;
  }
  await attach(reused);
  const flow = FLOWS[kind - 3];
  const popupsBefore = counters.popupsOpened;
  const done = start(reused, flow);
  await waitFor(() => opened(flow, popupsBefore), `the ${flow} flow to open`);
  reused.remove();
  await settled(done, `the ${flow} flow of cycle ${index}, detached`);
  return true;
}

/**
 * Runs `count` cycles of the scenario, numbered from `from` (which picks each cycle's cancel point or kind). Start the
 * warm-up at 1, a cycle that waits for its flow to open: `cancel()` right after `openConnection()` finds no flow to end
 * while the row-actions chunk is still loading (the flow then opens after the cancel).
 */
async function run(scenario: Scenario, count: number, from = 0, retainBytesPerCycle = 0): Promise<CycleReport> {
  const el = element;
  if (!el) throw new Error('setup() first');
  const before = { ...counters, errors: errors.length };
  const started = performance.now();
  let reachedOpen = 0;
  for (let index = from; index < from + count; index++) {
    const reached = scenario === 'attach' ? await attachCycle(el, index) : await flowCycle(el, scenario, index);
    if (reached) reachedOpen++;
    if (retainBytesPerCycle > 0) retained.push(new Array<number>(Math.ceil(retainBytesPerCycle / 8)).fill(0.5)); // 8 bytes per double, on the JS heap
  }
  const ms = performance.now() - started;
  // Let what the last cycle scheduled run out (a closing popup's poll, a re-render) before the heap is read.
  await tick(20);
  lastPopup = undefined;
  return {
    cycles: count,
    ms,
    popupsOpened: counters.popupsOpened - before.popupsOpened,
    popupsClosed: counters.popupsClosed - before.popupsClosed,
    modalOpens: counters.modalOpens - before.modalOpens,
    modalCloses: counters.modalCloses - before.modalCloses,
    reachedOpen,
    errors: errors.slice(before.errors),
  };
}

const api = { install, setup, run };

declare global {
  interface Window {
    vcLeaks: typeof api;
  }
}

window.vcLeaks = api;
