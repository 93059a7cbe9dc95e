/**
 * The in-page half of the benchmark (browser code; `bench/run.ts` transpiles it and serves it as `/harness.js`).
 * It imports nothing: the page has already loaded the built `vault-connect.js`. Exposes `window.vcBench`.
 */

interface Timing {
  /** `document.body.append(el)` → the first rows are in the shadow DOM (a long list renders in slices). */
  firstRowsMs: number;
  /** … → the first task after the frame that painted those first rows (the user sees the list). */
  firstPaintMs: number;
  /** `document.body.append(el)` → all N rows are in the shadow DOM (script work: fetch, parse, validate, render). */
  domMs: number;
  /** … → the first `requestAnimationFrame` after that (the brief's metric). */
  rafMs: number;
  /** … → a task queued from that rAF callback, i.e. after the frame's style, layout and paint. */
  paintMs: number;
  /** Rows in the DOM at the end: all N, or for a windowed list (over 200 rows) those near the viewport. */
  drawnRows: number;
}

interface KeystrokeTiming extends Timing {
  query: string;
  /** Rows visible after the keystroke. */
  visible: number;
}

interface Source {
  /** The Vault API base the element is pointed at. */
  origin: string;
  token: string;
}

type VaultConnectElement = HTMLElement & {
  token: string | undefined;
  vaultModal: unknown;
  updateComplete: Promise<boolean>;
};

const STUB_ORIGIN = 'https://vault-api.bench.invalid';
const ROW = '[part="connection"]';

/** The reply's bytes, as a network response would deliver them (a string body would be UTF-8 encoded at each fetch). */
let replyBytes = new Uint8Array();
let stubInstalled = false;

function nextFrame(): Promise<number> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));
}

/** Resolves in the first task after the next frame has been produced (rAF, then style/layout/paint, then this). */
function afterPaint(): Promise<{ raf: number; paint: number }> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => {
      const raf = performance.now();
      const done = () => resolve({ raf, paint: performance.now() });
      // A user-blocking task runs before the page's ordinary tasks (a timeout queued in the same frame, say), so the
      // time is that of the frame, not of whatever work the page queued next.
      const scheduler = (globalThis as { scheduler?: { postTask(task: () => void, options: { priority: string }): Promise<void> } }).scheduler;
      if (scheduler) {
        void scheduler.postTask(done, { priority: 'user-blocking' });
        return;
      }
      const channel = new MessageChannel();
      channel.port1.onmessage = done;
      channel.port2.postMessage(undefined);
    });
  });
}

function rowCount(el: HTMLElement): number {
  return el.shadowRoot?.querySelectorAll(ROW).length ?? 0;
}

/** An unsigned JWT: the element decodes the claims and never verifies them; the stub does not check it. */
function unsignedJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

/**
 * Stub mode: downloads the list reply once (before any timing) and answers `GET {STUB_ORIGIN}/vault/connections` from
 * memory, so no network time is measured but the element still does its real work (Response.json, zod parse, render).
 */
async function useStub(n: number, path = `/data/${n}.json`): Promise<Source> {
  const response = await fetch(path);
  replyBytes = new Uint8Array(await response.arrayBuffer());
  if (!stubInstalled) {
    stubInstalled = true;
    const real = window.fetch.bind(window);
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      if (!url.startsWith(STUB_ORIGIN)) return real(input, init);
      return Promise.resolve(new Response(replyBytes, { status: 200, headers: { 'content-type': 'application/json' } }));
    };
  }
  return { origin: STUB_ORIGIN, token: unsignedJwt({ application_id: 'bench-app', consumer_id: 'bench-consumer' }) };
}

function createElement(source: Source): VaultConnectElement {
  const el = document.createElement('vault-connect') as VaultConnectElement;
  el.token = source.token;
  el.setAttribute('unify-base-url', source.origin);
  el.setAttribute('theme', 'light');
  el.vaultModal = { open() {}, close() {} };
  return el;
}

/**
 * Waits until the element shows `n` rows (checked at the ready event, then every frame) or reports an error; also
 * notes when the first rows appeared.
 */
function rowsRendered(el: VaultConnectElement, n: number): Promise<{ first: number; firstPaint: Promise<number>; all: number }> {
  return new Promise((resolve, reject) => {
    let first: number | undefined;
    let firstPaint: Promise<number> | undefined;
    const seen = () => {
      if (first !== undefined || rowCount(el) === 0) return;
      first = performance.now();
      firstPaint = afterPaint().then(({ paint }) => paint);
    };
    // The first slice of rows arrives in a render of its own, before the ready event: watch the shadow root for it.
    let observer: MutationObserver | undefined;
    const watch = () => {
      if (!el.shadowRoot) return;
      observer = new MutationObserver(seen);
      observer.observe(el.shadowRoot, { childList: true, subtree: true });
    };
    queueMicrotask(watch);
    const done = () => {
      seen();
      const count = rowCount(el);
      // A windowed list (longer than the element's threshold) is whole once the rows in view are drawn.
      const windowed = el.shadowRoot?.querySelector('ul.windowed') != null;
      if (count === n || (windowed && count > 0)) {
        const at = performance.now();
        cleanup();
        resolve({ first: first ?? at, firstPaint: firstPaint ?? afterPaint().then(({ paint }) => paint), all: at });
        return true;
      }
      return false;
    };
    const onError = (event: Event) => {
      cleanup();
      reject(new Error(`vault-connect-error: ${JSON.stringify((event as CustomEvent).detail)}`));
    };
    let frame = 0;
    const poll = () => {
      if (!done()) frame = requestAnimationFrame(poll);
    };
    const onReady = () => {
      void el.updateComplete.then(() => {
        if (!done()) frame = requestAnimationFrame(poll);
      });
    };
    const cleanup = () => {
      observer?.disconnect();
      cancelAnimationFrame(frame);
      el.removeEventListener('vault-connect-ready', onReady);
      el.removeEventListener('vault-connect-error', onError);
    };
    el.addEventListener('vault-connect-ready', onReady);
    el.addEventListener('vault-connect-error', onError);
  });
}

let current: VaultConnectElement | undefined;

async function render(n: number, source: Source): Promise<Timing> {
  current?.remove();
  await nextFrame();
  const el = createElement(source);
  const rendered = rowsRendered(el, n);
  const start = performance.mark('vc-append').startTime;
  document.body.append(el);
  const { first, firstPaint, all } = await rendered;
  const drawnRows = rowCount(el);
  const { raf, paint } = await afterPaint();
  performance.measure('vc-rows-rendered', { start: 'vc-append', end: paint });
  const firstPainted = await firstPaint;
  performance.measure('vc-first-paint', { start: 'vc-append', end: firstPainted });
  current = el;
  return { firstRowsMs: first - start, firstPaintMs: firstPainted - start, domMs: all - start, rafMs: raf - start, paintMs: paint - start, drawnRows };
}

async function keystrokes(queries: readonly string[]): Promise<KeystrokeTiming[]> {
  const el = current;
  const input = el?.shadowRoot?.querySelector<HTMLInputElement>('input[type="search"]');
  if (!el || !input) throw new Error('render() first');
  const results: KeystrokeTiming[] = [];
  for (const query of queries) {
    // Start each keystroke on a quiet page.
    await afterPaint();
    const start = performance.now();
    input.value = query;
    input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    await el.updateComplete;
    const dom = performance.now();
    const { raf, paint } = await afterPaint();
    performance.measure('vc-keystroke', { start, end: paint });
    const visible = el.shadowRoot?.querySelectorAll(`${ROW}:not([hidden])`).length ?? 0;
    results.push({ query, visible, firstRowsMs: dom - start, firstPaintMs: paint - start, domMs: dom - start, rafMs: raf - start, paintMs: paint - start, drawnRows: visible });
  }
  return results;
}

const api = { useStub, render, keystrokes };

declare global {
  interface Window {
    vcBench: typeof api;
  }
}

window.vcBench = api;

export {};
