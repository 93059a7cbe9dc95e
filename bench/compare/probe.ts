/**
 * The in-page probe of `bench/compare.ts` (browser code). `compare.ts` transpiles it and installs it with
 * `page.addInitScript`, after `window.__cmpConfig`, so it runs before any script of either page: the same probe for
 * `<vault-connect>` and for react-vault, only the selectors differ (`ProbeConfig`).
 *
 * "Every name in the DOM": at least `expected.length` elements match `names` (in the document and in the open shadow
 * roots of `shadowHost` elements) and their trimmed texts, as a multiset, are exactly the expected names. It is checked
 * in every MutationObserver callback (so the time is when the DOM changed, not the next frame) and every frame (a safety
 * net). The time is taken before the text comparison, which only confirms it. `frameMs` is the next animation frame.
 *
 * A windowed list (`ProbeConfig.windowed` matches, vault-connect above 200 rows) never holds every name: it is complete
 * when the names it holds are expected ones and its rows reach past the bottom of the viewport (or are all there), i.e.
 * the user sees a full screen of the list and can scroll to every other row. `windowed` in the result says which
 * rule applied, and `count` how many names were in the DOM then.
 */

interface ProbeConfig {
  /** Elements whose open shadow roots are watched too (`vault-connect`), or null (react-vault renders in the document). */
  shadowHost: string | null;
  /** Selector of one connection name (inside the shadow root for `shadowHost`). */
  names: string;
  /** The names the page must show once loaded. */
  expected: string[];
  /** Selector that marks a windowed list (only the rows near the viewport are in the DOM), or null. */
  windowed: string | null;
}

interface Reached {
  /** `performance.now()` (ms since navigation start, or since the trigger for `arm`) when the DOM held every name. */
  domMs: number;
  /** … the next animation frame after that. */
  frameMs: number;
  /** How many name elements matched. */
  count: number;
  /** The probe's own main-thread time until then (its checks), ms: included in the figures above. */
  probeMs: number;
  /** Found by the every-30-frames full check rather than at the mutation (then `domMs` may be late). */
  safetyNet: boolean;
  /** The list was windowed: complete meant a full viewport of expected names, not every name. */
  windowed: boolean;
}

interface LoadResult extends Reached {
  /** The `.js` resources the page had loaded when every name was in: the JavaScript shipped to get there. */
  scripts: string[];
  /** The list request (`…/vault/connections`): sent and reply received, ms since navigation start; null if not seen. */
  list: { startMs: number; endMs: number } | null;
}

interface ArmOptions {
  /** The DOM event, caught on `window` in the capture phase, that starts the clock (`keydown`, `click`). */
  trigger: string;
  /** The exact names the DOM must show afterwards. */
  expected: string[];
  /** Which name elements count (default `ProbeConfig.names`), e.g. only the rows a search left visible. */
  selector?: string;
}

declare global {
  interface Window {
    __cmpConfig: ProbeConfig;
    __cmpProbe: {
      loaded: Promise<LoadResult>;
      scripts(): string[];
      arm(options: ArmOptions): void;
      armed: Promise<Reached> | undefined;
      /** Resolves after `count` animation frames. */
      frames(count: number): Promise<void>;
      /** The names the DOM shows now (diagnostics after a timeout). */
      snapshot(): { count: number; sample: string[] };
    };
  }
}

const config = window.__cmpConfig;

function roots(): (Document | ShadowRoot)[] {
  const list: (Document | ShadowRoot)[] = [document];
  if (config.shadowHost) {
    for (const host of document.querySelectorAll(config.shadowHost)) if (host.shadowRoot) list.push(host.shadowRoot);
  }
  return list;
}

function nameElements(selector = config.names): Element[] {
  const found: Element[] = [];
  for (const root of roots()) found.push(...root.querySelectorAll(selector));
  return found;
}

/** Whether the elements' texts are exactly `expected` (a multiset). */
function sameNames(elements: readonly Element[], expected: ReadonlyMap<string, number>): boolean {
  const left = new Map(expected);
  for (const element of elements) {
    const text = (element.textContent ?? '').trim();
    const n = left.get(text);
    if (!n) return false;
    left.set(text, n - 1);
  }
  return true;
}

/** Whether every element's text is one of `expected` (a multiset: no name more often than expected). */
function someNames(elements: readonly Element[], expected: ReadonlyMap<string, number>): boolean {
  return elements.length > 0 && sameNames(elements, expected);
}

/** A windowed list fills the viewport: its last drawn row ends below the bottom of the viewport. */
function fillsViewport(elements: readonly Element[]): boolean {
  const last = elements.at(-1)?.closest('li') ?? elements.at(-1);
  return last !== undefined && last.getBoundingClientRect().bottom >= window.innerHeight;
}

function isWindowed(): boolean {
  const marker = config.windowed;
  return marker !== null && roots().some((root) => root.querySelector(marker) !== null);
}

function counts(names: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const name of names) map.set(name, (map.get(name) ?? 0) + 1);
  return map;
}

function scripts(): string[] {
  return performance
    .getEntriesByType('resource')
    .map((entry) => entry.name)
    .filter((url) => new URL(url).pathname.endsWith('.js'));
}

/**
 * Resolves when the DOM shows exactly `expected` (name elements matching `selector`), once `origin()` has a start time
 * and the DOM has changed since (an armed check waits for its trigger). Checked on every mutation of the document and
 * of the shadow roots. `gated`: the full check (querying every name) runs only once the names added by mutations
 * (counted from the records, so linear in what was added) reach the expected count — without the gate a list drawn in
 * many slices would pay a full query per slice; a gate that overcounts is corrected by that full check. Every 30th
 * frame a full check runs regardless, in case the gate missed something (`safetyNet` says when that is what found it).
 */
function watch(expected: readonly string[], selector: string, origin: () => number | undefined, gated: boolean): Promise<Reached> {
  const wanted = counts(expected);
  const observed = new WeakSet<Node>();
  return new Promise((resolve) => {
    let done = false;
    let changed = false;
    let spent = 0;
    let gate = 0;
    let frame = 0;
    const check = (full: boolean) => {
      const start = origin();
      const windowed = start !== undefined && isWindowed();
      if (done || start === undefined || !changed || (gated && !full && !windowed && gate < expected.length)) return;
      // The DOM is as it is now: the query and the comparison below only confirm it.
      const at = performance.now();
      const elements = nameElements(selector);
      const complete =
        elements.length === expected.length ? sameNames(elements, wanted) : windowed && someNames(elements, wanted) && fillsViewport(elements);
      gate = elements.length;
      spent += performance.now() - at;
      if (!complete) return;
      done = true;
      observer.disconnect();
      const safetyNet = gated && full;
      requestAnimationFrame(() =>
        resolve({ domMs: at - start, frameMs: performance.now() - start, count: elements.length, probeMs: spent, safetyNet, windowed: elements.length < expected.length }),
      );
    };
    const attach = () => {
      for (const root of roots()) {
        if (observed.has(root)) continue;
        observed.add(root);
        observer.observe(root, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['hidden'] });
        if (gated) gate += root.querySelectorAll(selector).length;
      }
    };
    const observer = new MutationObserver((records) => {
      const at = performance.now();
      if (origin() !== undefined) changed = true;
      if (gated) {
        for (const record of records) {
          for (const node of record.addedNodes) {
            if (!(node instanceof Element)) continue;
            if (node.matches(selector)) gate++;
            gate += node.querySelectorAll(selector).length;
          }
        }
      }
      attach();
      spent += performance.now() - at;
      check(!gated);
    });
    attach();
    const tick = () => {
      if (done) return;
      attach();
      check(!gated || ++frame % 30 === 0);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

const loadedReached = watch(config.expected, config.names, () => 0, true);

function listRequest(): { startMs: number; endMs: number } | null {
  const entry = performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname.endsWith('/vault/connections'));
  return entry ? { startMs: entry.startTime, endMs: (entry as PerformanceResourceTiming).responseEnd } : null;
}

window.__cmpProbe = {
  loaded: loadedReached.then((reached) => ({ ...reached, scripts: scripts(), list: listRequest() })),
  scripts,
  armed: undefined,
  arm(options) {
    let start: number | undefined;
    window.addEventListener(options.trigger, () => (start ??= performance.now()), { capture: true, once: true });
    this.armed = watch(options.expected, options.selector ?? config.names, () => start, false);
  },
  frames(count) {
    return new Promise((resolve) => {
      const next = (left: number) => (left <= 0 ? resolve() : requestAnimationFrame(() => next(left - 1)));
      next(count);
    });
  },
  snapshot() {
    const elements = nameElements();
    return { count: elements.length, sample: elements.slice(0, 5).map((element) => (element.textContent ?? '').trim()) };
  },
};

export {};
