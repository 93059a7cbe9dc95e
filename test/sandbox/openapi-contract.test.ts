/**
 * Holds the sandbox to Apideck's published OpenAPI spec: every request these tests send is validated against the
 * operation's parameters and request body, and every reply body against the operation's response for that status.
 * Connections are also checked for properties the spec does not declare, since `Connection` itself allows extras.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import addFormats from 'ajv-formats';
import { OpenAPIBackend } from 'openapi-backend';
import type { Document } from 'openapi-backend';
import { parse } from 'yaml';
import { API_KEY, APP_ID, harness } from './helpers.ts';

const SPEC_PATH = new URL('../../spec/apideck-vault-openapi.yml', import.meta.url);

interface SchemaObject {
  properties?: Record<string, unknown>;
}
interface Spec {
  components: { schemas: Record<string, SchemaObject> };
}

const spec = parse(readFileSync(SPEC_PATH, 'utf8'), { maxAliasCount: -1 }) as Spec;
let openapi: OpenAPIBackend;

before(async () => {
  openapi = new OpenAPIBackend({
    definition: structuredClone(spec) as unknown as Document,
    strict: false,
    validate: true,
    ajvOpts: { strict: false, allErrors: true },
    customizeAjv: (ajv) => {
      addFormats(ajv);
      return ajv;
    },
  });
  await openapi.init();
});

function describeErrors(errors: { instancePath?: string; message?: string; params?: unknown }[] | null | undefined): string {
  return (errors ?? []).map((e) => `  ${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params ?? {})}`).join('\n');
}

interface Call {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** `apiKey` (default) sends the API key with the app and consumer headers; `none` sends no credentials. */
  auth?: 'apiKey' | 'none';
  rawBody?: string;
}

function headersFor(call: Call): Record<string, string> {
  const headers: Record<string, string> = {};
  if (call.auth !== 'none') {
    headers.authorization = `Bearer ${API_KEY}`;
    headers['x-apideck-app-id'] = APP_ID;
    headers['x-apideck-consumer-id'] = 'contract-consumer';
  }
  if (call.body !== undefined || call.rawBody !== undefined) headers['content-type'] = 'application/json';
  return headers;
}

/**
 * Validates the request against `operationId`, sends it to the sandbox, checks the status and validates the reply
 * body against the spec's response for that status. Returns the parsed body.
 */
async function call(
  h: ReturnType<typeof harness>,
  operationId: string,
  expectedStatus: number,
  request: Call,
  { validateRequest = true } = {},
): Promise<unknown> {
  const headers = headersFor(request);
  if (validateRequest) {
    const result = openapi.validateRequest(
      {
        method: request.method,
        path: request.path,
        headers,
        query: request.query ?? {},
        body: request.body,
      },
      operationId,
    );
    assert.ok(result.valid, `request for ${operationId} does not match the spec:\n${describeErrors(result.errors)}`);
  }
  const search = request.query ? `?${new URLSearchParams(request.query).toString()}` : '';
  const response = await h.raw(`${request.path}${search}`, {
    method: request.method.toUpperCase(),
    headers,
    ...(request.rawBody !== undefined
      ? { body: request.rawBody }
      : request.body !== undefined
        ? { body: JSON.stringify(request.body) }
        : {}),
  });
  const text = await response.text();
  assert.equal(response.status, expectedStatus, `${operationId}: expected ${expectedStatus}, got ${response.status}: ${text}`);
  assert.equal(response.headers.get('content-type'), 'application/json');
  if (expectedStatus === 204) {
    assert.equal(text, '');
    return undefined;
  }
  const body = JSON.parse(text) as unknown;
  const result = openapi.validateResponse(body, operationId, expectedStatus);
  assert.ok(
    result.valid,
    `${operationId} ${expectedStatus} reply does not match the spec:\n${describeErrors(result.errors)}\n${text.slice(0, 400)}`,
  );
  return body;
}

/** Properties the spec declares on `Connection` and `FormField`; `value` and `mask` appear in the spec's own example. */
function assertNoUndeclaredProperties(connection: Record<string, unknown>): void {
  const declared = new Set(Object.keys(spec.components.schemas.Connection.properties ?? {}));
  for (const key of Object.keys(connection)) {
    assert.ok(declared.has(key), `Connection.${key} is not declared by the spec (${String(connection.id)})`);
  }
  const fieldDeclared = new Set([...Object.keys(spec.components.schemas.FormField.properties ?? {}), 'value', 'mask']);
  for (const field of (connection.form_fields ?? []) as Record<string, unknown>[]) {
    for (const key of Object.keys(field)) {
      assert.ok(fieldDeclared.has(key), `FormField.${key} is not declared by the spec (${String(connection.id)})`);
    }
  }
}

const dataOf = (body: unknown) => (body as { data: unknown }).data;

describe('OpenAPI contract', () => {
  it('sessionsCreate: 200, 400 and 401', async () => {
    const h = harness();
    const body = {
      consumer_metadata: { account_name: 'Acme', user_name: 'Ada', email: 'ada@example.com', image: 'https://example.com/a.png' },
      redirect_uri: 'http://localhost:5173/callback.html',
      settings: {
        unified_apis: ['crm', 'accounting'],
        isolation_mode: true,
        auto_redirect: true,
        session_length: '30m',
        allow_actions: ['delete', 'disconnect', 'reauthorize', 'disable'],
      },
      theme: { vault_name: 'Acme', primary_color: '#286efa' },
    };
    await call(h, 'sessionsCreate', 200, { method: 'post', path: '/vault/sessions', body });
    await call(h, 'sessionsCreate', 200, { method: 'post', path: '/vault/sessions' });
    await call(h, 'sessionsCreate', 400, { method: 'post', path: '/vault/sessions', body: { nope: 1 } }, { validateRequest: false });
    await call(h, 'sessionsCreate', 400, { method: 'post', path: '/vault/sessions', rawBody: '{' }, { validateRequest: false });
    await call(h, 'sessionsCreate', 401, { method: 'post', path: '/vault/sessions', auth: 'none', body: {} }, { validateRequest: false });
  });

  it('connectionsAll: 200 (every connection, with and without a filter) and 401', async () => {
    const h = harness({ extra: 30 });
    const all = dataOf(await call(h, 'connectionsAll', 200, { method: 'get', path: '/vault/connections' })) as Record<string, unknown>[];
    assert.ok(all.length > 30);
    for (const connection of all) assertNoUndeclaredProperties(connection);
    await call(h, 'connectionsAll', 200, { method: 'get', path: '/vault/connections', query: { api: 'hris' } });
    const catalogue = await h.raw('/vault/connections', { headers: { authorization: `Bearer ${API_KEY}`, 'x-apideck-app-id': APP_ID } });
    const result = openapi.validateResponse(await catalogue.json(), 'connectionsAll', 200);
    assert.ok(result.valid, describeErrors(result.errors));
    await call(h, 'connectionsAll', 401, { method: 'get', path: '/vault/connections', auth: 'none' }, { validateRequest: false });
  });

  it('connections in every health state, and after the health control, are valid connectionsAll and connectionsOne replies', async () => {
    const h = harness();
    const all = dataOf(await call(h, 'connectionsAll', 200, { method: 'get', path: '/vault/connections' })) as Record<string, unknown>[];
    const healths = new Set(all.map((c) => c.health));
    for (const health of ['ok', 'needs_auth', 'revoked', 'needs_consent', 'pending_refresh', 'pending_confirmation', 'missing_settings', 'degraded']) {
      assert.ok(healths.has(health), `the seed has a connection with health ${health}`);
    }
    for (const connection of all) assertNoUndeclaredProperties(connection);
    for (const health of ['pending_refresh', 'degraded', 'revoked', 'ok'] as const) {
      h.api.setHealth('contract-consumer', 'crm', 'salesforce', { health, credentials_expire_at: health === 'pending_refresh' ? h.clock.now + 86_400_000 : undefined });
      const one = dataOf(await call(h, 'connectionsOne', 200, { method: 'get', path: '/vault/connections/crm/salesforce' }));
      assert.equal((one as { health: string }).health, health);
      assertNoUndeclaredProperties(one as Record<string, unknown>);
    }
  });

  it('connectionsOne: 200 and 404', async () => {
    const h = harness();
    const one = dataOf(await call(h, 'connectionsOne', 200, { method: 'get', path: '/vault/connections/crm/salesforce' }));
    assertNoUndeclaredProperties(one as Record<string, unknown>);
    await call(h, 'connectionsOne', 404, { method: 'get', path: '/vault/connections/crm/unknown' });
  });

  it('connectionsUpdate: 200, 400 and 422', async () => {
    const h = harness();
    const updated = dataOf(
      await call(h, 'connectionsUpdate', 200, {
        method: 'patch',
        path: '/vault/connections/crm/pipedrive',
        body: { enabled: true, settings: { api_key: 'key' }, metadata: { account: { name: 'Acme', id: '1' } } },
      }),
    ) as Record<string, unknown>;
    assert.equal(updated.state, 'callable');
    assertNoUndeclaredProperties(updated);
    await call(h, 'connectionsUpdate', 400, { method: 'patch', path: '/vault/connections/crm/pipedrive', body: { enabled: 'x' } }, { validateRequest: false });
    await call(h, 'connectionsUpdate', 422, { method: 'patch', path: '/vault/connections/crm/zoho-crm', body: { enabled: false } });
    await call(h, 'connectionsUpdate', 404, { method: 'patch', path: '/vault/connections/crm/unknown', body: { enabled: false } });
  });

  it('connectionsDelete: 204 and 404', async () => {
    const h = harness();
    await call(h, 'connectionsDelete', 204, { method: 'delete', path: '/vault/connections/crm/salesforce' });
    await call(h, 'connectionsDelete', 404, { method: 'delete', path: '/vault/connections/crm/unknown' });
  });

  it('connectionsImport: 200 for apiKey and oauth2, 400, 401 and 422', async () => {
    const h = harness();
    const apiKey = dataOf(
      await call(h, 'connectionsImport', 200, {
        method: 'post',
        path: '/vault/connections/ats/greenhouse/import',
        body: { settings: { api_key: 'harvest' }, metadata: { account: 'sandbox' } },
      }),
    ) as Record<string, unknown>;
    assertNoUndeclaredProperties(apiKey);
    await call(h, 'connectionsImport', 200, {
      method: 'post',
      path: '/vault/connections/accounting/quickbooks/import',
      body: {
        credentials: { access_token: 'a', refresh_token: 'r', issued_at: '2022-04-01T12:05:06.019Z', expires_in: 3600 },
        settings: { realm_id: '4620816365164357123' },
        metadata: { account: 'sandbox' },
      },
    });
    await call(h, 'connectionsImport', 400, {
      method: 'post',
      path: '/vault/connections/accounting/xero/import',
      body: { credentials: { access_token: 'a' } },
    });
    await call(
      h,
      'connectionsImport',
      401,
      { method: 'post', path: '/vault/connections/accounting/xero/import', auth: 'none', body: {} },
      { validateRequest: false },
    );
    await call(h, 'connectionsImport', 422, {
      method: 'post',
      path: '/vault/connections/crm/zoho-crm/import',
      body: { credentials: { access_token: 'a', refresh_token: 'r' } },
    });
  });

  it('connectionsImport: injected 429 and 500 are the spec\'s default error reply, and Retry-After is set', async () => {
    const h = harness();
    h.api.setFaults({ import_429_rate: 1, retry_after: 3 });
    const body = { settings: { api_key: 'harvest' } };
    await call(h, 'connectionsImport', 429, { method: 'post', path: '/vault/connections/ats/greenhouse/import', body });
    const limited = await h.asServer('/vault/connections/ats/greenhouse/import', { method: 'POST', consumer: 'contract-consumer', body: JSON.stringify(body) });
    assert.equal(limited.headers.get('retry-after'), '3');
    h.api.setFaults({ import_429_rate: 0, import_500_rate: 1 });
    await call(h, 'connectionsImport', 500, { method: 'post', path: '/vault/connections/ats/greenhouse/import', body });
    h.api.setFaults({ import_500_rate: 0 });
    assert.equal(h.api.getConnection('contract-consumer', 'ats', 'greenhouse')?.state, 'available', 'an injected failure writes nothing');
    const queued = dataOf(
      await call(h, 'connectionsImport', 200, {
        method: 'post',
        path: '/vault/connections/accounting/xero/import',
        body: { credentials: { access_token: 'a', refresh_token: 'r' } },
      }),
    ) as Record<string, unknown>;
    assert.equal(queued.health, 'pending_refresh');
    h.api.failTokenRefresh('contract-consumer', 'accounting', 'xero');
    const failed = dataOf(await call(h, 'connectionsOne', 200, { method: 'get', path: '/vault/connections/accounting/xero' })) as Record<string, unknown>;
    assert.deepEqual([failed.state, failed.health, failed.last_refresh_failed_at], ['callable', 'needs_auth', h.clock.now]);
    assertNoUndeclaredProperties(failed);
    h.api.close();
  });

  it('connectionsToken: 200 and 422', async () => {
    const h = harness();
    await call(h, 'connectionsUpdate', 200, {
      method: 'patch',
      path: '/vault/connections/hris/personio',
      body: { settings: { client_id: 'id', client_secret: 'secret' } },
    });
    await call(h, 'connectionsToken', 200, { method: 'post', path: '/vault/connections/hris/personio/token', body: {} });
    await call(h, 'connectionsToken', 422, { method: 'post', path: '/vault/connections/crm/salesforce/token', body: {} });
  });

  it('connectionsConfirm: 200 and 400', async () => {
    const h = harness();
    const token = h.api.createConfirmToken('contract-consumer', 'accounting', 'xero');
    const pending = dataOf(await call(h, 'connectionsOne', 200, { method: 'get', path: '/vault/connections/accounting/xero' }));
    assert.equal((pending as { health: string }).health, 'pending_confirmation');
    await call(h, 'connectionsConfirm', 200, {
      method: 'post',
      path: '/vault/connections/accounting/xero/confirm',
      body: { confirm_token: token },
    });
    await call(h, 'connectionsConfirm', 400, {
      method: 'post',
      path: '/vault/connections/accounting/xero/confirm',
      body: { confirm_token: token },
    });
  });

  it('connectionsAuthorize: a valid request gets the consent page; 400, 401, 404 and 422 as the spec says', async () => {
    const h = harness();
    const authorizeQuery = (unifiedApi: string, serviceId: string) => {
      const url = new URL(h.api.getConnection('contract-consumer', unifiedApi, serviceId)?.authorize_url ?? '');
      return { path: url.pathname, state: url.searchParams.get('state') ?? '' };
    };
    const xero = authorizeQuery('accounting', 'xero');
    const query = { state: xero.state, redirect_uri: 'http://localhost:5173/callback.html', nonce: 'a1b2c3' };
    const valid = openapi.validateRequest({ method: 'get', path: xero.path, headers: {}, query }, 'connectionsAuthorize');
    assert.ok(valid.valid, describeErrors(valid.errors));
    // Apideck answers 301 to the provider; the sandbox is the provider too, and shows its consent page (see vault-api.ts).
    const page = await h.raw(`${xero.path}?${new URLSearchParams(query).toString()}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    await page.text();

    await call(h, 'connectionsAuthorize', 400, { method: 'get', path: xero.path, auth: 'none', query: { state: xero.state } }, { validateRequest: false });
    await call(h, 'connectionsAuthorize', 400, {
      method: 'get',
      path: xero.path,
      auth: 'none',
      query: { state: xero.state, redirect_uri: 'not a url' },
    });
    await call(h, 'connectionsAuthorize', 401, {
      method: 'get',
      path: xero.path,
      auth: 'none',
      query: { state: 'forged', redirect_uri: 'http://localhost:5173/callback.html' },
    });
    await call(h, 'connectionsAuthorize', 404, {
      method: 'get',
      path: '/vault/authorize/xero/another-app',
      auth: 'none',
      query: { state: xero.state, redirect_uri: 'http://localhost:5173/callback.html' },
    });
    const zoho = authorizeQuery('crm', 'zoho-crm');
    await call(h, 'connectionsAuthorize', 422, {
      method: 'get',
      path: zoho.path,
      auth: 'none',
      query: { state: zoho.state, redirect_uri: 'http://localhost:5173/callback.html' },
    });
  });

  it('fails readably when a reply drifts from the spec', () => {
    const result = openapi.validateResponse({ status_code: 200, status: 'OK', data: [{ state: 'connected' }] }, 'connectionsAll', 200);
    assert.equal(result.valid, false);
    assert.match(describeErrors(result.errors), /\/data\/0\/state must be equal to one of the allowed values/);
  });
});
