/**
 * End to end, issue 14's finding 5: a host page on one origin whose `session-url` and `vaultre-exchange-url` are on
 * another, as `allowedOrigins` promises. The endpoints are the package's own handlers behind `toNodeHandler` on a
 * second 127.0.0.1 port, identifying the user by a cookie (so only `credentials: 'include'` can work); the page is
 * `test/e2e/pages/cross-origin.html`, served by the demo. The list renders, VaultRE connects through the demo's
 * callback page (on the page's origin), and an origin the handlers do not list gets nothing.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { createSessionHandler } from '../../src/server/session-handler.ts';
import { createVaultreHandler } from '../../src/server/vaultre-handler.ts';
import { memoryStore } from '../../src/server/stores/memory-store.ts';
import { toNodeHandler } from '../../src/server/node-adapter.ts';
import type { VaultreTokenStore } from '../../src/server/stores/types.ts';
import { WAIT, badgeBecomes, eventually, row, rows, type Demo, startDemoAndBrowser } from './helpers.ts';
import { closed, decide } from './vaultre-helpers.ts';

const TEST = { timeout: 30_000 };
const CONSUMER = 'cross-origin-user';

let demo: Demo;
let browser: Browser;
/**
 * A context without request interception: with a route in place, Playwright answers CORS preflights itself, and the
 * point here is that the handlers answer them. Every request is checked afterwards instead: none may leave 127.0.0.1.
 */
let context: BrowserContext;
let requested: string[];
let api: Server;
let apiOrigin: string;
let store: VaultreTokenStore;
/** Every request the endpoints got: method, path, and whether the cookie came along. */
let seen: { method: string; path: string; cookie: boolean; status: number }[];

function consumerFromCookie(request: Request): string {
  return /(?:^|;\s*)consumer=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1] ?? '';
}

before(async () => {
  ({ demo, browser } = await startDemoAndBrowser());
  const pageOrigin = new URL(demo.url).origin;
  const callback = new URL('/demo/callback.html', demo.url).href;
  demo.sandbox.registerVaultreRedirectUri(callback);
  store = memoryStore();
  const handlers = (allowedOrigins: string[]) => ({
    session: createSessionHandler({
      apiKey: demo.sandbox.apiKey,
      appId: demo.sandbox.applicationId,
      unifyBaseUrl: demo.sandbox.vaultApiUrl,
      consumerId: consumerFromCookie,
      allowedOrigins,
    }),
    vaultre: createVaultreHandler({
      clientId: demo.sandbox.vaultreClientId,
      secret: crypto.getRandomValues(new Uint8Array(32)),
      redirectUri: callback,
      authorizeUrl: demo.sandbox.vaultreUrl,
      exchangeUrl: demo.sandbox.vaultreExchangeUrl,
      consumerId: consumerFromCookie,
      store,
      allowedOrigins,
    }),
  });
  // `/listed/…` lists the page's origin; `/unlisted/…` lists only another one.
  const mounts = { listed: handlers([pageOrigin]), unlisted: handlers(['https://app.example']) };
  api = createServer(
    toNodeHandler(async (request) => {
      const [, mount, endpoint] = new URL(request.url).pathname.split('/') as [string, keyof typeof mounts, 'session' | 'vaultre'];
      const handler = mounts[mount]?.[endpoint];
      const response = handler ? await handler(request) : Response.json({ error: 'not_found' }, { status: 404 });
      seen.push({ method: request.method, path: new URL(request.url).pathname, cookie: consumerFromCookie(request) === CONSUMER, status: response.status });
      return response;
    }),
  );
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiOrigin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
}, { timeout: 60_000 });

after(async () => {
  api?.closeAllConnections();
  await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
  await browser?.close();
  await demo?.server.close();
});

beforeEach(async () => {
  demo.sandbox.vaultApi.reset();
  await store.delete(CONSUMER);
  seen = [];
  context = await browser.newContext();
  context.setDefaultTimeout(WAIT);
  requested = [];
  context.on('request', (request) => requested.push(request.url()));
  // The host's session cookie, for 127.0.0.1 (any port): cross-origin but same-site from the page's origin.
  await context.addCookies([{ name: 'consumer', value: CONSUMER, domain: '127.0.0.1', path: '/', sameSite: 'Lax' }]);
});

afterEach(async () => {
  await context.close();
  assert.deepEqual(requested.filter((url) => !url.startsWith('http://127.0.0.1:')), [], 'no request left 127.0.0.1');
});

function testPage(mount: 'listed' | 'unlisted'): string {
  return new URL(`/test/e2e/pages/cross-origin.html?api=${encodeURIComponent(`${apiOrigin}/${mount}`)}`, demo.url).href;
}

describe('endpoints on another origin (allowedOrigins)', () => {
  it('the list renders and VaultRE connects; every call carries the cookie; preflights are answered', TEST, async () => {
    const page = await context.newPage();
    await page.goto(testPage('listed'));
    await rows(page).first().waitFor({ timeout: WAIT * 2 });
    assert.ok(seen.some((call) => call.path === '/listed/session' && call.method === 'POST' && call.cookie), 'the session was asked for with the cookie');
    await row(page, 'vaultre').locator('[part="badge"]').waitFor();
    await badgeBecomes(page, 'vaultre', 'Not connected');

    const opened = context.waitForEvent('page', { timeout: WAIT });
    await row(page, 'vaultre').locator('button[data-action="connect"]').click();
    const popup = await opened;
    await popup.waitForURL((url) => url.href.startsWith(`${demo.sandbox.vaultreUrl}/oauth-authorize`), { timeout: WAIT });
    await decide(popup, 'confirm');
    await closed(popup);
    await badgeBecomes(page, 'vaultre', 'Connected');
    assert.equal((await store.get(CONSUMER))?.token_type, 'account', 'the token is the cookie’s consumer’s');

    const calls = seen.filter((call) => call.method !== 'OPTIONS');
    assert.deepEqual(
      calls.map((call) => `${call.method} ${call.path} ${call.status}`),
      ['POST /listed/session 200', 'GET /listed/vaultre 200', 'POST /listed/vaultre 200', 'POST /listed/vaultre 200'],
    );
    assert.ok(calls.every((call) => call.cookie), 'credentials: include sent the cookie every time');
    const preflights = seen.filter((call) => call.method === 'OPTIONS');
    assert.ok(preflights.length >= 1, 'the JSON POSTs were preflighted');
    assert.ok(preflights.every((call) => call.status === 204));
    const log = await page.locator('#log li').allTextContents();
    assert.ok(!log.some((line) => line.startsWith('vault-connect-error')), log.join('\n'));
  });

  it('an origin the handlers do not list: its preflight gets 403, no request follows, the element reports it', TEST, async () => {
    const page = await context.newPage();
    await page.goto(testPage('unlisted'));
    // A refused preflight reads as a network failure to the page: it may not even learn the status.
    const line = await eventually(
      'the session error',
      async () => (await page.locator('#log li').allTextContents()).find((text) => text.startsWith('vault-connect-error')),
      (found) => found !== undefined,
    );
    assert.match(line ?? '', /"code":"network_error"/);
    const sessionCalls = seen.filter((call) => call.path === '/unlisted/session');
    assert.ok(sessionCalls.length > 0);
    assert.deepEqual([...new Set(sessionCalls.map((call) => `${call.method} ${call.status}`))], ['OPTIONS 403'], 'only refused preflights: no session was asked for');
    assert.equal(await rows(page).count(), 0, 'no list');
  });
});
