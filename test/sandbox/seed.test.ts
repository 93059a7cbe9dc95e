/** The seed: every connection valid and every state, auth type and unified API covered; fresh copies each time. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUTH_TYPES, CONNECTION_STATES } from '../../src/internal/api/vocabulary.ts';
import { SEED_CONNECTOR_COUNT, SEED_UNIFIED_APIS, seedConnections } from '../../src/sandbox/seed.ts';
import { APP_ID, VAULT_API_URL } from './helpers.ts';

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
