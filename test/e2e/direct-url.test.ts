/**
 * Unit-level: the URL `open-mode="direct"` opens (`directUrl` in `src/internal/actions/direct-authorize.ts`). It must keep the
 * connection's `authorize_url` as it is (origin, path, its own parameters), carry our `redirect_uri` encoded exactly once
 * (Apideck's own UI forgets to encode it) and a `nonce`, and refuse an `authorize_url` off the Vault API's origin or
 * not `https:` (plain `http:` only on a loopback host).
 * Runs in Node: `directUrl` reads `location.href` only to resolve a relative callback URL, so `location` is stubbed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VaultConnectError } from '../../src/internal/api/errors.ts';
import type { Connection } from '../../src/internal/api/schemas.ts';
import { directUrl } from '../../src/internal/actions/direct-authorize.ts';

const UNIFY = 'https://unify.apideck.com';
const HOST_PAGE = 'https://app.example.com/settings/integrations?tab=crm';
const hadLocation = 'location' in globalThis;

before(() => {
  if (!hadLocation) Object.defineProperty(globalThis, 'location', { value: new URL(HOST_PAGE), configurable: true });
});

after(() => {
  if (!hadLocation) Reflect.deleteProperty(globalThis, 'location');
});

function connection(authorizeUrl: string | null): Connection {
  return { service_id: 'xero', unified_api: 'accounting', authorize_url: authorizeUrl };
}

/** The raw (still encoded) value of a query parameter, as it stands in the URL. */
function rawParam(url: string, name: string): string[] {
  const query = new URL(url).search.slice(1);
  return query
    .split('&')
    .filter((pair) => pair.split('=')[0] === name)
    .map((pair) => pair.slice(name.length + 1));
}

describe('directUrl (open-mode="direct")', () => {
  const authorize = `${UNIFY}/vault/authorize/xero/app-1?state=eyJhIjoiYiJ9.c2ln%2Bx%2F%3D&scope=openid%20offline_access&prompt=consent`;
  const callback = 'https://app.example.com/oauth/callback?tenant=acme&next=/a%20b';
  const nonce = 'AbCdEfGhIjKlMnOpQrStUv';

  it('keeps the authorize URL’s origin, path and own parameters', () => {
    const result = new URL(directUrl(connection(authorize), UNIFY, callback, nonce));
    const original = new URL(authorize);
    assert.equal(result.origin, original.origin);
    assert.equal(result.pathname, original.pathname);
    for (const [name, value] of original.searchParams) assert.deepEqual(result.searchParams.getAll(name), [value], name);
    assert.deepEqual([...result.searchParams.keys()], ['state', 'scope', 'prompt', 'redirect_uri', 'nonce']);
    assert.equal(result.searchParams.get('state'), 'eyJhIjoiYiJ9.c2ln+x/=', 'an encoded +, / and = in state survive');
    assert.equal(result.hash, '');
  });

  it('carries redirect_uri (absolute, query included) encoded exactly once, and the nonce', () => {
    const result = directUrl(connection(authorize), UNIFY, callback, nonce);
    const absolute = new URL(callback).href;
    assert.deepEqual(new URL(result).searchParams.getAll('redirect_uri'), [absolute], 'decoding once gives the callback URL');
    const [raw] = rawParam(result, 'redirect_uri');
    assert.ok(raw.startsWith('https%3A%2F%2Fapp.example.com%2Foauth%2Fcallback%3Ftenant%3Dacme%26next%3D'), raw);
    assert.ok(!/%25(?:3A|2F|3F|26|3D)/i.test(raw), `not encoded twice: ${raw}`);
    assert.ok(raw.includes('%2520'), `the callback's own %20 is encoded once, as %2520: ${raw}`);
    assert.ok(!raw.includes('%252520'), 'and not twice');
    assert.equal(new URL(result).searchParams.get('tenant'), null, "the callback's own parameters do not leak into the authorize URL");
    assert.equal(new URL(result).searchParams.get('next'), null);
    assert.deepEqual(new URL(result).searchParams.getAll('nonce'), [nonce]);
  });

  it('replaces a redirect_uri or nonce already in the authorize URL instead of adding a second one', () => {
    const withOwn = `${UNIFY}/vault/authorize/xero/app-1?state=s1&redirect_uri=https%3A%2F%2Fevil.example%2F&nonce=old`;
    const result = new URL(directUrl(connection(withOwn), UNIFY, callback, nonce));
    assert.deepEqual(result.searchParams.getAll('redirect_uri'), [new URL(callback).href]);
    assert.deepEqual(result.searchParams.getAll('nonce'), [nonce]);
    assert.deepEqual(result.searchParams.getAll('state'), ['s1']);
  });

  it('resolves a relative callback URL against the page', () => {
    const result = new URL(directUrl(connection(authorize), UNIFY, '/callback.html', nonce));
    assert.equal(result.searchParams.get('redirect_uri'), 'https://app.example.com/callback.html');
  });

  it('refuses an authorize_url off the Vault API origin, or none, as invalid_response', () => {
    const cases = [
      'https://evil.example/vault/authorize/xero/app-1?state=s',
      'http://unify.apideck.com/vault/authorize/xero/app-1?state=s',
      'https://unify.apideck.com.evil.example/vault/authorize/xero/app-1',
      'javascript:alert(1)',
      'not a url',
      null,
    ];
    for (const url of cases) {
      assert.throws(
        () => directUrl(connection(url), UNIFY, callback, nonce),
        (error: unknown) => error instanceof VaultConnectError && error.code === 'invalid_response',
        String(url),
      );
    }
  });

  it('refuses an authorize_url that is not https:, even on the Vault API origin, unless it is http: on loopback', () => {
    const refused: [unifyBaseUrl: string, authorizeUrl: string][] = [
      // A blob: URL inherits the origin it was made on: same origin as the Vault API, but not a page to authorize on.
      [UNIFY, `blob:${UNIFY}/6f1c1b8e-0000-4000-8000-000000000000`],
      // A Vault API configured on plain http off this machine: its authorize page is not trusted either.
      ['http://unify.internal', 'http://unify.internal/vault/authorize/xero/app-1?state=s'],
      ['http://unify.internal:8080', 'http://unify.internal:8080/vault/authorize/xero/app-1'],
      // Look-alikes of loopback names.
      ['http://127.0.0.1.nip.io:4010', 'http://127.0.0.1.nip.io:4010/vault/authorize/xero/app-1'],
      ['http://localhost.evil.example:4010', 'http://localhost.evil.example:4010/vault/authorize/xero/app-1'],
      ['http://10.0.0.1', 'http://10.0.0.1/vault/authorize/xero/app-1'],
      // Other schemes that have an origin.
      ['ftp://unify.apideck.com', 'ftp://unify.apideck.com/vault/authorize/xero/app-1'],
      ['ws://127.0.0.1:4010', 'ws://127.0.0.1:4010/vault/authorize/xero/app-1'],
      ['wss://unify.apideck.com', 'wss://unify.apideck.com/vault/authorize/xero/app-1'],
      // https base, http authorize on the same loopback host: another origin.
      ['https://localhost:4010', 'http://localhost:4010/vault/authorize/xero/app-1'],
    ];
    for (const [base, url] of refused) {
      assert.throws(
        () => directUrl(connection(url), base, callback, nonce),
        (error: unknown) => error instanceof VaultConnectError && error.code === 'invalid_response',
        `${base} ${url}`,
      );
    }
  });

  it('accepts http: on a loopback host (the sandbox), and https: anywhere on the Vault API origin', () => {
    const accepted: [unifyBaseUrl: string, authorizeUrl: string][] = [
      ['http://127.0.0.1:4010', 'http://127.0.0.1:4010/vault/authorize/xero/app-1?state=s'],
      ['http://localhost:4010/', 'http://LOCALHOST:4010/vault/authorize/xero/app-1?state=s'],
      ['http://[::1]:4010', 'http://[::1]:4010/vault/authorize/xero/app-1?state=s'],
      ['https://unify.internal:8443', 'https://unify.internal:8443/vault/authorize/xero/app-1?state=s'],
    ];
    for (const [base, url] of accepted) {
      const result = new URL(directUrl(connection(url), base, callback, nonce));
      assert.equal(result.origin, new URL(base).origin, url);
      assert.equal(result.searchParams.get('nonce'), nonce);
      assert.equal(result.searchParams.get('redirect_uri'), new URL(callback).href);
    }
  });
});
