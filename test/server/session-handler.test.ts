import { after, before, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSessionHandler, toNodeHandler } from '../../src/server/index.ts';
import type { SessionHandlerOptions } from '../../src/server/index.ts';

const API_KEY = 'sk_live_TOP_SECRET_api_key_0123456789';
const APP_ID = 'app-id-123';
const CONSUMER = 'user-42';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.session.token';
const ENDPOINT = 'https://host.example/api/vault/session';

interface UpstreamCall {
  url: string;
  method: string | undefined;
  headers: Headers;
  body: unknown;
  signal: AbortSignal | null | undefined;
  redirect: RequestRedirect | undefined;
}

type Responder = (call: UpstreamCall) => Response | Promise<Response>;

/** A `fetch` stub that records every upstream request and answers with `responder`. */
function stubFetch(responder: Responder = () => okReply()) {
  const calls: UpstreamCall[] = [];
  const fetchStub = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const raw = init.body;
    const call: UpstreamCall = {
      url: input instanceof Request ? input.url : String(input),
      method: init.method,
      headers: new Headers(init.headers),
      body: typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw,
      signal: init.signal,
      redirect: init.redirect,
    };
    calls.push(call);
    return responder(call);
  }) as typeof fetch;
  return { fetch: fetchStub, calls };
}

/** Apideck's `CreateSessionResponse`, as the spec describes it. */
function okReply(token = TOKEN): Response {
  return Response.json(
    {
      status_code: 200,
      status: 'OK',
      data: { session_uri: `https://vault.apideck.com/session/${token}`, session_token: token },
    },
    { headers: { 'x-upstream-secret': 'leak-me-not', 'set-cookie': 'upstream=1' } },
  );
}

function makeHandler(overrides: Partial<SessionHandlerOptions> = {}, responder?: Responder) {
  const stub = stubFetch(responder);
  const handler = createSessionHandler({
    apiKey: API_KEY,
    appId: APP_ID,
    consumerId: () => CONSUMER,
    fetch: stub.fetch,
    ...overrides,
  });
  return { handler, calls: stub.calls };
}

function post(body: BodyInit | null = '{}', headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return new Request(ENDPOINT, { method: 'POST', headers, body });
}

/** Every response the tests saw, flattened to text, for the final "API key never leaks" check. */
const seen: string[] = [];

async function run(handler: (request: Request) => Promise<Response>, request: Request) {
  const response = await handler(request);
  const text = await response.text();
  const headerLines: string[] = [];
  response.headers.forEach((value, name) => headerLines.push(`${name}: ${value}`));
  seen.push(`${response.status} ${response.statusText}\n${headerLines.join('\n')}\n\n${text}`);
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    body = text;
  }
  return { response, body: body as Record<string, unknown>, text };
}

function assertJsonError(
  result: { response: Response; body: Record<string, unknown> },
  status: number,
  error: string,
): void {
  assert.equal(result.response.status, status);
  assert.equal(result.body.error, error);
  assert.equal(typeof result.body.message, 'string');
  assert.ok((result.body.message as string).length > 0);
  assert.equal(result.response.headers.get('cache-control'), 'no-store');
  assert.match(result.response.headers.get('content-type') ?? '', /^application\/json; charset=utf-8$/);
}

const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table'] as const;
const consoleMocks: { mock: { callCount(): number } }[] = [];
before(() => {
  for (const name of consoleMethods) consoleMocks.push(mock.method(console, name, () => undefined));
});

describe('options validation', () => {
  const valid = (): Record<string, unknown> => ({ apiKey: API_KEY, appId: APP_ID, consumerId: () => CONSUMER });

  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['missing apiKey', { apiKey: undefined }, /"apiKey"/],
    ['empty apiKey', { apiKey: '   ' }, /"apiKey"/],
    ['non-string apiKey', { apiKey: 12345 }, /"apiKey"/],
    ['missing appId', { appId: undefined }, /"appId"/],
    ['consumerId not a function', { consumerId: 'user-1' }, /"consumerId"/],
    ['relative redirectUri', { redirectUri: '/done' }, /"redirectUri"/],
    ['javascript: redirectUri', { redirectUri: 'javascript:alert(1)' }, /"redirectUri"/],
    ['unknown option', { redirectURI: 'https://app.example/done' }, /unknown option "redirectURI"/],
    ['unknown setting', { settings: { autoRedirect: true } }, /unknown option "settings\.autoRedirect"/],
    ['wrong setting type', { settings: { auto_redirect: 'yes' } }, /"settings\.auto_redirect"/],
    ['bad allow_actions', { settings: { allow_actions: ['explode'] } }, /"settings\.allow_actions\.0"/],
    ['theme not an object', { theme: 'dark' }, /"theme"/],
    ['consumerMetadata wrong type', { consumerMetadata: { email: 1 } }, /"consumerMetadata\.email"/],
    ['http unifyBaseUrl on a public host', { unifyBaseUrl: 'http://unify.apideck.com' }, /"unifyBaseUrl"/],
    ['unifyBaseUrl not a URL', { unifyBaseUrl: 'unify.apideck.com' }, /"unifyBaseUrl"/],
    ['allowedOrigins with a path', { allowedOrigins: ['https://app.example/path'] }, /"allowedOrigins\.0"/],
    ['allowedOrigins not an array', { allowedOrigins: 'https://app.example' }, /"allowedOrigins"/],
    ['timeoutMs not positive', { timeoutMs: 0 }, /"timeoutMs"/],
    ['fetch not a function', { fetch: 'fetch' }, /"fetch"/],
  ];
  for (const [name, patch, pattern] of cases) {
    test(`rejects ${name}`, () => {
      assert.throws(
        () => createSessionHandler({ ...valid(), ...patch } as unknown as SessionHandlerOptions),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.match(error.message, /^createSessionHandler: /);
          assert.match(error.message, pattern);
          assert.ok(!error.message.includes(API_KEY), 'the API key must not appear in the error');
          assert.ok(!error.message.includes(API_KEY.slice(0, 12)), 'no part of the API key may appear in the error');
          return true;
        },
      );
    });
  }

  test('rejects non-object options', () => {
    assert.throws(() => createSessionHandler(null as unknown as SessionHandlerOptions), /createSessionHandler/);
  });

  test('accepts a complete, valid set of options', () => {
    assert.doesNotThrow(() =>
      createSessionHandler({
        apiKey: API_KEY,
        appId: APP_ID,
        consumerId: () => Promise.resolve(CONSUMER),
        redirectUri: 'https://app.example/integrations',
        settings: { unified_apis: ['crm'], allow_actions: ['delete', 'disconnect'], session_length: '30m' },
        theme: { vault_name: 'Acme', primary_color: '#286efa' },
        consumerMetadata: { account_name: 'Acme', email: 'a@acme.test' },
        unifyBaseUrl: 'http://127.0.0.1:4010',
        allowedOrigins: ['https://app.example', 'http://localhost:5173/'],
        timeoutMs: 5000,
        fetch: stubFetch().fetch,
      }),
    );
  });
});

describe('request method', () => {
  for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
    test(`${method} → 405 with Allow: POST`, async () => {
      const { handler, calls } = makeHandler();
      const response = await handler(new Request(ENDPOINT, { method }));
      assert.equal(response.status, 405);
      assert.equal(response.headers.get('allow'), 'POST');
      assert.equal(response.headers.get('cache-control'), 'no-store');
      if (method !== 'HEAD') {
        const body = (await response.json()) as Record<string, unknown>;
        assert.equal(body.error, 'invalid_request');
      }
      assert.equal(calls.length, 0);
    });
  }
});

describe('request body', () => {
  test('accepts {}', async () => {
    const { handler, calls } = makeHandler();
    const result = await run(handler, post('{}'));
    assert.equal(result.response.status, 200);
    assert.equal(calls.length, 1);
  });

  test('accepts an empty body with content-type application/json', async () => {
    const { handler } = makeHandler();
    assert.equal((await run(handler, post(null))).response.status, 200);
    assert.equal((await run(handler, post(''))).response.status, 200);
  });

  test('accepts a charset parameter and ignores fields of the object', async () => {
    const { handler, calls } = makeHandler();
    const result = await run(handler, post('{"consumer_id":"someone-else"}', { 'content-type': 'Application/JSON; charset=utf-8' }));
    assert.equal(result.response.status, 200);
    assert.equal(calls[0]?.headers.get('x-apideck-consumer-id'), CONSUMER);
  });

  test('wrong or missing content type → 415', async () => {
    const { handler, calls } = makeHandler();
    assertJsonError(await run(handler, post('{}', { 'content-type': 'text/plain' })), 415, 'invalid_request');
    assertJsonError(await run(handler, post('{}', { 'content-type': 'application/x-www-form-urlencoded' })), 415, 'invalid_request');
    assertJsonError(await run(handler, new Request(ENDPOINT, { method: 'POST', body: null })), 415, 'invalid_request');
    assert.equal(calls.length, 0);
  });

  test('non-JSON → 400', async () => {
    const { handler, calls } = makeHandler();
    assertJsonError(await run(handler, post('{not json')), 400, 'invalid_request');
    assertJsonError(await run(handler, post(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))), 400, 'invalid_request');
    assert.equal(calls.length, 0);
  });

  for (const body of ['[]', '[{}]', '"text"', '42', 'null', 'true']) {
    test(`a JSON ${body} instead of an object → 400`, async () => {
      const { handler, calls } = makeHandler();
      assertJsonError(await run(handler, post(body)), 400, 'invalid_request');
      assert.equal(calls.length, 0);
    });
  }

  test('a body of exactly 16 KiB is accepted', async () => {
    const { handler } = makeHandler();
    const padding = 'x'.repeat(16 * 1024 - '{"p":""}'.length);
    const body = `{"p":"${padding}"}`;
    assert.equal(new TextEncoder().encode(body).byteLength, 16 * 1024);
    assert.equal((await run(handler, post(body))).response.status, 200);
  });

  test('over 16 KiB → 413 (declared content-length)', async () => {
    const { handler, calls } = makeHandler();
    const body = `{"p":"${'x'.repeat(16 * 1024)}"}`;
    const request = new Request(ENDPOINT, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
      body,
    });
    assertJsonError(await run(handler, request), 413, 'invalid_request');
    assert.equal(calls.length, 0);
  });

  test('over 16 KiB → 413 while streaming, without reading the rest', async () => {
    const { handler, calls } = makeHandler();
    let pulled = 0;
    const chunk = new Uint8Array(4096).fill(0x20);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        if (pulled > 1000) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const request = new Request(ENDPOINT, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    assertJsonError(await run(handler, request), 413, 'invalid_request');
    assert.ok(pulled < 20, `read ${pulled} chunks of a 4 MB body`);
    assert.equal(calls.length, 0);
  });
});

describe('consumerId', () => {
  const failures: [string, SessionHandlerOptions['consumerId']][] = [
    ['throws', () => {
      throw new Error(`no session (${API_KEY})`);
    }],
    ['rejects', () => Promise.reject(new Error('no session'))],
    ['returns an empty string', () => ''],
    ['returns undefined', () => undefined as unknown as string],
    ['returns a number', () => 42 as unknown as string],
  ];
  for (const [name, consumerId] of failures) {
    test(`${name} → 401`, async () => {
      const { handler, calls } = makeHandler({ consumerId });
      const result = await run(handler, post());
      assertJsonError(result, 401, 'invalid_consumer');
      assert.ok(!result.text.includes('no session'), 'the thrown error is not echoed');
      assert.equal(calls.length, 0);
    });
  }

  test('receives the request', async () => {
    let received: Request | undefined;
    const { handler } = makeHandler({
      consumerId: (request) => {
        received = request;
        return request.headers.get('x-user') ?? '';
      },
    });
    const request = post('{}', { 'content-type': 'application/json', 'x-user': 'from-header' });
    const result = await run(handler, request);
    assert.equal(result.response.status, 200);
    assert.equal(received, request);
  });

  test('an ID that cannot be one header value → 400 invalid_consumer, nothing sent upstream', async () => {
    for (const id of ['user\r\nx-evil: 1', '  ', `${CONSUMER} `]) {
      const { handler, calls } = makeHandler({ consumerId: () => id });
      assertJsonError(await run(handler, post()), 400, 'invalid_consumer');
      assert.equal(calls.length, 0);
    }
  });
});

describe('upstream request', () => {
  test('POST {unifyBaseUrl}/vault/sessions with the Apideck headers', async () => {
    const { handler, calls } = makeHandler();
    await run(handler, post());
    assert.equal(calls.length, 1);
    const [call] = calls;
    assert.ok(call);
    assert.equal(call.url, 'https://unify.apideck.com/vault/sessions');
    assert.equal(call.method, 'POST');
    assert.equal(call.headers.get('authorization'), `Bearer ${API_KEY}`);
    assert.equal(call.headers.get('x-apideck-app-id'), APP_ID);
    assert.equal(call.headers.get('x-apideck-consumer-id'), CONSUMER);
    assert.equal(call.headers.get('content-type'), 'application/json');
    assert.equal(call.redirect, 'manual');
    assert.ok(call.signal instanceof AbortSignal);
    assert.equal(call.signal.aborted, false);
    assert.deepEqual(call.body, { settings: { session_length: '30m' } });
  });

  test('settings.session_length defaults to 30m (the JWT in Hosted Vault’s URL expires sooner); the host’s own value wins', async () => {
    const { handler, calls } = makeHandler();
    await run(handler, post());
    assert.equal((calls[0]?.body as { settings: { session_length: string } }).settings.session_length, '30m');
    for (const session_length of ['10m', '1h', '2d']) {
      const own = makeHandler({ settings: { session_length, show_logs: false } });
      await run(own.handler, post());
      assert.deepEqual(own.calls[0]?.body, { settings: { session_length, show_logs: false } });
    }
  });

  test('a custom unifyBaseUrl (trailing slash, path prefix) is honoured', async () => {
    const { handler, calls } = makeHandler({ unifyBaseUrl: 'http://localhost:4010/apideck/' });
    await run(handler, post());
    assert.equal(calls[0]?.url, 'http://localhost:4010/apideck/vault/sessions');
  });

  test('redirectUri sets auto_redirect and isolation_mode by default; the other fields map to snake_case', async () => {
    const { handler, calls } = makeHandler({
      redirectUri: 'https://app.example/integrations?tab=vault',
      settings: { unified_apis: ['crm', 'accounting'], show_logs: false },
      theme: { vault_name: 'Acme', primary_color: '#123456' },
      consumerMetadata: { account_name: 'Acme Inc', user_name: 'Ada', email: 'ada@acme.test' },
    });
    await run(handler, post());
    assert.deepEqual(calls[0]?.body, {
      redirect_uri: 'https://app.example/integrations?tab=vault',
      settings: { unified_apis: ['crm', 'accounting'], show_logs: false, session_length: '30m', auto_redirect: true, isolation_mode: true },
      theme: { vault_name: 'Acme', primary_color: '#123456' },
      consumer_metadata: { account_name: 'Acme Inc', user_name: 'Ada', email: 'ada@acme.test' },
    });
  });

  test('explicit settings win over the redirectUri defaults', async () => {
    const { handler, calls } = makeHandler({
      redirectUri: 'https://app.example/done',
      settings: { auto_redirect: false },
    });
    await run(handler, post());
    assert.deepEqual(calls[0]?.body, {
      redirect_uri: 'https://app.example/done',
      settings: { auto_redirect: false, isolation_mode: true, session_length: '30m' },
    });
    const second = makeHandler({
      redirectUri: 'https://app.example/done',
      settings: { auto_redirect: false, isolation_mode: false, session_length: '30m' },
    });
    await run(second.handler, post());
    assert.deepEqual(second.calls[0]?.body, {
      redirect_uri: 'https://app.example/done',
      settings: { auto_redirect: false, isolation_mode: false, session_length: '30m' },
    });
  });

  test('without redirectUri no redirect defaults are added and undefined fields are omitted', async () => {
    const { handler, calls } = makeHandler({ settings: { sandbox_mode: true, show_sidebar: undefined }, theme: undefined });
    await run(handler, post());
    assert.deepEqual(calls[0]?.body, { settings: { sandbox_mode: true, session_length: '30m' } });
  });
});

describe('success', () => {
  test('answers 200 with only session_token (from the spec envelope)', async () => {
    const { handler } = makeHandler();
    const result = await run(handler, post());
    assert.equal(result.response.status, 200);
    assert.deepEqual(result.body, { session_token: TOKEN });
    assert.equal(result.response.headers.get('cache-control'), 'no-store');
    assert.match(result.response.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(result.response.headers.get('x-upstream-secret'), null);
    assert.equal(result.response.headers.get('set-cookie'), null);
  });

  test('accepts Apideck envelopes with extra or missing bookkeeping fields', async () => {
    const replies = [
      { status_code: 200, status: 'OK', data: { session_uri: 'https://vault.apideck.com/session/x', session_token: TOKEN }, _raw: null },
      { status_code: 200, status: 'OK', data: { session_uri: 'u', session_token: TOKEN, extra: 1 }, _raw: { upstream: 'x' } },
      { data: { session_token: TOKEN } },
    ];
    for (const reply of replies) {
      const { handler } = makeHandler({}, () => Response.json(reply));
      const result = await run(handler, post());
      assert.equal(result.response.status, 200);
      assert.deepEqual(result.body, { session_token: TOKEN });
    }
  });
});

describe('upstream failures', () => {
  const envelope = (status: number, message: unknown) =>
    Response.json(
      { status_code: status, error: 'Error', type_name: 'SomeError', message, detail: { secret: 'detail' }, ref: 'https://x' },
      { status, headers: { 'x-upstream-secret': 'leak-me-not' } },
    );

  for (const status of [401, 403]) {
    test(`${status} → 502 upstream_unauthorized`, async () => {
      const { handler } = makeHandler({}, () => envelope(status, 'Unauthorized Request'));
      const result = await run(handler, post());
      assertJsonError(result, 502, 'upstream_unauthorized');
      assert.match(result.body.message as string, /^Apideck rejected the API key or app ID/);
      assert.equal(result.response.headers.get('x-upstream-secret'), null);
    });
  }

  test('402 → 502 upstream_payment_required', async () => {
    const { handler } = makeHandler({}, () => envelope(402, 'Payment Required'));
    assertJsonError(await run(handler, post()), 502, 'upstream_payment_required');
  });

  for (const status of [400, 404, 422, 429, 500, 503]) {
    test(`${status} → 502 upstream_error with the upstream message`, async () => {
      const { handler } = makeHandler({}, () => envelope(status, `Upstream says ${status}`));
      const result = await run(handler, post());
      assertJsonError(result, 502, 'upstream_error');
      assert.match(result.body.message as string, new RegExp(`Upstream says ${status}`));
      assert.equal(result.body.upstream_status, status);
      assert.ok(!result.text.includes('detail'), 'upstream detail is not passed on');
    });
  }

  test('a long upstream message is cut to 300 characters', async () => {
    const long = 'y'.repeat(5000);
    const { handler } = makeHandler({}, () => envelope(400, long));
    const result = await run(handler, post());
    assertJsonError(result, 502, 'upstream_error');
    const passedOn = (result.body.message as string).match(/y+…?$/)?.[0] ?? '';
    assert.ok(passedOn.length <= 300, `passed on ${passedOn.length} characters`);
    assert.ok(passedOn.length >= 250);
  });

  test('an upstream message that quotes the API key is redacted', async () => {
    const { handler } = makeHandler({}, () => envelope(400, `Invalid key ${API_KEY} for app`));
    const result = await run(handler, post());
    assertJsonError(result, 502, 'upstream_error');
    assert.ok(!result.text.includes(API_KEY));
    assert.match(result.body.message as string, /\[redacted\]/);
  });

  test('a non-string or missing upstream message gives a generic upstream_error', async () => {
    for (const responder of [
      () => envelope(500, { nested: true }),
      () => new Response('<html>Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }),
      () => new Response(null, { status: 500 }),
    ]) {
      const { handler } = makeHandler({}, responder);
      const result = await run(handler, post());
      assertJsonError(result, 502, 'upstream_error');
      assert.ok(!result.text.includes('Bad Gateway</html>'));
    }
  });

  test('a redirect is not followed and is an upstream_error', async () => {
    const { handler } = makeHandler({}, () => new Response(null, { status: 302, headers: { location: 'https://evil.example' } }));
    const result = await run(handler, post());
    assertJsonError(result, 502, 'upstream_error');
    assert.ok(!result.text.includes('evil.example'));
  });

  test('a network failure → 502 upstream_unreachable', async () => {
    const { handler } = makeHandler({}, () => {
      throw new TypeError('fetch failed', { cause: new Error(`connect ECONNREFUSED (${API_KEY})`) });
    });
    const result = await run(handler, post());
    assertJsonError(result, 502, 'upstream_unreachable');
    assert.ok(!result.text.includes('ECONNREFUSED'));
  });

  /** `AbortSignal.timeout` timers do not keep Node's event loop alive (a real server does); hold it open meanwhile. */
  async function keepAlive<T>(work: Promise<T>): Promise<T> {
    const timer = setInterval(() => undefined, 1000);
    try {
      return await work;
    } finally {
      clearInterval(timer);
    }
  }

  test('a timeout aborts the upstream request → 504 upstream_unreachable', async () => {
    let aborted = false;
    const { handler } = makeHandler({ timeoutMs: 50 }, (call) =>
      new Promise<Response>((_resolve, reject) => {
        call.signal?.addEventListener('abort', () => {
          aborted = true;
          reject(call.signal?.reason as Error);
        });
      }),
    );
    const started = Date.now();
    const result = await keepAlive(run(handler, post()));
    assertJsonError(result, 504, 'upstream_unreachable');
    assert.ok(aborted, 'the upstream signal was aborted');
    assert.ok(Date.now() - started < 5000);
  });

  test('the default timeout is 10 s (a TimeoutError from fetch) → 504', async () => {
    const { handler } = makeHandler({}, () => {
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    });
    const result = await run(handler, post());
    assertJsonError(result, 504, 'upstream_unreachable');
    assert.match(result.body.message as string, /10 seconds/);
  });

  test('a timeout while reading the reply body → 504', async () => {
    const { handler } = makeHandler({ timeoutMs: 50 }, (call) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"data":'));
          call.signal?.addEventListener('abort', () => controller.error(call.signal?.reason));
        },
      });
      return new Response(body, { status: 200 });
    });
    assertJsonError(await keepAlive(run(handler, post())), 504, 'upstream_unreachable');
  });

  const invalid: [string, () => Response][] = [
    ['not JSON', () => new Response('OK', { status: 200 })],
    ['no data', () => Response.json({ status_code: 200, status: 'OK' })],
    ['no session_token', () => Response.json({ data: { session_uri: 'x' } })],
    ['an empty session_token', () => Response.json({ data: { session_token: '' } })],
    ['a non-string session_token', () => Response.json({ data: { session_token: 123 } })],
    ['a JSON array', () => Response.json([{ session_token: TOKEN }])],
  ];
  for (const [name, responder] of invalid) {
    test(`a 200 with ${name} → 502 upstream_invalid_response`, async () => {
      const { handler } = makeHandler({}, responder);
      assertJsonError(await run(handler, post()), 502, 'upstream_invalid_response');
    });
  }
});

describe('Origin and Sec-Fetch-Site (CSRF)', () => {
  // The request URL is ENDPOINT, so the endpoint's own origin is https://host.example.
  const OWN = new URL(ENDPOINT).origin;
  const origins = { allowedOrigins: ['https://app.example', 'http://localhost:5173/'] };
  const withHeaders = (headers: Record<string, string | undefined>, url = ENDPOINT) => {
    const sent: Record<string, string> = { 'content-type': 'application/json' };
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) sent[name] = value;
    return new Request(url, { method: 'POST', headers: sent, body: '{}' });
  };
  const HOSTILE_ORIGINS = [
    'https://evil.example',
    'null',
    'https://host.example.evil.example',
    'https://evil.example/https://host.example',
    'https://HOST.example',
    'https://host.example/',
    'https://host.example:443',
    'https://host.example:8443',
    'https://user@host.example',
    'host.example',
    '<script>alert(1)</script>',
    '',
  ];

  describe('with allowedOrigins', () => {
    test('a listed origin passes whatever Sec-Fetch-Site says (list entries are normalised)', async () => {
      const { handler, calls } = makeHandler(origins);
      for (const origin of ['https://app.example', 'http://localhost:5173']) {
        for (const site of [undefined, 'same-origin', 'same-site', 'cross-site']) {
          const result = await run(handler, withHeaders({ origin, 'sec-fetch-site': site }));
          assert.equal(result.response.status, 200, `${origin} ${site}`);
        }
      }
      assert.equal(calls.length, 8);
    });

    test('another origin → 403, nothing sent upstream', async () => {
      const { handler, calls } = makeHandler(origins);
      for (const origin of ['https://app.example:8443', 'http://app.example', 'https://app.example.evil.example', ...HOSTILE_ORIGINS]) {
        for (const site of [undefined, 'same-origin', 'cross-site']) {
          assertJsonError(await run(handler, withHeaders({ origin, 'sec-fetch-site': site })), 403, 'origin_not_allowed');
        }
      }
      assert.equal(calls.length, 0);
    });

    test('the endpoint’s own origin must be listed too', async () => {
      const { handler, calls } = makeHandler(origins);
      assertJsonError(await run(handler, withHeaders({ origin: OWN, 'sec-fetch-site': 'same-origin' })), 403, 'origin_not_allowed');
      assert.equal(calls.length, 0);
    });
  });

  for (const allow of [origins, {}]) {
    const label = 'allowedOrigins' in allow ? 'with allowedOrigins' : 'without allowedOrigins';

    test(`${label}: no Origin passes when Sec-Fetch-Site is absent (server to server), same-origin or none`, async () => {
      const { handler, calls } = makeHandler(allow);
      for (const site of [undefined, 'same-origin', 'none', ' Same-Origin ']) {
        assert.equal((await run(handler, withHeaders({ 'sec-fetch-site': site }))).response.status, 200, String(site));
      }
      assert.equal(calls.length, 4);
    });

    test(`${label}: no Origin with Sec-Fetch-Site same-site, cross-site or anything else → 403, nothing sent upstream`, async () => {
      const { handler, calls } = makeHandler(allow);
      for (const site of ['same-site', 'cross-site', 'CROSS-SITE', 'same-origin, cross-site', 'bogus']) {
        const result = await run(handler, withHeaders({ 'sec-fetch-site': site }));
        assertJsonError(result, 403, 'origin_not_allowed');
        assert.match(result.body.message as string, /without an Origin header/);
      }
      assert.equal(calls.length, 0);
    });
  }

  describe('without allowedOrigins', () => {
    test('a cross-site Origin → 403, whether or not the browser sends Sec-Fetch-Site; nothing sent upstream', async () => {
      const { handler, calls } = makeHandler();
      for (const site of [undefined, 'cross-site']) {
        const result = await run(handler, withHeaders({ origin: 'https://elsewhere.example', 'sec-fetch-site': site }));
        assertJsonError(result, 403, 'origin_not_allowed');
        assert.equal(result.body.message, 'Requests from this origin are not allowed.');
      }
      assert.equal(calls.length, 0);
    });

    test('Sec-Fetch-Site same-site (a sibling subdomain) → 403, and so is any value but same-origin or none', async () => {
      const { handler, calls } = makeHandler();
      for (const [origin, site] of [
        ['https://other.host.example', 'same-site'],
        // Even with the endpoint's own Origin: the browser's word wins.
        [OWN, 'same-site'],
        [OWN, 'cross-site'],
        [OWN, 'bogus'],
        [OWN, ''],
      ] as const) {
        assertJsonError(await run(handler, withHeaders({ origin, 'sec-fetch-site': site })), 403, 'origin_not_allowed');
      }
      assert.equal(calls.length, 0);
    });

    test('a same-origin browser request passes: the browser’s Sec-Fetch-Site decides, even behind a proxy', async () => {
      const { handler, calls } = makeHandler();
      assert.equal((await run(handler, withHeaders({ origin: OWN, 'sec-fetch-site': 'same-origin' }))).response.status, 200);
      assert.equal((await run(handler, withHeaders({ origin: OWN, 'sec-fetch-site': 'SAME-ORIGIN' }))).response.status, 200);
      // A proxy hands the server another URL than the browser used: the browser still says same-origin.
      const proxied = withHeaders({ origin: 'https://app.example', 'sec-fetch-site': 'same-origin' }, 'http://10.0.0.7:3000/api/session');
      assert.equal((await run(handler, proxied)).response.status, 200);
      assert.equal(calls.length, 3);
    });

    test('without Sec-Fetch-Site, the Origin must be the request’s own (https in front of http allowed)', async () => {
      const { handler, calls } = makeHandler();
      assert.equal((await run(handler, withHeaders({ origin: OWN }))).response.status, 200);
      const local = 'http://127.0.0.1:5173';
      assert.equal((await run(handler, withHeaders({ origin: local }, `${local}/api/session`))).response.status, 200);
      // TLS ends at a proxy, which keeps the Host: the server sees http, the browser sent https.
      const tls = withHeaders({ origin: 'https://app.example' }, 'http://app.example/api/session');
      assert.equal((await run(handler, tls)).response.status, 200);
      assert.equal(calls.length, 3);
    });

    test('without Sec-Fetch-Site, any other Origin → 403, nothing sent upstream', async () => {
      const { handler, calls } = makeHandler();
      for (const origin of HOSTILE_ORIGINS) {
        assertJsonError(await run(handler, withHeaders({ origin })), 403, 'origin_not_allowed');
      }
      // Plain http in front of an https endpoint is not the same origin (a network attacker's page).
      assertJsonError(await run(handler, withHeaders({ origin: 'http://host.example' })), 403, 'origin_not_allowed');
      // Another port of the same host is another origin.
      const local = 'http://127.0.0.1:5173/api/session';
      assertJsonError(await run(handler, withHeaders({ origin: 'http://127.0.0.1:6006' }, local)), 403, 'origin_not_allowed');
      assertJsonError(await run(handler, withHeaders({ origin: 'http://localhost:5173' }, local)), 403, 'origin_not_allowed');
      assert.equal(calls.length, 0);
    });
  });

  test('the origin check comes before the body is read', async () => {
    for (const allow of [origins, {}]) {
      const { handler, calls } = makeHandler(allow);
      const result = await run(handler, post('not json', { 'content-type': 'text/plain', origin: 'https://evil.example' }));
      assertJsonError(result, 403, 'origin_not_allowed');
      assert.equal(calls.length, 0);
    }
  });
});

describe('through toNodeHandler on a real http server', () => {
  let server: http.Server;
  let url: string;
  const upstream = stubFetch();

  before(async () => {
    const handler = createSessionHandler({
      apiKey: API_KEY,
      appId: APP_ID,
      consumerId: (request) => request.headers.get('x-user') ?? '',
      fetch: upstream.fetch,
    });
    server = http.createServer(toNodeHandler(handler));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/vault/session`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });

  async function send(init: RequestInit) {
    const response = await fetch(url, init);
    const text = await response.text();
    const headerLines: string[] = [];
    response.headers.forEach((value, name) => headerLines.push(`${name}: ${value}`));
    seen.push(`${response.status} ${response.statusText}\n${headerLines.join('\n')}\n\n${text}`);
    return { response, body: JSON.parse(text) as Record<string, unknown> };
  }

  test('POST {} → 200 {session_token}', async () => {
    const before = upstream.calls.length;
    const { response, body } = await send({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user': 'node-user' },
      body: '{}',
    });
    assert.equal(response.status, 200);
    assert.equal(response.statusText, 'OK');
    assert.deepEqual(body, { session_token: TOKEN });
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(upstream.calls.length, before + 1);
    assert.equal(upstream.calls.at(-1)?.headers.get('x-apideck-consumer-id'), 'node-user');
  });

  test('a body over 16 KiB → 413', async () => {
    const before = upstream.calls.length;
    const { response, body } = await send({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user': 'node-user' },
      body: JSON.stringify({ p: 'x'.repeat(1024 * 1024) }),
    });
    assert.equal(response.status, 413);
    assert.equal(body.error, 'invalid_request');
    assert.equal(upstream.calls.length, before);
  });

  test('a streamed (chunked) body over 16 KiB → 413', async () => {
    const chunk = new TextEncoder().encode(' '.repeat(8192));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 256) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const { response, body } = await send({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user': 'node-user' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    assert.equal(response.status, 413);
    assert.equal(body.error, 'invalid_request');
  });

  /** A raw `http.request`, so that the `Host` header can be what a proxy forwards. */
  function sendRaw(headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user': 'node-user', ...headers } }, (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
      });
      request.once('error', reject);
      request.end('{}');
    });
  }

  test('the own origin is read from the Host header (no Sec-Fetch-Site): its Origin passes, another → 403', async () => {
    const before = upstream.calls.length;
    const own = new URL(url).origin;
    assert.equal(await sendRaw({ origin: own }), 200);
    // Behind a TLS-terminating proxy that keeps the Host.
    assert.equal(await sendRaw({ host: 'app.example', origin: 'https://app.example' }), 200);
    assert.equal(await sendRaw({ origin: 'https://evil.example' }), 403);
    assert.equal(await sendRaw({ host: 'evil.example', origin: own }), 403);
    assert.equal(await sendRaw({ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }), 403);
    assert.equal(upstream.calls.length, before + 2);
  });

  test('GET → 405 with Allow: POST; no user → 401', async () => {
    const get = await send({ method: 'GET' });
    assert.equal(get.response.status, 405);
    assert.equal(get.response.headers.get('allow'), 'POST');
    const anonymous = await send({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(anonymous.response.status, 401);
  });
});

test('the API key never appears in any response body or header, and nothing was logged', () => {
  assert.ok(seen.length > 50, `only ${seen.length} responses were recorded`);
  for (const text of seen) {
    assert.ok(!text.includes(API_KEY), `API key leaked in:\n${text}`);
    assert.ok(!text.includes(API_KEY.slice(4, 20)), `part of the API key leaked in:\n${text}`);
    assert.ok(!text.includes('leak-me-not'), `an upstream header leaked in:\n${text}`);
  }
  for (const consoleMock of consoleMocks) assert.equal(consoleMock.mock.callCount(), 0);
});
