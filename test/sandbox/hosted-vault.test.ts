/**
 * The Hosted Vault emulator: `/integrations/{unified_api}/{service_id}?jwt=…`, its Authorize / settings / Cancel forms
 * against the Vault API emulator's store, `auto_redirect` back to the session's `redirect_uri` with
 * `authorizedConnection=<service_id>`, `isolation_mode`, and the 401 page for a bad session.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHostedVault } from '../../src/sandbox/hosted-vault.ts';
import { type Harness, VAULT_API_URL, harness } from './helpers.ts';

const HOSTED = 'http://127.0.0.1:4998';
const CONSUMER = 'consumer-1';
const CALLBACK = 'http://localhost:5173/callback.html?flow=a%20b';

function setup() {
  const h = harness();
  const hosted = createHostedVault({ vaultApi: h.api, vaultApiUrl: VAULT_API_URL });
  const get = (path: string) => hosted(new Request(`${HOSTED}${path}`));
  const post = (path: string, form: Record<string, string>) =>
    hosted(
      new Request(`${HOSTED}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      }),
    );
  return { h, hosted, get, post };
}

function session(h: Harness, settings: Record<string, unknown> = {}, redirectUri: string | null = CALLBACK): Promise<string> {
  return h.api.createSessionToken(CONSUMER, { ...(redirectUri ? { redirect_uri: redirectUri } : {}), settings });
}

const page = (serviceApi: string, jwt: string) => `/integrations/${serviceApi}?jwt=${encodeURIComponent(jwt)}`;

describe('Hosted Vault emulator', () => {
  it('shows the connection with Authorize, Cancel and the overview link, as a script-free page', async () => {
    const { h, get } = setup();
    const jwt = await session(h);
    const response = await get(page('accounting/xero', jwt));
    const html = await response.text();
    assert.equal(response.status, 200, html);
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'; style-src 'self'/);
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    assert.doesNotMatch(html, /<script|<style|style="|\son\w+=/i);
    assert.match(html, /<h1>Xero<\/h1>/);
    assert.match(html, /Not connected/);
    assert.match(html, /data-action="authorize">Authorize</);
    assert.match(html, /data-action="cancel">Cancel</);
    assert.match(html, /href="\/integrations\?jwt=/);
  });

  it('hides the link back to the integrations overview in isolation_mode', async () => {
    const { h, get } = setup();
    const jwt = await session(h, { isolation_mode: true, auto_redirect: true });
    const html = await (await get(page('accounting/xero', jwt))).text();
    assert.doesNotMatch(html, /\/integrations\?jwt=/);
    assert.doesNotMatch(html, /All integrations/);
  });

  it('answers 401 for a missing, forged, expired or revoked jwt', async () => {
    const { h, get, post } = setup();
    const jwt = await session(h);
    const forged = `${jwt.slice(0, -4)}AAAA`;
    for (const path of ['/integrations/accounting/xero', `/integrations/accounting/xero?jwt=${forged}`, '/integrations?jwt=x.y.z']) {
      const response = await get(path);
      const html = await response.text();
      assert.equal(response.status, 401, path);
      assert.match(html, /invalid or has expired/);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    }
    const forgedPost = await post('/integrations/accounting/xero/authorize', { jwt: forged });
    assert.equal(forgedPost.status, 401);
    await forgedPost.text();
    assert.equal(h.api.getConnection(CONSUMER, 'accounting', 'xero')?.state, 'available');

    h.clock.now += 3600 * 1000 + 1000;
    assert.equal((await get(page('accounting/xero', jwt))).status, 401);
    const fresh = await session(h);
    h.api.expireSessions();
    assert.equal((await get(page('accounting/xero', fresh))).status, 401);
  });

  it('Authorize (oauth2) with auto_redirect: 303 to the redirect_uri, its query kept, authorizedConnection appended', async () => {
    const { h, post } = setup();
    const jwt = await session(h, { auto_redirect: true, isolation_mode: true });
    const response = await post('/integrations/accounting/xero/authorize', { jwt });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), `${CALLBACK}&authorizedConnection=xero`);
    assert.equal(h.api.getConnection(CONSUMER, 'accounting', 'xero')?.state, 'callable');

    const bare = await session(h, { auto_redirect: true }, 'http://127.0.0.1:5173/callback.html');
    const second = await post('/integrations/file-storage/dropbox/authorize', { jwt: bare });
    assert.equal(second.headers.get('location'), 'http://127.0.0.1:5173/callback.html?authorizedConnection=dropbox');
  });

  it('without auto_redirect: back to the page, which says "Connected. You can close this window."', async () => {
    const { h, get, post } = setup();
    const jwt = await session(h, {});
    const response = await post('/integrations/accounting/xero/authorize', { jwt });
    assert.equal(response.status, 303);
    const location = response.headers.get('location') ?? '';
    assert.ok(location.startsWith('/integrations/accounting/xero?'), location);
    const html = await (await get(location)).text();
    assert.match(html, /Connected\. You can close this window\./);
    assert.match(html, /data-action="authorize">Re-authorize</);

    // auto_redirect without a redirect_uri cannot redirect either.
    const noRedirect = await session(h, { auto_redirect: true }, null);
    const other = await post('/integrations/file-storage/dropbox/authorize', { jwt: noRedirect });
    assert.ok((other.headers.get('location') ?? '').startsWith('/integrations/file-storage/dropbox?'));
  });

  it('does not redirect until the connection is callable: OAuth first, then the required settings', async () => {
    const { h, get, post } = setup();
    const jwt = await session(h, { auto_redirect: true });
    const authorized = await post('/integrations/file-storage/sharepoint/authorize', { jwt });
    const location = authorized.headers.get('location') ?? '';
    assert.ok(location.startsWith('/integrations/file-storage/sharepoint?'), location);
    assert.equal(h.api.getConnection(CONSUMER, 'file-storage', 'sharepoint')?.state, 'authorized');
    const html = await (await get(location)).text();
    assert.match(html, /Fill in the remaining settings/);
    assert.match(html, /name="site_url"/);

    const saved = await post('/integrations/file-storage/sharepoint/settings', { jwt, site_url: 'https://acme.sharepoint.com/sites/team' });
    assert.equal(saved.status, 303);
    assert.equal(saved.headers.get('location'), `${CALLBACK}&authorizedConnection=sharepoint`);
    assert.equal(h.api.getConnection(CONSUMER, 'file-storage', 'sharepoint')?.state, 'callable');
  });

  it('apiKey: the settings form PATCHes the store; a saved secret is never echoed', async () => {
    const { h, get, post } = setup();
    const jwt = await session(h, { auto_redirect: true });
    const before = await (await get(page('crm/pipedrive', jwt))).text();
    assert.match(before, /name="api_key"[^>]*required/);
    assert.doesNotMatch(before, /data-action="authorize"/);

    const response = await post('/integrations/crm/pipedrive/settings', { jwt, api_key: 'secret-key-123', company_domain: 'acme' });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), `${CALLBACK}&authorizedConnection=pipedrive`);
    const stored = h.api.getConnection(CONSUMER, 'crm', 'pipedrive');
    assert.equal(stored?.state, 'callable');
    assert.deepEqual(stored?.settings, { api_key: 'secret-key-123', company_domain: 'acme' });

    const after = await (await get(page('crm/pipedrive', jwt))).text();
    assert.doesNotMatch(after, /secret-key-123/);
    assert.match(after, /Saved\. Leave empty to keep it\./);
    assert.match(after, /value="acme"/);
    // Leaving the secret empty keeps it.
    await post('/integrations/crm/pipedrive/settings', { jwt, api_key: '', company_domain: 'acme2' });
    assert.deepEqual(h.api.getConnection(CONSUMER, 'crm', 'pipedrive')?.settings, { api_key: 'secret-key-123', company_domain: 'acme2' });
  });

  it('shows an API refusal on the page (422) and changes nothing', async () => {
    const { h, post } = setup();
    const jwt = await session(h, { auto_redirect: true });
    // Clearing a setting the provider needs for authorization: saved, not callable, so back to the page.
    const cleared = await post('/integrations/accounting/exact-online/settings', { jwt, region: '' });
    assert.equal(cleared.status, 303);
    assert.ok((cleared.headers.get('location') ?? '').startsWith('/integrations/accounting/exact-online?'));
    assert.equal(h.api.getConnection(CONSUMER, 'accounting', 'exact-online')?.settings?.region, undefined);
    const before = h.api.getConnection(CONSUMER, 'accounting', 'exact-online');
    const refused = await post('/integrations/accounting/exact-online/authorize', { jwt });
    const refusedHtml = await refused.text();
    assert.equal(refused.status, 422);
    assert.match(refusedHtml, /role="alert">Missing settings required for authorization/);
    assert.equal(refused.headers.get('location'), null);
    assert.deepEqual(h.api.getConnection(CONSUMER, 'accounting', 'exact-online'), before);
  });

  it('Cancel changes nothing and says the window can be closed', async () => {
    const { h, post } = setup();
    const jwt = await session(h, { auto_redirect: true });
    const response = await post('/integrations/accounting/xero/cancel', { jwt });
    assert.equal(response.status, 200);
    assert.match(await response.text(), /Nothing was changed\. You can close this window\./);
    assert.equal(h.api.getConnection(CONSUMER, 'accounting', 'xero')?.state, 'available');
  });

  it('keeps to the session: unified_apis, unknown connections, methods', async () => {
    const { h, get, hosted } = setup();
    const jwt = await session(h, { unified_apis: ['crm'] });
    const outside = await get(page('accounting/xero', jwt));
    assert.equal(outside.status, 404);
    await outside.text();
    const unknown = await get(page('crm/nope', jwt));
    assert.equal(unknown.status, 404);
    await unknown.text();
    const put = await hosted(new Request(`${HOSTED}/integrations/crm/pipedrive`, { method: 'PUT' }));
    assert.equal(put.status, 405);
    await put.text();
  });

  it('redirects /session/<token> to the overview, which lists the session’s connections', async () => {
    const { h, get } = setup();
    const jwt = await session(h, { unified_apis: ['hris'] });
    const redirect = await get(`/session/${jwt}`);
    assert.equal(redirect.status, 303);
    const location = redirect.headers.get('location') ?? '';
    assert.equal(location, `/integrations?jwt=${encodeURIComponent(jwt)}`);
    const overview = await get(location);
    const html = await overview.text();
    assert.equal(overview.status, 200);
    assert.match(html, /data-service-id="bamboohr"/);
    assert.doesNotMatch(html, /data-service-id="salesforce"/);
  });
});
