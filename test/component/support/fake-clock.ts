/**
 * Time and visibility under the tests' control, so nothing waits for real: `performance.now()` moves on by `tick` (on
 * top of real time), and the timeouts `holdTimeouts` picks (by their delay) wait for `tick` alone; the others, such as
 * the tests' own polling and Lit's, run as usual. `setVisibility` makes the page read hidden or visible and says so
 * with `visibilitychange`, as a tab switch does.
 */

export interface FakeClock {
  /** Moves the clock on by `ms`: `performance.now()`, and the held timeouts that fall due run, in order. */
  tick(ms: number): void;
  /** How many held timeouts are waiting. */
  pending(): number;
  restore(): void;
}

export function installFakeClock(options: { holdTimeouts?: (delay: number) => boolean } = {}): FakeClock {
  const hold = options.holdTimeouts ?? (() => false);
  const realNow = performance.now.bind(performance);
  const realSetTimeout = window.setTimeout.bind(window);
  const realClearTimeout = window.clearTimeout.bind(window);
  let offset = 0;
  let nextId = -1;
  const held = new Map<number, { due: number; run: () => void }>();

  performance.now = () => realNow() + offset;
  window.setTimeout = ((handler: TimerHandler, delay = 0, ...args: unknown[]): number => {
    if (!hold(delay) || typeof handler !== 'function') return realSetTimeout(handler, delay, ...args);
    const id = nextId--;
    held.set(id, { due: offset + delay, run: () => (handler as (...a: unknown[]) => void)(...args) });
    return id;
  }) as typeof window.setTimeout;
  window.clearTimeout = ((id?: number) => {
    if (id !== undefined && held.delete(id)) return;
    realClearTimeout(id);
  }) as typeof window.clearTimeout;

  return {
    tick(ms) {
      offset += ms;
      const due = [...held].filter(([, timer]) => timer.due <= offset).sort((a, b) => a[1].due - b[1].due);
      for (const [id, timer] of due) {
        if (held.delete(id)) timer.run();
      }
    },
    pending: () => held.size,
    restore() {
      performance.now = realNow;
      window.setTimeout = realSetTimeout;
      window.clearTimeout = realClearTimeout;
      held.clear();
    },
  };
}

/** Makes the page read `hidden` or `visible` (`document.visibilityState`, `document.hidden`) and fires `visibilitychange`. */
export function setVisibility(state: 'hidden' | 'visible'): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => state === 'hidden' });
  document.dispatchEvent(new Event('visibilitychange'));
}

/** The page's own visibility again. */
export function restoreVisibility(): void {
  delete (document as { visibilityState?: unknown }).visibilityState;
  delete (document as { hidden?: unknown }).hidden;
}

/** The window loses focus (`blur`) or gets it back (`focus`), as switching to another window does. */
export function setWindowFocus(focused: boolean): void {
  window.dispatchEvent(new FocusEvent(focused ? 'focus' : 'blur'));
}
