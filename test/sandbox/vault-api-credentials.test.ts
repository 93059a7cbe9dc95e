/** The Vault API emulator's credential operations: import, token, confirm, and the sandbox's own authorize. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { body, connection, expectError, harness, json } from './helpers.ts';

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

describe('POST …/import: refreshes, faults and webhooks', () => {
  const importOf = (h: ReturnType<typeof harness>, path: string, value: unknown, consumer = 'consumer-1') =>
    h.asServer(`/vault/connections/${path}/import`, { method: 'POST', consumer, body: json(value) });
  const waitFor = async (check: () => boolean) => {
    const deadline = Date.now() + 3000;
    while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(check(), 'timed out');
  };

  it('queues an OAuth token without issued_at/expires_in (or expired) for refresh, as the guide says', async () => {
    const h = harness();
    const fresh = new Date(h.clock.now - 60_000).toISOString();
    const current = await connection(await importOf(h, 'accounting/xero', { credentials: { access_token: 'a', refresh_token: 'r', issued_at: fresh, expires_in: 3600 } }));
    assert.equal(current.health, 'ok');
    const expired = await connection(await importOf(h, 'accounting/xero', { credentials: { access_token: 'a', refresh_token: 'r', issued_at: fresh, expires_in: 30 } }, 'consumer-2'));
    assert.equal(expired.health, 'pending_refresh');
    const undated = await connection(await importOf(h, 'accounting/xero', { credentials: { access_token: 'a', refresh_token: 'r' } }, 'consumer-3'));
    assert.equal(undated.health, 'pending_refresh');
    assert.equal(undated.state, 'callable');
    await waitFor(() => h.api.getConnection('consumer-3', 'accounting', 'xero')?.health === 'ok');
    const revoked = await connection(await importOf(h, 'accounting/xero', { credentials: { access_token: 'a', refresh_token: 'revoked-by-user' } }, 'consumer-4'));
    assert.equal(revoked.health, 'pending_refresh');
    await waitFor(() => h.api.getConnection('consumer-4', 'accounting', 'xero')?.health === 'needs_auth');
    // Importing new tokens clears the failure.
    await importOf(h, 'accounting/xero', { credentials: { access_token: 'a', refresh_token: 'r', issued_at: fresh, expires_in: 3600 } }, 'consumer-4');
    assert.equal(h.api.getConnection('consumer-4', 'accounting', 'xero')?.health, 'ok');
    h.api.close();
  });

  it('the refresh-failure control: needs_auth for a connection holding OAuth tokens, 422 otherwise', async () => {
    const h = harness();
    const token = await h.session();
    const failed = await connection(await h.asBrowser(token, '/__sandbox/refresh-failure/crm/salesforce', { method: 'POST' }));
    assert.deepEqual([failed.state, failed.health, failed.last_refresh_failed_at], ['callable', 'needs_auth', h.clock.now]);
    await expectError(await h.asBrowser(token, '/__sandbox/refresh-failure/crm/close', { method: 'POST' }), 422);
    await expectError(await h.asBrowser(token, '/__sandbox/refresh-failure/accounting/xero', { method: 'POST' }), 422);
    await expectError(await h.raw('/__sandbox/refresh-failure/crm/salesforce', { method: 'POST' }), 401);
    // Authorizing again is the way back.
    h.api.authorize('consumer-1', 'crm', 'salesforce');
    assert.equal(h.api.getConnection('consumer-1', 'crm', 'salesforce')?.health, 'ok');
  });

  it('injects 429s and 500s at the rates set through /__sandbox/faults', async () => {
    const h = harness();
    const set = await body(await h.raw('/__sandbox/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: json({ import_429_rate: 1, retry_after: 2 }) }));
    assert.deepEqual(set.data, { import_429_rate: 1, import_500_rate: 0, retry_after: 2 });
    const limited = await importOf(h, 'crm/pipedrive', { settings: { api_key: 'k' } });
    assert.equal(limited.headers.get('retry-after'), '2');
    await expectError(limited, 429, 'TooManyRequestsError');
    await h.raw('/__sandbox/faults', { method: 'POST', body: json({ import_429_rate: 0, import_500_rate: 1 }) });
    await expectError(await importOf(h, 'crm/pipedrive', { settings: { api_key: 'k' } }), 500);
    await expectError(await h.raw('/__sandbox/faults', { method: 'POST', body: json({ import_429_rate: 2 }) }), 400);
    await h.raw('/__sandbox/faults', { method: 'POST', body: json({ import_500_rate: 0 }) });
    assert.equal((await importOf(h, 'crm/pipedrive', { settings: { api_key: 'k' } })).status, 200);
  });

  it('sends signed webhooks for an import: created, updated, callable, sharing a request id, each its own key', async () => {
    const deliveries: { headers: Headers; body: string }[] = [];
    const h = harness();
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        deliveries.push({ headers: new Headers(req.headers as Record<string, string>), body: text });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      h.api.setWebhookUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
      await importOf(h, 'crm/pipedrive', { settings: { api_key: 'WEBHOOK-SECRET' } });
      await waitFor(() => deliveries.length === 3);
      const payloads = deliveries.map((delivery) => (JSON.parse(delivery.body) as { payload: Record<string, unknown> }).payload);
      assert.deepEqual(payloads.map((payload) => payload.event_type).sort(), ['vault.connection.callable', 'vault.connection.created', 'vault.connection.updated']);
      assert.equal(new Set(payloads.map((payload) => payload.event_id)).size, 1, 'one request id');
      assert.equal(new Set(deliveries.map((delivery) => delivery.headers.get('x-apideck-idempotency-key'))).size, 3, 'three events');
      for (const delivery of deliveries) {
        assert.match(delivery.headers.get('x-apideck-signature') ?? '', /^[0-9a-f]{64}$/);
        assert.ok(!delivery.body.includes('WEBHOOK-SECRET'), 'no settings in a webhook');
      }
    } finally {
      server.close();
      h.api.close();
    }
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
