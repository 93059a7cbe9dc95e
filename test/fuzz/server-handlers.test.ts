/**
 * Fuzz: both server handlers (src/server/*) — their request bodies and headers, and the upstream replies they parse.
 *
 * Requests: any method, content type, Origin / Sec-Fetch-Site, declared length, and body (valid, near-valid, any JSON,
 * malformed JSON, invalid UTF-8, huge, a stream that fails) get exactly the answer the documented rules give, in their
 * order (method → origin → content type → size → UTF-8/JSON → shape → who is signed in → the VaultRE state). Every
 * answer is JSON with `no-store`; every refusal is a 4xx `{error, message}`; no answer carries the API key, the
 * VaultRE code or token, or a cookie. A preflight (`OPTIONS` with an `Origin`) is a 204 only for a listed origin.
 *
 * Upstream replies: whatever Apideck (`POST /vault/sessions`) or VaultRE (the code exchange) answer — any status, any
 * body, huge bodies, secrets echoed in messages, failed fetches — the handler answers the session / status, or a 502 /
 * 504 / 400 `code_expired` JSON error that quotes no secret.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createSessionHandler, createVaultreHandler, memoryStore } from '../../src/server/index.ts';
import { isCodeRejection } from '../../src/server/vaultre-exchange.ts';
import { createStateSigner } from '../../src/server/vaultre-state.ts';
import { anyBodyText, corrupt, hostileJson, hostileString, unicodeString } from './arbitraries.ts';
import { assertNoStrayErrors, guardProcess, params } from './config.ts';
import { codePoints, isPlainObject } from './oracles.ts';

guardProcess();

const API_KEY = 'sk_live_FUZZ_secret_api_key_0123456789abcdef';
const SESSION_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.fuzz-session.token-signature';
const VAULTRE_TOKEN = 'vrTOKEN_fuzz_secret_0123456789abcdef';
const APP_ORIGIN = 'https://app.test';
const LIMIT = 16 * 1024;
const UPSTREAM_LIMIT = { session: 256 * 1024, vaultre: 64 * 1024 };
const ENDPOINT = `${APP_ORIGIN}/api/endpoint`;
const REDIRECT_URI = `${APP_ORIGIN}/vaultre/callback?tenant=acme`;
const SECRET = 'fuzz-secret-of-at-least-32-characters-0123';
/** States the handlers issued to the signed-in user (stateless: any instance with the secret accepts them). */
const signer = createStateSigner(SECRET, () => new Date());
const STATES = {
  account: await signer.issue({ consumerId: 'user-42', tokenType: 'account', redirectUri: REDIRECT_URI }),
  user: await signer.issue({ consumerId: 'user-42', tokenType: 'user', redirectUri: REDIRECT_URI }),
  // Issued to someone else, and for another redirect URI: signed, but not for this request.
  otherConsumer: await signer.issue({ consumerId: 'user-43', tokenType: 'account', redirectUri: REDIRECT_URI }),
  otherRedirect: await signer.issue({ consumerId: 'user-42', tokenType: 'account', redirectUri: `${APP_ORIGIN}/other` }),
};

// ---------------------------------------------------------------------------------------------------------------------
// Requests

/** Who the host says is signed in (through a test header the handlers' `consumerId` reads). */
type Consumer = 'user' | 'nobody' | 'throws' | 'unsendable';

type Body =
  | { kind: 'none' }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: number[] }
  | { kind: 'stream'; chunks: string[]; fail: boolean };

interface RequestSpec {
  /** The URL the server sees (behind a proxy that terminates TLS it is http). */
  url: string;
  method: string;
  contentType: string | undefined;
  origin: string | undefined;
  site: string | undefined;
  declaredLength: string | undefined;
  body: Body;
  consumer: Consumer;
}

/** Header values a real request can carry: visible ASCII and Latin-1, no CR/LF/NUL. */
const headerValue = fc
  .oneof(hostileString({ huge: false }), fc.string({ unit: 'binary-ascii', maxLength: 30 }))
  .map((value) => value.replace(/[\r\n\0]/g, '').replace(/[^\t\x20-\xff]/g, '?'));

const contentTypes = fc.oneof(
  { arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', ' application/json ;x=y'), weight: 20 },
  {
    arbitrary: fc.constantFrom(
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      'application/json-patch+json',
      'application/vnd.api+json',
      'json',
      '',
      ';application/json',
    ),
    weight: 2,
  },
  { arbitrary: headerValue, weight: 1 },
  { arbitrary: fc.constant(undefined), weight: 1 },
);

const origins = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 8 },
  { arbitrary: fc.constant(APP_ORIGIN), weight: 8 },
  { arbitrary: fc.constantFrom('https://evil.test', 'null', 'https://app.test.evil.test', 'http://app.test', 'https://APP.test', 'https://app.test/', 'https://app.test:443'), weight: 2 },
  { arbitrary: headerValue, weight: 1 },
);

const sites = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 8 },
  { arbitrary: fc.constantFrom('same-origin', 'same-site', 'cross-site', 'none', 'SAME-ORIGIN', ' cross-site '), weight: 3 },
  { arbitrary: headerValue, weight: 1 },
);

const methods = fc.oneof(
  { arbitrary: fc.constant('POST'), weight: 20 },
  { arbitrary: fc.constantFrom('GET', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD', 'post', 'Delete', 'get', 'PROPFIND', 'M-SEARCH', 'FOO'), weight: 4 },
);

const hugeText = fc.integer({ min: LIMIT - 2, max: LIMIT * 4 }).chain((length) =>
  fc.constantFrom('x', 'é', '<').map((unit) => `{"pad":"${unit.repeat(Math.ceil(length / (unit === 'é' ? 2 : 1)))}"}`),
);

function bodies(valid: fc.Arbitrary<unknown>): fc.Arbitrary<Body> {
  return fc.oneof(
    { arbitrary: valid.map((value) => ({ kind: 'text' as const, text: JSON.stringify(value) ?? 'null' })), weight: 10 },
    { arbitrary: hostileJson.map((value) => ({ kind: 'text' as const, text: JSON.stringify(value) ?? 'null' })), weight: 3 },
    { arbitrary: anyBodyText.map((text) => ({ kind: 'text' as const, text })), weight: 3 },
    { arbitrary: fc.constantFrom('', ' ', '\n\t', '\ufeff{}', '{}\n', '\ufeff').map((text) => ({ kind: 'text' as const, text })), weight: 1 },
    { arbitrary: hugeText.map((text) => ({ kind: 'text' as const, text })), weight: 1 },
    {
      // Invalid UTF-8: lone continuation bytes, overlongs, surrogates encoded, truncated sequences.
      arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 40 }).map((bytes) => ({ kind: 'bytes' as const, bytes: [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, ...bytes, 0x22, 0x7d] })),
      weight: 1,
    },
    {
      arbitrary: fc.record({ kind: fc.constant('stream' as const), chunks: fc.array(fc.oneof(valid.map((v) => JSON.stringify(v) ?? ''), fc.string()), { minLength: 0, maxLength: 3 }), fail: fc.boolean() }),
      weight: 1,
    },
    { arbitrary: fc.constant({ kind: 'none' as const }), weight: 1 },
  );
}

function requestSpecs(valid: fc.Arbitrary<unknown>): fc.Arbitrary<RequestSpec> {
  return fc.record({
    url: fc.constantFrom(ENDPOINT, ENDPOINT.replace('https:', 'http:'), 'http://app.test:8080/api/endpoint', 'https://other.test/api/endpoint'),
    method: methods,
    contentType: contentTypes,
    origin: origins,
    site: sites,
    declaredLength: fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: fc.constantFrom('0', '2', '16384', '16385', '999999999', '-1', 'abc', '1e3'), weight: 1 }),
    body: bodies(valid),
    consumer: fc.oneof({ arbitrary: fc.constant<Consumer>('user'), weight: 8 }, { arbitrary: fc.constantFrom<Consumer>('nobody', 'throws', 'unsendable'), weight: 1 }),
  });
}

const encoder = new TextEncoder();

function bodyBytes(body: Body): Uint8Array<ArrayBuffer> {
  if (body.kind === 'text') return encoder.encode(body.text);
  if (body.kind === 'bytes') return Uint8Array.from(body.bytes);
  if (body.kind === 'stream') return encoder.encode(body.chunks.join(''));
  return new Uint8Array(0);
}

function toRequest(spec: RequestSpec): Request {
  const headers = new Headers({ 'x-test-consumer': spec.consumer });
  if (spec.contentType !== undefined) headers.set('content-type', spec.contentType);
  if (spec.origin !== undefined) headers.set('origin', spec.origin);
  if (spec.site !== undefined) headers.set('sec-fetch-site', spec.site);
  if (spec.declaredLength !== undefined) headers.set('content-length', spec.declaredLength);
  const method = spec.method;
  const upper = method.toUpperCase();
  if (upper === 'GET' || upper === 'HEAD' || spec.body.kind === 'none') return new Request(spec.url, { method, headers });
  if (spec.body.kind === 'stream') {
    const { chunks, fail } = spec.body;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
        if (fail) controller.error(new Error('connection reset'));
        else controller.close();
      },
    });
    return new Request(spec.url, { method, headers, body: stream, duplex: 'half' } as RequestInit);
  }
  return new Request(spec.url, { method, headers, body: bodyBytes(spec.body) });
}

function consumerOf(request: Request): string {
  const who = request.headers.get('x-test-consumer');
  if (who === 'throws') throw new Error(`no session (${API_KEY})`);
  if (who === 'nobody') return '';
  if (who === 'unsendable') return 'user\u00e9\u0001';
  return 'user-42';
}

// ---------------------------------------------------------------------------------------------------------------------
// The documented rules, step by step

type Expected = { status: number; error?: string };

const mediaType = (value: string | null) => value?.split(';', 1)[0]?.trim().toLowerCase();

/** Content type, declared length, size, UTF-8 and JSON, as `readJsonBody` documents them; the parsed body otherwise. */
function readBodyRules(request: Request, spec: RequestSpec, allowEmpty: boolean): Expected | { body: unknown } {
  if (mediaType(request.headers.get('content-type')) !== 'application/json') return { status: 415, error: 'invalid_request' };
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > LIMIT) return { status: 413, error: 'invalid_request' };
  const bytes = bodyBytes(spec.body);
  if (bytes.byteLength > LIMIT) return { status: 413, error: 'invalid_request' };
  if (spec.body.kind === 'stream' && spec.body.fail) return { status: 400, error: 'invalid_request' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { status: 400, error: 'invalid_request' };
  }
  if (text.trim() === '') return allowEmpty ? { body: undefined } : { status: 400, error: 'invalid_request' };
  try {
    return { body: JSON.parse(text) as unknown };
  } catch {
    return { status: 400, error: 'invalid_request' };
  }
}

function consumerRule(spec: RequestSpec): Expected | undefined {
  if (spec.consumer === 'nobody' || spec.consumer === 'throws') return { status: 401, error: 'invalid_consumer' };
  if (spec.consumer === 'unsendable') return { status: 400, error: 'invalid_consumer' };
  return undefined;
}

/**
 * The CSRF rule both handlers share (`checkRequestOrigin` in src/server/http/request-checks.ts), as documented there:
 * without `Origin`, only when `Sec-Fetch-Site` is absent, `same-origin` or `none`; with the list, a listed origin;
 * without it, the browser's `Sec-Fetch-Site` decides (`same-origin`/`none`), or without that header the `Origin` must be
 * the request URL's own (an https `Origin` also matching an http URL).
 */
function originAllowed(request: Request, list: readonly string[] | undefined): boolean {
  const origin = request.headers.get('origin');
  const site = request.headers.get('sec-fetch-site')?.trim().toLowerCase() ?? null;
  const fromBrowserItself = site === 'same-origin' || site === 'none';
  if (origin === null) return site === null || fromBrowserItself;
  if (list) return list.includes(origin);
  if (site !== null) return fromBrowserItself;
  let from: URL;
  try {
    from = new URL(origin);
  } catch {
    return false;
  }
  const own = new URL(request.url);
  if (from.origin === 'null' || from.origin !== origin || from.host !== own.host) return false;
  return from.protocol === own.protocol || (from.protocol === 'https:' && own.protocol === 'http:');
}

/** A CORS preflight (`withCors`): 204 for a listed origin, 403 for any other; `undefined` when it is not one. */
function preflightRule(request: Request, list: readonly string[] | undefined): Expected | undefined {
  if (request.method.toUpperCase() !== 'OPTIONS' || request.headers.get('origin') === null) return undefined;
  const origin = request.headers.get('origin');
  return list && originAllowed(request, list) && origin !== null && list.includes(origin) ? { status: 204 } : { status: 403, error: 'origin_not_allowed' };
}

function expectedSession(request: Request, spec: RequestSpec): Expected {
  const preflight = preflightRule(request, [APP_ORIGIN]);
  if (preflight) return preflight;
  if (request.method.toUpperCase() !== 'POST') return { status: 405, error: 'invalid_request' };
  if (!originAllowed(request, [APP_ORIGIN])) return { status: 403, error: 'origin_not_allowed' };
  const read = readBodyRules(request, spec, true);
  if ('status' in read) return read;
  if (read.body !== undefined && !isPlainObject(read.body)) return { status: 400, error: 'invalid_request' };
  return consumerRule(spec) ?? { status: 200 };
}

const EXCHANGE_KEYS = ['code', 'state', 'token_type', 'redirect_uri'];

/**
 * The exchange body the callback page posts, as DESIGN.md and the handler's docs describe it: `code` and `state`, and
 * optionally `token_type` and `redirect_uri` (lengths in code points, as zod counts).
 */
function isExchangeBody(value: unknown): value is { code: string; state: string; token_type?: string; redirect_uri?: string } {
  if (!isPlainObject(value)) return false;
  if (Object.keys(value).some((key) => !EXCHANGE_KEYS.includes(key))) return false;
  const { code, state, token_type: tokenType, redirect_uri: redirectUri } = value;
  let url: URL | undefined;
  try {
    url = typeof redirectUri === 'string' ? new URL(redirectUri) : undefined;
  } catch {
    url = undefined;
  }
  return (
    typeof code === 'string' &&
    codePoints(code) >= 1 &&
    codePoints(code) <= 2048 &&
    /^[\x21-\x7e]+$/.test(code) &&
    typeof state === 'string' &&
    codePoints(state) >= 1 &&
    codePoints(state) <= 2048 &&
    (tokenType === undefined || tokenType === 'account' || tokenType === 'user') &&
    (redirectUri === undefined ||
      (typeof redirectUri === 'string' && codePoints(redirectUri) <= 2048 && url !== undefined && (url.protocol === 'https:' || url.protocol === 'http:')))
  );
}

/** `{"action": "authorize", "token_type"}`, exactly. */
function isAuthorizeBody(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.every((key) => key === 'action' || key === 'token_type') && value.action === 'authorize' && (value.token_type === 'account' || value.token_type === 'user');
}

/** The token type of a state this handler issued to `user-42` for `REDIRECT_URI`; `undefined` for any other string. */
function issuedTokenType(state: string): 'account' | 'user' | undefined {
  if (state === STATES.account) return 'account';
  if (state === STATES.user) return 'user';
  return undefined;
}

type VaultreExpected = Expected & { exchanged?: { code: string; token_type: string }; authorized?: string };

function expectedVaultre(request: Request, spec: RequestSpec, withList: boolean): VaultreExpected {
  const method = request.method.toUpperCase();
  const preflight = preflightRule(request, withList ? [APP_ORIGIN] : undefined);
  if (preflight) return preflight;
  if (!['GET', 'POST', 'DELETE'].includes(method)) return { status: 405, error: 'invalid_request' };
  if (!originAllowed(request, withList ? [APP_ORIGIN] : undefined)) return { status: 403, error: 'origin_not_allowed' };
  if (method !== 'POST') return consumerRule(spec) ?? { status: method === 'DELETE' ? 204 : 200 };
  const read = readBodyRules(request, spec, false);
  if ('status' in read) return read;
  const body = read.body;
  if (isPlainObject(body) && 'action' in body) {
    if (!isAuthorizeBody(body)) return { status: 400, error: 'invalid_request' };
    return consumerRule(spec) ?? { status: 200, authorized: body.token_type as string };
  }
  if (!isExchangeBody(body)) return { status: 400, error: 'invalid_request' };
  const refused = consumerRule(spec);
  if (refused) return refused;
  const issued = issuedTokenType(body.state);
  const matches =
    issued !== undefined && (body.token_type === undefined || body.token_type === issued) && (body.redirect_uri === undefined || body.redirect_uri === REDIRECT_URI);
  if (!matches) return { status: 400, error: 'state_mismatch' };
  return { status: 200, exchanged: { code: body.code, token_type: issued } };
}

// ---------------------------------------------------------------------------------------------------------------------
// Answers

interface Answer {
  status: number;
  text: string;
  json: unknown;
  headers: Headers;
}

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    assert.fail(`not JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status, text, json, headers: response.headers };
}

/** What every answer shares: JSON (or an empty 204), no-store, no cookie, no secret; refusals are `{error, message}`. */
function assertWellFormed(answer: Answer, secrets: readonly string[]): void {
  assert.equal(answer.headers.get('cache-control'), 'no-store');
  assert.equal(answer.headers.get('set-cookie'), null);
  if (answer.status !== 204) assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
  if (answer.status >= 400) {
    assert.ok(isPlainObject(answer.json), 'an error body is an object');
    assert.equal(typeof answer.json.error, 'string');
    assert.equal(typeof answer.json.message, 'string');
  }
  let headerText = '';
  answer.headers.forEach((value, name) => (headerText += `${name}: ${value}\n`));
  for (const secret of secrets) {
    assert.ok(!answer.text.includes(secret), 'no secret in the body');
    assert.ok(!headerText.includes(secret), 'no secret in a header');
  }
}

function assertExpected(answer: Answer, expected: Expected): void {
  assert.equal(answer.status, expected.status, `status (expected ${expected.error ?? 'success'}, got ${answer.text.slice(0, 200)})`);
  if (expected.error) assert.equal((answer.json as { error?: unknown }).error, expected.error);
  if (expected.status === 405) assert.ok(answer.headers.get('allow'), 'a 405 says what is allowed');
}

// ---------------------------------------------------------------------------------------------------------------------
// Upstream replies

type Upstream = { kind: 'reply'; status: number; body: string | null } | { kind: 'throw'; error: 'network' | 'timeout' | 'abort' };

function upstreamResponse(reply: Extract<Upstream, { kind: 'reply' }>): Response {
  return new Response([204, 205, 304].includes(reply.status) ? null : reply.body, { status: reply.status, headers: { 'content-type': 'application/json', 'set-cookie': 'upstream=1' } });
}

function upstreamError(error: 'network' | 'timeout' | 'abort'): Error {
  if (error === 'timeout') return new DOMException('The operation timed out.', 'TimeoutError');
  if (error === 'abort') return new DOMException('The operation was aborted.', 'AbortError');
  return new TypeError('fetch failed');
}

function upstreams(body: fc.Arbitrary<string>, limit: number): fc.Arbitrary<Upstream> {
  const status = fc.oneof({ arbitrary: fc.constantFrom(200, 201), weight: 6 }, { arbitrary: fc.constantFrom(204, 400, 401, 402, 403, 404, 429, 500, 502, 503), weight: 3 }, { arbitrary: fc.integer({ min: 200, max: 599 }), weight: 1 });
  const oversized = fc.constant(`{"pad":"${'x'.repeat(limit)}"}`);
  return fc.oneof(
    {
      arbitrary: fc.record({
        kind: fc.constant('reply' as const),
        status,
        body: fc.oneof({ arbitrary: body, weight: 16 }, { arbitrary: anyBodyText, weight: 6 }, { arbitrary: oversized, weight: 1 }, { arbitrary: fc.constant(null), weight: 2 }),
      }),
      weight: 12,
    },
    { arbitrary: fc.record({ kind: fc.constant('throw' as const), error: fc.constantFrom('network' as const, 'timeout' as const, 'abort' as const) }), weight: 1 },
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// Properties

describe('fuzz: createSessionHandler', () => {
  let upstreamCalls = 0;
  const handler = createSessionHandler({
    apiKey: API_KEY,
    appId: 'app-fuzz',
    consumerId: consumerOf,
    allowedOrigins: [APP_ORIGIN],
    // Hundreds of requests by a handful of consumers: the rate limit has its own tests (rate-limits.test.ts).
    limiter: false,
    fetch: () => {
      upstreamCalls++;
      return Promise.resolve(Response.json({ status_code: 201, status: 'Created', data: { session_uri: 'https://vault.test/s', session_token: SESSION_TOKEN } }));
    },
  });

  test('request bodies and headers: the documented answer, JSON, no secret', async () => {
    const valid = fc.oneof(fc.constant({}), fc.dictionary(fc.string({ maxLength: 8 }), hostileJson, { maxKeys: 3, noNullPrototype: true }));
    await fc.assert(
      fc.asyncProperty(requestSpecs(valid), async (spec) => {
        upstreamCalls = 0;
        const request = toRequest(spec);
        const expected = expectedSession(request, spec);
        const answer = await answerOf(await handler(request));
        assertWellFormed(answer, [API_KEY]);
        assertExpected(answer, expected);
        assert.equal(upstreamCalls, expected.status === 200 ? 1 : 0, 'Apideck is called only for a valid request');
        if (expected.status === 200) assert.deepEqual(answer.json, { session_token: SESSION_TOKEN });
        await assertNoStrayErrors();
      }),
      params(),
    );
  });

  test('Apideck replies: the session token, or a 502/504 JSON error without the API key', async () => {
    const envelope = corrupt(
      fc.record({
        status_code: fc.constant(201),
        status: fc.constant('Created'),
        data: corrupt(fc.record({ session_uri: fc.constant('https://vault.test/s'), session_token: fc.oneof(fc.constant(SESSION_TOKEN), fc.constant(''), hostileString({ huge: false })) }), hostileJson),
        message: fc.oneof(hostileString(), fc.constant(`Invalid API key ${API_KEY}`), hostileString({ huge: false }).map((s) => `${s}${API_KEY}${s}`)),
      }),
      hostileJson,
    );
    await fc.assert(
      fc.asyncProperty(upstreams(envelope.map((value) => JSON.stringify(value) ?? 'null'), UPSTREAM_LIMIT.session), async (reply) => {
        const upstreamHandler = createSessionHandler({
          apiKey: API_KEY,
          appId: 'app-fuzz',
          consumerId: () => 'user-42',
          fetch: () => (reply.kind === 'throw' ? Promise.reject(upstreamError(reply.error)) : Promise.resolve(upstreamResponse(reply))),
        });
        const answer = await answerOf(await upstreamHandler(new Request(ENDPOINT, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })));
        assertWellFormed(answer, [API_KEY]);
        if (reply.kind === 'throw') {
          assertExpected(answer, { status: reply.error === 'timeout' ? 504 : 502, error: 'upstream_unreachable' });
          return;
        }
        const bytes = reply.body === null || [204, 205, 304].includes(reply.status) ? '' : reply.body;
        let json: unknown;
        try {
          json = encoder.encode(bytes).byteLength > UPSTREAM_LIMIT.session ? undefined : JSON.parse(bytes);
        } catch {
          json = undefined;
        }
        if (reply.status < 200 || reply.status > 299) {
          const error = reply.status === 401 || reply.status === 403 ? 'upstream_unauthorized' : reply.status === 402 ? 'upstream_payment_required' : 'upstream_error';
          assertExpected(answer, { status: 502, error });
          assert.equal((answer.json as { upstream_status?: unknown }).upstream_status, reply.status);
          const message = (answer.json as { message: string }).message;
          assert.ok(message.length <= 400, 'the upstream message is cut short');
          // eslint-disable-next-line no-control-regex
          assert.ok(!/[\u0000-\u001f\u007f]/.test(message), 'no control characters');
          return;
        }
        const data = isPlainObject(json) ? json.data : undefined;
        const valid =
          isPlainObject(json) &&
          (json.status_code === undefined || typeof json.status_code === 'number') &&
          (json.status === undefined || typeof json.status === 'string') &&
          isPlainObject(data) &&
          (data.session_uri === undefined || typeof data.session_uri === 'string') &&
          typeof data.session_token === 'string' &&
          data.session_token.length > 0;
        if (valid) {
          assertExpected(answer, { status: 200 });
          assert.deepEqual(answer.json, { session_token: data.session_token });
        } else {
          assertExpected(answer, { status: 502, error: 'upstream_invalid_response' });
        }
        await assertNoStrayErrors();
      }),
      params(),
    );
  });
});

describe('fuzz: createVaultreHandler', () => {
  const upstream: { calls: string[] } = { calls: [] };
  const stores = { listed: memoryStore(), open: memoryStore() };
  const exchangeFetch = (_url: RequestInfo | URL, init?: RequestInit) => {
    upstream.calls.push(typeof init?.body === 'string' ? init.body : '');
    return Promise.resolve(Response.json({ token: VAULTRE_TOKEN, message: 'Token generated successfully' }));
  };
  const common = { clientId: 'client-fuzz', secret: SECRET, redirectUri: REDIRECT_URI, consumerId: consumerOf, fetch: exchangeFetch };
  const handlers = {
    // With the origin allow-list and without. Hundreds of requests by a handful of consumers: the rate limit has its
    // own tests (rate-limits.test.ts).
    listed: createVaultreHandler({ ...common, store: stores.listed, allowedOrigins: [APP_ORIGIN], limiter: false }),
    open: createVaultreHandler({ ...common, store: stores.open, limiter: false }),
  };

  const exchangeBody = fc.record(
    {
      code: fc.oneof(fc.stringMatching(/^[0-9a-f]{40}$/), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 60 }).filter((s) => /^[\x21-\x7e]+$/.test(s))),
      state: fc.oneof(
        { arbitrary: fc.constantFrom(STATES.account, STATES.user), weight: 4 },
        { arbitrary: fc.constantFrom(STATES.otherConsumer, STATES.otherRedirect, `${STATES.account}x`, STATES.user.replace(/.$/, 'A')), weight: 1 },
        { arbitrary: fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), unicodeString.filter((value) => value.length > 0)), weight: 1 },
      ),
      token_type: fc.constantFrom('account', 'user'),
      redirect_uri: fc.oneof(
        { arbitrary: fc.constant(REDIRECT_URI), weight: 3 },
        // Other http(s) URLs (fc.webUrl would build a large lookup table on first use; this is enough here).
        {
          arbitrary: fc
            .tuple(fc.constantFrom('https://', 'http://', 'HTTPS://'), fc.constantFrom('app.test', 'evil.test', 'localhost:8080', '[::1]', 'xn--n3h.test'), fc.string({ maxLength: 20 }))
            .map(([scheme, host, path]) => `${scheme}${host}/${encodeURIComponent(path)}`),
          weight: 1,
        },
      ),
    },
    { requiredKeys: ['code', 'state'] },
  );
  const authorizeBody = fc.record({ action: fc.constant('authorize'), token_type: fc.constantFrom('account', 'user') });
  const validBody = fc.oneof({ arbitrary: exchangeBody, weight: 4 }, { arbitrary: authorizeBody, weight: 1 });
  const nearBody = corrupt(validBody, fc.oneof(hostileJson, fc.constantFrom('', 'x'.repeat(513), 'x'.repeat(2049), 'javascript:alert(1)', 'ftp://app.test/x', 'code with spaces', 'USER', 'exchange')));

  test('request bodies and headers: the documented answer, JSON, no code or token', async () => {
    await fc.assert(
      fc.asyncProperty(requestSpecs(nearBody), fc.constantFrom('listed' as const, 'open' as const), async (spec, which) => {
        upstream.calls = [];
        const request = toRequest(spec);
        const expected = expectedVaultre(request, spec, which === 'listed');
        const answer = await answerOf(await handlers[which](request));
        const body = spec.body.kind === 'text' ? spec.body.text : '';
        let code: unknown;
        try {
          code = (JSON.parse(body) as { code?: unknown } | null)?.code;
        } catch {
          code = undefined;
        }
        // The code is a secret once it is a real one; a short one may occur in any sentence.
        const secrets = [VAULTRE_TOKEN, ...(typeof code === 'string' && code.length >= 16 ? [code] : [])];
        assertWellFormed(answer, secrets);
        assertExpected(answer, expected);
        assert.equal(upstream.calls.length, expected.exchanged ? 1 : 0, 'VaultRE is called only for a valid exchange');
        if (expected.exchanged) {
          assert.equal(upstream.calls[0], new URLSearchParams({ client_id: 'client-fuzz', code: expected.exchanged.code }).toString());
          assert.deepEqual(Object.keys(answer.json as object).sort(), ['connected', 'connected_at', 'token_type']);
          assert.equal((answer.json as { token_type: string }).token_type, expected.exchanged.token_type);
          assert.equal((await stores[which].get('user-42'))?.token, VAULTRE_TOKEN, 'the token is stored');
        }
        if (expected.authorized) {
          const url = new URL((answer.json as { authorize_url: string }).authorize_url);
          assert.equal(url.pathname, `/cgi-bin/clientvault/oauth-authorize${expected.authorized === 'user' ? '-user' : ''}.cgi`);
          assert.equal(url.searchParams.get('redirect_uri'), REDIRECT_URI);
        }
        if (expected.status === 200 && request.method.toUpperCase() === 'GET') assert.equal(typeof (answer.json as { connected?: unknown }).connected, 'boolean');
        await assertNoStrayErrors();
      }),
      params(),
    );
  });

  test('VaultRE exchange replies: connected, or code_expired / exchange_failed / 504 without the code or token', async () => {
    const code = 'f00dfeedc0de0123456789abcdef0123456789ab';
    const message = fc.oneof(
      hostileString(),
      fc.constantFrom('Invalid or expired code', 'Authorization code already used', 'Invalid client_id', 'invalid_grant', `Code ${code} has expired`, `token ${VAULTRE_TOKEN}`),
      hostileString({ huge: false }).map((s) => `${s} ${code} ${s}`),
    );
    const reply = corrupt(
      fc.record({
        token: fc.oneof(fc.constant(VAULTRE_TOKEN), fc.constant(''), hostileString({ huge: false }).filter((s) => s.length >= 8)),
        message,
        error: fc.oneof(fc.constantFrom('invalid_grant', 'invalid_client', 'server_error'), hostileString({ huge: false })),
        error_description: message,
      }, { requiredKeys: [] }),
      hostileJson,
    );
    await fc.assert(
      fc.asyncProperty(upstreams(reply.map((value) => JSON.stringify(value) ?? 'null'), UPSTREAM_LIMIT.vaultre), async (up) => {
        const store = memoryStore();
        const handler = createVaultreHandler({
          clientId: 'client-fuzz',
          secret: SECRET,
          redirectUri: REDIRECT_URI,
          consumerId: () => 'user-42',
          store,
          fetch: () => (up.kind === 'throw' ? Promise.reject(upstreamError(up.error)) : Promise.resolve(upstreamResponse(up))),
        });
        const request = new Request(ENDPOINT, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: APP_ORIGIN },
          body: JSON.stringify({ code, state: STATES.user, token_type: 'user', redirect_uri: REDIRECT_URI }),
        });
        const answer = await answerOf(await handler(request));
        let json: unknown;
        const text = up.kind === 'reply' && up.body !== null && ![204, 205, 304].includes(up.status) ? up.body : '';
        try {
          json = text === '' || encoder.encode(text).byteLength > UPSTREAM_LIMIT.vaultre ? undefined : JSON.parse(text);
        } catch {
          json = undefined;
        }
        const token = isPlainObject(json) && typeof json.token === 'string' ? json.token : undefined;
        // The secrets the handler knows of: the code, and the reply's own token (a token-like string elsewhere in a
        // failed reply is just text to it).
        assertWellFormed(answer, [code, ...(token && token.length >= 8 ? [token] : [])]);
        if (up.kind === 'throw') {
          assertExpected(answer, { status: 504, error: 'exchange_failed' });
          return;
        }
        const ok = up.status >= 200 && up.status <= 299 && isPlainObject(json) && typeof token === 'string' && token.length > 0 && (json.message === undefined || typeof json.message === 'string');
        if (ok) {
          assertExpected(answer, { status: 200 });
          assert.equal((await store.get('user-42'))?.token, token, 'the token is stored');
        } else {
          const fields = isPlainObject(json) ? json : {};
          const texts = [fields.message, fields.error_description, fields.error].filter((v): v is string => typeof v === 'string');
          const rejected = isCodeRejection(texts, typeof fields.error === 'string' ? fields.error : undefined);
          assertExpected(answer, rejected ? { status: 400, error: 'code_expired' } : { status: 502, error: 'exchange_failed' });
          assert.equal(await store.get('user-42'), undefined, 'nothing stored');
          const said = (answer.json as { message: string }).message;
          // eslint-disable-next-line no-control-regex
          assert.ok(!/[<>\u0000-\u001f\u007f]/.test(said), 'no markup or control characters quoted');
        }
        await assertNoStrayErrors();
      }),
      params(),
    );
  });
});
