/** The Vault API emulator's credential operations: import, token, confirm, and the sandbox's own authorize. */
import assert from 'node:assert/strict';
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
