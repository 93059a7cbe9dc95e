/**
 * End to end, the popup ways of opening a connection against the demo page as `npm start` serves it (one demo and one
 * Chromium for the whole file; a fresh guarded browser context, a re-seeded sandbox and the COOP switch off per test):
 *
 * - `open-mode="popup"` (Hosted Vault) and `open-mode="direct"` (the connection's `authorize_url`): success through the
 *   demo's callback page (`/demo/callback.html`), the user closing the popup, the popup blocked (then Try again, then
 *   "Continue in this tab", which leaves the page and finishes the flow when the callback page brings the user back),
 *   the element's `flowTimeout`, and `cancel()`;
 * - both modes with the sandbox's COOP switch on, where the popup has no opener and the result arrives over
 *   `BroadcastChannel` / `storage` instead of `postMessage`;
 * - adversarial messages, each of which must change nothing: another origin, a wrong or replayed nonce from the right
 *   origin, malformed messages, another element's result, and the callback page opened with no flow in flight.
 *
 * Notes: no named functions inside evaluated code (tsx's esbuild would wrap them in a `__name` helper the page does not
 * have); the tests never route a variant of a page, they drive the pages the demo and the sandbox really serve.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Browser, Frame, Page, Request } from 'playwright-core';
import {
  DEMO_CONSUMER,
  WAIT,
  actionButton,
  badgeBecomes,
  eventually,
  guardedContext,
  jwtClaims,
  logLines,
  logged,
  openDemo,
  row,
  sleep,
  type Demo,
  type GuardedContext,
  startDemoAndBrowser,
} from './helpers.ts';

const TEST = { timeout: 30_000 };

/** The callback message's wire type (`src/internal/popup/callback-message.ts`). */
const CALLBACK_TYPE = 'vault-connect:callback';
const POPUP_CLOSED = 'We lost track of the window. If you finished, this updates by itself; otherwise try again.';
const CALLBACK_CHANNEL = 'vault-connect:callback';
const CALLBACK_STORAGE_KEY = 'vault-connect:callback';

type Mode = 'popup' | 'direct';

let demo: Demo;
let browser: Browser;
let guarded: GuardedContext;
/** Every request of the current test's context (pages and popups), in order. */
let requests: Request[];
/** Uncaught errors of the current test's pages. */
let pageErrors: string[];

before(async () => {
  ({ demo, browser } = await startDemoAndBrowser());
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  await demo?.server.close();
});

beforeEach(async () => {
  demo.sandbox.vaultApi.reset();
  demo.sandbox.setCoop(false);
  guarded = await guardedContext(browser);
  requests = [];
  pageErrors = [];
  guarded.context.on('request', (request) => requests.push(request));
  guarded.context.on('page', (page) => page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`)));
});

afterEach(async () => {
  await guarded.context.close();
  demo.sandbox.setCoop(false);
  assert.deepEqual(guarded.blocked, [], 'no request may leave 127.0.0.1');
  assert.deepEqual(pageErrors, [], 'no page threw');
});

// -- helpers ----------------------------------------------------------------------------------------------------------

/** The demo page in an open mode (through its `?open-mode=`), once the list and the popup-start chunk are in. */
async function openInMode(mode: Mode): Promise<Page> {
  const page = await openDemo(guarded.context, `${demo.url}?open-mode=${mode}`);
  assert.equal(await page.evaluate(() => document.querySelector('vault-connect')!.openMode), mode);
  // The click must not wait for a chunk (a popup opened after an `await` may be blocked): let the element's prefetches
  // after the first render finish, i.e. no new module for a little while (whatever the chunks are called).
  let last = -1;
  await eventually(
    'the prefetched chunks',
    async () => {
      const count = await page.evaluate(() => performance.getEntriesByType('resource').length);
      const settled = count === last;
      last = count;
      if (!settled) await sleep(100);
      return settled;
    },
    Boolean,
  );
  return page;
}

/** Where a mode's popup goes, and the button the user presses there to authorize. */
function provider(mode: Mode): { origin: string; authorize: string } {
  return mode === 'popup'
    ? { origin: new URL(demo.sandbox.hostedVaultUrl).origin, authorize: 'button[data-action="authorize"]' }
    : { origin: new URL(demo.sandbox.vaultApiUrl).origin, authorize: 'button[name="decision"][value="authorize"]' };
}

/** Clicks a row's Connect and returns the popup once it shows the provider's page. */
async function connectInPopup(page: Page, serviceId: string, mode: Mode, connect = actionButton(page, serviceId, 'connect')): Promise<Page> {
  const opened = guarded.context.waitForEvent('page');
  await connect.click();
  const popup = await opened;
  await popup.waitForURL((url) => url.origin === provider(mode).origin);
  await popup.locator(provider(mode).authorize).waitFor();
  return popup;
}

/**
 * The same-tab fallback: with `window.open` returning null, Connect is blocked, Try again is blocked too, and "Continue
 * in this tab" leaves the demo for the provider; the user authorizes there and the callback page brings them back,
 * where the element finishes the flow on load. Returns the demo page once the row is Connected and the flow's
 * `sessionStorage` entries have been taken.
 */
async function connectInSameTab(mode: Mode): Promise<Page> {
  const page = await openInMode(mode);
  await page.evaluate(() => {
    window.open = () => null;
  });
  const pagesBefore = guarded.context.pages().length;
  const warnings: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'warning' && message.text().startsWith('vault-connect:')) warnings.push(message.text());
  });

  await actionButton(page, 'xero', 'connect').click();
  await rowErrorBecomes(page, 'xero', 'The browser blocked the window.');
  const retry = row(page, 'xero').locator('button[data-action="retry"]:not([data-same-tab])');
  const sameTab = row(page, 'xero').locator('button[data-action="retry"][data-same-tab]');
  assert.equal(((await retry.textContent()) ?? '').trim(), 'Try again');
  assert.equal(await sameTab.count(), 0, 'the same-tab fallback is offered only after a second block');
  assert.deepEqual(await errorCodes(page), ['popup_blocked']);

  await retry.click();
  await eventually('the second block', () => errorCodes(page), (codes) => codes.length === 2);
  assert.deepEqual(await errorCodes(page), ['popup_blocked', 'popup_blocked']);
  assert.equal(((await sameTab.textContent()) ?? '').trim(), 'Continue in this tab');
  assert.equal(guarded.context.pages().length, pagesBefore, 'no window was opened');
  // One warning for the developer, naming the cause and the fix, however often the popup is blocked.
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /blocked a popup.*from a click handler/);

  await sameTab.click();
  await page.waitForURL((url) => url.origin === provider(mode).origin);
  await page.locator(provider(mode).authorize).click();
  // The callback page stores the result and goes back to the page that started the flow (mode kept in its URL).
  await page.waitForURL((url) => url.href === `${demo.url}?open-mode=${mode}`);
  await badgeBecomes(page, 'xero', 'Connected');
  await eventually(
    'the element to take the same-tab result (single use)',
    () => page.evaluate(() => [sessionStorage.getItem('vault-connect:pending'), sessionStorage.getItem('vault-connect:result')]),
    (entries) => entries[0] === null && entries[1] === null,
  );
  assert.equal(guarded.context.pages().length, pagesBefore);
  return page;
}

/** Resolves once the popup is closed (by itself, the element or the test). */
async function closed(popup: Page): Promise<void> {
  if (popup.isClosed()) return;
  await popup.waitForEvent('close', { timeout: WAIT }).catch((error: unknown) => {
    if (!popup.isClosed()) throw error;
  });
}

/** `vault-connect-error` codes in the demo's log, newest first. */
async function errorCodes(page: Page): Promise<string[]> {
  return (await logLines(page))
    .filter((line) => line.startsWith('vault-connect-error: '))
    .map((line) => (JSON.parse(line.slice('vault-connect-error: '.length)) as { code: string }).code);
}

/** The demo's log without its `vault-connect-ready` line. */
async function eventsAfterReady(page: Page): Promise<string[]> {
  return (await logLines(page)).filter((line) => !line.startsWith('vault-connect-ready'));
}

function rowError(page: Page, serviceId: string) {
  return row(page, serviceId).locator('[part="row-error"]');
}

async function rowErrorText(page: Page, serviceId: string): Promise<string | null> {
  const error = rowError(page, serviceId);
  return (await error.count()) === 0 ? null : ((await error.textContent()) ?? '').trim();
}

function rowErrorBecomes(page: Page, serviceId: string, text: string): Promise<string | null> {
  return eventually(`the ${serviceId} row to say "${text}"`, () => rowErrorText(page, serviceId), (value) => value === text);
}

function isConfirm(request: Request): boolean {
  return request.method() === 'POST' && /\/vault\/connections\/[^/]+\/[^/]+\/confirm$/.test(request.url());
}

/** `GET` of one connection on the Vault API (the element's re-read). */
function isReread(serviceId: string, unifiedApi: string) {
  return (request: Request) =>
    request.method() === 'GET' && request.url() === `${demo.sandbox.vaultApiUrl}/vault/connections/${unifiedApi}/${serviceId}`;
}

/** The `nonce` the element put in a direct popup's authorize URL. */
function nonceOf(popup: Page): string {
  const first = requests.find((request) => request.url().startsWith(`${demo.sandbox.vaultApiUrl}/vault/authorize/`) && request.frame().page() === popup);
  const nonce = new URL(first?.url() ?? popup.url()).searchParams.get('nonce');
  assert.ok(nonce, 'the authorize URL carries a nonce');
  return nonce;
}

/** A well-formed callback message, as `relayCallback` sends it. */
function callbackMessage(query: Record<string, string>, fragment: Record<string, string>, id = `forged-${Math.random().toString(36).slice(2, 14)}`) {
  return { type: CALLBACK_TYPE, id, query, fragment };
}

/** Adds an iframe on `src` to the demo page and returns its frame once it has loaded. */
async function probeFrame(page: Page, src: string, id: string): Promise<Frame> {
  await page.evaluate(
    ({ src, id }) =>
      new Promise<void>((resolve) => {
        const frame = document.createElement('iframe');
        frame.id = id;
        frame.src = src;
        frame.hidden = true;
        frame.addEventListener('load', () => resolve(), { once: true });
        document.body.append(frame);
      }),
    { src, id },
  );
  const frame = await (await page.locator(`iframe#${id}`).elementHandle())?.contentFrame();
  assert.ok(frame, `the ${id} iframe has a frame`);
  assert.equal(new URL(frame.url()).origin, new URL(src, demo.url).origin);
  return frame;
}

/** Sends `message` from a frame on every channel it has: `postMessage` to the parent, and, same-origin, BroadcastChannel and storage. */
async function sendFrom(frame: Frame, message: unknown, channels: { post?: boolean; broadcast?: boolean; storage?: boolean } = {}): Promise<void> {
  await frame.evaluate(
    ({ message, channels, name, key }) => {
      if (channels.post !== false) window.parent.postMessage(message, '*');
      if (channels.broadcast) {
        const channel = new BroadcastChannel(name);
        channel.postMessage(message);
        channel.close();
      }
      if (channels.storage) {
        localStorage.setItem(key, typeof message === 'string' ? message : JSON.stringify(message));
        localStorage.removeItem(key);
      }
    },
    { message, channels, name: CALLBACK_CHANNEL, key: CALLBACK_STORAGE_KEY },
  );
}

/** Records, in the demo page, every `message` event (origin and type) and every message on the callback channel. */
async function watchChannels(page: Page): Promise<void> {
  await page.evaluate((name) => {
    const seen = { messages: [] as { origin: string; type: unknown }[], broadcasts: [] as unknown[] };
    (window as unknown as { __seen: typeof seen }).__seen = seen;
    window.addEventListener('message', (event) => {
      seen.messages.push({ origin: event.origin, type: (event.data as { type?: unknown } | null)?.type ?? typeof event.data });
    });
    const channel = new BroadcastChannel(name);
    channel.onmessage = (event) => seen.broadcasts.push(event.data);
  }, CALLBACK_CHANNEL);
}

function seen(page: Page): Promise<{ messages: { origin: string; type: unknown }[]; broadcasts: unknown[] }> {
  return page.evaluate(() => (window as unknown as { __seen: { messages: { origin: string; type: unknown }[]; broadcasts: unknown[] } }).__seen);
}

/** Asserts that a flow is still waiting: the row busy with no error, the popup open, and nothing logged since `ready`. */
async function assertStillWaiting(page: Page, serviceId: string, popup: Page, label: string, confirmsBefore = 0): Promise<void> {
  // Give any wrongly accepted message time to show (each is handled in a task; a re-read takes a few ms).
  await sleep(400);
  assert.equal(await row(page, serviceId).getAttribute('aria-busy'), 'true', `${label}: the row still waits`);
  assert.equal(await rowErrorText(page, serviceId), null, `${label}: no error in the row`);
  assert.equal(popup.isClosed(), false, `${label}: the popup is still open`);
  assert.deepEqual(await eventsAfterReady(page), [], `${label}: no event`);
  assert.equal(requests.filter(isConfirm).length, confirmsBefore, `${label}: no confirm request`);
}

async function coopSwitch(on: boolean): Promise<void> {
  const response = await fetch(new URL(`/api/sandbox/coop?on=${on ? 1 : 0}`, demo.url), { method: 'POST', signal: AbortSignal.timeout(WAIT) });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { coop: on });
}

// -- the demo's switch ------------------------------------------------------------------------------------------------

describe('the demo page: open modes and callback page', () => {
  it('has a labelled switch for the three open modes and gives the element its Vault and callback URLs', TEST, async () => {
    assert.equal(demo.config.callbackUrl, new URL('/demo/callback.html', demo.url).href);
    assert.equal(demo.config.vaultUrl, demo.sandbox.hostedVaultUrl);
    assert.equal(demo.config.vaultreExchangeUrl, '/api/vaultre');
    assert.equal(demo.config.vaultreRedirectUri, demo.config.callbackUrl);
    assert.equal(demo.config.vaultreExchangeUrl, '/api/vaultre');
    assert.equal(demo.config.coop, false);

    const page = await openDemo(guarded.context, demo.url);
    const group = page.getByRole('group', { name: 'Open connections in' });
    const radios = group.getByRole('radio');
    assert.equal(await radios.count(), 3);
    assert.equal(await group.getByRole('radio', { name: 'Embedded modal' }).isChecked(), true);
    const read = () =>
      page.evaluate(() => {
        const element = document.querySelector('vault-connect')!;
        return { openMode: element.openMode, vaultUrl: element.vaultUrl, callbackUrl: element.callbackUrl };
      });
    assert.deepEqual(await read(), { openMode: 'modal', vaultUrl: demo.sandbox.hostedVaultUrl, callbackUrl: demo.config.callbackUrl });

    await group.getByRole('radio', { name: 'Hosted Vault popup' }).check();
    assert.equal((await read()).openMode, 'popup');
    assert.equal(new URL(page.url()).searchParams.get('open-mode'), 'popup');
    await group.getByRole('radio', { name: 'Direct authorization' }).check();
    assert.equal((await read()).openMode, 'direct');
    assert.equal(new URL(page.url()).searchParams.get('open-mode'), 'direct');
    await group.getByRole('radio', { name: 'Embedded modal' }).check();
    assert.equal((await read()).openMode, 'modal');
    assert.equal(new URL(page.url()).searchParams.get('open-mode'), null);

    // The mode survives a reload through the URL (and so the same-tab fallback's return).
    await page.goto(`${demo.url}?open-mode=direct`);
    await row(page, 'xero').waitFor();
    assert.equal(await group.getByRole('radio', { name: 'Direct authorization' }).isChecked(), true);
    assert.equal((await read()).openMode, 'direct');
  });

  it('serves the callback page without inline script, and the COOP switch only by POST from its own origin', TEST, async () => {
    const html = await (await fetch(demo.config.callbackUrl, { signal: AbortSignal.timeout(WAIT) })).text();
    assert.match(html, /<script type="module" src="\/src\/callback\/auto\.ts"><\/script>/);
    assert.doesNotMatch(html.replace(/<script type="module" src="[^"]+"><\/script>/g, ''), /<script|<style|style=/);

    const coopUrl = new URL('/api/sandbox/coop?on=1', demo.url);
    assert.equal((await fetch(coopUrl, { signal: AbortSignal.timeout(WAIT) })).status, 405);
    const foreign = await fetch(coopUrl, { method: 'POST', headers: { origin: 'http://127.0.0.1:1' }, signal: AbortSignal.timeout(WAIT) });
    assert.equal(foreign.status, 403);
    assert.equal((await fetch(new URL('/api/sandbox/coop?on=yes', demo.url), { method: 'POST', signal: AbortSignal.timeout(WAIT) })).status, 400);
    assert.equal(demo.sandbox.coop, false);
    await coopSwitch(true);
    assert.equal(demo.sandbox.coop, true);
    const config = (await (await fetch(new URL('/api/demo-config', demo.url), { signal: AbortSignal.timeout(WAIT) })).json()) as { coop?: boolean };
    assert.equal(config.coop, true);
    const hosted = await fetch(`${demo.sandbox.hostedVaultUrl}/integrations?jwt=x`, { signal: AbortSignal.timeout(WAIT) });
    assert.equal(hosted.headers.get('cross-origin-opener-policy'), 'same-origin');
    await coopSwitch(false);
  });
});

// -- the two popup modes ----------------------------------------------------------------------------------------------

for (const mode of ['popup', 'direct'] as const) {
  const title = mode === 'popup' ? 'open-mode="popup" (Hosted Vault)' : 'open-mode="direct" (authorize_url)';

  describe(title, () => {
    it('connects: the user authorizes in the popup, the callback page closes it, the row becomes Connected', TEST, async () => {
      const page = await openInMode(mode);
      await badgeBecomes(page, 'xero', 'Not connected');

      const popup = await connectInPopup(page, 'xero', mode);
      const opened = new URL(requests.find((r) => r.frame().page() === popup && new URL(r.url()).origin === provider(mode).origin)!.url());
      if (mode === 'popup') {
        assert.equal(opened.origin + opened.pathname, `${demo.sandbox.hostedVaultUrl}/integrations/accounting/xero`);
        const claims = jwtClaims(opened.searchParams.get('jwt') ?? '');
        assert.equal(claims.consumer_id, DEMO_CONSUMER);
        assert.equal(claims.redirect_uri, demo.config.callbackUrl, 'the session returns to the demo callback page');
        assert.equal((claims.settings as Record<string, unknown>).auto_redirect, true);
      } else {
        const authorizeUrl = new URL(demo.sandbox.vaultApi.getConnection(DEMO_CONSUMER, 'accounting', 'xero')!.authorize_url!);
        assert.equal(opened.origin + opened.pathname, authorizeUrl.origin + authorizeUrl.pathname);
        assert.equal(opened.searchParams.get('state'), authorizeUrl.searchParams.get('state'), 'the authorize URL keeps its state');
        assert.deepEqual(opened.searchParams.getAll('redirect_uri'), [demo.config.callbackUrl], 'redirect_uri encoded once');
        assert.match(opened.searchParams.get('nonce') ?? '', /^[A-Za-z0-9_-]{22}$/, '128-bit nonce');
      }
      assert.equal(await row(page, 'xero').getAttribute('aria-busy'), 'true');

      await popup.locator(provider(mode).authorize).click();
      await closed(popup);
      await badgeBecomes(page, 'xero', 'Connected');
      await logged(page, 'the change event', (line) => line === 'vault-connection-change: xero → callable');
      assert.deepEqual(await eventsAfterReady(page), ['vault-connection-change: xero → callable']);
      assert.equal(await rowErrorText(page, 'xero'), null);

      const confirms = requests.filter(isConfirm);
      const stored = demo.sandbox.vaultApi.getConnection(DEMO_CONSUMER, 'accounting', 'xero')!;
      assert.equal(stored.state, 'callable');
      if (mode === 'direct') {
        assert.equal(confirms.length, 1, 'a return with a nonce is confirmed');
        assert.equal(confirms[0].url(), `${demo.sandbox.vaultApiUrl}/vault/connections/accounting/xero/confirm`);
        assert.match((JSON.parse(confirms[0].postData() ?? '{}') as { confirm_token?: string }).confirm_token ?? '', /.{8,}/);
        assert.notEqual(stored.health, 'pending_confirmation');
      } else {
        assert.equal(confirms.length, 0);
      }
    });

    it('reports popup_closed within 5 s when the user closes the popup, settles openConnection(), and Try again opens a new popup', TEST, async () => {
      const page = await openInMode(mode);
      const opened = guarded.context.waitForEvent('page');
      await page.evaluate(() => {
        const element = document.querySelector('vault-connect')!;
        (window as unknown as { __flow: Promise<string> }).__flow = element.openConnection('xero').then(
          () => 'settled',
          (error: unknown) => `rejected: ${String(error)}`,
        );
      });
      const popup = await opened;
      await popup.waitForURL((url) => url.origin === provider(mode).origin);
      await popup.locator(provider(mode).authorize).waitFor();
      const mark = requests.length;
      const closedAt = Date.now();
      await popup.close();
      await eventually('popup_closed', () => errorCodes(page), (codes) => codes.length > 0);
      const elapsed = Date.now() - closedAt;
      assert.ok(elapsed >= 1_900, `only after the grace period (${elapsed} ms)`);
      assert.ok(elapsed < 5_000, `within 5 s (${elapsed} ms)`);
      assert.deepEqual(await errorCodes(page), ['popup_closed']);
      assert.equal(await page.evaluate(() => (window as unknown as { __flow: Promise<string> }).__flow), 'settled', 'openConnection() settled');
      // popup.closed is only a hint (COOP makes it read true while the popup is open): the row claims no more.
      await rowErrorBecomes(page, 'xero', POPUP_CLOSED);
      await badgeBecomes(page, 'xero', 'Not connected');
      assert.equal(await actionButton(page, 'xero', 'connect').isEnabled(), true);
      const [second] = await Promise.all([page.context().waitForEvent('page', { timeout: WAIT }), actionButton(page, 'xero', 'retry').click()]);
      assert.equal(await rowErrorText(page, 'xero'), null, 'the new flow clears the hint');
      await second.close();
      const rereads = requests.slice(mark).filter(isReread('xero', 'accounting')).length;
      // Hosted Vault: the user may have finished before closing, so the connection is read again first; and the new
      // flow reads it once as it starts (what a return from elsewhere is compared with).
      assert.equal(rereads, mode === 'popup' ? 2 : 0);
    });

    if (mode === 'popup') {
      it('reports no error when the connection changed before the popup was closed (re-read on close)', TEST, async () => {
        const page = await openInMode(mode);
        const popup = await connectInPopup(page, 'xero', mode);
        // The user finished in Hosted Vault but closed it before the redirect.
        demo.sandbox.vaultApi.authorize(DEMO_CONSUMER, 'accounting', 'xero');
        await popup.close();
        await badgeBecomes(page, 'xero', 'Connected');
        await logged(page, 'the change event', (line) => line === 'vault-connection-change: xero → callable');
        assert.deepEqual(await errorCodes(page), []);
        assert.equal(await rowErrorText(page, 'xero'), null);
      });
    } else {
      it('reports access_denied when the user denies consent', TEST, async () => {
        const page = await openInMode(mode);
        const popup = await connectInPopup(page, 'xero', mode);
        await popup.locator('button[name="decision"][value="deny"]').click();
        await closed(popup);
        await rowErrorBecomes(page, 'xero', 'Access was denied.');
        assert.deepEqual(await errorCodes(page), ['access_denied']);
        assert.equal(requests.filter(isConfirm).length, 0);
        await badgeBecomes(page, 'xero', 'Not connected');
      });
    }

    it('popup blocked: says so, Try again is blocked too, "Continue in this tab" finishes the flow in this tab', TEST, async () => {
      const page = await connectInSameTab(mode);
      if (mode === 'direct') {
        // The return's confirm_token is confirmed on load, which changes the connection after the list was read.
        await logged(page, 'the change event', (line) => line === 'vault-connection-change: xero → callable');
      }
      assert.deepEqual(await errorCodes(page), []);
      assert.equal(requests.filter(isConfirm).length, mode === 'direct' ? 1 : 0);
      assert.equal(demo.sandbox.vaultApi.getConnection(DEMO_CONSUMER, 'accounting', 'xero')?.state, 'callable');
    });

    if (mode === 'popup') {
      // After the same-tab return the list is read afresh and already shows the connection Hosted Vault authorized;
      // `finishSameTab` still reports the change (Hosted Vault's `authorizedConnection` says it happened in this flow).
      it('fires vault-connection-change after the same-tab return from Hosted Vault', TEST, async () => {
        const page = await connectInSameTab(mode);
        await eventually('the change event', () => logLines(page), (lines) => lines.includes('vault-connection-change: xero → callable'), 2_000);
      });
    }

    it('times out after flowTimeout: the popup is closed and the row says timeout', TEST, async () => {
      const page = await openInMode(mode);
      await page.evaluate(() => {
        document.querySelector('vault-connect')!.flowTimeout = 1_500;
      });
      const started = Date.now();
      const popup = await connectInPopup(page, 'xero', mode);
      await closed(popup);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 1_400, `not before the timeout (${elapsed} ms)`);
      await rowErrorBecomes(page, 'xero', 'This took too long and was stopped.');
      assert.deepEqual(await errorCodes(page), ['timeout']);
      await badgeBecomes(page, 'xero', 'Not connected');
      assert.equal(await actionButton(page, 'xero', 'connect').isEnabled(), true);
    });

    it('cancel() closes the popup and settles the flow without an error', TEST, async () => {
      const page = await openInMode(mode);
      const opened = guarded.context.waitForEvent('page');
      await page.evaluate(() => {
        const element = document.querySelector('vault-connect')!;
        (window as unknown as { __flow: Promise<string> }).__flow = element.openConnection('xero').then(
          () => 'settled',
          (error: unknown) => `rejected: ${String(error)}`,
        );
      });
      const popup = await opened;
      await popup.waitForURL((url) => url.origin === provider(mode).origin);
      await page.evaluate(() => document.querySelector('vault-connect')!.cancel());
      await closed(popup);
      assert.equal(await page.evaluate(() => (window as unknown as { __flow: Promise<string> }).__flow), 'settled');
      await eventually('the row to stop waiting', () => row(page, 'xero').getAttribute('aria-busy'), (busy) => busy === 'false');
      // Past the popup-closed grace period: no late error either.
      await sleep(2_600);
      assert.deepEqual(await eventsAfterReady(page), [], 'no error (or any other) event: a cancelled flow is not a failure');
      assert.equal(await rowErrorText(page, 'xero'), null);
      assert.equal(await actionButton(page, 'xero', 'connect').isEnabled(), true);
      assert.equal(demo.sandbox.vaultApi.getConnection(DEMO_CONSUMER, 'accounting', 'xero')?.state, 'available');
    });
  });
}

// -- COOP -------------------------------------------------------------------------------------------------------------

describe('with the sandbox COOP switch on (Cross-Origin-Opener-Policy: same-origin)', () => {
  for (const mode of ['popup', 'direct'] as const) {
    it(`${mode === 'popup' ? 'Hosted Vault' : 'direct authorization'} still completes, over BroadcastChannel/storage`, TEST, async () => {
      await coopSwitch(true);
      const page = await openInMode(mode);
      // The callback page's module is compiled once: ask for it before the clock of the grace period runs.
      await fetch(new URL('/src/callback/auto.ts', demo.url), { signal: AbortSignal.timeout(WAIT) });
      await watchChannels(page);
      const popup = await connectInPopup(page, 'xero', mode);
      const navigation = requests.find(
        (r) => r.isNavigationRequest() && r.frame().page() === popup && new URL(r.url()).origin === provider(mode).origin,
      );
      const header = (await (await navigation?.response())?.allHeaders())?.['cross-origin-opener-policy'];
      assert.equal(header, 'same-origin', 'the sandbox page is served with COOP');
      assert.equal(await popup.evaluate(() => window.opener === null), true, 'COOP severed the popup from its opener');

      // A user who reads the provider's page for 3 s: popup.closed has read true since COOP severed the popup, so
      // after the 2 s grace popup_closed is reported and the row says only what is known; the flow still listens.
      await eventually('popup_closed while the popup is open', () => errorCodes(page), (codes) => codes.length > 0, 4_000);
      assert.deepEqual(await errorCodes(page), ['popup_closed']);
      assert.equal(await rowErrorText(page, 'xero'), POPUP_CLOSED);
      assert.equal(popup.isClosed(), false, 'the popup is still open');
      await popup.locator(provider(mode).authorize).click();
      await badgeBecomes(page, 'xero', 'Connected');
      await logged(page, 'the change event', (line) => line === 'vault-connection-change: xero → callable');
      assert.deepEqual(await errorCodes(page), ['popup_closed'], 'the late result reports nothing more');
      assert.equal(await rowErrorText(page, 'xero'), null, 'the late result clears the hint');
      const channels = await seen(page);
      assert.ok(channels.broadcasts.length >= 1, 'the result came over BroadcastChannel');
      assert.equal(channels.messages.filter((m) => m.type === CALLBACK_TYPE).length, 0, 'no postMessage could reach the opener');
      assert.equal(requests.filter(isConfirm).length, mode === 'direct' ? 1 : 0);
      if (!popup.isClosed()) {
        // With no opener the callback page may be unable to close itself: then it says so.
        await eventually('the callback page to close or say so', async () => popup.isClosed() || ((await popup.textContent('body')) ?? '').includes('You can close this window.'), Boolean);
      }
    });
  }
});

// -- adversarial ------------------------------------------------------------------------------------------------------

describe('adversarial messages change nothing', () => {
  it('a well-formed message (even with the right nonce) from another origin', TEST, async () => {
    const page = await openInMode('direct');
    await watchChannels(page);
    const popup = await connectInPopup(page, 'xero', 'direct');
    const nonce = nonceOf(popup);
    // An iframe on the sandbox Vault API origin (not the callback page's) posts to the demo page.
    const foreign = await probeFrame(page, `${demo.sandbox.vaultApiUrl}/__sandbox/page.css`, 'foreign');
    await sendFrom(foreign, callbackMessage({}, { nonce, confirm_token: 'forged-confirm-token', service_id: 'xero' }));
    await sendFrom(foreign, callbackMessage({ authorizedConnection: 'xero' }, {}));
    await sendFrom(foreign, callbackMessage({ error: 'access_denied' }, {}));
    await eventually('the forged messages to arrive', () => seen(page), (s) => s.messages.filter((m) => m.type === CALLBACK_TYPE).length === 3);
    assert.ok((await seen(page)).messages.every((m) => m.origin === new URL(demo.sandbox.vaultApiUrl).origin));
    await assertStillWaiting(page, 'xero', popup, 'another origin');
    assert.equal(requests.filter(isReread('xero', 'accounting')).length, 0, 'no re-read');

    // The real return still completes the flow, with the real confirm token.
    await popup.locator(provider('direct').authorize).click();
    await badgeBecomes(page, 'xero', 'Connected');
    const confirms = requests.filter(isConfirm);
    assert.equal(confirms.length, 1);
    assert.notEqual((JSON.parse(confirms[0].postData() ?? '{}') as { confirm_token: string }).confirm_token, 'forged-confirm-token');
  });

  it('Hosted Vault (popup): another origin opening the callback URL with authorizedConnection changes nothing; the real authorization completes', TEST, async () => {
    const page = await openInMode('popup');
    await watchChannels(page);
    const popup = await connectInPopup(page, 'xero', 'popup');
    const rereadsBefore = requests.filter(isReread('xero', 'accounting')).length;
    // A page on another origin (the sandbox's Vault API) opens a window on the callback URL with Hosted Vault's return.
    const attacker = await guarded.context.newPage();
    await attacker.goto(`${demo.sandbox.vaultApiUrl}/__sandbox/page.css`);
    const opened = guarded.context.waitForEvent('page');
    await attacker.evaluate((url) => {
      window.open(url, 'forged-return');
    }, `${demo.config.callbackUrl}?authorizedConnection=xero`);
    const forged = await opened;
    await eventually(
      'the forged return to reach the demo page',
      () => seen(page),
      (s) => s.broadcasts.some((b) => (b as { query?: Record<string, string> }).query?.authorizedConnection === 'xero'),
    );
    // A hint: the element reads the connection again, finds it unchanged since the flow began, and keeps waiting.
    await eventually('the re-read', () => Promise.resolve(requests.filter(isReread('xero', 'accounting')).length), (n) => n > rereadsBefore);
    await assertStillWaiting(page, 'xero', popup, 'a return opened by another origin');
    assert.equal(demo.sandbox.vaultApi.getConnection(DEMO_CONSUMER, 'accounting', 'xero')?.state, 'available');
    if (!forged.isClosed()) await forged.close();

    // The user authorizes in the real popup: its return is the flow's own, and the flow completes.
    await popup.locator(provider('popup').authorize).click();
    await closed(popup);
    await badgeBecomes(page, 'xero', 'Connected');
    await logged(page, 'the change event', (line) => line === 'vault-connection-change: xero → callable');
    assert.deepEqual(await errorCodes(page), []);
  });

  it('Hosted Vault (popup): a return from elsewhere after the connection really changed ends the flow with the API’s value', TEST, async () => {
    const page = await openInMode('popup');
    const popup = await connectInPopup(page, 'xero', 'popup');
    // The connection changes (in another tab, say) while the flow waits; then a return arrives that is not the popup's.
    demo.sandbox.vaultApi.authorize(DEMO_CONSUMER, 'accounting', 'xero');
    const attacker = await guarded.context.newPage();
    await attacker.goto(`${demo.sandbox.vaultApiUrl}/__sandbox/page.css`);
    await attacker.evaluate((url) => {
      window.open(url, 'other-return');
    }, `${demo.config.callbackUrl}?authorizedConnection=xero`);
    await badgeBecomes(page, 'xero', 'Connected');
    await logged(page, 'the change event', (line) => line === 'vault-connection-change: xero → callable');
    await closed(popup);
    assert.deepEqual(await errorCodes(page), []);
  });

  it('a wrong or replayed nonce from the right origin, on every channel', TEST, async () => {
    const page = await openInMode('direct');
    await watchChannels(page);

    // A first flow (gusto) completes; its return message is recorded for the replay.
    const first = await connectInPopup(page, 'gusto', 'direct');
    await first.locator(provider('direct').authorize).click();
    await badgeBecomes(page, 'gusto', 'Connected');
    const recorded = (await seen(page)).broadcasts.at(-1) as { fragment: Record<string, string> };
    assert.ok(recorded?.fragment?.nonce, 'the first return was seen on the channel');
    assert.equal(requests.filter(isConfirm).length, 1);
    await page.evaluate(() => document.querySelector('#log')!.replaceChildren());

    const popup = await connectInPopup(page, 'xero', 'direct');
    const nonce = nonceOf(popup);
    assert.notEqual(nonce, recorded.fragment.nonce);
    const same = await probeFrame(page, '/demo/demo.css', 'same-origin');
    const all = { post: true, broadcast: true, storage: true };
    // Wrong nonce (and a confirm token), on postMessage, BroadcastChannel and storage.
    await sendFrom(same, callbackMessage({}, { nonce: 'A'.repeat(22), confirm_token: 'forged-confirm-token', service_id: 'xero' }), all);
    // The earlier flow's return, replayed as it was (same id) and with a fresh id.
    await sendFrom(same, recorded, all);
    await sendFrom(same, { ...recorded, id: 'replayed-0000000001' }, all);
    // A nonce-less return (what a denial looks like) counts only from the flow's own popup.
    await sendFrom(same, callbackMessage({ error: 'access_denied' }, {}), all);
    await assertStillWaiting(page, 'xero', popup, 'wrong or replayed nonce', 1);
    assert.equal(demo.sandbox.vaultApi.getConnection(DEMO_CONSUMER, 'accounting', 'xero')?.state, 'available');

    await popup.locator(provider('direct').authorize).click();
    await badgeBecomes(page, 'xero', 'Connected');
    assert.equal(requests.filter(isConfirm).length, 2);
    assert.deepEqual(await errorCodes(page), []);
  });

  it('malformed messages, on every channel, even ones carrying the right nonce', TEST, async () => {
    const page = await openInMode('direct');
    const popup = await connectInPopup(page, 'xero', 'direct');
    const nonce = nonceOf(popup);
    const same = await probeFrame(page, '/demo/demo.css', 'same-origin');
    const good = { nonce, confirm_token: 'forged-confirm-token', service_id: 'xero' };
    const tooMany = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, 'v']));
    const malformed: unknown[] = [
      CALLBACK_TYPE,
      null,
      42,
      [],
      { type: CALLBACK_TYPE },
      { type: 'something-else', id: 'malformed-000000001', query: {}, fragment: good },
      { type: CALLBACK_TYPE, id: 'short', query: {}, fragment: good },
      { type: CALLBACK_TYPE, id: 'x'.repeat(65), query: {}, fragment: good },
      { type: CALLBACK_TYPE, id: 'malformed-000000002', fragment: good },
      { type: CALLBACK_TYPE, id: 'malformed-000000003', query: {}, fragment: { ...good, confirm_token: { token: 'x' } } },
      { type: CALLBACK_TYPE, id: 'malformed-000000004', query: { a: 1 }, fragment: good },
      { type: CALLBACK_TYPE, id: 'malformed-000000005', query: {}, fragment: { ...good, ...tooMany } },
      { type: CALLBACK_TYPE, id: 'malformed-000000006', query: {}, fragment: { ...good, big: 'x'.repeat(5_000) } },
      { type: CALLBACK_TYPE, id: 'malformed-000000007', query: 'nonce=x', fragment: good },
    ];
    for (const message of malformed) await sendFrom(same, message, { post: true, broadcast: true, storage: true });
    // Storage values that are not JSON at all.
    await sendFrom(same, '{"type": "vault-connect:callback", ', { post: false, storage: true });
    await sendFrom(same, 'undefined', { post: false, storage: true });
    await assertStillWaiting(page, 'xero', popup, 'malformed');

    await popup.locator(provider('direct').authorize).click();
    await badgeBecomes(page, 'xero', 'Connected');
    assert.equal(requests.filter(isConfirm).length, 1);
    assert.deepEqual(await errorCodes(page), []);
  });

  it("another element's result: two elements on one page never take each other's", TEST, async () => {
    const page = await openInMode('direct');
    await page.evaluate(() => {
      const events: { element: string; type: string; summary: string }[] = [];
      (window as unknown as { __events: typeof events }).__events = events;
      for (const type of ['vault-connection-change', 'vault-connection-delete', 'vault-connect-error']) {
        document.addEventListener(type, (event) => {
          const detail = (event as CustomEvent<{ connection?: { service_id: string; state: string }; code?: string }>).detail;
          events.push({
            element: (event.target as Element).id || 'first',
            type,
            summary: detail.connection ? `${detail.connection.service_id} → ${detail.connection.state}` : String(detail.code),
          });
        });
      }
      const first = document.querySelector('vault-connect')!;
      const second = document.createElement('vault-connect');
      second.id = 'second';
      second.unifyBaseUrl = first.unifyBaseUrl;
      second.vaultUrl = first.vaultUrl;
      second.callbackUrl = first.callbackUrl;
      second.vaultModal = first.vaultModal;
      second.openMode = 'direct';
      second.sessionUrl = first.sessionUrl;
      first.after(second);
    });
    const firstRow = page.locator('vault-connect:not(#second) >> [part="connection"][data-service-id="xero"]');
    const secondRow = page.locator('vault-connect#second >> [part="connection"][data-service-id="xero"]');
    const badgeOf = (locator: typeof firstRow) => async () => ((await locator.locator('[part="badge"]').textContent({ timeout: 1_000 })) ?? '').trim();
    await secondRow.waitFor();
    await eventually('the second element to show xero', badgeOf(secondRow), (text) => text === 'Not connected');
    const events = () => page.evaluate(() => (window as unknown as { __events: { element: string; type: string; summary: string }[] }).__events);

    // A flow in each element, on the same connection.
    const firstPopup = await connectInPopup(page, 'xero', 'direct', firstRow.locator('button[data-action="connect"]'));
    const secondPopup = await connectInPopup(page, 'xero', 'direct', secondRow.locator('button[data-action="connect"]'));
    assert.notEqual(nonceOf(firstPopup), nonceOf(secondPopup));
    assert.equal(await firstRow.getAttribute('aria-busy'), 'true');
    assert.equal(await secondRow.getAttribute('aria-busy'), 'true');

    // The user authorizes in the first element's popup: only the first element reacts.
    await firstPopup.locator(provider('direct').authorize).click();
    await closed(firstPopup);
    await eventually('the first element to show Connected', badgeOf(firstRow), (text) => text === 'Connected');
    await eventually('the first element’s change event', events, (list) => list.length > 0);
    await sleep(400);
    assert.deepEqual(await events(), [{ element: 'first', type: 'vault-connection-change', summary: 'xero → callable' }]);
    assert.equal(requests.filter(isConfirm).length, 1);
    assert.equal(secondPopup.isClosed(), false, 'the second element still waits for its own popup');
    assert.equal(await secondRow.getAttribute('aria-busy'), 'true');
    assert.equal(await badgeOf(secondRow)(), 'Not connected', 'the second list was not touched');

    await page.evaluate(() => document.querySelector<HTMLElementTagNameMap['vault-connect']>('vault-connect#second')!.cancel());
    await closed(secondPopup);
    await eventually('the second row to stop waiting', () => secondRow.getAttribute('aria-busy'), (busy) => busy === 'false');
    assert.deepEqual((await events()).map((e) => e.element), ['first']);
  });

  it('the callback page opened with no flow in flight only says "You can close this window."', TEST, async () => {
    const page = await openInMode('direct');
    await watchChannels(page);
    const mark = requests.length;

    for (const suffix of ['', '?authorizedConnection=xero#nonce=AAAAAAAAAAAAAAAAAAAAAA&confirm_token=forged&service_id=xero']) {
      const callback = await guarded.context.newPage();
      await callback.goto(`${demo.config.callbackUrl}${suffix}`);
      await eventually(
        'the callback page to close or say so',
        async () => callback.isClosed() || ((await callback.textContent('body')) ?? '').trim() === 'You can close this window.',
        Boolean,
      );
      if (!callback.isClosed()) {
        assert.equal(((await callback.textContent('body')) ?? '').trim(), 'You can close this window.');
        assert.equal(await callback.evaluate(() => document.body.children.length), 0, 'nothing but the sentence');
        assert.equal(new URL(callback.url()).search + new URL(callback.url()).hash, '', 'the parameters left the address bar');
        assert.deepEqual(
          await callback.evaluate(() => [localStorage.length, sessionStorage.getItem('vault-connect:result')]),
          [0, null],
          'nothing stored',
        );
        await callback.close();
      }
    }
    await sleep(300);
    const channels = await seen(page);
    assert.equal(channels.broadcasts.length, 1, 'only the one with parameters was relayed (to nobody)');
    assert.deepEqual(await eventsAfterReady(page), []);
    const calls = requests.slice(mark).filter((r) => new URL(r.url()).origin !== new URL(demo.url).origin);
    assert.deepEqual(calls.map((r) => `${r.method()} ${r.url()}`), [], 'no request beyond the callback page itself');
    assert.equal(demo.sandbox.vaultApi.getConnection(DEMO_CONSUMER, 'accounting', 'xero')?.state, 'available');
  });
});
