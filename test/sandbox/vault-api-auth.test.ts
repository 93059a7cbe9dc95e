/** The Vault API emulator's authentication (API key vs session JWT), sessions, CORS, and what it never logs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { type Connection, SEED_CONNECTOR_COUNT } from '../../src/sandbox/seed.ts';
import { API_KEY, APP_ID, body, expectError, harness, json, jwtClaims } from './helpers.ts';

describe('auth', () => {
  it('accepts the API key with the app and consumer headers', async () => {
    const h = harness();
    const response = await h.asServer('/vault/connections');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
  });

  it('rejects a missing or wrong Authorization, a wrong app id, and asks for the consumer header', async () => {
    const h = harness();
    await expectError(await h.raw('/vault/connections'), 401, 'UnauthorizedError');
    await expectError(await h.raw('/vault/connections', { headers: { authorization: 'Basic abc' } }), 401, 'UnauthorizedError');
    await expectError(
      await h.raw('/vault/connections', {
        headers: { authorization: 'Bearer wrong', 'x-apideck-app-id': APP_ID, 'x-apideck-consumer-id': 'c' },
      }),
      401,
    );
    await expectError(
      await h.raw('/vault/connections', {
        headers: { authorization: `Bearer ${API_KEY}`, 'x-apideck-app-id': 'other', 'x-apideck-consumer-id': 'c' },
      }),
      401,
    );
    await expectError(
      await h.raw('/vault/connections', { headers: { authorization: `Bearer ${API_KEY}`, 'x-apideck-consumer-id': 'c' } }),
      401,
    );
    const missing = await expectError(
      await h.raw('/vault/connections/crm/salesforce', { headers: { authorization: `Bearer ${API_KEY}`, 'x-apideck-app-id': APP_ID } }),
      400,
      'RequestHeadersValidationError',
    );
    assert.equal(missing.detail, 'Missing Header: x-apideck-consumer-id');
  });

  it('lists the application catalogue, unconnected, when the optional consumer header is left out', async () => {
    const h = harness();
    await h.asServer('/vault/connections/crm/pipedrive', { method: 'PATCH', body: json({ settings: { api_key: 'k' } }) });
    const response = await h.raw('/vault/connections?api=crm', {
      headers: { authorization: `Bearer ${API_KEY}`, 'x-apideck-app-id': APP_ID },
    });
    const list = (await body(response)).data as Connection[];
    assert.equal(response.status, 200);
    assert.ok(list.length > 0);
    assert.ok(list.every((c) => c.state === 'available' && c.settings === null && c.enabled));
  });

  it('accepts a session JWT alone or with matching headers, and rejects mismatched headers', async () => {
    const h = harness();
    const token = await h.session('alice');
    assert.equal(((await body(await h.asBrowser(token, '/vault/connections'))).data as unknown[]).length, SEED_CONNECTOR_COUNT);
    assert.equal((await h.asBrowser(token, '/vault/connections', { consumer: 'alice', appId: APP_ID })).status, 200);
    await expectError(await h.asBrowser(token, '/vault/connections', { consumer: 'bob' }), 401, 'UnauthorizedError');
    await expectError(await h.asBrowser(token, '/vault/connections', { appId: 'other-app' }), 401, 'UnauthorizedError');
  });

  it('rejects a tampered JWT, one signed with another key, and garbage', async () => {
    const h = harness();
    const token = await h.session('alice');
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(json({ ...jwtClaims(token), consumer_id: 'mallory' })).toString('base64url');
    await expectError(await h.asBrowser(`${header}.${forged}.${signature}`, '/vault/connections'), 401);
    await expectError(await h.asBrowser(`${header}.${payload}.${'A'.repeat(43)}`, '/vault/connections'), 401);
    const other = await new SignJWT({ application_id: APP_ID, consumer_id: 'alice', jti: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new Uint8Array(32));
    await expectError(await h.asBrowser(other, '/vault/connections'), 401);
    await expectError(await h.asBrowser('not-a-jwt', '/vault/connections'), 401);
  });

  it('rejects an expired session and sessions issued before expireSessions()', async () => {
    const h = harness();
    const token = await h.session('alice', { settings: { session_length: '30m' } });
    h.clock.now += 31 * 60 * 1000;
    const expired = await expectError(await h.asBrowser(token, '/vault/connections'), 401);
    assert.equal(expired.detail, 'Session expired');

    const fresh = await h.session('alice');
    assert.equal((await h.asBrowser(fresh, '/vault/connections')).status, 200);
    h.api.expireSessions();
    await expectError(await h.asBrowser(fresh, '/vault/connections'), 401);
    const after = await h.session('alice');
    assert.equal((await h.asBrowser(after, '/vault/connections')).status, 200);

    const reply = await h.raw('/__sandbox/expire-sessions', { method: 'POST' });
    assert.equal(reply.status, 200);
    await expectError(await h.asBrowser(after, '/vault/connections'), 401);
  });
});

describe('POST /vault/sessions', () => {
  it('issues a session JWT with Apideck claims', async () => {
    const h = harness();
    const request = {
      redirect_uri: 'http://localhost:5173/callback.html',
      settings: { auto_redirect: true, isolation_mode: true, allow_actions: ['delete', 'disable'], unified_apis: ['crm'], session_length: '1d' },
      theme: { vault_name: 'Acme', primary_color: '#286efa' },
      consumer_metadata: { account_name: 'Acme', user_name: 'Ada', email: 'ada@example.com' },
    };
    const response = await h.asServer('/vault/sessions', { method: 'POST', consumer: 'ada', body: json(request) });
    const reply = await body(response);
    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(reply).sort(), ['data', 'status', 'status_code']);
    const data = reply.data as { session_uri: string; session_token: string };
    assert.ok(data.session_uri.endsWith(`/session/${data.session_token}`));
    const claims = jwtClaims(data.session_token);
    assert.equal(claims.application_id, APP_ID);
    assert.equal(claims.consumer_id, 'ada');
    assert.equal(claims.redirect_uri, request.redirect_uri);
    assert.deepEqual(claims.settings, request.settings);
    assert.deepEqual(claims.theme, request.theme);
    assert.deepEqual(claims.consumer_metadata, request.consumer_metadata);
    assert.equal(claims.iat, Math.floor(h.clock.now / 1000));
    assert.equal((claims.exp as number) - (claims.iat), 86_400);
    const header = JSON.parse(Buffer.from(data.session_token.split('.')[0], 'base64url').toString()) as { alg: string };
    assert.equal(header.alg, 'HS256');
  });

  it('parses session_length (default 1h, at most 1 week) and accepts an empty body', async () => {
    const h = harness();
    const lengthOf = (token: string) => (jwtClaims(token).exp as number) - (jwtClaims(token).iat as number);
    const empty = await h.asServer('/vault/sessions', { method: 'POST' });
    assert.equal(empty.status, 200);
    assert.equal(lengthOf(((await body(empty)).data as { session_token: string }).session_token), 3600);
    assert.equal(lengthOf(await h.session('a', { settings: { session_length: '30m' } })), 1800);
    assert.equal(lengthOf(await h.session('a', { settings: { session_length: '1h' } })), 3600);
    assert.equal(lengthOf(await h.session('a', { settings: { session_length: '1w' } })), 604_800);
    for (const bad of ['2w', '8d', 'forever', '0m', '10']) {
      await expectError(
        await h.asServer('/vault/sessions', { method: 'POST', body: json({ settings: { session_length: bad } }) }),
        400,
        'RequestValidationError',
      );
    }
  });

  it('validates the body against the Session schema', async () => {
    const h = harness();
    const post = (value: unknown) => h.asServer('/vault/sessions', { method: 'POST', body: json(value) });
    await expectError(await post({ unknown_key: true }), 400, 'RequestValidationError');
    await expectError(await post({ settings: { not_a_setting: true } }), 400);
    await expectError(await post({ settings: { auto_redirect: 'yes' } }), 400);
    await expectError(await post({ settings: { allow_actions: ['explode'] } }), 400);
    await expectError(await post({ redirect_uri: 42 }), 400);
    await expectError(await post([1, 2]), 400);
    await expectError(await h.asServer('/vault/sessions', { method: 'POST', body: '{"settings":' }), 400, 'RequestValidationError');
  });

  it('requires the API key (a session JWT cannot mint sessions)', async () => {
    const h = harness();
    const token = await h.session();
    await expectError(await h.asBrowser(token, '/vault/sessions', { method: 'POST', body: '{}' }), 401, 'UnauthorizedError');
  });
});

describe('CORS', () => {
  it('answers preflights from allowed origins', async () => {
    const h = harness();
    const response = await h.raw('/vault/connections', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization, x-apideck-app-id, x-apideck-consumer-id, x-apideck-auth-type',
      },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    assert.equal(response.headers.get('vary'), 'Origin');
    assert.equal(response.headers.get('access-control-max-age'), '600');
    for (const method of ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS']) {
      assert.ok(response.headers.get('access-control-allow-methods')?.includes(method), method);
    }
    for (const header of [
      'authorization',
      'content-type',
      'x-apideck-app-id',
      'x-apideck-consumer-id',
      'x-apideck-auth-type',
      'x-apideck-service-id',
    ]) {
      assert.ok(response.headers.get('access-control-allow-headers')?.split(', ').includes(header), header);
    }
  });

  it('adds Access-Control-Allow-Origin to replies (errors too) for allowed origins only', async () => {
    const h = harness();
    const token = await h.session();
    const allowed = await h.asBrowser(token, '/vault/connections', { headers: { origin: 'http://localhost:5173' } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    assert.equal(allowed.headers.get('vary'), 'Origin');
    const error = await h.raw('/vault/connections', { headers: { origin: 'http://localhost:5173' } });
    assert.equal(error.status, 401);
    assert.equal(error.headers.get('access-control-allow-origin'), 'http://localhost:5173');

    const denied = await h.asBrowser(token, '/vault/connections', { headers: { origin: 'https://evil.example' } });
    assert.equal(denied.status, 200);
    assert.equal(denied.headers.get('access-control-allow-origin'), null);
    const preflight = await h.raw('/vault/connections', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    assert.equal(preflight.headers.get('access-control-allow-methods'), null);
  });
});

describe('secrets', () => {
  it('never logs the API key, session tokens or imported credentials', async (t) => {
    const h = harness();
    const seen: string[] = [];
    for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      t.mock.method(console, m, (...args: unknown[]) => void seen.push(args.map(String).join(' ')));
    }
    {
      const token = await h.session();
      await h.asBrowser(token, '/vault/connections');
      await h.asBrowser(`${token}x`, '/vault/connections');
      await h.asServer('/vault/connections/accounting/xero/import', {
        method: 'POST',
        body: json({ credentials: { access_token: 'ACCESS-XYZ', refresh_token: 'REFRESH-XYZ' } }),
      });
      await h.raw('/vault/connections', { headers: { authorization: `Bearer ${API_KEY}` } });
      const logged = seen.join('\n');
      for (const secret of [API_KEY, token, 'ACCESS-XYZ', 'REFRESH-XYZ']) assert.ok(!logged.includes(secret));
    }
  });
});
