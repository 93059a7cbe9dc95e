/**
 * The sandbox's connection health: the seed's connections whose health tells more than their state, and the
 * `POST /__sandbox/health/{unified_api}/{service_id}` control (and `VaultApi.setHealth`) that puts any authorized
 * connection in a health state, until it is authorized again, its settings are completed or it is disconnected.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { SEED_CONNECTOR_COUNT, seedConnections } from '../../src/sandbox/seed.ts';
import { APP_ID, VAULT_API_URL, connection, expectError, harness, json } from './helpers.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('seeded health', () => {
  it('has a connection for each health the element draws, dated from the moment of the seed', () => {
    const now = Date.UTC(2026, 2, 1, 12);
    const seed = seedConnections({ vaultApiUrl: VAULT_API_URL, applicationId: APP_ID, now });
    assert.equal(seed.length, SEED_CONNECTOR_COUNT);
    const byId = new Map(seed.map((c) => [c.service_id, c]));
    assert.deepEqual(
      ['attio', 'copper', 'freshbooks', 'netsuite', 'deel', 'ashby', 'onedrive'].map((id) => [id, byId.get(id)?.state, byId.get(id)?.health]),
      [
        ['attio', 'callable', 'needs_auth'],
        ['copper', 'callable', 'revoked'],
        ['freshbooks', 'callable', 'pending_refresh'],
        ['netsuite', 'callable', 'degraded'],
        ['deel', 'authorized', 'pending_confirmation'],
        ['ashby', 'callable', 'needs_consent'],
        ['onedrive', 'callable', 'missing_settings'],
      ],
    );
    assert.equal(byId.get('freshbooks')?.credentials_expire_at, now + 5 * DAY);
    assert.equal(byId.get('freshbooks')?.last_refresh_failed_at, now - HOUR);
    assert.equal(byId.get('netsuite')?.last_downstream_error_at, now - HOUR / 3);
    // Every other connection has no failure on record.
    for (const c of seed.filter((c) => !['freshbooks', 'netsuite'].includes(c.service_id))) {
      assert.deepEqual([c.credentials_expire_at, c.last_refresh_failed_at, c.last_downstream_error_at], [0, 0, 0], c.id);
    }
  });

  it('the Vault API serves them as seeded, dated from its clock', async () => {
    const h = harness();
    const freshbooks = await connection(await h.asServer('/vault/connections/accounting/freshbooks'));
    assert.equal(freshbooks.health, 'pending_refresh');
    assert.equal(freshbooks.credentials_expire_at, h.clock.now + 5 * DAY);
    assert.equal((await connection(await h.asServer('/vault/connections/hris/deel'))).health, 'pending_confirmation');
  });
});

describe('POST /__sandbox/health/{unified_api}/{service_id}', () => {
  const setHealth = (h: ReturnType<typeof harness>, path: string, body: unknown, consumer = 'consumer-1') =>
    h.asServer(`/__sandbox/health/${path}`, { method: 'POST', body: json(body), consumer });

  it('puts a callable connection in each health state, with its timestamps; ok clears it', async () => {
    const h = harness();
    const before = await connection(await h.asServer('/vault/connections/crm/salesforce'));
    assert.equal(before.health, 'ok');

    const expiring = await connection(await setHealth(h, 'crm/salesforce', { health: 'pending_refresh' }));
    assert.equal(expiring.health, 'pending_refresh');
    assert.equal(expiring.state, 'callable');
    assert.equal(expiring.credentials_expire_at, h.clock.now + 5 * DAY);
    assert.equal(expiring.last_refresh_failed_at, h.clock.now - HOUR);
    assert.equal(expiring.updated_at, h.clock.now);

    const noWindow = await connection(await setHealth(h, 'crm/salesforce', { health: 'pending_refresh', credentials_expire_at: 0 }));
    assert.equal(noWindow.credentials_expire_at, 0);

    const degraded = await connection(await setHealth(h, 'crm/salesforce', { health: 'degraded', last_downstream_error_at: 1_700_000_000_000 }));
    assert.equal(degraded.health, 'degraded');
    assert.equal(degraded.last_downstream_error_at, 1_700_000_000_000);
    assert.equal(degraded.credentials_expire_at, 0);

    for (const health of ['needs_auth', 'revoked', 'needs_consent', 'pending_confirmation', 'missing_settings'] as const) {
      assert.equal((await connection(await setHealth(h, 'crm/salesforce', { health }))).health, health);
    }
    const ok = await connection(await setHealth(h, 'crm/salesforce', { health: 'ok' }));
    assert.equal(ok.health, 'ok');
    assert.deepEqual([ok.credentials_expire_at, ok.last_refresh_failed_at, ok.last_downstream_error_at], [0, 0, 0]);
    // The change is the consumer's own.
    assert.equal((await connection(await h.asServer('/vault/connections/crm/salesforce', { consumer: 'consumer-2' }))).health, 'ok');
  });

  it('a session may set it for its own consumer, as the Vault JS modal page calls the sandbox', async () => {
    const h = harness();
    const token = await h.session('consumer-9');
    const reply = await h.asBrowser(token, '/__sandbox/health/crm/salesforce', { method: 'POST', body: json({ health: 'revoked' }) });
    assert.equal((await connection(reply)).health, 'revoked');
    assert.equal(h.api.getConnection('consumer-9', 'crm', 'salesforce')?.health, 'revoked');
  });

  it('refuses what it cannot do: no authentication, unknown connections, connections never authorized, bad bodies', async () => {
    const h = harness();
    await expectError(await h.raw('/__sandbox/health/crm/salesforce', { method: 'POST', body: json({ health: 'revoked' }) }), 401);
    await expectError(await setHealth(h, 'crm/nope', { health: 'revoked' }), 404);
    await expectError(await setHealth(h, 'crm/pipedrive', { health: 'revoked' }), 422);
    await expectError(await setHealth(h, 'file-storage/box', { health: 'needs_auth' }), 422);
    for (const bad of [{}, { health: 'sick' }, { health: 'degraded', last_downstream_error_at: -1 }, { health: 'ok', extra: 1 }, { health: 'pending_refresh', credentials_expire_at: 'soon' }]) {
      await expectError(await setHealth(h, 'crm/salesforce', bad), 400);
    }
    await expectError(await h.asServer('/__sandbox/health/crm/salesforce', { method: 'POST' }), 400);
    await expectError(await h.asServer('/__sandbox/health/crm/salesforce', { method: 'GET' }), 405);
    assert.equal(h.api.getConnection('consumer-1', 'crm', 'salesforce')?.health, 'ok');
  });

  it('authorizing again, confirming, disconnecting or re-entering an API key puts the health right', async () => {
    const h = harness();
    h.api.setHealth('consumer-1', 'crm', 'salesforce', { health: 'needs_auth' });
    h.api.authorize('consumer-1', 'crm', 'salesforce');
    const reauthorized = h.api.getConnection('consumer-1', 'crm', 'salesforce');
    assert.equal(reauthorized?.health, 'ok');
    assert.equal(reauthorized?.state, 'callable');

    h.api.setHealth('consumer-1', 'crm', 'salesforce', { health: 'pending_refresh' });
    assert.equal((await h.asServer('/vault/connections/crm/salesforce', { method: 'DELETE' })).status, 204);
    const gone = h.api.getConnection('consumer-1', 'crm', 'salesforce');
    assert.equal(gone?.state, 'available');
    assert.equal(gone?.credentials_expire_at, 0);

    assert.equal(h.api.getConnection('consumer-1', 'crm', 'copper')?.health, 'revoked');
    const rekeyed = await connection(
      await h.asServer('/vault/connections/crm/copper', { method: 'PATCH', body: json({ settings: { api_key: 'a-new-key' } }) }),
    );
    assert.equal(rekeyed.health, 'ok');
    assert.equal(rekeyed.state, 'callable');

    // Disabling an OAuth connection changes nothing about its health.
    h.api.setHealth('consumer-1', 'ats', 'ashby', { health: 'needs_consent' });
    const disabled = await connection(await h.asServer('/vault/connections/ats/ashby', { method: 'PATCH', body: json({ enabled: false }) }));
    assert.equal(disabled.health, 'needs_consent');
  });

  it('beside the refresh-failure control the latest change speaks, and an import of new tokens puts both right', async () => {
    const h = harness();
    const read = () => h.api.getConnection('consumer-1', 'crm', 'salesforce');
    h.api.setHealth('consumer-1', 'crm', 'salesforce', { health: 'degraded' });
    const failed = h.api.failTokenRefresh('consumer-1', 'crm', 'salesforce');
    assert.deepEqual([failed.health, failed.last_refresh_failed_at], ['needs_auth', h.clock.now]);

    h.api.setHealth('consumer-1', 'crm', 'salesforce', { health: 'revoked' });
    assert.deepEqual([read()?.health, read()?.last_refresh_failed_at], ['revoked', 0]);
    h.api.setHealth('consumer-1', 'crm', 'salesforce', { health: 'ok' });
    assert.equal(read()?.health, 'ok');

    for (const health of ['needs_consent', undefined] as const) {
      if (health) h.api.setHealth('consumer-1', 'crm', 'salesforce', { health });
      else h.api.failTokenRefresh('consumer-1', 'crm', 'salesforce');
      const credentials = { access_token: 'a', refresh_token: 'r', issued_at: new Date(h.clock.now).toISOString(), expires_in: 3600 };
      const imported = await h.asServer('/vault/connections/crm/salesforce/import', { method: 'POST', body: json({ credentials }) });
      const after = await connection(imported);
      assert.deepEqual([after.state, after.health, after.last_refresh_failed_at, after.credentials_expire_at], ['callable', 'ok', 0, 0], health ?? 'failed refresh');
    }
  });

  it('a health change is an updated webhook; the retention window and the failed refresh appear only when set', async () => {
    const entities: Record<string, unknown>[] = [];
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        entities.push((JSON.parse(text) as { payload: { entity: Record<string, unknown> } }).payload.entity);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const h = harness();
    try {
      h.api.setWebhookUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
      h.api.setHealth('consumer-1', 'crm', 'salesforce', { health: 'pending_refresh' });
      h.api.setHealth('consumer-1', 'crm', 'salesforce', { health: 'degraded' });
      const deadline = Date.now() + 5_000;
      while (entities.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      const expiring = entities.find((entity) => entity.health === 'pending_refresh');
      const degraded = entities.find((entity) => entity.health === 'degraded');
      assert.equal(expiring?.health, 'pending_refresh');
      assert.equal(expiring?.credentials_expire_at, new Date(h.clock.now + 5 * DAY).toISOString());
      assert.equal(expiring?.last_refresh_failed_at, new Date(h.clock.now - HOUR).toISOString());
      assert.ok(degraded, 'the second change was sent too');
      assert.ok(!('credentials_expire_at' in degraded) && !('last_refresh_failed_at' in degraded), 'absent when 0');
    } finally {
      server.close();
      h.api.close();
    }
  });

  it('a CSRF-protected authorization reads authorized + pending_confirmation until confirmed', async () => {
    const h = harness();
    h.api.setHealth('consumer-1', 'crm', 'salesforce', { health: 'revoked' });
    const token = h.api.createConfirmToken('consumer-1', 'crm', 'salesforce');
    const pending = h.api.getConnection('consumer-1', 'crm', 'salesforce');
    assert.deepEqual([pending?.state, pending?.health], ['authorized', 'pending_confirmation']);
    const reply = await h.asServer('/vault/connections/crm/salesforce/confirm', { method: 'POST', body: json({ confirm_token: token }) });
    assert.equal(reply.status, 200);
    await reply.text();
    const confirmed = h.api.getConnection('consumer-1', 'crm', 'salesforce');
    assert.deepEqual([confirmed?.state, confirmed?.health], ['callable', 'ok']);
  });
});
