/**
 * The Redis side of `redisStore` and `redisLimiter`: a node-redis client created and connected on first use (the
 * `redis` package is an optional peer dependency), calls bounded in time, and failures turned into errors that name the
 * operation and never quote the URL or a value. While Redis is away calls fail at once instead of queueing, and the
 * client reconnects by itself.
 */
import { loadOptionalPackage } from './optional-package.ts';
import { OutageReporter, type StoreErrorHandler } from './store-errors.ts';

/** The part of a node-redis client used here (and by rate-limiter-flexible's Redis limiter). */
export interface RedisClient {
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  ping(): Promise<string>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  del(key: string): Promise<number>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  scan(cursor: string, options: { MATCH: string; COUNT: number }): Promise<{ cursor: string | number; keys: string[] }>;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
  destroy?(): void;
}

interface RedisModule {
  createClient(options: Record<string, unknown>): RedisClient;
}

/** A key prefix option: printable ASCII without spaces, at most 100 characters. */
export function keyPrefix(value: unknown, fallback: string, who: string, option = 'prefix'): string {
  const text = value === undefined ? fallback : value;
  if (typeof text !== 'string' || !/^[\x21-\x7e]{1,100}$/.test(text)) {
    throw new Error(`${who}: option "${option}" must be 1–100 printable ASCII characters without spaces, such as "myapp:vaultre:".`);
  }
  return text;
}

/** A SCAN `MATCH` pattern for every key that starts with `prefix` (its glob characters escaped). */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[\\*?[\]]/g, '\\$&')}*`;
}


class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`no reply within ${ms / 1000} seconds`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface RedisDatabaseOptions {
  /** The store or limiter, for messages: `redisStore`. */
  who: string;
  url: string;
  timeoutMs: number;
  report: StoreErrorHandler;
}

/** One client, connected on first use; shared by all calls of one store or limiter. */
export class RedisDatabase {
  readonly #options: RedisDatabaseOptions;
  readonly #outage: OutageReporter;
  #client: Promise<RedisClient> | undefined;
  /** Settles when the client first connects (commands sent before would be refused as offline). */
  #connected: Promise<unknown> | undefined;
  /** A call has waited a whole timeout for that first connection: later calls fail at once until it comes. */
  #stopWaiting = false;
  #closed = false;

  constructor(options: RedisDatabaseOptions) {
    this.#options = options;
    this.#outage = new OutageReporter(options.who, 'Redis', options.url, options.report);
  }

  /** The connected client. Concurrent first calls share one connection; a failed start is tried again. */
  async client(): Promise<RedisClient> {
    if (this.#closed) throw new Error(`${this.#options.who}: closed.`);
    this.#client ??= this.#create();
    const pending = this.#client;
    let client: RedisClient;
    try {
      client = await pending;
    } catch (error) {
      if (this.#client === pending) this.#client = undefined;
      throw error;
    }
    if (!client.isReady && this.#connected) {
      if (this.#stopWaiting) throw this.failure('connect', new Error('not connected yet'));
      try {
        await withTimeout(this.#connected, this.#options.timeoutMs);
      } catch (error) {
        this.#stopWaiting = true;
        throw this.failure('connect', error);
      }
    }
    return client;
  }

  /** Runs `call` with the client, bounded by the timeout; rejects with an error that names `operation`. */
  async run<T>(operation: string, call: (client: RedisClient) => Promise<T>): Promise<T> {
    const client = await this.client();
    try {
      const result = await withTimeout(call(client), this.#options.timeoutMs);
      this.#outage.succeeded();
      return result;
    } catch (error) {
      throw this.failure(operation, error);
    }
  }

  /** Reports a failed call (once per outage) and answers the error to reject with. */
  failure(operation: string, error: unknown): Error {
    return this.#outage.failure(operation, error);
  }

  /** A call succeeded by another path (the limiter's own queries). */
  succeeded(): void {
    this.#outage.succeeded();
  }

  /** Closes the connection (after the commands already sent). Calls after this reject. */
  async close(): Promise<void> {
    this.#closed = true;
    const pending = this.#client;
    this.#client = undefined;
    const client = await pending?.catch(() => undefined);
    if (!client) return;
    try {
      if (client.isReady && client.close) await client.close();
      else if (client.isReady && client.quit) await client.quit();
      else client.destroy?.();
    } catch {
      client.destroy?.();
    }
  }

  async #create(): Promise<RedisClient> {
    const { who, url, timeoutMs } = this.#options;
    let redis: RedisModule;
    try {
      const module = await loadOptionalPackage(who, 'redis', () => import('redis'));
      redis = ((module as { default?: RedisModule }).default?.createClient ? (module as { default: RedisModule }).default : module);
    } catch (error) {
      this.#outage.report('setup_failed', (error as Error).message);
      throw error;
    }
    if (this.#closed) throw new Error(`${who}: closed.`);
    const client = redis.createClient({
      url,
      // While Redis is away, a command fails at once (the handler answers store_failed) instead of waiting in a queue.
      disableOfflineQueue: true,
      socket: { connectTimeout: timeoutMs, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
    });
    // node-redis emits `error` on every failed (re)connection; unheard, it would crash the process.
    client.on('error', (error) => {
      if (!this.#outage.healthy || this.#closed) return;
      this.#outage.report('database_error', `${who}: lost the Redis connection: ${this.#outage.describe(error)}`);
    });
    client.on('ready', () => {
      this.#outage.succeeded();
    });
    this.#connected = client.connect();
    // Reconnecting is the client's job; a rejection here means it gave up, and the next call starts a new client.
    this.#connected.catch(() => {
      if (this.#client && !this.#closed) this.#client = undefined;
    });
    return client;
  }
}
