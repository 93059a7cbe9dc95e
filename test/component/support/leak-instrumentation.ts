/**
 * Leak instrumentation for the component tests: counts what a page keeps that could outlive a flow or an element —
 * event listeners, timers (timeouts, intervals, animation frames, idle callbacks), open `BroadcastChannel`s, iframes in
 * the DOM (shadow roots included), popups still open, and the keys of both storages.
 *
 * Importing this module changes nothing. `trackBroadcastChannels()` swaps in a counting `BroadcastChannel` until
 * `restore()` (the popup engine's tests use it alone); `installLeakProbe()` patches `EventTarget.prototype`,
 * the timer functions, `window.open` and `BroadcastChannel` for the rest of the page's life. Code that keeps a reference
 * to the originals from before the probe escapes it, so a test installs the probe before it imports the element (see
 * `leak-probe.ts`, imported first by `leaks/resource-counts.test.ts`). Every registration keeps the stack where it was
 * made, so a failing test can say which code left what behind (`since()`).
 */

export const OriginalBroadcastChannel = window.BroadcastChannel;

export interface ChannelTracker {
  /** Channels created and not yet closed. */
  open(): number;
  /** Channels created since the tracker was installed. */
  created(): number;
  /** Where each open channel was created. */
  openSites(): Error[];
  restore(): void;
}

/** Replaces `BroadcastChannel` with a subclass that counts the channels still open; `restore()` puts it back. */
export function trackBroadcastChannels(): ChannelTracker {
  const open = new Map<BroadcastChannel, Error>();
  let created = 0;
  class TrackedBroadcastChannel extends OriginalBroadcastChannel {
    constructor(name: string) {
      super(name);
      created++;
      open.set(this, new Error(`BroadcastChannel "${name}" created here`));
    }
    override close(): void {
      open.delete(this);
      super.close();
    }
  }
  window.BroadcastChannel = TrackedBroadcastChannel;
  return {
    open: () => open.size,
    created: () => created,
    openSites: () => [...open.values()],
    restore: () => {
      window.BroadcastChannel = OriginalBroadcastChannel;
    },
  };
}

/** What the page holds at one moment. Flat, so that a failing `deep.equal` shows each difference on its own line. */
export interface LeakCounts {
  /** Listeners on `window`. */
  windowListeners: number;
  /** Listeners on `document`. */
  documentListeners: number;
  /** Listeners on the targets passed as `watched` (say, an element that is detached and attached again). */
  watchedListeners: number;
  /** Listeners on nodes in the document (shadow trees included); listeners on detached nodes go with them. */
  connectedNodeListeners: number;
  /** Listeners on `AbortSignal`s that have not fired (a long-lived signal that gathers listeners is a leak). */
  signalListeners: number;
  /** Listeners on every other target (MessagePort, XMLHttpRequest, MediaQueryList…). */
  otherListeners: number;
  timeouts: number;
  intervals: number;
  animationFrames: number;
  idleCallbacks: number;
  broadcastChannels: number;
  iframes: number;
  popups: number;
  localStorageKeys: string;
  sessionStorageKeys: string;
}

export type OpenFunction = (url?: string | URL, target?: string, features?: string) => Window | null;

export interface LeakProbe {
  /** Whether `<vault-connect>` was still undefined when the probe was installed (the element module loaded later). */
  readonly installedBeforeElement: boolean;
  counts(watched?: readonly EventTarget[]): LeakCounts;
  /**
   * Waits (on the page's original timers, which the counts leave out) until `counts(watched)` deep-equals `expected`
   * or `timeout` ms have passed, and returns the last counts. Pending timers, a popup's `closed` and a modal's frame
   * take a moment to go.
   */
  settle(expected: LeakCounts, options?: { watched?: readonly EventTarget[]; timeout?: number }): Promise<LeakCounts>;
  /** Polls `predicate` on the original timers (so the wait itself adds nothing to the counts). */
  waitFor(predicate: () => unknown, message: string, timeout?: number): Promise<void>;
  /** One macrotask, on the original timers. */
  tick(ms?: number): Promise<void>;
  /** Everything live now, to compare with later (`since`). */
  mark(): ReadonlySet<object>;
  /** What was registered after `mark` and is still live, with where it was registered: for a failing test's message. */
  since(mark: ReadonlySet<object>, watched?: readonly EventTarget[]): string[];
  /** `window.open` goes through `impl` (default: the real one); every window it returns is tracked. */
  openWith(impl?: OpenFunction): void;
  /** The page's own `window.open`, for an `openWith` implementation that opens a real window. */
  readonly realOpen: OpenFunction;
  /** Windows returned by `window.open` so far. */
  readonly opened: readonly Window[];
}

interface ListenerRecord {
  target: EventTarget;
  type: string;
  capture: boolean;
  listener: EventListenerOrEventListenerObject;
  /** What was really registered: a wrapper for `once` listeners, which untracks itself when it runs. */
  registered: EventListenerOrEventListenerObject;
  site: Error;
}

interface TimerRecord {
  kind: 'timeout' | 'interval' | 'animationFrame' | 'idleCallback';
  delay: number;
  site: Error;
}

let installed: LeakProbe | undefined;

function captureOf(options: boolean | EventListenerOptions | undefined): boolean {
  return typeof options === 'boolean' ? options : Boolean(options?.capture);
}

function iframesIn(root: Document | ShadowRoot): number {
  let count = root.querySelectorAll('iframe').length;
  for (const element of root.querySelectorAll('*')) if (element.shadowRoot) count += iframesIn(element.shadowRoot);
  return count;
}

function keysOf(storage: () => Storage): string {
  try {
    const store = storage();
    return Array.from({ length: store.length }, (_, i) => store.key(i) ?? '')
      .sort()
      .join(',');
  } catch {
    return '(unavailable)';
  }
}

/** The first stack frame outside this file: where the code under test made the registration. */
function siteOf(error: Error): string {
  const frames = (error.stack ?? '').split('\n').slice(1);
  const outside = frames.find((frame) => !frame.includes('leak-instrumentation'));
  return (outside ?? frames[0] ?? '').trim();
}

/** Installs the probe (once per page; later calls return the same one). */
export function installLeakProbe(): LeakProbe {
  if (installed) return installed;
  const installedBeforeElement = customElements.get('vault-connect') === undefined;

  // Originals, kept before anything is patched; the probe's own waits use them.
  const proto = EventTarget.prototype;
  // Always called with `.call(target, …)`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const addListener = proto.addEventListener;
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const removeListener = proto.removeEventListener;
  const setTimeoutOriginal = window.setTimeout.bind(window);
  const clearTimeoutOriginal = window.clearTimeout.bind(window);
  const setIntervalOriginal = window.setInterval.bind(window);
  const clearIntervalOriginal = window.clearInterval.bind(window);
  const requestFrameOriginal = window.requestAnimationFrame.bind(window);
  const cancelFrameOriginal = window.cancelAnimationFrame.bind(window);
  const requestIdleOriginal = window.requestIdleCallback?.bind(window);
  const cancelIdleOriginal = window.cancelIdleCallback?.bind(window);
  const openOriginal: OpenFunction = window.open.bind(window);

  // ---- listeners
  const listeners = new Map<EventTarget, ListenerRecord[]>();
  const find = (target: EventTarget, type: string, capture: boolean, listener: EventListenerOrEventListenerObject) =>
    listeners.get(target)?.find((r) => r.type === type && r.capture === capture && r.listener === listener);
  const untrack = (record: ListenerRecord) => {
    const list = listeners.get(record.target);
    const index = list?.indexOf(record) ?? -1;
    if (!list || index === -1) return;
    list.splice(index, 1);
    if (list.length === 0) listeners.delete(record.target);
  };

  proto.addEventListener = function addEventListener(
    this: EventTarget,
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    const capture = captureOf(options);
    const signal = typeof options === 'object' ? options.signal : undefined;
    // A duplicate is a no-op, and so is a listener whose signal has already fired.
    if (!listener || signal?.aborted || find(this, type, capture, listener)) {
      addListener.call(this, type, listener, options);
      return;
    }
    const record: ListenerRecord = { target: this, type, capture, listener, registered: listener, site: new Error(`"${type}" listener added here`) };
    if (typeof options === 'object' && options.once) {
      record.registered = function once(this: unknown, event: Event) {
        untrack(record);
        return typeof listener === 'function' ? listener.call(this, event) : listener.handleEvent(event);
      };
    }
    addListener.call(this, type, record.registered, options);
    const list = listeners.get(this);
    if (list) list.push(record);
    else listeners.set(this, [record]);
    if (signal) addListener.call(signal, 'abort', () => untrack(record), { once: true });
  };

  proto.removeEventListener = function removeEventListener(
    this: EventTarget,
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    const record = listener ? find(this, type, captureOf(options), listener) : undefined;
    if (record) untrack(record);
    removeListener.call(this, type, record?.registered ?? listener, options);
  };

  // ---- timers (timeouts and intervals share one id space, as clearTimeout/clearInterval do)
  const timers = new Map<number, TimerRecord>();
  const frames = new Map<number, TimerRecord>();
  const idles = new Map<number, TimerRecord>();
  const site = (kind: TimerRecord['kind'], delay: unknown) => new Error(`${kind} (${Number(delay) || 0} ms) set here`);

  window.setTimeout = function setTimeout(handler: TimerHandler, delay?: number, ...args: unknown[]): number {
    if (typeof handler !== 'function') return setTimeoutOriginal(handler, delay, ...args);
    const record: TimerRecord = { kind: 'timeout', delay: Number(delay) || 0, site: site('timeout', delay) };
    const id = setTimeoutOriginal((...values: unknown[]) => {
      timers.delete(id);
      (handler as (...values: unknown[]) => void)(...values);
    }, delay, ...args);
    timers.set(id, record);
    return id;
  } as typeof window.setTimeout;
  window.setInterval = function setInterval(handler: TimerHandler, delay?: number, ...args: unknown[]): number {
    const id = setIntervalOriginal(handler, delay, ...args);
    timers.set(id, { kind: 'interval', delay: Number(delay) || 0, site: site('interval', delay) });
    return id;
  } as typeof window.setInterval;
  window.clearTimeout = ((id?: number) => {
    if (id !== undefined) timers.delete(id);
    clearTimeoutOriginal(id);
  }) as typeof window.clearTimeout;
  window.clearInterval = ((id?: number) => {
    if (id !== undefined) timers.delete(id);
    clearIntervalOriginal(id);
  }) as typeof window.clearInterval;
  window.requestAnimationFrame = (callback: FrameRequestCallback): number => {
    const id = requestFrameOriginal((time) => {
      frames.delete(id);
      callback(time);
    });
    frames.set(id, { kind: 'animationFrame', delay: 0, site: site('animationFrame', 0) });
    return id;
  };
  window.cancelAnimationFrame = (id: number) => {
    frames.delete(id);
    cancelFrameOriginal(id);
  };
  if (requestIdleOriginal && cancelIdleOriginal) {
    window.requestIdleCallback = (callback: IdleRequestCallback, options?: IdleRequestOptions): number => {
      const id = requestIdleOriginal((deadline) => {
        idles.delete(id);
        callback(deadline);
      }, options);
      idles.set(id, { kind: 'idleCallback', delay: options?.timeout ?? 0, site: site('idleCallback', options?.timeout) });
      return id;
    };
    window.cancelIdleCallback = (id: number) => {
      idles.delete(id);
      cancelIdleOriginal(id);
    };
  }

  // ---- channels, popups
  const channels = trackBroadcastChannels();
  const opened: Window[] = [];
  let openImpl: OpenFunction = openOriginal;
  window.open = (url?: string | URL, target?: string, features?: string) => {
    const win = openImpl(url, target, features);
    if (win) opened.push(win);
    return win;
  };
  const isOpen = (win: Window) => {
    try {
      return !win.closed;
    } catch {
      return false;
    }
  };

  // ---- reading
  type Category = Exclude<keyof LeakCounts, 'timeouts' | 'intervals' | 'animationFrames' | 'idleCallbacks' | 'broadcastChannels' | 'iframes' | 'popups' | 'localStorageKeys' | 'sessionStorageKeys'>;
  /** Which count a listener's target belongs to; `undefined` when it cannot outlive its owner (a detached node, a fired signal). */
  const categoryOf = (target: EventTarget, watched: readonly EventTarget[]): Category | undefined => {
    if (target === window) return 'windowListeners';
    if (target === document) return 'documentListeners';
    if (watched.includes(target)) return 'watchedListeners';
    if (target instanceof Node) return target.isConnected ? 'connectedNodeListeners' : undefined;
    if (target instanceof AbortSignal) return target.aborted ? undefined : 'signalListeners';
    return 'otherListeners';
  };

  const counts = (watched: readonly EventTarget[] = []): LeakCounts => {
    const result: LeakCounts = {
      windowListeners: 0,
      documentListeners: 0,
      watchedListeners: 0,
      connectedNodeListeners: 0,
      signalListeners: 0,
      otherListeners: 0,
      timeouts: 0,
      intervals: 0,
      animationFrames: frames.size,
      idleCallbacks: idles.size,
      broadcastChannels: channels.open(),
      iframes: iframesIn(document),
      popups: opened.filter(isOpen).length,
      localStorageKeys: keysOf(() => localStorage),
      sessionStorageKeys: keysOf(() => sessionStorage),
    };
    for (const [target, list] of listeners) {
      const category = categoryOf(target, watched);
      if (category) result[category] += list.length;
    }
    for (const timer of timers.values()) result[timer.kind === 'interval' ? 'intervals' : 'timeouts']++;
    return result;
  };

  const tick = (ms = 0) => new Promise<void>((resolve) => setTimeoutOriginal(resolve, ms));
  const same = (a: LeakCounts, b: LeakCounts) => (Object.keys(a) as (keyof LeakCounts)[]).every((key) => a[key] === b[key]);

  const live = (): { item: object; describe: (watched: readonly EventTarget[]) => string | undefined }[] => [
    ...[...listeners.values()].flat().map((record) => ({
      item: record,
      describe: (watched: readonly EventTarget[]) => {
        const category = categoryOf(record.target, watched);
        const name = record.target === window ? 'window' : record.target === document ? 'document' : (record.target.constructor?.name ?? 'target');
        return category ? `${category}: "${record.type}" on ${name} — ${siteOf(record.site)}` : undefined;
      },
    })),
    ...[...timers.values(), ...frames.values(), ...idles.values()].map((record) => ({
      item: record,
      describe: () => `${record.kind} (${record.delay} ms) — ${siteOf(record.site)}`,
    })),
    ...channels.openSites().map((error) => ({ item: error, describe: () => `${error.message.replace(/ created here$/, '')} — ${siteOf(error)}` })),
  ];

  installed = {
    installedBeforeElement,
    counts,
    async settle(expected, options = {}) {
      const deadline = performance.now() + (options.timeout ?? 3000);
      let now = counts(options.watched);
      while (!same(now, expected) && performance.now() < deadline) {
        await tick(5);
        now = counts(options.watched);
      }
      return now;
    },
    async waitFor(predicate, message, timeout = 5000) {
      const deadline = performance.now() + timeout;
      while (!predicate()) {
        if (performance.now() > deadline) throw new Error(`timed out waiting for ${message}`);
        await tick(1);
      }
    },
    tick,
    mark: () => new Set(live().map((entry) => entry.item)),
    since: (mark, watched = []) =>
      live()
        .filter((entry) => !mark.has(entry.item))
        .map((entry) => entry.describe(watched))
        .filter((line): line is string => line !== undefined),
    openWith(impl) {
      openImpl = impl ?? openOriginal;
    },
    realOpen: openOriginal,
    opened,
  };
  return installed;
}
