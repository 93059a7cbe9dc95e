/**
 * Fuzz: Vault API replies → `VaultClient` (schemas.ts, vault-client.ts, connection-requests.ts).
 *
 * Every reply the stubbed Vault API gives — any status, any body (near-valid envelopes, any JSON, malformed JSON,
 * hostile strings), or a failed fetch — ends as data that satisfies the contract oracle (and is the reply as sent), or as
 * a `VaultConnectError` with a contract code, the status and `retryable` the rules give, and no session token in it.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { deleteConnection, getConnection } from '../../src/internal/api/connection-requests.ts';
import { VaultConnectError } from '../../src/internal/api/errors.ts';
import { SessionSource } from '../../src/internal/api/session-source.ts';
import { VaultClient } from '../../src/internal/api/vault-client.ts';
import { AUTH_TYPES, CONNECTION_STATES, INTEGRATION_STATES } from '../../src/internal/api/vocabulary.ts';
import { anyBodyText, corrupt, hostileJson, hostileString, jwtOf, nonEmptyHostileString } from './arbitraries.ts';
import { assertNoStrayErrors, guardProcess, params } from './config.ts';
import { isConnectionEnvelope, isConnectionList, isErrorCode, isPlainObject } from './oracles.ts';

guardProcess();

const BASE = 'https://unify.test';
const SESSION_URL = 'https://host.test/api/vault/session';
const TOKEN = jwtOf({ application_id: 'app-fuzz', consumer_id: 'consumer-fuzz', exp: 4_102_444_800 });
const realFetch = globalThis.fetch;

afterEach(() => {
  globalThis.fetch = realFetch;
});

// ---------------------------------------------------------------------------------------------------------------------
// Arbitraries

const optionalField = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

/** A connection as the spec describes it, with hostile strings where the spec says "string". */
const validConnection = fc
  .record({
    id: hostileString({ huge: false }),
    service_id: nonEmptyHostileString({ huge: false }),
    unified_api: nonEmptyHostileString({ huge: false }),
    name: optionalField(hostileString()),
    tag_line: optionalField(hostileString()),
    state: optionalField(fc.constantFrom(...CONNECTION_STATES)),
    integration_state: optionalField(fc.constantFrom(...INTEGRATION_STATES)),
    auth_type: optionalField(fc.constantFrom(...AUTH_TYPES)),
    enabled: optionalField(fc.boolean()),
    icon: optionalField(hostileString({ huge: false })),
    logo: optionalField(hostileString({ huge: false })),
    authorize_url: optionalField(fc.option(hostileString({ huge: false }), { nil: null })),
    settings_required_for_authorization: optionalField(fc.array(hostileString({ huge: false }), { maxLength: 3 })),
    form_fields: optionalField(fc.array(fc.record({ id: fc.string(), required: optionalField(fc.boolean()), value: hostileJson }), { maxLength: 2 })),
    updated_at: optionalField(fc.option(fc.integer(), { nil: null })),
    extra: optionalField(hostileJson),
  })
  // JSON has no `undefined`: drop the absent fields as the wire would.
  .map((connection) => JSON.parse(JSON.stringify(connection)) as Record<string, unknown>);

// Corrupted with JSON values only: these replies come over the wire.
const connection = corrupt(validConnection, hostileJson);

const listEnvelope = corrupt(
  fc.record({
    status_code: fc.constantFrom(200, 201),
    status: fc.constantFrom('OK', ''),
    data: fc.array(connection, { maxLength: 6 }),
  }),
  hostileJson,
);

const oneEnvelope = corrupt(fc.record({ status_code: fc.constant(200), status: fc.constant('OK'), data: connection }), hostileJson);

/** Apideck's error envelope, or something near it. */
const errorEnvelope = corrupt(
  fc.record({
    status_code: fc.integer({ min: 400, max: 599 }),
    error: hostileString({ huge: false }),
    type_name: hostileString({ huge: false }),
    message: hostileString(),
    detail: hostileJson,
    ref: fc.constant('https://developers.apideck.com/errors'),
  }),
  hostileJson,
);

const statuses = fc.oneof(fc.constantFrom(200, 201, 204, 205, 400, 401, 403, 404, 422, 429, 500, 502, 503), fc.integer({ min: 200, max: 599 }));

export type Reply =
  | { kind: 'reply'; status: number; body: string | null; contentType: string }
  | { kind: 'throw'; error: 'network' | 'abort' | 'other' };

function replies(envelope: fc.Arbitrary<unknown>): fc.Arbitrary<Reply> {
  const body = fc.oneof(
    { arbitrary: envelope.map((value) => JSON.stringify(value) ?? 'null'), weight: 6 },
    { arbitrary: errorEnvelope.map((value) => JSON.stringify(value) ?? 'null'), weight: 2 },
    { arbitrary: anyBodyText, weight: 2 },
    { arbitrary: fc.constant(null), weight: 1 },
  );
  return fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('reply' as const), status: statuses, body, contentType: fc.constantFrom('application/json', 'text/html', '') }), weight: 20 },
    { arbitrary: fc.record({ kind: fc.constant('throw' as const), error: fc.constantFrom('network' as const, 'abort' as const, 'other' as const) }), weight: 1 },
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// Stubs and expectations

/** A `Response` for the reply (statuses that cannot carry a body get none, as on the wire). */
function responseOf(reply: Extract<Reply, { kind: 'reply' }>): Response {
  const bodyless = reply.status === 204 || reply.status === 205 || reply.status === 304;
  const headers = reply.contentType ? { 'content-type': reply.contentType } : undefined;
  return new Response(bodyless ? null : reply.body, { status: reply.status, headers });
}

function thrown(error: 'network' | 'abort' | 'other'): Error {
  if (error === 'network') return new TypeError('fetch failed');
  if (error === 'abort') return new DOMException('The operation was aborted.', 'AbortError');
  return new Error('something else');
}

const NOT_JSON = Symbol('not JSON');

/** The reply's body as the platform's JSON reader sees it. */
async function jsonOf(reply: Extract<Reply, { kind: 'reply' }>): Promise<unknown> {
  try {
    return (await responseOf(reply).json()) as unknown;
  } catch {
    return NOT_JSON;
  }
}

interface Stub {
  apiCalls: number;
  sessionCalls: number;
}

/**
 * Stubs `fetch`: the Vault API answers with `reply` (every time), the session endpoint (in `session-url` mode) with a
 * valid session.
 */
function stubFetch(reply: Reply): Stub {
  const stub: Stub = { apiCalls: 0, sessionCalls: 0 };
  globalThis.fetch = (input: RequestInfo | URL): Promise<Response> => {
    const url = String(input instanceof Request ? input.url : input);
    if (url === SESSION_URL) {
      stub.sessionCalls++;
      return Promise.resolve(Response.json({ session_token: TOKEN }));
    }
    stub.apiCalls++;
    if (reply.kind === 'throw') return Promise.reject(thrown(reply.error));
    return Promise.resolve(responseOf(reply));
  };
  return stub;
}

function clientFor(mode: 'token' | 'session-url'): VaultClient {
  const source = new SessionSource(() => (mode === 'token' ? { token: TOKEN } : { sessionUrl: SESSION_URL }));
  return new VaultClient(source, () => BASE);
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

async function outcomeOf(promise: Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The error every refused reply must become: a `VaultConnectError` with a contract code and no session token. */
function assertTypedError(error: unknown): asserts error is VaultConnectError {
  assert.ok(error instanceof VaultConnectError, `not a VaultConnectError: ${String(error)}`);
  assert.ok(isErrorCode(error.code), `unknown code ${error.code}`);
  assert.equal(typeof error.retryable, 'boolean');
  assert.ok(!`${error.message} ${error.detail ?? ''}`.includes(TOKEN), 'the session token is in the error');
}

/**
 * What a call must end with, from the contract: the failed fetch's code; `session_failed` on a 401 (after one renewal
 * in `session-url` mode); `api_error` with the status on any other non-2xx; the reply on a 2xx that `valid` accepts
 * (unless `bodyless`), else `invalid_response`.
 */
async function check(
  reply: Reply,
  mode: 'token' | 'session-url',
  outcome: Outcome,
  stub: Stub,
  valid: ((json: unknown) => boolean) | 'bodyless',
  pick: (json: unknown) => unknown,
): Promise<void> {
  if (reply.kind === 'throw') {
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assertTypedError(outcome.error);
    assert.equal(outcome.error.code, { network: 'network_error', abort: 'aborted', other: 'api_error' }[reply.error]);
    return;
  }
  const { status } = reply;
  if (status === 401) {
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assertTypedError(outcome.error);
    assert.equal(outcome.error.code, 'session_failed');
    assert.equal(outcome.error.retryable, mode === 'session-url');
    assert.equal(stub.apiCalls, mode === 'session-url' ? 2 : 1, 'one renewal, one retry');
    return;
  }
  assert.equal(stub.apiCalls, 1);
  if (status < 200 || status > 299) {
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assertTypedError(outcome.error);
    assert.equal(outcome.error.code, 'api_error');
    assert.equal(outcome.error.status, status);
    assert.equal(outcome.error.retryable, status >= 500 || status === 429);
    assert.ok(outcome.error.detail?.endsWith(`(${status})`), `detail ends with the status: ${outcome.error.detail}`);
    // Apideck's message is passed on as text when the envelope carries one.
    const json = await jsonOf(reply);
    if (isPlainObject(json) && typeof json.message === 'string' && isErrorEnvelopeShape(json)) {
      assert.equal(outcome.error.detail, `${json.message} (${status})`);
    }
    return;
  }
  if (valid === 'bodyless') {
    assert.deepEqual(outcome, { ok: true, value: undefined });
    return;
  }
  const json = await jsonOf(reply);
  if (json !== NOT_JSON && valid(json)) {
    assert.equal(outcome.ok, true, `a valid reply was refused: ${outcome.ok ? '' : String(outcome.error)}`);
    if (outcome.ok) assert.deepEqual(outcome.value, pick(json), 'the reply as sent');
  } else {
    assert.equal(outcome.ok, false, 'an invalid reply was accepted');
    if (outcome.ok) return;
    assertTypedError(outcome.error);
    assert.equal(outcome.error.code, 'invalid_response');
  }
}

/** Apideck's error envelope: every listed field, when present, has the spec's type. */
function isErrorEnvelopeShape(value: Record<string, unknown>): boolean {
  const optionalString = (key: string) => value[key] === undefined || typeof value[key] === 'string';
  return (
    (value.status_code === undefined || (typeof value.status_code === 'number' && Number.isFinite(value.status_code))) &&
    ['error', 'type_name', 'message', 'ref'].every(optionalString)
  );
}

/** Whether a string has no lone surrogate (ES2024's `isWellFormed`, which the project's `lib` setting does not type). */
function isWellFormed(value: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
}

const mode = fc.constantFrom('token' as const, 'session-url' as const);

// ---------------------------------------------------------------------------------------------------------------------
// Properties

describe('fuzz: Vault API replies', () => {
  test('GET /vault/connections: data that passes the contract, or a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(replies(listEnvelope), mode, async (reply, how) => {
        const stub = stubFetch(reply);
        const outcome = await outcomeOf(clientFor(how).listConnections());
        await check(reply, how, outcome, stub, isConnectionList, (json) => (json as { data: unknown }).data);
        await assertNoStrayErrors();
      }),
      params(),
    );
  });

  test('GET /vault/connections/{api}/{service}: one connection, or a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(replies(oneEnvelope), mode, async (reply, how) => {
        const stub = stubFetch(reply);
        const outcome = await outcomeOf(getConnection(clientFor(how), 'crm', 'salesforce'));
        await check(reply, how, outcome, stub, isConnectionEnvelope, (json) => (json as { data: unknown }).data);
        await assertNoStrayErrors();
      }),
      params(),
    );
  });

  test('DELETE (no reply body expected): any 2xx body is ignored; anything else is a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(replies(oneEnvelope), mode, async (reply, how) => {
        const stub = stubFetch(reply);
        const outcome = await outcomeOf(deleteConnection(clientFor(how), 'crm', 'salesforce'));
        await check(reply, how, outcome, stub, 'bodyless', () => undefined);
        await assertNoStrayErrors();
      }),
      params(),
    );
  });

  test('path parameters taken from API data (any string) end as data or a typed error', async () => {
    // A row's unified_api and service_id come from the list reply (which accepts any non-empty JSON string) and go into
    // the next request's path. A string with a lone surrogate cannot be percent-encoded: the request fails with the
    // platform's URIError before anything is sent, which the element's action runner turns into an error event (see
    // test/component/fuzz/render.test.ts); every well-formed string reaches the API.
    await fc.assert(
      fc.asyncProperty(nonEmptyHostileString({ huge: false }), nonEmptyHostileString({ huge: false }), async (unifiedApi, serviceId) => {
        const data = { service_id: serviceId, unified_api: unifiedApi };
        const reply: Reply = { kind: 'reply', status: 200, body: JSON.stringify({ status_code: 200, status: 'OK', data }), contentType: 'application/json' };
        const stub = stubFetch(reply);
        const outcome = await outcomeOf(getConnection(clientFor('token'), unifiedApi, serviceId));
        if (isWellFormed(unifiedApi) && isWellFormed(serviceId)) {
          assert.deepEqual(outcome, { ok: true, value: data });
          assert.equal(stub.apiCalls, 1);
        } else {
          assert.equal(outcome.ok, false);
          if (!outcome.ok) assert.ok(outcome.error instanceof URIError, String(outcome.error));
          assert.equal(stub.apiCalls, 0, 'nothing sent');
        }
        await assertNoStrayErrors();
      }),
      params(),
    );
  });
});
