/**
 * `GET /vault/authorize/{service_id}/{application_id}` (connectionsAuthorize): the sandbox's consent page standing in for
 * the provider, its Authorize/Deny decision, and the CSRF-protected `nonce` variant with `…/confirm`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Connection } from '../../src/sandbox/seed.ts';
import { APP_ID, type Harness, body, harness } from './helpers.ts';

const CALLBACK = 'http://localhost:5173/callback.html?flow=a%20b&x=1';
const CONSUMER = 'consumer-1';

/** The path and query of a consumer connection's `authorize_url`, plus the given parameters. */
function authorizePath(h: Harness, unifiedApi: string, serviceId: string, params: Record<string, string> = {}): string {
  const connection = h.api.getConnection(CONSUMER, unifiedApi, serviceId);
  assert.ok(connection?.authorize_url, `${unifiedApi}/${serviceId} has an authorize_url`);
  const url = new URL(connection.authorize_url);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return `${url.pathname}${url.search}`;
}

async function consentPage(h: Harness, path: string): Promise<{ response: Response; html: string; consent: string; action: string }> {
  const response = await h.raw(path);
  const html = await response.text();
  assert.equal(response.status, 200, html);
  const consent = /name="consent" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
  assert.ok(consent && action, 'the page has a decision form');
  return { response, html, consent, action: action.replace(/&amp;/g, '&') };
}

function decide(h: Harness, action: string, consent: string, decision: string): Promise<Response> {
  return h.raw(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ consent, decision }).toString(),
  });
}

async function state(h: Harness, unifiedApi: string, serviceId: string): Promise<Connection> {
  const response = await h.asServer(`/vault/connections/${unifiedApi}/${serviceId}`, { consumer: CONSUMER });
  return (await body(response)).data as Connection;
}

describe('GET /vault/authorize: the consent page', () => {
  it('serves a script-free page under a CSP, with Authorize and Deny posting to …/decision', async () => {
    const h = harness();
    const { response, html, action } = await consentPage(h, authorizePath(h, 'accounting', 'xero', { redirect_uri: CALLBACK }));
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'; style-src 'self'/);
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    assert.doesNotMatch(html, /<script|<style|style="|\son\w+=/i);
    assert.match(html, /<h1>Authorize Xero<\/h1>/);
    assert.match(html, /value="authorize">Authorize</);
    assert.match(html, /value="deny"[^>]*>Deny</);
    assert.equal(action, `/vault/authorize/xero/${APP_ID}/decision`);
    const css = await h.raw('/__sandbox/page.css');
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    await css.text();
  });

  it('Authorize without a nonce: callable at once, 303 to redirect_uri exactly as given', async () => {
    const h = harness();
    assert.equal((await state(h, 'accounting', 'xero')).state, 'available');
    const { consent, action } = await consentPage(h, authorizePath(h, 'accounting', 'xero', { redirect_uri: CALLBACK }));
    const response = await decide(h, action, consent, 'authorize');
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), CALLBACK);
    const connection = await state(h, 'accounting', 'xero');
    assert.equal(connection.state, 'callable');
    assert.equal(connection.health, 'ok');
    // Each page answers once.
    const again = await decide(h, action, consent, 'authorize');
    assert.equal(again.status, 400);
    assert.equal(again.headers.get('location'), null);
    await again.text();
  });

  it('Authorize with a nonce: #nonce=…&confirm_token=…&service_id=…, pending_confirmation until …/confirm', async () => {
    const h = harness();
    const nonce = 'n0nce/+=&x';
    const { consent, action } = await consentPage(h, authorizePath(h, 'file-storage', 'dropbox', { redirect_uri: CALLBACK, nonce }));
    const response = await decide(h, action, consent, 'authorize');
    assert.equal(response.status, 303);
    const location = response.headers.get('location') ?? '';
    assert.ok(location.startsWith(`${CALLBACK}#`), location);
    const fragment = new URLSearchParams(location.slice(location.indexOf('#') + 1));
    assert.deepEqual([...fragment.keys()], ['nonce', 'confirm_token', 'service_id']);
    assert.equal(fragment.get('nonce'), nonce);
    assert.equal(fragment.get('service_id'), 'dropbox');
    const confirmToken = fragment.get('confirm_token') ?? '';
    assert.ok(confirmToken.length > 10);
    assert.equal(new URL(location).search, '?flow=a%20b&x=1', 'the redirect_uri keeps its own query');

    const pending = await state(h, 'file-storage', 'dropbox');
    assert.equal(pending.health, 'pending_confirmation');
    assert.notEqual(pending.state, 'callable');

    const token = await h.session(CONSUMER);
    const confirmed = await h.asBrowser(token, '/vault/connections/file-storage/dropbox/confirm', {
      method: 'POST',
      body: JSON.stringify({ confirm_token: confirmToken }),
    });
    assert.equal(confirmed.status, 200, await confirmed.clone().text());
    await confirmed.text();
    const done = await state(h, 'file-storage', 'dropbox');
    assert.equal(done.state, 'callable');
    assert.equal(done.health, 'ok');
  });

  it('Deny: 303 to redirect_uri with error=access_denied appended, the connection unchanged', async () => {
    const h = harness();
    const { consent, action } = await consentPage(h, authorizePath(h, 'accounting', 'xero', { redirect_uri: CALLBACK, nonce: 'n' }));
    const response = await decide(h, action, consent, 'deny');
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), `${CALLBACK}&error=access_denied`);
    assert.equal((await state(h, 'accounting', 'xero')).state, 'available');

    const plain = await consentPage(h, authorizePath(h, 'accounting', 'xero', { redirect_uri: 'http://127.0.0.1:4000/cb' }));
    const denied = await decide(h, plain.action, plain.consent, 'deny');
    assert.equal(denied.headers.get('location'), 'http://127.0.0.1:4000/cb?error=access_denied');
  });

  it('validates redirect_uri: required, absolute http(s), localhost or 127.0.0.1 only in the sandbox', async () => {
    const h = harness();
    const cases: [string | undefined, RegExp][] = [
      [undefined, /Missing Param: redirect_uri/],
      ['/callback.html', /absolute URL/],
      ['javascript:alert(1)', /http or https/],
      ['ftp://localhost/cb', /http or https/],
      ['https://evil.example/cb', /not allowed/],
    ];
    for (const [redirectUri, detail] of cases) {
      const response = await h.raw(authorizePath(h, 'accounting', 'xero', redirectUri === undefined ? {} : { redirect_uri: redirectUri }));
      const json = await body(response);
      assert.equal(response.status, 400, String(redirectUri));
      assert.equal(response.headers.get('location'), null);
      assert.match(String(json.detail), detail);
    }
    for (const ok of ['http://127.0.0.1:9/x?y=1', 'https://localhost/cb']) {
      const response = await h.raw(authorizePath(h, 'accounting', 'xero', { redirect_uri: ok }));
      assert.equal(response.status, 200, ok);
      await response.text();
    }
  });

  it('refuses a missing, unknown or mismatched state (401), another application (404) and an unconfigured integration (422)', async () => {
    const h = harness();
    const xero = new URL(authorizePath(h, 'accounting', 'xero', { redirect_uri: CALLBACK }), 'http://x');
    const missing = await h.raw(`/vault/authorize/xero/${APP_ID}?redirect_uri=${encodeURIComponent(CALLBACK)}`);
    assert.equal(missing.status, 400);
    await missing.text();
    const unknown = await h.raw(`/vault/authorize/xero/${APP_ID}?state=nope&redirect_uri=${encodeURIComponent(CALLBACK)}`);
    assert.equal(unknown.status, 401);
    await unknown.text();
    const mismatched = await h.raw(`/vault/authorize/dropbox/${APP_ID}${xero.search}`);
    assert.equal(mismatched.status, 401);
    await mismatched.text();
    const otherApp = await h.raw(`/vault/authorize/xero/other-app${xero.search}`);
    assert.equal(otherApp.status, 404);
    await otherApp.text();
    const unconfigured = await h.raw(authorizePath(h, 'crm', 'zoho-crm', { redirect_uri: CALLBACK }));
    assert.equal(unconfigured.status, 422);
    await unconfigured.text();
  });

  it('refuses a decision for another connector, an unknown one, or neither authorize nor deny', async () => {
    const h = harness();
    const { consent, action } = await consentPage(h, authorizePath(h, 'accounting', 'xero', { redirect_uri: CALLBACK }));
    const otherPath = await decide(h, `/vault/authorize/dropbox/${APP_ID}/decision`, consent, 'authorize');
    assert.equal(otherPath.status, 400);
    await otherPath.text();
    const maybe = await decide(h, action, consent, 'maybe');
    assert.equal(maybe.status, 400);
    await maybe.text();
    const unknown = await decide(h, action, 'forged', 'authorize');
    assert.equal(unknown.status, 400);
    await unknown.text();
    assert.equal((await state(h, 'accounting', 'xero')).state, 'available');
    // Still answerable after the refused attempts.
    assert.equal((await decide(h, action, consent, 'authorize')).status, 303);
  });

  it('expires an unanswered consent page after ten minutes', async () => {
    const h = harness();
    const { consent, action } = await consentPage(h, authorizePath(h, 'accounting', 'xero', { redirect_uri: CALLBACK }));
    h.clock.now += 10 * 60 * 1000;
    const response = await decide(h, action, consent, 'authorize');
    assert.equal(response.status, 400);
    await response.text();
    assert.equal((await state(h, 'accounting', 'xero')).state, 'available');
  });
});
