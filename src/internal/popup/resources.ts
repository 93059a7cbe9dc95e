/**
 * Bookkeeping for everything the popup engine adds to the page: event listeners, timers and `BroadcastChannel`s are
 * registered through a `ResourceScope`, released together by `dispose()`, and counted module-wide so a test can prove
 * that nothing outlives a flow (`popupFlowResources()`).
 */

export interface PopupFlowResources {
  listeners: number;
  timers: number;
  channels: number;
}

const live: PopupFlowResources = { listeners: 0, timers: 0, channels: 0 };

/** How many listeners, timers and channels the popup engine currently holds, over all flows. For tests and debugging. */
export function popupFlowResources(): PopupFlowResources {
  return { ...live };
}

export class ResourceScope {
  readonly #releases = new Set<() => void>();
  #disposed = false;

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Adds a listener until the scope is disposed. */
  listen<E extends Event>(target: EventTarget, type: string, listener: (event: E) => void): void {
    if (this.#disposed) return;
    const handler = listener as EventListener;
    target.addEventListener(type, handler);
    this.#track('listeners', () => target.removeEventListener(type, handler));
  }

  /** Opens a `BroadcastChannel` until the scope is disposed. */
  channel(name: string, onMessage: (event: MessageEvent) => void): void {
    if (this.#disposed) return;
    const channel = new BroadcastChannel(name);
    channel.onmessage = onMessage;
    this.#track('channels', () => {
      channel.onmessage = null;
      channel.close();
    });
  }

  /** Runs `callback` every `ms` until the scope is disposed. */
  interval(callback: () => void, ms: number): void {
    if (this.#disposed) return;
    const id = setInterval(callback, ms);
    this.#track('timers', () => clearInterval(id));
  }

  /** Runs `callback` once after `ms`, unless the scope is disposed first. */
  timeout(callback: () => void, ms: number): void {
    if (this.#disposed) return;
    const id = setTimeout(() => {
      release();
      callback();
    }, ms);
    const release = this.#track('timers', () => clearTimeout(id));
  }

  /** Releases everything, once; later registrations are ignored. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const release of [...this.#releases].reverse()) release();
  }

  #track(kind: keyof PopupFlowResources, release: () => void): () => void {
    live[kind]++;
    const once = () => {
      if (!this.#releases.delete(once)) return;
      live[kind]--;
      release();
    };
    this.#releases.add(once);
    return once;
  }
}
