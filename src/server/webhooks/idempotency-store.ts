/**
 * Where `createWebhookHandler` remembers the deliveries it has handled, by Apideck's `x-apideck-idempotency-key`, so
 * that a redelivery reaches `onEvent` once. The default keeps them in this process; a store shared by every instance
 * (a database, Redis) makes it once per store.
 */

/** What a key is when a delivery claims it. */
export type DeliveryClaim = 'new' | 'processing' | 'done';

export interface WebhookIdempotencyStore {
  /**
   * Claims `key` for a delivery about to be handled, atomically: `new` (it is now `processing`, for at most
   * `processingTtlMs`, after which a redelivery may claim it again), or what it already was.
   */
  claim(key: string, processingTtlMs: number): Promise<DeliveryClaim>;
  /** `onEvent` resolved: the key is `done` for `doneTtlMs`. */
  finish(key: string, doneTtlMs: number): Promise<void>;
  /** `onEvent` threw: the key is forgotten, so that Apideck's retry is handled. */
  release(key: string): Promise<void>;
}

/** Keys in this process's memory, the oldest dropped past `maxKeys`. */
export function memoryIdempotencyStore(options: { maxKeys?: number; now?: () => number } = {}): WebhookIdempotencyStore {
  const maxKeys = options.maxKeys ?? 10_000;
  const now = options.now ?? Date.now;
  const keys = new Map<string, { claim: 'processing' | 'done'; until: number }>();
  const read = (key: string) => {
    const entry = keys.get(key);
    if (entry && entry.until <= now()) {
      keys.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    claim(key, processingTtlMs) {
      const entry = read(key);
      if (entry) return Promise.resolve(entry.claim);
      keys.set(key, { claim: 'processing', until: now() + processingTtlMs });
      // A Map iterates in insertion order: the first key is the oldest.
      while (keys.size > maxKeys) keys.delete(keys.keys().next().value!);
      return Promise.resolve('new');
    },
    finish(key, doneTtlMs) {
      keys.delete(key);
      keys.set(key, { claim: 'done', until: now() + doneTtlMs });
      return Promise.resolve();
    },
    release(key) {
      keys.delete(key);
      return Promise.resolve();
    },
  };
}
