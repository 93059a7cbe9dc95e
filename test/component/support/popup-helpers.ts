/**
 * Helpers for the popup engine and callback page tests: callback messages, same-origin iframes that act as "another
 * document" (a fake popup, another tab writing localStorage), code run in another realm, a BroadcastChannel tracker.
 */
import { waitUntil } from '@open-wc/testing';
import {
  CALLBACK_CHANNEL,
  CALLBACK_MESSAGE_TYPE,
  type CallbackMessage,
  type CallbackParams,
} from '../../../src/internal/popup/callback-message.ts';
import { randomState } from '../../../src/internal/popup/random-state.ts';
import { OriginalBroadcastChannel } from './leak-instrumentation.ts';

export const FIXTURES = new URL('./fixtures/', import.meta.url);

export function fixtureUrl(name: string, params: Record<string, string> = {}, fragment?: Record<string, string>): string {
  const url = new URL(name, FIXTURES);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  if (fragment) url.hash = new URLSearchParams(fragment).toString();
  return url.href;
}

export function until(predicate: () => unknown, message: string, timeout = 5000): Promise<void> {
  return waitUntil(predicate, message, { timeout, interval: 5 });
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A well-formed callback message. */
export function callbackMessage(query: CallbackParams = {}, fragment: CallbackParams = {}): CallbackMessage {
  return { type: CALLBACK_MESSAGE_TYPE, id: randomState(), query, fragment };
}

/** What a promise did within `ms`: its value, its error, or `'pending'`. */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
): Promise<{ status: 'resolved'; value: T } | { status: 'rejected'; error: unknown } | { status: 'pending' }> {
  const pending = delay(ms).then(() => ({ status: 'pending' as const }));
  return Promise.race([
    promise.then(
      (value) => ({ status: 'resolved' as const, value }),
      (error: unknown) => ({ status: 'rejected' as const, error }),
    ),
    pending,
  ]);
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<{ code?: string; retryable?: boolean } & Error> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; retryable?: boolean } & Error;
  }
  throw new Error('expected a rejection');
}

const frames = new Set<HTMLIFrameElement>();

/** A same-origin iframe on a fixture page, loaded; removed by `removeFrames()`. */
export async function frame(src = fixtureUrl('blank.html'), attributes: Record<string, string> = {}): Promise<HTMLIFrameElement> {
  const iframe = document.createElement('iframe');
  for (const [name, value] of Object.entries(attributes)) iframe.setAttribute(name, value);
  const loaded = new Promise((resolve) => iframe.addEventListener('load', resolve, { once: true }));
  if (!attributes.srcdoc) iframe.src = src;
  document.body.append(iframe);
  frames.add(iframe);
  await loaded;
  return iframe;
}

export function removeFrames(): void {
  for (const iframe of frames) iframe.remove();
  frames.clear();
}

/** Runs `body` as a function created in `win`'s realm, so `postMessage` from it has `win` as its source. */
export function runIn(win: Window, body: string, ...args: unknown[]): unknown {
  const RealmFunction = (win as Window & typeof globalThis).Function;
  const names = args.map((_, index) => `a${index}`);
  return (new RealmFunction(...names, body) as (...values: unknown[]) => unknown)(...args);
}

/** Posts a message to this page from `win` (an iframe or popup of this origin): `event.source` is `win`. */
export function postFrom(win: Window, data: unknown, targetOrigin = location.origin): void {
  runIn(win, 'parent === window ? opener.postMessage(a0, a1) : parent.postMessage(a0, a1);', data, targetOrigin);
}

/** Writes the callback's localStorage key from `win` (then removes it), which fires `storage` here. */
export function storageFrom(win: Window, key: string, value: string): void {
  runIn(win, 'localStorage.setItem(a0, a1); localStorage.removeItem(a0);', key, value);
}

/** Broadcasts on the callback channel from a channel of this page (any other channel object receives it). */
export function broadcast(data: unknown): void {
  const channel = new OriginalBroadcastChannel(CALLBACK_CHANNEL);
  channel.postMessage(data);
  channel.close();
}

// The BroadcastChannel tracker lives with the rest of the leak instrumentation (`leaks/resource-counts.test.ts` uses it too).
export { OriginalBroadcastChannel, trackBroadcastChannels } from './leak-instrumentation.ts';

/** A stand-in for a popup window: records navigation and closing; `closed` can be flipped by the test. */
export interface FakePopup {
  closed: boolean;
  closeCalls: number;
  href: string;
  close(): void;
  location: { href: string };
}

/** A `Storage` in memory (a stand-in popup's `sessionStorage`). */
export function memoryStorage(): Storage & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
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

export function fakePopup(onNavigate?: (href: string) => void): FakePopup & Window {
  const popup = {
    closed: false,
    closeCalls: 0,
    href: 'about:blank',
    // What a blank same-origin popup offers before it navigates: a document and its own sessionStorage.
    document: document.implementation.createHTMLDocument(''),
    sessionStorage: memoryStorage(),
    close() {
      popup.closeCalls++;
      popup.closed = true;
    },
    location: {
      get href() {
        return popup.href;
      },
      set href(value: string) {
        popup.href = value;
        onNavigate?.(value);
      },
    },
  };
  return popup as unknown as FakePopup & Window;
}
