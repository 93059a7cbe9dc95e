/**
 * The VaultRE emulator against the fact sheet "Generating tokens via oAuth" (`002_5d9b8eb07db13914.txt`): its own
 * works/fails redirect-URI table, both authorize endpoints, the exact Confirm/Cancel redirects, and the exchange's
 * one-use, 60-second, per-client codes with no CORS.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type VaultreEmulator, VAULTRE_CODE_TTL_MS, createVaultreEmulator } from '../../src/sandbox/vaultre.ts';

const ORIGIN = 'https://login.vaultre.test';
const BASE = `${ORIGIN}/cgi-bin/clientvault`;
const CLIENT = 'client-123';
const OTHER_CLIENT = 'client-456';
const CALLBACK = 'http://127.0.0.1:5173/callback.html';

/** The fact sheet's registered list, verbatim (a comma-separated string, some entries after ", "). */
const FACT_SHEET_LIST =
  'demo.com/some-stuff/auth,demo.com/some-stuff/auth?exampleparameter=value1, demo.com/some-stuff/auth?exampleparameter=value2, demo.com/some-stuff/auth?exampleparameter=value3';

/** The fact sheet's table, verbatim but for `<client_id>`. */
const FACT_SHEET_TABLE: [url: string, result: 'Works' | 'Fails'][] = [
  ['https://login.vaultre.com.au/cgi-bin/clientvault/oauth-authorize.cgi?client_id=<client_id>&response_type=code&redirect_uri=demo.com%2Fsome-stuff%2Fauth', 'Works'],
  ['https://login.vaultre.com.au/cgi-bin/clientvault/oauth-authorize.cgi?client_id=<client_id>&response_type=code&redirect_uri=demo.com%2Fsome-stuff%2Fauth%3Fexampleparameter%3Dvalue1', 'Works'],
  ['https://login.vaultre.com.au/cgi-bin/clientvault/oauth-authorize.cgi?client_id=<client_id>&response_type=code&redirect_uri=demo.com%2Fsome-stuff%2Fauth%3Fexampleparameter%3Dvalue2', 'Works'],
  ['https://login.vaultre.com.au/cgi-bin/clientvault/oauth-authorize.cgi?client_id=<client_id>&response_type=code&redirect_uri=demo.com%2Fsome-stuff%2Fauth%3Fexampleparameter%3Dvalue3', 'Works'],
  ['https://login.vaultre.com.au/cgi-bin/clientvault/oauth-authorize.cgi?client_id=<client_id>&response_type=code&redirect_uri=demo.com%2Fsome-stuff%2Fauth%3Fexampleparameter%3Dvalue4', 'Fails'],
  ['https://login.vaultre.com.au/cgi-bin/clientvault/oauth-authorize.cgi?client_id=<client_id>&response_type=code&redirect_uri=demo.com%2Fsome-stuff%2Fauth%3Fdifferentparameter%3Dvalue1', 'Fails'],
];

interface Harness {
  emulator: VaultreEmulator;
  clock: { now: number };
  get(path: string, query: Record<string, string>): Promise<Response>;
  /** Opens the approval page and submits Confirm or Cancel; returns the redirect. */
  approve(tokenType: 'account' | 'user', query: Record<string, string>, action: 'confirm' | 'cancel'): Promise<Response>;
  exchange(body: Record<string, string> | string, init?: RequestInit): Promise<Response>;
  /** A fresh code for `client`, through the approval page. */
  code(client?: string, tokenType?: 'account' | 'user'): Promise<string>;
}

const PATHS = { account: '/oauth-authorize.cgi', user: '/oauth-authorize-user.cgi' } as const;

function harness(): Harness {
  const clock = { now: Date.UTC(2026, 0, 15, 9, 0, 0) };
  const emulator = createVaultreEmulator({
    clients: {
      [CLIENT]: { redirectUris: [CALLBACK, 'http://127.0.0.1:5173/callback.html?tenant=a b&x=1'] },
      [OTHER_CLIENT]: { redirectUris: [CALLBACK] },
    },
    now: () => clock.now,
  });
  const get: Harness['get'] = (path, query) => emulator.handler(new Request(`${BASE}${path}?${new URLSearchParams(query).toString()}`));
  const approve: Harness['approve'] = async (tokenType, query, action) => {
    const page = await get(PATHS[tokenType], query);
    const html = await page.text();
    assert.equal(page.status, 200, html);
    const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(request, 'the approval page carries its request id');
    return emulator.handler(
      new Request(`${BASE}${PATHS[tokenType]}?${new URLSearchParams(query).toString()}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ request, action }).toString(),
      }),
    );
  };
  const exchange: Harness['exchange'] = (body, init = {}) =>
    emulator.handler(
      new Request(`${BASE}/integrations/oauthexchange.cgi`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: typeof body === 'string' ? body : new URLSearchParams(body).toString(),
        ...init,
      }),
    );
  const code: Harness['code'] = async (client = CLIENT, tokenType = 'account') => {
    const response = await approve(tokenType, { client_id: client, redirect_uri: CALLBACK, response_type: 'code' }, 'confirm');
    const location = response.headers.get('location') ?? '';
    const value = /[?&]code=([^&]+)/.exec(location)?.[1];
    assert.ok(value, location);
    return value;
  };
  return { emulator, clock, get, approve, exchange, code };
}

function assertNoCors(response: Response): void {
  for (const name of response.headers.keys()) assert.ok(!name.startsWith('access-control-'), `unexpected ${name}`);
}

describe('VaultRE redirect URIs: the fact sheet table', () => {
  const registered = FACT_SHEET_LIST.split(',').map((uri) => uri.trim());
  const emulator = createVaultreEmulator({ clients: { 'fact-sheet-client': { redirectUris: registered } } });

  for (const [url, result] of FACT_SHEET_TABLE) {
    const redirectUri = new URL(url).searchParams.get('redirect_uri');
    it(`${result}: redirect_uri=${redirectUri}`, async () => {
      const local = url.replace('https://login.vaultre.com.au', ORIGIN).replace('<client_id>', 'fact-sheet-client');
      const response = await emulator.handler(new Request(local));
      const html = await response.text();
      assert.equal(response.headers.get('location'), null, 'never a redirect');
      if (result === 'Works') {
        assert.equal(response.status, 200);
        assert.match(html, /VaultRE Office Integrations/);
        assert.match(html, /value="confirm">Confirm</);
        assert.match(html, /value="cancel"[^>]*>Cancel</);
      } else {
        assert.equal(response.status, 400);
        assert.match(html, /not registered/);
        assert.doesNotMatch(html, /Confirm/);
      }
    });
  }

  it('Confirm on a table entry with a query appends with & and keeps the registered query', async () => {
    const local = FACT_SHEET_TABLE[1][0].replace('https://login.vaultre.com.au', ORIGIN).replace('<client_id>', 'fact-sheet-client');
    const page = await emulator.handler(new Request(local));
    const request = /name="request" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const response = await emulator.handler(
      new Request(local, { method: 'POST', body: new URLSearchParams({ request, action: 'confirm' }) }),
    );
    assert.equal(response.status, 302);
    assert.match(response.headers.get('location') ?? '', /^demo\.com\/some-stuff\/auth\?exampleparameter=value1&reason=success&code=[0-9a-f]+$/);
  });
});

describe('VaultRE authorize', () => {
  it('matches exactly: no trailing slash, case, scheme or extra parameter tolerance', async () => {
    const h = harness();
    for (const redirect_uri of [
      `${CALLBACK}/`,
      CALLBACK.toUpperCase(),
      CALLBACK.replace('http:', 'https:'),
      `${CALLBACK}?x=1`,
      'http://localhost:5173/callback.html',
      '',
    ]) {
      const response = await h.get(PATHS.account, { client_id: CLIENT, redirect_uri, response_type: 'code' });
      assert.equal(response.status, 400, redirect_uri);
      assert.equal(response.headers.get('location'), null);
      await response.text();
    }
    // Registered with a space and a second parameter: matches after URL-decoding, whichever way the space was encoded.
    for (const encoded of ['tenant%3Da%20b%26x%3D1', 'tenant%3Da+b%26x%3D1']) {
      const response = await h.emulator.handler(
        new Request(`${BASE}${PATHS.user}?client_id=${CLIENT}&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A5173%2Fcallback.html%3F${encoded}`),
      );
      assert.equal(response.status, 200, encoded);
      await response.text();
    }
  });

  it('refuses an unknown or missing client, a missing or other response_type, and repeated parameters, with no redirect', async () => {
    const h = harness();
    const cases: Record<string, string>[] = [
      { client_id: 'nope', redirect_uri: CALLBACK, response_type: 'code' },
      { redirect_uri: CALLBACK, response_type: 'code' },
      { client_id: CLIENT, redirect_uri: CALLBACK },
      { client_id: CLIENT, redirect_uri: CALLBACK, response_type: 'token' },
    ];
    for (const query of cases) {
      for (const tokenType of ['account', 'user'] as const) {
        const response = await h.get(PATHS[tokenType], query);
        assert.equal(response.status, 400, JSON.stringify(query));
        assert.equal(response.headers.get('location'), null);
        assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
        await response.text();
      }
    }
    const repeated = await h.emulator.handler(
      new Request(`${BASE}${PATHS.account}?client_id=${CLIENT}&response_type=code&redirect_uri=${encodeURIComponent(CALLBACK)}&redirect_uri=x`),
    );
    assert.equal(repeated.status, 400);
    await repeated.text();
    // An unregistered redirect_uri for this client, though registered for none other: still refused.
    const other = await h.get(PATHS.account, { client_id: OTHER_CLIENT, redirect_uri: 'http://127.0.0.1:5173/callback.html?tenant=a b&x=1', response_type: 'code' });
    assert.equal(other.status, 400);
    await other.text();
  });

  it('serves the account page (system admin only) and the user page, as script-free pages under a CSP', async () => {
    const h = harness();
    const query = { client_id: CLIENT, redirect_uri: CALLBACK, response_type: 'code', state: 's<script>' };
    const account = await h.get(PATHS.account, query);
    const accountHtml = await account.text();
    assert.equal(account.status, 200);
    assert.match(accountHtml, /<h1>VaultRE Office Integrations<\/h1>/);
    assert.match(accountHtml, /Only a system admin can approve office-level access/);
    assert.match(accountHtml, /Signed in as <strong>/);
    const user = await h.get(PATHS.user, query);
    const userHtml = await user.text();
    assert.equal(user.status, 200);
    assert.match(userHtml, /User-level access/);
    assert.doesNotMatch(userHtml, /Only a system admin/);
    for (const [response, html] of [
      [account, accountHtml],
      [user, userHtml],
    ] as const) {
      assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'; style-src 'self'/);
      assert.doesNotMatch(html, /<script|<style|style="|\son\w+=/i);
      assert.doesNotMatch(html, /s<script>/);
    }
    const css = await h.emulator.handler(new Request(`${ORIGIN}/__sandbox/page.css`));
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    await css.text();
  });

  it('Confirm: 302 to redirect_uri?reason=success&code=…&state=…', async () => {
    const h = harness();
    const response = await h.approve('account', { client_id: CLIENT, redirect_uri: CALLBACK, response_type: 'code', state: 'st-1' }, 'confirm');
    assert.equal(response.status, 302);
    assert.match(response.headers.get('location') ?? '', /^http:\/\/127\.0\.0\.1:5173\/callback\.html\?reason=success&code=[0-9a-f]{40}&state=st-1$/);
    const noState = await h.approve('user', { client_id: CLIENT, redirect_uri: CALLBACK, response_type: 'code' }, 'confirm');
    assert.match(noState.headers.get('location') ?? '', /^http:\/\/127\.0\.0\.1:5173\/callback\.html\?reason=success&code=[0-9a-f]{40}$/);
  });

  it('Cancel: 302 to redirect_uri?reason=User%20denied%20request (&state=…), spelled with %20', async () => {
    const h = harness();
    const response = await h.approve('account', { client_id: CLIENT, redirect_uri: CALLBACK, response_type: 'code', state: 'a b&c' }, 'cancel');
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), `${CALLBACK}?reason=User%20denied%20request&state=a%20b%26c`);
    assert.equal(new URL(response.headers.get('location')!).searchParams.get('reason'), 'User denied request');
    const noState = await h.approve('user', { client_id: CLIENT, redirect_uri: CALLBACK, response_type: 'code' }, 'cancel');
    assert.equal(noState.headers.get('location'), `${CALLBACK}?reason=User%20denied%20request`);
  });

  it('appends to a registered query with &, keeping it as registered', async () => {
    const h = harness();
    const registered = 'http://127.0.0.1:5173/callback.html?tenant=a b&x=1';
    const response = await h.approve('account', { client_id: CLIENT, redirect_uri: registered, response_type: 'code', state: 'z' }, 'cancel');
    assert.equal(response.headers.get('location'), 'http://127.0.0.1:5173/callback.html?tenant=a%20b&x=1&reason=User%20denied%20request&state=z');
  });

  it('answers each approval once, on its own endpoint, within ten minutes', async () => {
    const h = harness();
    const query = { client_id: CLIENT, redirect_uri: CALLBACK, response_type: 'code' };
    const page = await h.get(PATHS.account, query);
    const request = /name="request" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const post = (path: string, action: string) =>
      h.emulator.handler(new Request(`${BASE}${path}`, { method: 'POST', body: new URLSearchParams({ request, action }) }));
    const wrongEndpoint = await post(PATHS.user, 'confirm');
    assert.equal(wrongEndpoint.status, 400);
    await wrongEndpoint.text();
    const wrongAction = await post(PATHS.account, 'maybe');
    assert.equal(wrongAction.status, 400);
    await wrongAction.text();
    const first = await post(PATHS.account, 'confirm');
    assert.equal(first.status, 302);
    const again = await post(PATHS.account, 'confirm');
    assert.equal(again.status, 400);
    assert.equal(again.headers.get('location'), null);
    await again.text();

    const late = await h.get(PATHS.account, query);
    const lateRequest = /name="request" value="([^"]+)"/.exec(await late.text())?.[1] ?? '';
    h.clock.now += 10 * 60 * 1000 + 1;
    const expired = await h.emulator.handler(
      new Request(`${BASE}${PATHS.account}`, { method: 'POST', body: new URLSearchParams({ request: lateRequest, action: 'confirm' }) }),
    );
    assert.equal(expired.status, 400);
    await expired.text();
  });
});

describe('VaultRE oauthexchange.cgi', () => {
  it('exchanges a code once for {"token","message"}, remembering the token type', async () => {
    const h = harness();
    const code = await h.code(CLIENT, 'user');
    const response = await h.exchange({ client_id: CLIENT, code });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    const body = (await response.json()) as { token: string; message: string };
    assert.deepEqual(Object.keys(body).sort(), ['message', 'token']);
    assert.equal(body.message, 'Token generated successfully');
    assert.match(body.token, /^[0-9a-f]{64}$/);
    assert.deepEqual(
      h.emulator.issuedTokens().map(({ token, clientId, tokenType, revoked }) => ({ token, clientId, tokenType, revoked })),
      [{ token: body.token, clientId: CLIENT, tokenType: 'user', revoked: false }],
    );

    const again = await h.exchange({ client_id: CLIENT, code });
    assert.equal(again.status, 400);
    assert.deepEqual(await again.json(), { message: 'Invalid or expired code' });
    assert.equal(h.emulator.issuedTokens().length, 1);

    const accountCode = await h.code(CLIENT, 'account');
    const account = (await (await h.exchange({ client_id: CLIENT, code: accountCode })).json()) as { token: string };
    assert.equal(h.emulator.issuedTokens().find((t) => t.token === account.token)?.tokenType, 'account');
  });

  it('accepts a code for 60 seconds only, on the injected clock (59 s works, 61 s fails, 60 s fails)', async () => {
    const h = harness();
    const young = await h.code();
    h.clock.now += 59_000;
    assert.equal((await h.exchange({ client_id: CLIENT, code: young })).status, 200);

    const old = await h.code();
    h.clock.now += 61_000;
    const late = await h.exchange({ client_id: CLIENT, code: old });
    assert.equal(late.status, 400);
    assert.deepEqual(await late.json(), { message: 'Invalid or expired code' });

    const edge = await h.code();
    h.clock.now += VAULTRE_CODE_TTL_MS;
    assert.equal((await h.exchange({ client_id: CLIENT, code: edge })).status, 400);
  });

  it('binds a code to the client it was issued to', async () => {
    const h = harness();
    const code = await h.code(CLIENT);
    const stolen = await h.exchange({ client_id: OTHER_CLIENT, code });
    assert.equal(stolen.status, 400);
    assert.deepEqual(await stolen.json(), { message: 'Invalid or expired code' });
    const unknown = await h.exchange({ client_id: 'nobody', code });
    assert.equal(unknown.status, 400);
    await unknown.text();
    // The refusal does not burn the code for its own client.
    assert.equal((await h.exchange({ client_id: CLIENT, code })).status, 200);
    assert.equal((await h.exchange({ client_id: CLIENT, code: 'made-up' })).status, 400);
  });

  it('wants a form body with client_id and code', async () => {
    const h = harness();
    const missing = await h.exchange({ client_id: CLIENT });
    assert.equal(missing.status, 400);
    assert.deepEqual(await missing.json(), { message: 'Missing client_id or code' });
    const json = await h.exchange(JSON.stringify({ client_id: CLIENT, code: 'x' }), { headers: { 'content-type': 'application/json' } });
    assert.equal(json.status, 400);
    assert.deepEqual(await json.json(), { message: 'Missing client_id or code' });
    // Read as a form whatever the declared type (here text/plain, as fetch sends a string body).
    const code = await h.code();
    const bare = await h.emulator.handler(
      new Request(`${BASE}/integrations/oauthexchange.cgi`, { method: 'POST', body: `client_id=${CLIENT}&code=${code}` }),
    );
    assert.equal(bare.status, 200);
    await bare.text();
    const big = await h.exchange({ client_id: CLIENT, code: 'x'.repeat(20_000) });
    assert.equal(big.status, 413);
    await big.text();
    const get = await h.emulator.handler(new Request(`${BASE}/integrations/oauthexchange.cgi`));
    assert.equal(get.status, 405);
    await get.text();
  });

  it('sends no CORS headers, on success, on failure, and to a preflight', async () => {
    const h = harness();
    const origin = { origin: 'http://127.0.0.1:5173' };
    const code = await h.code();
    const ok = await h.exchange({ client_id: CLIENT, code }, { headers: { ...origin, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(ok.status, 200);
    assertNoCors(ok);
    const failed = await h.exchange({ client_id: CLIENT, code }, { headers: { ...origin, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(failed.status, 400);
    assertNoCors(failed);
    const preflight = await h.emulator.handler(
      new Request(`${BASE}/integrations/oauthexchange.cgi`, {
        method: 'OPTIONS',
        headers: { ...origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      }),
    );
    assert.equal(preflight.status, 204);
    assertNoCors(preflight);
  });

  it('revokes tokens', async () => {
    const h = harness();
    const code = await h.code();
    const { token } = (await (await h.exchange({ client_id: CLIENT, code })).json()) as { token: string };
    assert.equal(h.emulator.isTokenValid(token), true);
    assert.equal(h.emulator.revoke(token), true);
    assert.equal(h.emulator.revoke(token), false);
    assert.equal(h.emulator.revoke('unknown'), false);
    assert.equal(h.emulator.isTokenValid(token), false);
    assert.equal(h.emulator.issuedTokens()[0].revoked, true);
  });

  it('registers a redirect URI at runtime', async () => {
    const h = harness();
    const late = 'http://127.0.0.1:61234/callback.html';
    const before = await h.get(PATHS.account, { client_id: CLIENT, redirect_uri: late, response_type: 'code' });
    assert.equal(before.status, 400);
    await before.text();
    h.emulator.registerRedirectUri(CLIENT, late);
    const after = await h.get(PATHS.account, { client_id: CLIENT, redirect_uri: late, response_type: 'code' });
    assert.equal(after.status, 200);
    await after.text();
  });
});

describe('VaultRE API: verifying a token (GET /api/v1.3/scopes) and revoking it', () => {
  const API_KEY = 'sandbox-vaultre-api-key';
  const scopes = (h: Harness, headers: Record<string, string>, method = 'GET') =>
    h.emulator.handler(new Request(`${ORIGIN}/api/v1.3/scopes`, { method, headers }));
  async function issued(h: Harness, tokenType: 'account' | 'user' = 'account'): Promise<string> {
    const code = await h.code(CLIENT, tokenType);
    return ((await (await h.exchange({ client_id: CLIENT, code })).json()) as { token: string }).token;
  }

  it('a live token with the integrator API key → 200 and its scopes (an array of strings), no CORS', async () => {
    const h = harness();
    for (const tokenType of ['account', 'user'] as const) {
      const response = await scopes(h, { 'x-api-key': API_KEY, authorization: `Bearer ${await issued(h, tokenType)}` });
      assert.equal(response.status, 200);
      const body = (await response.json()) as unknown;
      assert.ok(Array.isArray(body) && body.length > 0 && body.every((scope) => typeof scope === 'string'));
      assertNoCors(response);
    }
  });

  it('the API key first: missing or wrong → 403, even with a live token', async () => {
    const h = harness();
    const token = await issued(h);
    const refused: Record<string, string>[] = [{ authorization: `Bearer ${token}` }, { 'x-api-key': 'not-the-key', authorization: `Bearer ${token}` }];
    for (const headers of refused) {
      const response = await scopes(h, headers);
      assert.equal(response.status, 403);
      assert.deepEqual(((await response.json()) as { success: boolean }).success, false);
    }
  });

  it('a missing, malformed, unknown or revoked token → 401', async () => {
    const h = harness();
    const token = await issued(h);
    assert.equal(h.emulator.revoke(token), true);
    for (const authorization of [undefined, token, `Basic ${token}`, 'Bearer ', 'Bearer nope', `Bearer ${token}`]) {
      const response = await scopes(h, { 'x-api-key': API_KEY, ...(authorization !== undefined ? { authorization } : {}) });
      assert.equal(response.status, 401, String(authorization));
      await response.body?.cancel();
    }
  });

  it('another API key can be configured; anything but GET → 405', async () => {
    const emulator = createVaultreEmulator({ clients: {}, apiKey: 'custom-key' });
    const wrong = await emulator.handler(new Request(`${ORIGIN}/api/v1.3/scopes`, { headers: { 'x-api-key': API_KEY } }));
    assert.equal(wrong.status, 403);
    const post = await scopes(harness(), { 'x-api-key': API_KEY }, 'POST');
    assert.equal(post.status, 405);
  });

  it('revokeAll() and POST /__sandbox/vaultre/revoke-all revoke every live token (not from another origin)', async () => {
    const h = harness();
    const [first, second] = [await issued(h), await issued(h, 'user')];
    assert.equal(h.emulator.revokeAll(), 2);
    assert.equal(h.emulator.revokeAll(), 0);
    assert.equal(h.emulator.isTokenValid(first) || h.emulator.isTokenValid(second), false);

    const third = await issued(h);
    const control = (headers: Record<string, string> = {}, method = 'POST') =>
      h.emulator.handler(new Request(`${ORIGIN}/__sandbox/vaultre/revoke-all`, { method, headers }));
    const foreign = await control({ origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    assert.equal(h.emulator.isTokenValid(third), true);
    assert.equal((await control({}, 'GET')).status, 405);
    const done = await control({ origin: ORIGIN });
    assert.deepEqual(await done.json(), { revoked: 1 });
    assert.equal(h.emulator.isTokenValid(third), false);
  });
});
