/**
 * End to end, VaultRE's OAuth flow against the demo page as `npm start` serves it: the element's VaultRE row, the
 * sandbox's VaultRE emulator (approval page, exact redirect URIs, codes that work once for 60 s, no CORS on the
 * exchange), the demo's callback page and its `/api/vaultre` (`createVaultreHandler` + `memoryStore()`). One demo and
 * one Chromium for the file; a fresh guarded browser context and a forgotten token per test.
 *
 * Covered: approve (account and user tokens), deny, state mismatch (the state tampered with in the popup before
 * Confirm), an expired code (one the exchange sees as already used), a host error, a network error, a lost reply, the
 * popup closed (popup_closed; under COOP a late code still connects), the popup blocked with the same-tab fallback,
 * disconnect, a token revoked at VaultRE (needs_reauth), a forged message from another origin during
 * a flow, and another tab of the demo's origin that must never receive the code.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Browser, Page, Request, Response } from 'playwright-core';
import { WAIT, eventually, guardedContext, logLines, sleep, startDemoAndBrowser, type Demo, type GuardedContext,
  chooseAction,
} from './helpers.ts';
import {
  closed,
  connectVaultrePopup,
  decide,
  ensureVaultreRow,
  forgetToken,
  hostStatus,
  openVaultreDemo,
  pageSurface,
  vaultreConfig,
  vaultreRow,
} from './vaultre-helpers.ts';

const TEST = { timeout: 30_000 };
const CALLBACK_TYPE = 'vault-connect:callback';
const POPUP_CLOSED = 'We lost track of the window. If you finished, this updates by itself; otherwise try again.';

let demo: Demo;
let browser: Browser;
let guarded: GuardedContext;
/** Every request of the current test's context (pages and popups), in order. */
let requests: Request[];
/** The URL of the document that sent each request, when it sent it. */
let senders: Map<Request, string>;
/** Every response of the current test's context. */
let responses: Response[];
let pageErrors: string[];
/** Tokens the emulator had issued before the current test. */
let tokensBefore: number;

before(async () => {
  ({ demo, browser } = await startDemoAndBrowser());
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  await demo?.server.close();
});

beforeEach(async () => {
  demo.sandbox.vaultApi.reset();
  await forgetToken(demo);
  tokensBefore = demo.sandbox.vaultre.issuedTokens().length;
  guarded = await guardedContext(browser);
  requests = [];
  senders = new Map();
  responses = [];
  pageErrors = [];
  guarded.context.on('request', (request) => {
    requests.push(request);
    senders.set(request, request.frame().url());
  });
  guarded.context.on('response', (response) => responses.push(response));
  guarded.context.on('page', (page) => page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`)));
});

afterEach(async () => {
  demo.sandbox.setCoop(false);
  await guarded.context.close();
  assert.deepEqual(guarded.blocked, [], 'no request may leave 127.0.0.1');
  assert.deepEqual(pageErrors, [], 'no page threw');
});

// -- helpers ----------------------------------------------------------------------------------------------------------

/** The code exchange (`POST {code, state}`), not the authorize request (`POST {action: "authorize"}`). */
const isExchangePost = (request: Request) =>
  request.method() === 'POST' && new URL(request.url()).pathname === '/api/vaultre' && !(request.postData() ?? '').includes('"action"');
const isAuthorizePost = (request: Request) =>
  request.method() === 'POST' && new URL(request.url()).pathname === '/api/vaultre' && (request.postData() ?? '').includes('"action"');
const exchangePosts = () => requests.filter(isExchangePost);
const postedBody = (request: Request) => JSON.parse(request.postData() ?? '{}') as Record<string, unknown>;

/** `vault-connect-error` codes in the demo's log, newest first. */
async function errorCodes(page: Page): Promise<string[]> {
  return (await logLines(page))
    .filter((line) => line.startsWith('vault-connect-error: '))
    .map((line) => (JSON.parse(line.slice('vault-connect-error: '.length)) as { code: string }).code);
}

async function rowErrorText(page: Page): Promise<string | null> {
  const error = vaultreRow(page).locator('[part="row-error"]');
  return (await error.count()) === 0 ? null : ((await error.textContent()) ?? '').trim();
}

function rowErrorBecomes(page: Page, text: string | RegExp): Promise<string | null> {
  return eventually(`the VaultRE row to say ${String(text)}`, () => rowErrorText(page), (value) =>
    typeof text === 'string' ? value === text : value !== null && text.test(value),
  );
}

function vaultreBadge(page: Page): Promise<string> {
  return eventually('the VaultRE badge', async () => ((await vaultreRow(page).locator('[part="badge"]').textContent({ timeout: 1_000 })) ?? '').trim(), () => true);
}

function badgeBecomes(page: Page, text: string): Promise<string> {
  return eventually(
    `the VaultRE badge to read "${text}"`,
    async () => ((await vaultreRow(page).locator('[part="badge"]').textContent({ timeout: 1_000 })) ?? '').trim(),
    (value) => value === text,
  );
}

/** Records `vaultre-connect` events in the page (the demo's log may not list them). */
async function watchConnects(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: unknown[] = [];
    (window as unknown as { __vaultreConnects: unknown[] }).__vaultreConnects = seen;
    document.querySelector('vault-connect')!.addEventListener('vaultre-connect', (event) => seen.push(event.detail.result));
  });
}

function connects(page: Page): Promise<unknown[]> {
  return page.evaluate(() => (window as unknown as { __vaultreConnects: unknown[] }).__vaultreConnects);
}

/** The state in the popup's authorize URL: one the server signed (a compact JWS). */
function stateOf(popup: Page): string {
  const state = new URL(popup.url()).searchParams.get('state');
  assert.match(state ?? '', /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'a state the server signed');
  return state!;
}

/** Approves in the popup and waits until the row shows Connected; returns the posted body. */
async function approve(page: Page, popup: Page): Promise<Record<string, unknown>> {
  const before = exchangePosts().length;
  await decide(popup, 'confirm');
  await closed(popup);
  await badgeBecomes(page, 'Connected');
  const posts = exchangePosts();
  assert.equal(posts.length, before + 1, 'one POST to the exchange endpoint');
  return postedBody(posts.at(-1)!);
}

/** The code and the token appear nowhere in the page, and no reply the browser received carries the token. */
async function assertNoSecrets(page: Page, secrets: string[]): Promise<void> {
  const surface = await pageSurface(page);
  const bodies = await Promise.all(
    responses.filter((r) => new URL(r.url()).pathname === '/api/vaultre').map((r) => r.text().catch(() => '')),
  );
  for (const secret of secrets) {
    assert.ok(!surface.includes(secret), 'no secret in the DOM, the storages or the address');
    for (const body of bodies) assert.ok(!body.includes(secret), 'no secret in a reply of /api/vaultre');
  }
}

// -- tests ------------------------------------------------------------------------------------------------------------

describe('VaultRE in the demo (npm start)', () => {
  it('approve (account token): the server builds the URL, the callback page posts the code, the row is Connected', TEST, async () => {
    const config = vaultreConfig(demo);
    assert.equal(config.exchangeUrl, '/api/vaultre');
    const page = await openVaultreDemo(guarded.context, demo);
    assert.equal(await vaultreBadge(page), 'Not connected');
    assert.match((await vaultreRow(page).locator('[part="tag-line"]').textContent()) ?? '', /system administrator/);
    await watchConnects(page);

    const popup = await connectVaultrePopup(page, demo);
    const authorize = new URL(popup.url());
    assert.equal(authorize.origin + authorize.pathname, `${demo.sandbox.vaultreUrl}/oauth-authorize.cgi`);
    assert.deepEqual([...authorize.searchParams.keys()], ['client_id', 'redirect_uri', 'response_type', 'state']);
    assert.equal(authorize.searchParams.get('client_id'), demo.sandbox.vaultreClientId);
    assert.equal(authorize.searchParams.get('redirect_uri'), config.redirectUri);
    assert.equal(authorize.searchParams.get('response_type'), 'code');
    const state = stateOf(popup);
    assert.match(await popup.locator('body').innerText(), /Only a system admin can approve office-level access/);

    const authorizes = requests.filter(isAuthorizePost);
    assert.equal(authorizes.length, 1, 'the element asked /api/vaultre for the authorize URL');
    assert.deepEqual(JSON.parse(authorizes[0].postData() ?? ''), { action: 'authorize', token_type: 'account' });
    const body = await approve(page, popup);
    assert.deepEqual(Object.keys(body).sort(), ['code', 'state']);
    assert.equal(body.state, state);
    assert.match(String(body.code), /^[0-9a-f]{40}$/);
    const post = exchangePosts()[0];
    assert.equal(new URL(senders.get(post) ?? '').pathname, '/demo/callback.html', 'the callback page posted it, not the element');

    const tokens = demo.sandbox.vaultre.issuedTokens().slice(tokensBefore);
    assert.equal(tokens.length, 1, 'one token issued');
    assert.equal(tokens[0].tokenType, 'account');
    const status = await hostStatus(demo);
    assert.equal(status.connected, true);
    assert.equal(status.token_type, 'account');
    const fired = (await connects(page)) as { connected?: boolean; token_type?: string; connected_at?: string }[];
    assert.equal(fired.length, 1, 'vaultre-connect fires once');
    assert.deepEqual(fired[0], { connected: true, token_type: 'account', connected_at: status.connected_at });
    assert.match((await vaultreRow(page).locator('[part="tag-line"]').textContent()) ?? '', /^Connected since /);
    assert.deepEqual(await errorCodes(page), []);
    await assertNoSecrets(page, [String(body.code), tokens[0].token]);

    // Read back on a reload.
    await page.reload();
    await ensureVaultreRow(page, config);
    assert.equal(await vaultreBadge(page), 'Connected');
  });

  it('approve (user token): oauth-authorize-user.cgi, token_type user', TEST, async () => {
    const page = await openVaultreDemo(guarded.context, demo, 'user');
    assert.equal(((await vaultreRow(page).locator('[part="tag-line"]').textContent()) ?? '').trim(), 'Access as your own VaultRE user.');
    const popup = await connectVaultrePopup(page, demo);
    const authorize = new URL(popup.url());
    assert.equal(authorize.origin + authorize.pathname, `${demo.sandbox.vaultreUrl}/oauth-authorize-user.cgi`);
    assert.match(await popup.locator('body').innerText(), /User-level access/);
    assert.deepEqual(JSON.parse(requests.filter(isAuthorizePost)[0].postData() ?? ''), { action: 'authorize', token_type: 'user' });
    const body = await approve(page, popup);
    assert.deepEqual(Object.keys(body).sort(), ['code', 'state']);
    const tokens = demo.sandbox.vaultre.issuedTokens().slice(tokensBefore);
    assert.deepEqual(tokens.map((t) => t.tokenType), ['user']);
    assert.equal((await hostStatus(demo)).token_type, 'user');
    await assertNoSecrets(page, [String(body.code), tokens[0].token]);
  });

  it('deny: access_denied, nothing posted, connect again works', TEST, async () => {
    const page = await openVaultreDemo(guarded.context, demo);
    const popup = await connectVaultrePopup(page, demo);
    await decide(popup, 'cancel');
    await closed(popup);
    await rowErrorBecomes(page, 'Access was denied.');
    assert.deepEqual(await errorCodes(page), ['access_denied']);
    assert.equal(exchangePosts().length, 0);
    assert.equal(await vaultreBadge(page), 'Not connected');
    assert.equal((await hostStatus(demo)).connected, false);

    const again = await connectVaultrePopup(page, demo);
    await approve(page, again);
    assert.equal(await rowErrorText(page), null);
  });

  it('state mismatch: the state tampered with in the popup before Confirm is refused and nothing is posted', TEST, async () => {
    const page = await openVaultreDemo(guarded.context, demo);
    const popup = await connectVaultrePopup(page, demo);
    const tampered = new URL(popup.url());
    tampered.searchParams.set('state', `${stateOf(popup).slice(0, -1)}${stateOf(popup).endsWith('A') ? 'B' : 'A'}`);
    await popup.goto(tampered.href);
    await decide(popup, 'confirm');
    await closed(popup);
    await rowErrorBecomes(page, 'The reply did not match this request.');
    assert.deepEqual(await errorCodes(page), ['state_mismatch']);
    await sleep(200);
    assert.equal(exchangePosts().length, 0, 'the code is not posted');
    assert.equal(demo.sandbox.vaultre.issuedTokens().length, tokensBefore, 'no token issued');
    assert.equal((await hostStatus(demo)).connected, false);
  });

  it('expired code: code_expired, Try again starts a new authorization, the old code is never posted again', TEST, async () => {
    const page = await openVaultreDemo(guarded.context, demo);
    // The first code reaches the exchange already spent (used once, as after its 60 seconds it would be expired). The
    // callback page in the popup posts it: the route is the whole context's.
    let burnt: string | undefined;
    await guarded.context.route('**/api/vaultre', async (route) => {
      const request = route.request();
      if (isExchangePost(request) && burnt === undefined) {
        burnt = String(postedBody(request).code);
        const spent = await fetch(demo.sandbox.vaultreExchangeUrl, {
          method: 'POST',
          body: new URLSearchParams({ client_id: demo.sandbox.vaultreClientId, code: burnt }),
          signal: AbortSignal.timeout(WAIT),
        });
        assert.equal(spent.status, 200, 'the test spends the code first');
      }
      await route.continue();
    });
    const popup = await connectVaultrePopup(page, demo);
    const firstState = stateOf(popup);
    await decide(popup, 'confirm');
    await closed(popup);
    await rowErrorBecomes(page, 'The authorization expired. Please try again.');
    assert.deepEqual(await errorCodes(page), ['code_expired']);
    assert.equal(await vaultreBadge(page), 'Not connected');

    const second = await connectVaultrePopup(page, demo, 'retry');
    assert.notEqual(stateOf(second), firstState, 'a new authorization with a new state');
    const body = await approve(page, second);
    assert.notEqual(body.code, burnt);
    const codes = exchangePosts().map((request) => postedBody(request).code);
    assert.deepEqual(codes, [burnt, body.code], 'the old code was posted once only');
    assert.equal((await hostStatus(demo)).connected, true);
    assert.equal(await rowErrorText(page), null);
  });

  it('host error: exchange_failed with the host message', TEST, async () => {
    const page = await openVaultreDemo(guarded.context, demo);
    await guarded.context.route('**/api/vaultre', (route) =>
      isExchangePost(route.request())
        ? route.fulfill({ status: 502, contentType: 'application/json', body: JSON.stringify({ error: 'exchange_failed', message: 'VaultRE is down' }) })
        : route.continue(),
    );
    const popup = await connectVaultrePopup(page, demo);
    await decide(popup, 'confirm');
    await closed(popup);
    await rowErrorBecomes(page, 'The connection could not be completed. VaultRE is down');
    assert.deepEqual(await errorCodes(page), ['exchange_failed']);
    assert.equal(exchangePosts().length, 1, 'a host error is not retried');
    assert.equal(await vaultreBadge(page), 'Not connected');
  });

  it('network error: the code is posted once, never again; the status says not connected: network_error (retryable)', TEST, async () => {
    const page = await openVaultreDemo(guarded.context, demo);
    await guarded.context.route('**/api/vaultre', (route) => (isExchangePost(route.request()) ? route.abort('failed') : route.continue()));
    const popup = await connectVaultrePopup(page, demo);
    await decide(popup, 'confirm');
    await closed(popup);
    await rowErrorBecomes(page, 'Network error. Check your connection and try again.').catch(async (error: unknown) => {
      // Say where the flow stood, to tell a stuck exchange from a lost callback.
      const where = {
        posts: exchangePosts().map((request) => request.failure()?.errorText ?? 'no failure'),
        busy: await vaultreRow(page).getAttribute('aria-busy'),
        status: await vaultreRow(page).locator('[role="status"]').allTextContents(),
        log: await logLines(page),
      };
      throw new Error(`${(error as Error).message}; ${JSON.stringify(where)}`);
    });
    assert.deepEqual(await errorCodes(page), ['network_error']);
    const line = (await logLines(page)).find((l) => l.startsWith('vault-connect-error: '))!;
    assert.equal((JSON.parse(line.slice('vault-connect-error: '.length)) as { retryable: boolean }).retryable, true);
    await sleep(200);
    assert.equal(exchangePosts().length, 1, 'the code was posted once');
    assert.equal(await vaultreRow(page).locator('button[data-action="retry"]').count(), 1);
    assert.equal((await hostStatus(demo)).connected, false);
  });

  it('a lost reply (issue 14, finding 6): the exchange went through, the reply did not; Connected, no false "expired"', TEST, async () => {
    const page = await openVaultreDemo(guarded.context, demo);
    await watchConnects(page);
    // The host exchanges the code and keeps the token; its reply never reaches the browser.
    await guarded.context.route('**/api/vaultre', async (route) => {
      if (!isExchangePost(route.request())) return route.continue();
      const reply = await route.fetch();
      assert.equal(reply.status(), 200, 'the host connected');
      await route.abort('connectionreset');
    });
    const popup = await connectVaultrePopup(page, demo);
    await decide(popup, 'confirm');
    await badgeBecomes(page, 'Connected');
    await sleep(200);
    assert.equal(exchangePosts().length, 1, 'the spent code was not posted again');
    assert.deepEqual(await errorCodes(page), [], 'no error: the status settled it');
    assert.equal((await hostStatus(demo)).connected, true);
    assert.equal(((await connects(page)) as { connected?: boolean }[])[0]?.connected, true);
    assert.equal(demo.sandbox.vaultre.issuedTokens().length, tokensBefore + 1, 'one token');
  });

  it('popup closed by the user: popup_closed within 5 s, connectVaultre() settles, a retry is offered, nothing posted', TEST, async () => {
    const page = await openVaultreDemo(guarded.context, demo);
    const opened = page.context().waitForEvent('page', { timeout: WAIT });
    await page.evaluate(() => {
      const element = document.querySelector('vault-connect')!;
      (window as unknown as { __flow: Promise<string> }).__flow = element.connectVaultre().then(
        () => 'settled',
        (error: unknown) => `rejected: ${String(error)}`,
      );
    });
    const popup = await opened;
    await popup.locator('button[value="confirm"]').waitFor();
    const closedAt = Date.now();
    await popup.close();
    await eventually('popup_closed', () => errorCodes(page), (codes) => codes.length > 0);
    const elapsed = Date.now() - closedAt;
    assert.ok(elapsed < 5_000, `within 5 s (${elapsed} ms)`);
    assert.deepEqual(await errorCodes(page), ['popup_closed']);
    assert.equal(await page.evaluate(() => (window as unknown as { __flow: Promise<string> }).__flow), 'settled', 'connectVaultre() settled');
    await rowErrorBecomes(page, POPUP_CLOSED);
    assert.equal(await vaultreRow(page).locator('button[data-action="retry"]').count(), 1);
    assert.equal(exchangePosts().length, 0);
    assert.equal(await vaultreRow(page).locator('button[data-action="connect"]').isEnabled(), true);
    assert.equal(await vaultreBadge(page), 'Not connected');
  });

  it('popup blocked twice: "Continue in this tab" finishes the flow in this tab and the row is Connected', TEST, async () => {
    const page = await openVaultreDemo(guarded.context, demo);
    await page.evaluate(() => {
      window.open = () => null;
    });
    const pagesBefore = guarded.context.pages().length;
    await vaultreRow(page).locator('button[data-action="connect"]').click();
    await rowErrorBecomes(page, 'The browser blocked the window.');
    const retry = vaultreRow(page).locator('button[data-action="retry"]:not([data-same-tab])');
    const sameTab = vaultreRow(page).locator('button[data-action="retry"][data-same-tab]');
    assert.equal(await sameTab.count(), 0);
    await retry.click();
    await eventually('the second block', () => errorCodes(page), (codes) => codes.length === 2);
    assert.deepEqual(await errorCodes(page), ['popup_blocked', 'popup_blocked']);
    assert.equal(((await sameTab.textContent()) ?? '').trim(), 'Continue in this tab');

    await sameTab.click();
    await page.waitForURL((url) => url.href.startsWith(`${demo.sandbox.vaultreUrl}/oauth-authorize.cgi`));
    const state = new URL(page.url()).searchParams.get('state');
    await page.locator('button[value="confirm"]').click();
    // The callback page posts the code, stores only the outcome and returns to the demo page.
    await page.waitForURL((url) => url.href === demo.url, { timeout: WAIT });
    await ensureVaultreRow(page, vaultreConfig(demo));
    await badgeBecomes(page, 'Connected');
    assert.equal(guarded.context.pages().length, pagesBefore, 'no window was opened');
    const posts = exchangePosts();
    assert.equal(posts.length, 1);
    const body = postedBody(posts[0]);
    assert.deepEqual(Object.keys(body).sort(), ['code', 'state']);
    assert.equal(body.state, state);
    assert.equal(new URL(senders.get(posts[0]) ?? '').pathname, '/demo/callback.html', 'the callback page posted it');
    assert.equal((await hostStatus(demo)).connected, true);
    assert.deepEqual(
      await page.evaluate(() => [sessionStorage.getItem('vault-connect:pending'), sessionStorage.getItem('vault-connect:result')]),
      [null, null],
      'the same-tab entries are taken',
    );
    const tokens = demo.sandbox.vaultre.issuedTokens().slice(tokensBefore);
    await assertNoSecrets(page, [String(body.code), tokens[0].token]);
    assert.equal(await rowErrorText(page), null);
  });

  it('disconnect: confirmed in a dialog, DELETE, Not connected; Cancel keeps it', TEST, async () => {
    const page = await openVaultreDemo(guarded.context, demo);
    await approve(page, await connectVaultrePopup(page, demo));
    // Disconnect is in the row's More menu.
    const disconnect = () => chooseAction(page, 'vaultre', 'disconnect');

    await disconnect();
    const dialog = page.locator('vault-connect >> dialog[open]');
    await dialog.waitFor();
    assert.equal(((await dialog.locator('h2').textContent()) ?? '').trim(), 'Disconnect VaultRE?');
    // Forgetting the token here does not revoke it at VaultRE: the dialog says so.
    assert.match((await dialog.textContent()) ?? '', /The token stays valid at VaultRE until you revoke it there/);
    await dialog.locator('button[value="cancel"]').click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await vaultreBadge(page), 'Connected');
    assert.equal((await hostStatus(demo)).connected, true);
    assert.equal(requests.filter((r) => r.method() === 'DELETE').length, 0);

    await disconnect();
    await dialog.waitFor();
    await dialog.locator('button[value="confirm"]').click();
    await badgeBecomes(page, 'Not connected');
    assert.equal(requests.filter((r) => r.method() === 'DELETE' && new URL(r.url()).pathname === '/api/vaultre').length, 1);
    assert.deepEqual(await hostStatus(demo), { connected: false });
    assert.deepEqual(await errorCodes(page), []);
  });

  it('a token revoked in the VaultRE emulator: needs_reauth on the next read, Reconnect connects again', TEST, async () => {
    demo.sandbox.vaultre.revokeAll(); // earlier tests' tokens: forgotten by the demo's store, still live at VaultRE
    const page = await openVaultreDemo(guarded.context, demo);
    await approve(page, await connectVaultrePopup(page, demo));
    const badge = vaultreRow(page).locator('[part="badge"]');
    assert.equal(await badge.getAttribute('data-status'), 'connected');

    // The demo's control revokes the token in the emulator (as the user can in VaultRE) and calls refresh().
    const control = page.locator('#vaultre-revoke');
    assert.equal(await control.isVisible(), true, 'the demo shows its revoke control');
    await control.locator('button[type="submit"]').click();
    await eventually('the control to report', async () => ((await control.locator('[role="status"]').textContent()) ?? '').trim(), (text) => text === 'VaultRE revoked 1 token.');
    await badgeBecomes(page, 'Reconnect needed');
    assert.equal(await badge.getAttribute('data-status'), 'needs_reauth');
    assert.deepEqual(await hostStatus(demo), { connected: false, reason: 'revoked' });
    assert.match((await vaultreRow(page).locator('[part="tag-line"]').textContent()) ?? '', /revoked in VaultRE/);
    assert.deepEqual(
      await vaultreRow(page).locator('button[data-action]').evaluateAll((buttons) => buttons.map((b) => `${b.getAttribute('data-action')}:${b.className}`)),
      ['reconnect:primary', 'more:'],
    );
    // Read back the same on a reload: the truth comes from the server, not from the page.
    await page.reload();
    await ensureVaultreRow(page, vaultreConfig(demo));
    await badgeBecomes(page, 'Reconnect needed');
    assert.deepEqual(await errorCodes(page), [], 'a revoked token is a status, not an error');

    const again = await connectVaultrePopup(page, demo, 'reconnect');
    await approve(page, again);
    assert.equal(await badge.getAttribute('data-status'), 'connected');
    assert.equal((await hostStatus(demo)).connected, true);
  });

  it('disconnecting a revoked token says VaultRE no longer accepts it, and forgets it', TEST, async () => {
    const page = await openVaultreDemo(guarded.context, demo);
    await approve(page, await connectVaultrePopup(page, demo));
    demo.sandbox.vaultre.revokeAll();
    await page.evaluate(() => document.querySelector('vault-connect')!.refresh());
    await badgeBecomes(page, 'Reconnect needed');
    await chooseAction(page, 'vaultre', 'disconnect');
    const dialog = page.locator('vault-connect >> dialog[open]');
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /which VaultRE no longer accepts/);
    await dialog.locator('button[value="confirm"]').click();
    await badgeBecomes(page, 'Not connected');
    assert.deepEqual(await hostStatus(demo), { connected: false });
  });

  it('a forged message from another origin during a flow changes nothing; the real return still connects', TEST, async () => {
    const page = await openVaultreDemo(guarded.context, demo);
    const popup = await connectVaultrePopup(page, demo);
    const state = stateOf(popup);
    // The popup is on VaultRE's origin (not the callback page's): a perfect message with the right state, from there.
    await popup.evaluate(
      ({ type, state }) => {
        const opener = window.opener as Window;
        opener.postMessage({ type, id: 'forged-from-vaultre-origin', query: { reason: 'success', code: 'f'.repeat(40), state }, fragment: {} }, '*');
        opener.postMessage({ type, id: 'forged-denial-000001', query: { reason: 'User denied request', state }, fragment: {} }, '*');
      },
      { type: CALLBACK_TYPE, state },
    );
    await sleep(400);
    assert.equal(exchangePosts().length, 0, 'nothing posted');
    assert.equal(await rowErrorText(page), null, 'no error');
    assert.deepEqual(await errorCodes(page), []);
    assert.equal(popup.isClosed(), false, 'the popup is still open');
    assert.equal(await vaultreRow(page).getAttribute('aria-busy'), 'false');
    assert.equal(((await vaultreRow(page).locator('[role="status"]').textContent()) ?? '').trim(), 'Waiting for VaultRE…');

    const body = await approve(page, popup);
    assert.notEqual(body.code, 'f'.repeat(40));
    assert.equal(body.state, state);
    assert.equal((await hostStatus(demo)).connected, true);
  });

  it('another tab of the demo’s origin never receives the code (issue 14, finding 4)', TEST, async () => {
    // A second tab on the same origin listens on every channel a callback page could use.
    const other = await guarded.context.newPage();
    await other.goto(new URL('/demo/demo.css', demo.url).href);
    await other.evaluate(() => {
      const heard: string[] = [];
      (window as unknown as { __heard: string[] }).__heard = heard;
      const channel = new BroadcastChannel('vault-connect:callback');
      channel.onmessage = (event) => heard.push(JSON.stringify(event.data));
      window.addEventListener('storage', (event) => heard.push(`${event.key ?? ''}=${event.newValue ?? ''}`));
    });
    const page = await openVaultreDemo(guarded.context, demo);
    const popup = await connectVaultrePopup(page, demo);
    const body = await approve(page, popup);
    const heard = await eventually('the other tab to hear the outcome', () => other.evaluate(() => (window as unknown as { __heard: string[] }).__heard), (list) => list.length > 0);
    for (const line of heard) assert.ok(!line.includes(String(body.code)), `no code in what another tab heard: ${line.slice(0, 120)}`);
    assert.ok(heard.some((line) => line.includes('"result":"connected"')), 'only the outcome');
    await assertNoSecrets(page, [String(body.code)]);
  });

  describe('with the sandbox COOP switch on (the popup loses its opener on VaultRE)', () => {
    it('a quick Confirm still connects, over BroadcastChannel/storage', TEST, async () => {
      demo.sandbox.setCoop(true);
      const page = await openVaultreDemo(guarded.context, demo);
      // The callback page's module is compiled once: ask for it before the clock of the 2 s grace runs.
      await fetch(new URL('/src/callback/auto.ts', demo.url), { signal: AbortSignal.timeout(WAIT) });
      const popup = await connectVaultrePopup(page, demo);
      assert.equal(await popup.evaluate(() => window.opener === null), true, 'COOP severed the popup from its opener');
      await decide(popup, 'confirm');
      await badgeBecomes(page, 'Connected');
      const posts = exchangePosts();
      assert.equal(posts.length, 1);
      // The flow record survived COOP's switch of browsing context group: the callback page found it and posted.
      assert.equal(new URL(senders.get(posts[0]) ?? '').pathname, '/demo/callback.html');
      // Only if the outcome took longer than the 2 s grace (a loaded machine) may popup_closed have come first.
      assert.ok((await errorCodes(page)).every((code) => code === 'popup_closed'), 'no other error');
      assert.equal(await rowErrorText(page), null);
      const status = await hostStatus(demo);
      assert.equal(status.connected, true);
      assert.equal(status.token_type, 'account');
    });

    it('a user who reads the approval page for 3 s: popup_closed, then the late code still connects', TEST, async () => {
      demo.sandbox.setCoop(true);
      const page = await openVaultreDemo(guarded.context, demo);
      await watchConnects(page);
      const popup = await connectVaultrePopup(page, demo);
      // Under COOP `popup.closed` reads true at once: after the 2 s grace the element reports popup_closed and says
      // only what it knows, but the flow still listens (the callback page is on our origin), so Confirm still connects.
      await eventually('popup_closed while the popup is open', () => errorCodes(page), (codes) => codes.length > 0);
      assert.deepEqual(await errorCodes(page), ['popup_closed']);
      await rowErrorBecomes(page, POPUP_CLOSED);
      assert.equal(popup.isClosed(), false, 'the popup is still open');
      await approve(page, popup);
      assert.equal(await rowErrorText(page), null, 'the late outcome clears the hint');
      assert.deepEqual(await errorCodes(page), ['popup_closed'], 'nothing more reported');
      assert.equal(((await connects(page)) as { connected?: boolean }[]).length, 1, 'vaultre-connect fires');
      assert.equal((await hostStatus(demo)).connected, true);
    });
  });
});
