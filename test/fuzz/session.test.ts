/**
 * Fuzz: session replies → `SessionSource` and `readSession` (session-source.ts, schemas.ts).
 *
 * Whatever the host's `session-url` answers (any status; `{session_token}`, `{data: {session_token}}` or anything
 * else; tokens that are JWTs with any claims, or not JWTs at all) and whatever `token` a host sets, the element ends with
 * a session whose claims satisfy the contract oracle, or a `VaultConnectError` (`session_failed`, `rate_limited` for a
 * 429, or the failed fetch's code) that quotes no token.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VaultConnectError } from '../../src/internal/api/errors.ts';
import { SessionSource, readSession, type Session } from '../../src/internal/api/session-source.ts';
import { anyBodyText, base64url, corrupt, hostileJson, hostileString, jwtOf, nonEmptyHostileString } from './arbitraries.ts';
import { assertNoStrayErrors, guardProcess, params } from './config.ts';
import { isErrorCode, isSessionClaims, sessionTokenIn } from './oracles.ts';

guardProcess();

const SESSION_URL = 'https://host.test/api/vault/session';
const realFetch = globalThis.fetch;

afterEach(() => {
  globalThis.fetch = realFetch;
});

const optionalField = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

/** Vault session claims, near the ones Apideck signs. */
const claims = corrupt(
  fc
    .record({
      application_id: nonEmptyHostileString({ huge: false }),
      consumer_id: nonEmptyHostileString({ huge: false }),
      redirect_uri: optionalField(hostileString({ huge: false })),
      exp: optionalField(fc.integer()),
      iat: optionalField(fc.integer()),
      settings: optionalField(
        fc.option(
          fc.record(
            {
              allow_actions: fc.array(fc.oneof(fc.constantFrom('delete', 'disconnect', 'reauthorize', 'disable'), hostileString({ huge: false })), { maxLength: 4 }),
              unified_apis: fc.array(hostileString({ huge: false }), { maxLength: 3 }),
            },
            { requiredKeys: [] },
          ),
          { nil: null },
        ),
      ),
    })
    .map((value) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>),
  hostileJson,
);

/** A token whose payload we know (`claims` is then what the element must see), or anything else. */
const token: fc.Arbitrary<{ token: string; claims?: unknown }> = fc.oneof(
  { arbitrary: claims.map((value) => ({ token: jwtOf(value), claims: value })), weight: 6 },
  {
    // Not JWTs: random text, wrong part counts, payloads that are not base64url or not JSON.
    arbitrary: fc.oneof(
      hostileString(),
      fc.tuple(hostileString({ huge: false }), hostileString({ huge: false })).map(([a, b]) => `${a}.${b}`),
      hostileString({ huge: false }).map((text) => `${base64url('{"alg":"none"}')}.${base64url(text)}.sig`),
      fc.constantFrom('a.b.c', '..', '.', 'eyJ.eyJ.eyJ', `x.${base64url('[]')}.y`, `x.${base64url('null')}.y`, `x.${base64url('"s"')}.y`, 'x.%%%.y', 'x.e30=.y', 'x.e30.y'),
    ).map((value) => ({ token: value })),
    weight: 3,
  },
);

/** What the session endpoint answers. */
type Reply =
  | { kind: 'reply'; status: number; body: string; token?: { token: string; claims?: unknown } }
  | { kind: 'throw'; error: 'network' | 'abort' | 'other' };

const replies: fc.Arbitrary<Reply> = fc.oneof(
  {
    // The two documented shapes, with the token we know.
    arbitrary: fc
      .tuple(token, fc.boolean(), fc.oneof({ arbitrary: fc.constant(200), weight: 8 }, { arbitrary: fc.integer({ min: 200, max: 599 }), weight: 2 }), fc.option(hostileJson, { nil: undefined }))
      .map(([t, enveloped, status, extra]) => ({
        kind: 'reply' as const,
        status,
        body: JSON.stringify(enveloped ? { status_code: 201, status: 'Created', data: { session_uri: 'https://vault.test/s', session_token: t.token }, extra } : { session_token: t.token, extra }),
        token: t,
      })),
    weight: 6,
  },
  {
    // Near misses: wrong types, empty tokens, both shapes, arrays.
    arbitrary: fc
      .tuple(
        corrupt(fc.record({ session_token: fc.oneof(fc.constant(''), hostileString({ huge: false })), data: corrupt(fc.record({ session_token: hostileString({ huge: false }) }), hostileJson) }), hostileJson),
        fc.integer({ min: 200, max: 599 }),
      )
      .map(([body, status]) => ({ kind: 'reply' as const, status, body: JSON.stringify(body) ?? 'null' })),
    weight: 3,
  },
  { arbitrary: fc.tuple(anyBodyText, fc.integer({ min: 200, max: 599 })).map(([body, status]) => ({ kind: 'reply' as const, status, body })), weight: 2 },
  { arbitrary: fc.constantFrom('network' as const, 'abort' as const, 'other' as const).map((error) => ({ kind: 'throw' as const, error })), weight: 1 },
);

function stubSessionEndpoint(reply: Reply): { calls: number } {
  const stub = { calls: 0 };
  globalThis.fetch = (): Promise<Response> => {
    stub.calls++;
    if (reply.kind === 'throw') {
      const error =
        reply.error === 'network' ? new TypeError('fetch failed') : reply.error === 'abort' ? new DOMException('aborted', 'AbortError') : new Error('other');
      return Promise.reject(error);
    }
    const bodyless = reply.status === 204 || reply.status === 205 || reply.status === 304;
    return Promise.resolve(new Response(bodyless ? null : reply.body, { status: reply.status, headers: { 'content-type': 'application/json' } }));
  };
  return stub;
}

type Outcome = { ok: true; session: Session } | { ok: false; error: unknown };

async function outcomeOf(run: () => Promise<Session> | Session): Promise<Outcome> {
  try {
    return { ok: true, session: await run() };
  } catch (error) {
    return { ok: false, error };
  }
}

function assertTypedError(error: unknown, secrets: readonly string[]): asserts error is VaultConnectError {
  assert.ok(error instanceof VaultConnectError, `not a VaultConnectError: ${String(error)}`);
  assert.ok(isErrorCode(error.code), `unknown code ${error.code}`);
  for (const secret of secrets) {
    if (secret.length >= 8) assert.ok(!`${error.message} ${error.detail ?? ''}`.includes(secret), 'a token is in the error');
  }
}

/**
 * The claims as the element keeps them: zod skips an own `__proto__` key in the objects it copies (the claims and their
 * `settings`), so such a key can never become a prototype; values of other fields are kept as they are.
 */
function withoutProtoKeys(claims: unknown): unknown {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return claims;
  const copy = { ...(claims as Record<string, unknown>) };
  delete copy['__proto__'];
  const settings = copy.settings;
  if (typeof settings === 'object' && settings !== null && !Array.isArray(settings)) {
    const inner = { ...(settings as Record<string, unknown>) };
    delete inner['__proto__'];
    copy.settings = inner;
  }
  return copy;
}

/** A session with the token as given and claims that pass the oracle; when the payload is known, exactly it. */
function assertSession(outcome: Outcome, expected: { token: string; claims?: unknown }): void {
  if (!outcome.ok) return;
  assert.equal(outcome.session.token, expected.token);
  assert.ok(isSessionClaims(outcome.session.claims), 'claims pass the contract');
  // The claims as they travelled (JSON has no -0 and no null-prototype objects).
  if (expected.claims !== undefined) assert.deepEqual(outcome.session.claims, withoutProtoKeys(JSON.parse(JSON.stringify(expected.claims)) as unknown));
}

describe('fuzz: session replies', () => {
  test('the `token` property: a session with valid claims, or session_failed', async () => {
    await fc.assert(
      fc.asyncProperty(token, async (given) => {
        const outcome = await outcomeOf(() => readSession(given.token));
        if (given.claims !== undefined) assert.equal(outcome.ok, isSessionClaims(given.claims), 'accepted exactly when the claims are valid');
        if (outcome.ok) assertSession(outcome, given);
        else {
          assertTypedError(outcome.error, [given.token]);
          assert.equal(outcome.error.code, 'session_failed');
        }
        await assertNoStrayErrors();
      }),
      params(),
    );
  });

  test('POST {session-url}: a session with valid claims, or a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(replies, async (reply) => {
        const stub = stubSessionEndpoint(reply);
        const source = new SessionSource(() => ({ sessionUrl: SESSION_URL }));
        const outcome = await outcomeOf(() => source.get());
        assert.equal(stub.calls, 1);
        if (reply.kind === 'throw') {
          assert.equal(outcome.ok, false);
          if (!outcome.ok) {
            assertTypedError(outcome.error, []);
            assert.equal(outcome.error.code, { network: 'network_error', abort: 'aborted', other: 'api_error' }[reply.error]);
          }
          return;
        }
        const secrets = reply.token ? [reply.token.token] : [];
        if (reply.status < 200 || reply.status > 299) {
          assert.equal(outcome.ok, false);
          if (!outcome.ok) {
            assertTypedError(outcome.error, secrets);
            assert.equal(outcome.error.code, reply.status === 429 ? 'rate_limited' : 'session_failed');
            assert.equal(outcome.error.status, reply.status);
            assert.equal(outcome.error.retryable, reply.status >= 500 || reply.status === 429);
          }
          return;
        }
        let json: unknown;
        try {
          // The platform's JSON reader (it skips a byte order mark, as the element's does).
          json = reply.status === 204 || reply.status === 205 || reply.status === 304 ? undefined : ((await new Response(reply.body).json()) as unknown);
        } catch {
          json = undefined;
        }
        const sessionToken = sessionTokenIn(json);
        if (sessionToken === undefined) {
          assert.equal(outcome.ok, false, 'a reply without a token was accepted');
        } else if (reply.token?.token === sessionToken && reply.token.claims !== undefined) {
          assert.equal(outcome.ok, isSessionClaims(reply.token.claims), 'accepted exactly when the claims are valid');
        }
        if (outcome.ok) assertSession(outcome, reply.token && sessionToken === reply.token.token ? reply.token : { token: sessionToken ?? '' });
        else {
          assertTypedError(outcome.error, [...secrets, sessionToken ?? '']);
          assert.equal(outcome.error.code, 'session_failed');
        }
        // A failure is not cached: the next call asks again.
        if (!outcome.ok) {
          await outcomeOf(() => source.get());
          assert.equal(stub.calls, 2, 'a failed session is asked for again');
        }
        await assertNoStrayErrors();
      }),
      params(),
    );
  });
});
