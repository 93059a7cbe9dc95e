import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { AUTH_TYPES, CONNECTION_STATES } from '../../src/api/vocabulary.ts';
import { type Connection, SEED_CONNECTOR_COUNT, SEED_UNIFIED_APIS, seedConnections } from '../../src/sandbox/seed.ts';
import { API_KEY, APP_ID, VAULT_API_URL, body, harness, jwtClaims } from './helpers.ts';

type Envelope = { status_code: number; error: string; type_name: string; message: string; detail: unknown; ref: string };

async function expectError(response: Response, status: number, typeName?: string): Promise<Envelope> {
  const json = (await response.json()) as Envelope;
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${JSON.stringify(json)}`);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.equal(json.status_code, status);
  assert.equal(typeof json.error, 'string');
  assert.equal(typeof json.message, 'string');
  assert.ok(typeof json.detail === 'string' || (typeof json.detail === 'object' && json.detail !== null));
  assert.match(json.ref, /^https:\/\/developers\.apideck\.com\/errors#/);
  if (typeName) assert.equal(json.type_name, typeName);
  return json;
}

async function connection(response: Response): Promise<Connection> {
  const json = await body(response);
  assert.equal(response.status, 200, JSON.stringify(json));
  assert.equal(json.status_code, 200);
  assert.equal(json.status, 'OK');
  return json.data as Connection;
}

const json = (value: unknown) => JSON.stringify(value);

describe('seed', () => {
  const seed = seedConnections({ vaultApiUrl: VAULT_API_URL, applicationId: APP_ID });

  it('has at least 18 connectors over crm, accounting, hris, ats and file-storage', () => {
    assert.ok(seed.length >= 18);
    assert.equal(seed.length, SEED_CONNECTOR_COUNT);
    for (const api of SEED_UNIFIED_APIS) assert.ok(seed.some((c) => c.unified_api === api), api);
    assert.equal(new Set(seed.map((c) => c.id)).size, seed.length);
  });

  it('covers every state, a disabled connection, an integration that needs configuration and every auth type', () => {
    for (const state of CONNECTION_STATES) assert.ok(seed.some((c) => c.state === state && c.integration_state === 'configured'), state);
    assert.ok(seed.some((c) => !c.enabled && c.state === 'callable'));
    assert.ok(seed.some((c) => c.integration_state === 'needs_configuration'));
    for (const auth of ['oauth2', 'apiKey', 'basic'] as const) assert.ok(seed.some((c) => c.auth_type === auth), auth);
    assert.ok(seed.some((c) => c.auth_type === 'oauth2' && c.oauth_grant_type === 'client_credentials'));
    assert.ok(seed.some((c) => c.auth_type === 'oauth2' && c.oauth_grant_type === 'authorization_code'));
    assert.ok(seed.some((c) => c.auth_type === 'oauth2' && c.form_fields.some((f) => f.required)));
    assert.ok(seed.some((c) => (c.settings_required_for_authorization ?? []).length > 0));
  });

  it('builds full connections with offline icons and Apideck-shaped URLs', () => {
    for (const c of seed) {
      assert.equal(c.id, `${c.unified_api}+${c.service_id}`);
      assert.equal(c.status, 'live');
      assert.ok(AUTH_TYPES.includes(c.auth_type));
      assert.match(c.website, /^https:\/\//);
      assert.match(c.icon, /^data:image\/svg\+xml,%3Csvg/);
      assert.match(c.logo, /^data:image\/svg\+xml,/);
      assert.ok(!decodeURIComponent(c.icon).includes('http://') || decodeURIComponent(c.icon).includes('http://www.w3.org/2000/svg'));
      assert.equal(typeof c.created_at, 'number');
      assert.ok(c.health);
      if (c.auth_type === 'oauth2') {
        assert.ok(c.oauth_grant_type);
        const prefix = `${VAULT_API_URL}/vault/authorize/${c.service_id}/${APP_ID}?state=`;
        assert.ok(c.authorize_url?.startsWith(prefix), c.authorize_url ?? 'null');
        assert.ok((c.authorize_url ?? '').length > prefix.length);
        assert.ok(c.revoke_url?.startsWith(`${VAULT_API_URL}/vault/revoke/${c.service_id}/${APP_ID}?state=`));
      } else {
        assert.equal(c.authorize_url, null);
        assert.equal(c.revoke_url, null);
        assert.equal(c.oauth_grant_type, undefined);
      }
      if (c.auth_type === 'apiKey') {
        const key = c.form_fields.find((f) => f.id === 'api_key');
        assert.ok(key?.required && key.sensitive, `${c.id} has a required sensitive api_key`);
      }
    }
  });

  it('returns fresh copies and appends synthetic connectors for benchmarks', () => {
    const a = seedConnections({ vaultApiUrl: VAULT_API_URL, applicationId: APP_ID });
    a[0].name = 'changed';
    a[0].form_fields.push({ ...a[0].form_fields[0] });
    const b = seedConnections({ vaultApiUrl: VAULT_API_URL, applicationId: APP_ID });
    assert.notEqual(b[0].name, 'changed');
    assert.equal(b[0].form_fields.length, seed[0].form_fields.length);

    const big = seedConnections({ vaultApiUrl: VAULT_API_URL, applicationId: APP_ID, extra: 5000 });
    assert.equal(big.length, SEED_CONNECTOR_COUNT + 5000);
    assert.equal(new Set(big.map((c) => c.id)).size, big.length);
    const synthetic = big.slice(SEED_CONNECTOR_COUNT);
    assert.ok(synthetic.some((c) => c.name === 'Connector 0042'));
    for (const api of SEED_UNIFIED_APIS) assert.ok(synthetic.some((c) => c.unified_api === api));
    for (const state of CONNECTION_STATES) assert.ok(synthetic.some((c) => c.state === state), state);
    assert.ok(synthetic.every((c) => c.icon.startsWith('data:image/svg+xml,')));
  });
});

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

describe('GET /vault/connections', () => {
  it('lists the seed per consumer and filters by unified API', async () => {
    const h = harness();
    const all = (await body(await h.asServer('/vault/connections'))).data as Connection[];
    assert.equal(all.length, SEED_CONNECTOR_COUNT);
    const crm = (await body(await h.asServer('/vault/connections?api=crm'))).data as Connection[];
    assert.ok(crm.length > 0 && crm.length < all.length);
    assert.ok(crm.every((c) => c.unified_api === 'crm'));
    assert.deepEqual((await body(await h.asServer('/vault/connections?api=nothing'))).data, []);
    const configured = (await body(await h.asServer('/vault/connections?configured=false'))).data as Connection[];
    assert.ok(configured.every((c) => c.integration_state !== 'configured') && configured.length > 0);
  });

  it('keeps each consumer’s state apart and starts from the seed on first use', async () => {
    const h = harness();
    await h.asServer('/vault/connections/crm/pipedrive', { method: 'PATCH', consumer: 'a', body: json({ settings: { api_key: 'k' } }) });
    const a = await connection(await h.asServer('/vault/connections/crm/pipedrive', { consumer: 'a' }));
    const b = await connection(await h.asServer('/vault/connections/crm/pipedrive', { consumer: 'b' }));
    assert.equal(a.state, 'callable');
    assert.equal(b.state, 'available');
  });

  it('serves synthetic connectors when started with extra', async () => {
    const h = harness({ extra: 100 });
    const all = (await body(await h.asServer('/vault/connections'))).data as Connection[];
    assert.equal(all.length, SEED_CONNECTOR_COUNT + 100);
  });
});

describe('GET, PATCH and DELETE /vault/connections/{unified_api}/{service_id}', () => {
  it('gets one connection and answers 404 for an unknown one', async () => {
    const h = harness();
    const c = await connection(await h.asServer('/vault/connections/crm/salesforce'));
    assert.equal(c.id, 'crm+salesforce');
    assert.equal(c.state, 'callable');
    await expectError(await h.asServer('/vault/connections/crm/nope'), 404, 'EntityNotFoundError');
    await expectError(await h.asServer('/vault/connections/nope/salesforce'), 404, 'EntityNotFoundError');
  });

  it('moves an apiKey connector available → added → callable as its required settings are filled', async () => {
    const h = harness();
    const patch = (value: unknown) =>
      h.asServer('/vault/connections/hris/bamboohr', { method: 'PATCH', body: json(value) }).then(connection);
    const start = await connection(await h.asServer('/vault/connections/crm/pipedrive'));
    assert.equal(start.state, 'available');
    const added = await connection(
      await h.asServer('/vault/connections/crm/pipedrive', { method: 'PATCH', body: json({ settings: { company_domain: 'acme' } }) }),
    );
    assert.equal(added.state, 'added');
    assert.equal(added.health, 'missing_settings');
    h.clock.now += 1000;
    const callable = await connection(
      await h.asServer('/vault/connections/crm/pipedrive', { method: 'PATCH', body: json({ settings: { api_key: 'pd-key' } }) }),
    );
    assert.equal(callable.state, 'callable');
    assert.equal(callable.health, 'ok');
    assert.deepEqual(callable.settings, { company_domain: 'acme', api_key: 'pd-key' });
    assert.equal(callable.form_fields.find((f) => f.id === 'api_key')?.value, 'pd-key');
    assert.equal(callable.updated_at, h.clock.now);
    assert.ok((callable.updated_at ?? 0) > (added.updated_at ?? 0));

    assert.equal((await patch({ settings: { api_key: 'bh-key' } })).state, 'callable');
    const cleared = await patch({ settings: { api_key: null } });
    assert.equal(cleared.state, 'added');
    assert.equal(cleared.settings?.api_key, undefined);
  });

  it('fixes an invalid apiKey connection with new settings and toggles enabled', async () => {
    const h = harness();
    const url = '/vault/connections/ats/workable';
    assert.equal((await connection(await h.asServer(url, { method: 'PATCH', body: json({ enabled: false }) }))).state, 'invalid');
    const fixed = await connection(await h.asServer(url, { method: 'PATCH', body: json({ settings: { api_key: 'new-token' } }) }));
    assert.equal(fixed.state, 'callable');
    assert.equal(fixed.enabled, false);
    const enabled = await connection(await h.asServer(url, { method: 'PATCH', body: json({ enabled: true, metadata: { plan: 'pro' } }) }));
    assert.equal(enabled.enabled, true);
    assert.deepEqual(enabled.metadata, { plan: 'pro' });
  });

  it('moves an OAuth connection between authorized and callable with its required settings', async () => {
    const h = harness();
    const hubspot = await connection(
      await h.asServer('/vault/connections/crm/hubspot', { method: 'PATCH', body: json({ settings: { pipeline_id: 'default' } }) }),
    );
    assert.equal(hubspot.state, 'callable');
    const salesforce = await connection(
      await h.asServer('/vault/connections/crm/salesforce', { method: 'PATCH', body: json({ settings: { instance_url: null } }) }),
    );
    assert.equal(salesforce.state, 'authorized');
    assert.equal(salesforce.health, 'missing_settings');
    const xero = await connection(await h.asServer('/vault/connections/accounting/xero', { method: 'PATCH', body: json({ enabled: true }) }));
    assert.equal(xero.state, 'added');
  });

  it('ignores read-only fields and rejects wrongly typed writable ones', async () => {
    const h = harness();
    const url = '/vault/connections/crm/pipedrive';
    const c = await connection(
      await h.asServer(url, { method: 'PATCH', body: json({ state: 'callable', name: 'Hacked', id: 'x', enabled: true }) }),
    );
    assert.equal(c.name, 'Pipedrive');
    assert.equal(c.id, 'crm+pipedrive');
    assert.equal(c.state, 'added');
    await expectError(await h.asServer(url, { method: 'PATCH', body: json({ enabled: 'no' }) }), 400, 'RequestValidationError');
    await expectError(await h.asServer(url, { method: 'PATCH', body: json({ settings: 'x' }) }), 400);
    await expectError(await h.asServer(url, { method: 'PATCH', body: json({ metadata: [1] }) }), 400);
    await expectError(await h.asServer(url, { method: 'PATCH', body: '{nope' }), 400, 'RequestValidationError');
    await expectError(await h.asServer(url, { method: 'PATCH' }), 400);
  });

  it('answers 422 when the integration needs configuration', async () => {
    const h = harness();
    await expectError(
      await h.asServer('/vault/connections/crm/zoho-crm', { method: 'PATCH', body: json({ enabled: false }) }),
      422,
      'InvalidStateError',
    );
  });

  it('deletes a connection back to its pristine available form', async () => {
    const h = harness();
    h.clock.now += 5000;
    const response = await h.asServer('/vault/connections/crm/close', { method: 'DELETE' });
    assert.equal(response.status, 204);
    assert.equal(await response.text(), '');
    assert.equal(response.headers.get('content-type'), 'application/json');
    const c = await connection(await h.asServer('/vault/connections/crm/close'));
    assert.equal(c.state, 'available');
    assert.equal(c.enabled, true);
    assert.equal(c.settings, null);
    assert.equal(c.updated_at, h.clock.now);
    assert.ok(c.form_fields.every((f) => f.value === undefined));
    await expectError(await h.asServer('/vault/connections/crm/nope', { method: 'DELETE' }), 404);
  });

  it('works with a session JWT as the browser calls it', async () => {
    const h = harness();
    const token = await h.session('browser-user');
    const c = await connection(
      await h.asBrowser(token, '/vault/connections/ats/greenhouse', { method: 'PATCH', body: json({ settings: { api_key: 'gh' } }) }),
    );
    assert.equal(c.state, 'callable');
    const viaKey = await connection(await h.asServer('/vault/connections/ats/greenhouse', { consumer: 'browser-user' }));
    assert.equal(viaKey.state, 'callable');
  });
});

describe('routing', () => {
  it('answers unknown routes with 404 and wrong methods with 405, always as JSON', async () => {
    const h = harness();
    await expectError(await h.asServer('/vault/unknown'), 404, 'NotFoundError');
    await expectError(await h.raw('/'), 404);
    const wrong = await h.asServer('/vault/connections', { method: 'DELETE' });
    assert.equal(wrong.headers.get('allow'), 'GET, OPTIONS');
    await expectError(wrong, 405, 'MethodNotAllowedError');
    await expectError(await h.asServer('/vault/sessions'), 405);
    await expectError(await h.asServer('/vault/connections/crm/salesforce', { method: 'PUT', body: '{}' }), 405);
  });

  it('resets all state with POST /__sandbox/reset', async () => {
    const h = harness();
    await h.asServer('/vault/connections/crm/pipedrive', { method: 'PATCH', body: json({ settings: { api_key: 'x' } }) });
    const reply = await h.raw('/__sandbox/reset', { method: 'POST' });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('content-type'), 'application/json');
    assert.equal((await connection(await h.asServer('/vault/connections/crm/pipedrive'))).state, 'available');
  });
});

describe('POST …/import', () => {
  const importOf = (h: ReturnType<typeof harness>, path: string, value: unknown, consumer = 'consumer-1') =>
    h.asServer(`/vault/connections/${path}/import`, { method: 'POST', consumer, body: json(value) });

  it('imports apiKey/basic connectors from settings and rejects missing settings', async () => {
    const h = harness();
    const c = await connection(await importOf(h, 'ats/greenhouse', { settings: { api_key: 'harvest-secret' }, metadata: { account: 'x' } }));
    assert.equal(c.state, 'callable');
    assert.deepEqual(c.metadata, { account: 'x' });
    const basic = await connection(
      await importOf(h, 'accounting/sage-intacct', { settings: { company_id: 'acme', username: 'u', password: 'p' } }),
    );
    assert.equal(basic.state, 'callable');
    await expectError(await importOf(h, 'crm/pipedrive', {}), 400, 'RequestValidationError');
    await expectError(await importOf(h, 'crm/pipedrive', { settings: { company_domain: 'acme' } }), 400);
    await expectError(await importOf(h, 'crm/pipedrive', { credentials: { access_token: 'a', refresh_token: 'r' } }), 400);
  });

  it('imports oauth2 connectors from credentials, never echoes them, and upserts', async () => {
    const h = harness();
    const credentials = {
      access_token: 'access-SECRET-123',
      refresh_token: 'refresh-SECRET-456',
      issued_at: '2026-01-15T11:00:00.000Z',
      expires_in: 3600,
    };
    const response = await importOf(h, 'accounting/xero', { credentials, consumer_id: 'consumer-1', settings: { tenant: 't' } });
    const text = await response.clone().text();
    assert.ok(!text.includes('SECRET'), 'credentials must not come back');
    assert.ok(!text.includes('"credentials"'));
    const c = await connection(response);
    assert.equal(c.state, 'callable');
    assert.equal(c.settings?.tenant, 't');
    h.clock.now += 1000;
    const again = await connection(await importOf(h, 'accounting/xero', { credentials: { ...credentials, access_token: 'other' } }));
    assert.equal(again.state, 'callable');
    assert.equal(again.updated_at, h.clock.now);
    assert.equal(again.settings?.tenant, 't');

    const sharepoint = await connection(await importOf(h, 'file-storage/sharepoint', { credentials }));
    assert.equal(sharepoint.state, 'authorized', 'required site_url is still missing');

    await expectError(await importOf(h, 'accounting/xero', { credentials: { access_token: 'a' } }), 400);
    await expectError(await importOf(h, 'accounting/xero', { credentials: { refresh_token: 'r' } }), 400);
    await expectError(await importOf(h, 'accounting/xero', { settings: { a: 1 } }), 400);
    await expectError(await importOf(h, 'accounting/xero', { credentials: { ...credentials, extra: 1 } }), 400);
    await expectError(await importOf(h, 'accounting/xero', { credentials: { ...credentials, issued_at: 'yesterday' } }), 400);
  });

  it('requires the API key, a known connector and a configured integration', async () => {
    const h = harness();
    const token = await h.session();
    await expectError(
      await h.asBrowser(token, '/vault/connections/ats/greenhouse/import', { method: 'POST', body: json({ settings: { api_key: 'x' } }) }),
      401,
    );
    await expectError(await importOf(h, 'crm/unknown', { settings: { api_key: 'x' } }), 404, 'EntityNotFoundError');
    await expectError(await importOf(h, 'crm/zoho-crm', { credentials: { access_token: 'a', refresh_token: 'r' } }), 422);
  });
});

describe('POST …/token', () => {
  it('exchanges persisted client credentials and rejects other grant types', async () => {
    const h = harness();
    const url = '/vault/connections/hris/personio';
    await expectError(await h.asServer(`${url}/token`, { method: 'POST', body: '{}' }), 422, 'InvalidStateError');
    await h.asServer(url, { method: 'PATCH', body: json({ settings: { client_id: 'id', client_secret: 'secret' } }) });
    assert.equal((await connection(await h.asServer(url))).state, 'added');
    const c = await connection(await h.asServer(`${url}/token`, { method: 'POST', body: '{}' }));
    assert.equal(c.state, 'callable');
    assert.ok(!json(c).includes('access_token'));
    await expectError(await h.asServer('/vault/connections/crm/salesforce/token', { method: 'POST', body: '{}' }), 422);
    await expectError(await h.asServer('/vault/connections/crm/pipedrive/token', { method: 'POST' }), 422);
    await expectError(await h.asServer(`${url}/token`, { method: 'POST', body: json({ client_secret: 'x' }) }), 400);
  });
});

describe('POST …/confirm', () => {
  it('keeps a connection pending until confirmed, with a single-use token', async () => {
    const h = harness();
    const token = h.api.createConfirmToken('consumer-1', 'accounting', 'xero');
    const pending = await connection(await h.asServer('/vault/connections/accounting/xero'));
    assert.equal(pending.health, 'pending_confirmation');
    assert.notEqual(pending.state, 'callable');
    await expectError(
      await h.asServer('/vault/connections/accounting/dropbox/confirm', { method: 'POST', body: json({ confirm_token: token }) }),
      404,
    );
    await expectError(
      await h.asServer('/vault/connections/file-storage/dropbox/confirm', { method: 'POST', body: json({ confirm_token: token }) }),
      400,
    );
    const reply = await h.asServer('/vault/connections/accounting/xero/confirm', { method: 'POST', body: json({ confirm_token: token }) });
    assert.deepEqual(await body(reply), { status_code: 200, status: 'OK', data: { confirmed: true } });
    const confirmed = await connection(await h.asServer('/vault/connections/accounting/xero'));
    assert.equal(confirmed.state, 'callable');
    assert.equal(confirmed.health, 'ok');
    await expectError(
      await h.asServer('/vault/connections/accounting/xero/confirm', { method: 'POST', body: json({ confirm_token: token }) }),
      400,
    );
    await expectError(await h.asServer('/vault/connections/accounting/xero/confirm', { method: 'POST', body: '{}' }), 400);
  });

  it('expires confirm tokens after 30 minutes and binds them to the consumer', async () => {
    const h = harness();
    const token = h.api.createConfirmToken('consumer-1', 'file-storage', 'dropbox');
    const other = h.api.createConfirmToken('consumer-2', 'file-storage', 'dropbox');
    await expectError(
      await h.asServer('/vault/connections/file-storage/dropbox/confirm', { method: 'POST', body: json({ confirm_token: other }) }),
      400,
    );
    h.clock.now += 30 * 60 * 1000 + 1;
    await expectError(
      await h.asServer('/vault/connections/file-storage/dropbox/confirm', { method: 'POST', body: json({ confirm_token: token }) }),
      400,
    );
  });
});

describe('POST /__sandbox/authorize/{unified_api}/{service_id}', () => {
  it('completes OAuth with a session JWT: callable, or authorized while settings are missing', async () => {
    const h = harness();
    const token = await h.session('u');
    const post = (path: string) => h.asBrowser(token, `/__sandbox/authorize/${path}`, { method: 'POST' });
    assert.equal((await connection(await post('accounting/xero'))).state, 'callable');
    const sharepoint = await connection(await post('file-storage/sharepoint'));
    assert.equal(sharepoint.state, 'authorized');
    await expectError(await post('crm/zoho-crm'), 422, 'InvalidStateError');
    await expectError(await post('crm/pipedrive'), 422);
    await expectError(await post('crm/unknown'), 404);
    await expectError(await h.raw('/__sandbox/authorize/accounting/xero', { method: 'POST' }), 401);
    assert.equal(h.api.authorize('u', 'file-storage', 'dropbox').state, 'callable');
    assert.equal(h.api.getConnection('u', 'file-storage', 'dropbox')?.state, 'callable');
  });

  it('checks settings_required_for_authorization before authorizing', async () => {
    const h = harness();
    const token = await h.session('u');
    await h.asBrowser(token, '/vault/connections/accounting/exact-online', { method: 'PATCH', body: json({ settings: { region: null } }) });
    const missing = await expectError(
      await h.asBrowser(token, '/__sandbox/authorize/accounting/exact-online', { method: 'POST' }),
      422,
    );
    assert.deepEqual(missing.detail, { missing: [{ region: 'required' }] });
  });

  it('maps an authorize_url state back to its consumer connection', async () => {
    const h = harness();
    const c = await connection(await h.asServer('/vault/connections/accounting/xero', { consumer: 'zed' }));
    const state = new URL(c.authorize_url!).searchParams.get('state')!;
    assert.deepEqual(h.api.resolveAuthorizeState(state), { consumerId: 'zed', unifiedApi: 'accounting', serviceId: 'xero' });
    assert.equal(h.api.resolveAuthorizeState('nope'), undefined);
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
