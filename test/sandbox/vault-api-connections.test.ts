/** The Vault API emulator's connection resource: list, one, update, delete, and its routing. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Connection, SEED_CONNECTOR_COUNT } from '../../src/sandbox/seed.ts';
import { body, connection, expectError, harness, json } from './helpers.ts';

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
