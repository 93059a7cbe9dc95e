/**
 * `toNodeHandler` behind Express 5 and its body parsers (`express.json()` and friends are `body-parser`): the session
 * and VaultRE handlers work with `express.json()` in front, a body the parser read is handed on as it was read (JSON,
 * urlencoded, text, raw, `rawBody`), the handlers' own size limits still apply, and a failure is never silent: it goes
 * to `onError` (by default one `console.error` line with the error's name and message, nothing from the request).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, mock, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { createSessionHandler, createVaultreHandler, memoryStore, toNodeHandler } from '../../src/server/index.ts';
import type { FetchHandler, NodeAdapterOptions } from '../../src/server/index.ts';

const API_KEY = 'sk_live_TOP_SECRET_api_key_0123456789';
const SESSION_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.session.token';
const VAULTRE_TOKEN = 'vrTOKENtopsecret0123456789abcdef';
const CODE = 'vrCODEsecret7f3a9c21d4';
const SECRET_HEADER = 'Bearer do-not-log-me';

/** Upstream stand-ins: Apideck's `POST /vault/sessions` and VaultRE's code exchange, recording each call. */
const upstreamCalls: { url: string; body: string }[] = [];
const upstream = ((input: RequestInfo | URL, init: RequestInit = {}) => {
  const url = input instanceof Request ? input.url : String(input);
  upstreamCalls.push({ url, body: typeof init.body === 'string' ? init.body : '' });
  if (url.includes('/vault/sessions')) {
    return Promise.resolve(Response.json({ status_code: 200, status: 'OK', data: { session_uri: 'https://vault.example/s', session_token: SESSION_TOKEN } }));
  }
  return Promise.resolve(Response.json({ token: VAULTRE_TOKEN, message: 'Token generated successfully' }));
}) as typeof fetch;

/**
 * A Fetch handler that answers with what reached it: method, path, the headers a body depends on and the body text
 * (base64 too, for bytes that are not UTF-8).
 */
const echo: FetchHandler = async (request) => {
  const bytes = new Uint8Array(await request.arrayBuffer());
  return Response.json({
    method: request.method,
    path: new URL(request.url).pathname + new URL(request.url).search,
    contentType: request.headers.get('content-type'),
    contentLength: request.headers.get('content-length'),
    contentEncoding: request.headers.get('content-encoding'),
    text: new TextDecoder().decode(bytes),
    base64: Buffer.from(bytes).toString('base64'),
  });
};
type Echoed = { method: string; path: string; contentType: string | null; contentLength: string | null; contentEncoding: string | null; text: string; base64: string };

const errors: { error: unknown; url: string | undefined }[] = [];
// The hook gets the Node request: under Express, its `originalUrl` too.
const onError: NodeAdapterOptions['onError'] = (error, request) =>
  errors.push({ error, url: (request as http.IncomingMessage & { originalUrl?: string }).originalUrl });

let server: http.Server;
let origin: string;
const store = memoryStore();

before(async () => {
  const app = express();
  // Routes whose own middleware reads the stream first (no parser runs on them).
  // A platform that keeps the bytes (Google Cloud Functions' `rawBody`), after reading the stream itself.
  app.use('/raw-body', (req, _res, next) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      Object.assign(req, { rawBody: Buffer.concat(chunks), body: { replaced: 'by a parser' } });
      next();
    });
  });
  app.use('/raw-body', toNodeHandler(echo, { onError }));
  // A middleware that reads the body and keeps nothing.
  app.use('/swallowed', (req, _res, next) => {
    req.resume();
    req.on('end', () => next());
  });
  app.use('/swallowed', toNodeHandler(echo, { onError }));
  app.use('/swallowed-default', (req, _res, next) => {
    req.resume();
    req.on('end', () => next());
  });
  app.use('/swallowed-default', toNodeHandler(echo));
  // Parsers in front of everything, as an Express app usually has them.
  app.use(express.json());
  app.use(express.urlencoded({ extended: true }));
  app.use(express.text({ type: 'text/plain' }));
  app.use(express.raw({ type: 'application/octet-stream' }));

  const session = createSessionHandler({ apiKey: API_KEY, appId: 'app', consumerId: (r) => r.headers.get('x-user') ?? '', fetch: upstream });
  const vaultre = createVaultreHandler({
    clientId: 'client',
    secret: 'node-adapter-test-secret-of-32-characters',
    redirectUri: 'https://host.example/cb',
    consumerId: (r) => r.headers.get('x-user') ?? '',
    store,
    fetch: upstream,
  });
  app.post('/api/session', toNodeHandler(session, { onError }));
  app.all('/api/vaultre', toNodeHandler(vaultre, { onError }));
  app.use('/echo', toNodeHandler(echo, { onError }));
  app.use('/throws', toNodeHandler(() => Promise.reject(new RangeError('the store is down')), { onError }));
  const throwingHook = () => {
    throw new Error('hook');
  };
  app.use('/hook-throws', toNodeHandler(() => Promise.reject(new Error('boom')), { onError: throwingHook }));

  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

/** A raw request, so that headers such as `content-encoding` and `content-length` go out exactly as given. */
function send(path: string, method: string, headers: Record<string, string>, body?: Buffer | string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const request = http.request(`${origin}${path}`, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString() }));
    });
    request.once('error', reject);
    request.end(body);
  });
}

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;
const JSON_HEADERS = { 'content-type': 'application/json', 'x-user': 'express-user' };

describe('the handlers behind express.json()', () => {
  test('session: POST {} → 200 {session_token}', async () => {
    const before = upstreamCalls.length;
    const reply = await send('/api/session', 'POST', JSON_HEADERS, '{}');
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(json(reply.text), { session_token: SESSION_TOKEN });
    assert.equal(upstreamCalls.length, before + 1);
  });

  test('session: a gzip body express.json() inflated → 200', async () => {
    const reply = await send('/api/session', 'POST', { ...JSON_HEADERS, 'content-encoding': 'gzip' }, gzipSync('{ }'));
    assert.equal(reply.status, 200, reply.text);
  });

  test('session: an empty body (content-length 0), which express.json() makes {} → 200', async () => {
    const reply = await send('/api/session', 'POST', { ...JSON_HEADERS, 'content-length': '0' });
    assert.equal(reply.status, 200, reply.text);
  });

  test("session: the handler's 16 KiB limit applies to what the parser accepted (100 kB) → 413", async () => {
    const before = upstreamCalls.length;
    const reply = await send('/api/session', 'POST', JSON_HEADERS, JSON.stringify({ padding: 'x'.repeat(40_000) }));
    assert.equal(reply.status, 413);
    assert.equal(json(reply.text).error, 'invalid_request');
    assert.equal(upstreamCalls.length, before);
  });

  test('session: a body the parser leaves alone (text/html) still reaches the handler as a stream → 415', async () => {
    const reply = await send('/api/session', 'POST', { 'content-type': 'text/html', 'x-user': 'express-user' }, '<p>');
    assert.equal(reply.status, 415);
  });

  test('VaultRE: authorize, exchange, status and forget', async () => {
    const authorized = await send('/api/vaultre', 'POST', JSON_HEADERS, JSON.stringify({ action: 'authorize', token_type: 'account' }));
    assert.equal(authorized.status, 200, authorized.text);
    const state = new URL(json(authorized.text).authorize_url as string).searchParams.get('state');
    const exchanged = await send(
      '/api/vaultre',
      'POST',
      JSON_HEADERS,
      JSON.stringify({ code: CODE, state, token_type: 'account', redirect_uri: 'https://host.example/cb' }),
    );
    assert.equal(exchanged.status, 200, exchanged.text);
    assert.equal(json(exchanged.text).connected, true);
    assert.equal(upstreamCalls.at(-1)?.body, `client_id=client&code=${CODE}`);
    assert.equal((await store.get('express-user'))?.token, VAULTRE_TOKEN);

    const status = await send('/api/vaultre', 'GET', { 'x-user': 'express-user' });
    assert.equal(json(status.text).connected, true);
    const forgotten = await send('/api/vaultre', 'DELETE', { 'x-user': 'express-user' });
    assert.equal(forgotten.status, 204);
    assert.equal(await store.get('express-user'), undefined);
  });

  test('VaultRE: a body over its limit → 413, without calling VaultRE', async () => {
    const before = upstreamCalls.length;
    const reply = await send('/api/vaultre', 'POST', JSON_HEADERS, JSON.stringify({ code: CODE, padding: 'x'.repeat(40_000) }));
    assert.equal(reply.status, 413);
    assert.equal(upstreamCalls.length, before);
  });

  test('none of this reached onError', () => {
    assert.deepEqual(errors, []);
  });
});

describe('a body a parser read is handed on as it was read', () => {
  const echoed = async (headers: Record<string, string>, body: Buffer | string, path = '/echo') => {
    const reply = await send(path, 'POST', headers, body);
    assert.equal(reply.status, 200, reply.text);
    return json(reply.text) as Echoed;
  };

  test('JSON: the same value, with content-length for the new text', async () => {
    const sent = '  {"a": [1, 2.5, true, null], "\\u00e9": {"nested": "ok ✓"}, "__proto__": {"kept": 1}}  ';
    const got = await echoed({ 'content-type': 'application/json; charset=utf-8' }, sent);
    assert.equal(got.text, JSON.stringify(JSON.parse(sent)));
    assert.match(got.text, /"__proto__":\{"kept":1\}/);
    assert.equal(got.contentType, 'application/json; charset=utf-8');
    assert.equal(got.contentLength, String(Buffer.byteLength(got.text)));
  });

  test('urlencoded: keys, values, repeated keys and nested keys read back the same', async () => {
    const form = 'name=J%C3%B6rg+%26+co&empty=&tag=a&tag=b&address%5Bcity%5D=Gent&address%5Bzip%5D=9000';
    const got = await echoed({ 'content-type': 'application/x-www-form-urlencoded' }, form);
    assert.deepEqual([...new URLSearchParams(got.text)], [...new URLSearchParams(form)]);
  });

  test('text: decoded with its charset, handed on as UTF-8 and labelled so', async () => {
    const got = await echoed({ 'content-type': 'text/plain; charset=iso-8859-1' }, Buffer.from('café', 'latin1'));
    assert.equal(got.text, 'café');
    assert.equal(got.contentType, 'text/plain; charset=utf-8');
  });

  test('raw: the bytes, inflated, without content-encoding', async () => {
    const bytes = Buffer.from([0, 255, 128, 10, 13]);
    const got = await echoed({ 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' }, gzipSync(bytes));
    assert.equal(got.base64, bytes.toString('base64'));
    assert.equal(got.contentEncoding, null);
    assert.equal(got.contentLength, '5');
  });

  test('rawBody, where a platform kept it, wins over req.body', async () => {
    const got = await echoed({ 'content-type': 'application/json' }, '{"exact":  "bytes"}', '/raw-body');
    assert.equal(got.text, '{"exact":  "bytes"}');
  });

  test('a body no parser wanted is streamed as before', async () => {
    const got = await echoed({ 'content-type': 'application/xml' }, '<a/>');
    assert.equal(got.text, '<a/>');
  });

  test('the path is the one the client asked for, mount path included', async () => {
    const got = await echoed({ 'content-type': 'application/json' }, '{}', '/echo/deeper?x=1');
    assert.equal(got.path, '/echo/deeper?x=1');
  });
});

describe('failures are never silent', () => {
  test('a body read by a middleware that kept nothing → 500, and onError says why', async () => {
    errors.length = 0;
    const reply = await send('/swallowed', 'POST', { 'content-type': 'application/vnd.custom' }, 'lost');
    assert.equal(reply.status, 500);
    assert.deepEqual(json(reply.text), { error: 'internal_error', message: 'The server could not handle the request.' });
    assert.equal(errors.length, 1);
    assert.equal((errors[0].error as Error).name, 'BodyAlreadyReadError');
    assert.match((errors[0].error as Error).message, /body parser/);
  });

  test('a handler that throws → 500 with no-store and nosniff, and the error reaches onError', async () => {
    errors.length = 0;
    const reply = await send('/throws', 'GET', {});
    assert.equal(reply.status, 500);
    assert.equal(reply.headers['cache-control'], 'no-store');
    assert.equal(reply.headers['x-content-type-options'], 'nosniff');
    assert.equal((errors[0]?.error as Error).message, 'the store is down');
    assert.equal(errors[0]?.url, '/throws');
  });

  test('an onError that throws still lets the 500 go out', async () => {
    const reply = await send('/hook-throws', 'GET', {});
    assert.equal(reply.status, 500);
  });

  test("by default: one console.error line with the error's name and message, nothing from the request", async () => {
    const logged = mock.method(console, 'error', () => undefined);
    try {
      const reply = await send(
        '/swallowed-default',
        'POST',
        { 'content-type': 'application/vnd.custom', authorization: SECRET_HEADER, cookie: 'session=do-not-log' },
        `code=${CODE}`,
      );
      assert.equal(reply.status, 500);
      assert.equal(logged.mock.callCount(), 1);
      const line = logged.mock.calls[0].arguments.map(String).join(' ');
      assert.match(line, /BodyAlreadyReadError: The request body was read/);
      for (const secret of [SECRET_HEADER, 'do-not-log', CODE, '/swallowed-default']) assert.ok(!line.includes(secret), `${secret} was logged: ${line}`);
    } finally {
      logged.mock.restore();
    }
  });
});
