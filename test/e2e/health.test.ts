/**
 * End to end, against the demo as `npm start` serves it: the statuses `health` gives (from the sandbox's seed), the
 * demo's health control, the quiet re-read when the page comes back (Playwright's fake clock: no real minute), and the
 * Vault modal whose frame never loads (the fake clock again, instead of 10 real seconds). One demo and one Chromium
 * for the file; each test a re-seeded sandbox and a fresh, guarded browser context.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  DEMO_CONSUMER,
  actionButton,
  badge,
  badgeBecomes,
  eventually,
  guardedContext,
  logLines,
  logged,
  openDemo,
  row,
  type Demo,
  type GuardedContext,
  startDemoAndBrowser,
  chooseAction,
  offeredActions,
} from './helpers.ts';

const TEST = { timeout: 30_000 };

let demo: Demo;
let browser: Browser;
let guarded: GuardedContext;

before(async () => {
  ({ demo, browser } = await startDemoAndBrowser());
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  await demo?.server.close();
});

beforeEach(async () => {
  demo.sandbox.vaultApi.reset();
  guarded = await guardedContext(browser);
});

afterEach(async () => {
  await guarded.context.close();
  assert.deepEqual(guarded.blocked, [], 'no request may leave 127.0.0.1');
});

/** What a row shows: its status hook, its badge, its line under the name, its actions (the fix first, the rest in its More menu). */
async function rowState(page: Page, serviceId: string) {
  const shown = await row(page, serviceId).evaluate((element) => ({
    status: element.querySelector<HTMLElement>('[part="badge"]')?.dataset.status,
    badge: element.querySelector('[part="badge"]')?.textContent?.trim(),
    hint: element.querySelector('.hint')?.textContent?.trim() ?? null,
  }));
  return { ...shown, actions: await offeredActions(page, serviceId) };
}

/**
 * Notes when the element's freshness chunk (loaded once the first list is shown) has arrived; `listening()` then waits
 * for it. Through the context's requests: Playwright's fake clock replaces `performance`, resource timings included.
 */
function watchFreshness(): () => Promise<void> {
  let loaded = false;
  guarded.context.on('requestfinished', (request) => {
    if (request.url().includes('/freshness')) loaded = true;
  });
  return () => eventually('the freshness chunk', () => Promise.resolve(loaded), Boolean).then(() => undefined);
}

/** Makes the page read hidden or visible, as a tab switch does (`visibilityState` and `visibilitychange`). */
async function setVisibility(page: Page, state: 'hidden' | 'visible'): Promise<void> {
  // A string, not a function: tsx names the functions it compiles with a helper the page does not have.
  await page.evaluate(`
    Object.defineProperty(document, 'visibilityState', { configurable: true, get() { return ${JSON.stringify(state)}; } });
    Object.defineProperty(document, 'hidden', { configurable: true, get() { return ${String(state === 'hidden')}; } });
    document.dispatchEvent(new Event('visibilitychange'));
  `);
}

describe('statuses from health, against the sandbox', () => {
  it('the seed shows each status health gives, with its words and its actions, the fix first', TEST, async () => {
    const page = await openDemo(guarded.context, demo.url);
    await badgeBecomes(page, 'attio', 'Reconnect needed');
    assert.deepEqual(await rowState(page, 'attio'), {
      status: 'needs_reauth',
      badge: 'Reconnect needed',
      hint: null,
      actions: ['reconnect', 'settings', 'disable', 'disconnect'],
    });
    assert.equal(await actionButton(page, 'attio', 'reconnect').isVisible(), true);
    // Copper's API key was revoked: no OAuth, so it is connected again with a new key.
    assert.deepEqual((await rowState(page, 'copper')).actions[0], 'connect');
    assert.equal((await rowState(page, 'ashby')).status, 'needs_reauth');

    const expires = demo.sandbox.vaultApi.getConnection(DEMO_CONSUMER, 'accounting', 'freshbooks')!.credentials_expire_at;
    const day = new Intl.DateTimeFormat('en', { day: 'numeric', month: 'long', ...(new Date(expires).getFullYear() !== new Date().getFullYear() ? { year: 'numeric' } : {}) }).format(new Date(expires));
    assert.deepEqual(await rowState(page, 'freshbooks'), {
      status: 'expiring',
      badge: `Reconnect before ${day}`,
      hint: null,
      actions: ['reconnect', 'settings', 'disable', 'disconnect'],
    });

    const netsuite = await rowState(page, 'netsuite');
    assert.equal(netsuite.status, 'degraded');
    assert.equal(netsuite.badge, 'Connected');
    assert.match(netsuite.hint ?? '', /^The provider has not answered since \d{1,2}:\d{2}/);

    assert.deepEqual(await rowState(page, 'deel'), {
      status: 'pending_confirmation',
      badge: 'Confirming…',
      hint: null,
      actions: ['reconnect', 'disconnect'],
    });
    assert.deepEqual((await rowState(page, 'onedrive')).status, 'input_required');
    assert.deepEqual((await rowState(page, 'onedrive')).actions[0], 'settings');
    assert.deepEqual((await logLines(page)).filter((line) => line.startsWith('vault-connect-error')), []);
  });

  it('the demo control puts a connection in any state; Reconnect in the modal makes it connected again', TEST, async () => {
    const page = await openDemo(guarded.context, demo.url);
    await badgeBecomes(page, 'salesforce', 'Connected');
    const form = page.locator('#health');
    await form.waitFor({ state: 'visible' });
    await form.locator('select[name="connection"]').selectOption('crm/salesforce');
    await form.locator('select[name="health"]').selectOption('needs_auth');
    await form.locator('button[type="submit"]').click();
    await badgeBecomes(page, 'salesforce', 'Reconnect needed');
    assert.equal(demo.sandbox.vaultApi.getConnection(DEMO_CONSUMER, 'crm', 'salesforce')?.health, 'needs_auth');

    await form.locator('select[name="health"]').selectOption('pending_refresh:no-retention');
    await form.locator('button[type="submit"]').click();
    await eventually('Salesforce connected again', () => rowState(page, 'salesforce'), (state) => state.status === 'connected' && state.badge === 'Connected');

    await form.locator('select[name="health"]').selectOption('revoked');
    await form.locator('button[type="submit"]').click();
    await badgeBecomes(page, 'salesforce', 'Reconnect needed');
    await chooseAction(page, 'salesforce', 'reconnect');
    const frame = page.frameLocator('iframe[title="Vault"]');
    await frame.locator('#vault-authorize').click();
    await frame.locator('#vault-state').filter({ hasText: /^Connected$/ }).waitFor();
    await frame.locator('#vault-close').click();
    await badgeBecomes(page, 'salesforce', 'Connected');
    assert.equal(demo.sandbox.vaultApi.getConnection(DEMO_CONSUMER, 'crm', 'salesforce')?.health, 'ok');

    // A connection never authorized has no health to set: the control says so.
    await form.locator('select[name="connection"]').evaluate((select: HTMLSelectElement) => select.add(new Option('Xero', 'accounting/xero')));
    await form.locator('select[name="connection"]').selectOption('accounting/xero');
    await form.locator('button[type="submit"]').click();
    await eventually('the refusal', () => page.locator('#health-result').textContent(), (text) => /^Not applied: .*available/.test(text ?? ''));
  });
});

describe('fresh without a reload, against the sandbox', () => {
  it('after a minute hidden the list is read again quietly: rows change in place, events say what changed', TEST, async () => {
    await guarded.context.clock.install();
    const listening = watchFreshness();
    const page = await openDemo(guarded.context, demo.url);
    await badgeBecomes(page, 'teamtailor', 'Connected');
    await listening();
    // Watch for a skeleton from now on, and keep the Teamtailor row element to see it change in place.
    await page.evaluate(() => {
      const root = document.querySelector('vault-connect')!.shadowRoot!;
      const seen = { skeleton: false, row: root.querySelector('[data-service-id="teamtailor"]') };
      new MutationObserver(() => {
        if (root.querySelector('.skeleton')) seen.skeleton = true;
      }).observe(root, { childList: true, subtree: true });
      (window as unknown as { __seen: typeof seen }).__seen = seen;
    });

    await setVisibility(page, 'hidden');
    // Meanwhile, elsewhere: Teamtailor's key is revoked, Salesforce is disconnected.
    demo.sandbox.vaultApi.setHealth(DEMO_CONSUMER, 'ats', 'teamtailor', { health: 'revoked' });
    const token = await (await fetch(new URL('/api/session', demo.url), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).json() as { session_token: string };
    const deleted = await fetch(new URL('/vault/connections/crm/salesforce', demo.sandbox.vaultApiUrl), {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token.session_token}` },
    });
    assert.equal(deleted.status, 204);
    await guarded.context.clock.fastForward(59_000);
    await setVisibility(page, 'visible');
    // Under a minute: nothing read.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await rowState(page, 'teamtailor')).status, 'connected');

    await setVisibility(page, 'hidden');
    await guarded.context.clock.fastForward(61_000);
    await setVisibility(page, 'visible');
    await badgeBecomes(page, 'teamtailor', 'Reconnect needed');
    await badgeBecomes(page, 'salesforce', 'Not connected');
    await logged(page, 'the change event', (line) => line === 'vault-connection-change: teamtailor → callable');
    await logged(page, 'the delete event', (line) => line === 'vault-connection-delete: salesforce → available');
    const seen = await page.evaluate(() => {
      const { skeleton, row } = (window as unknown as { __seen: { skeleton: boolean; row: Element | null } }).__seen;
      return { skeleton, sameRow: row === document.querySelector('vault-connect')!.shadowRoot!.querySelector('[data-service-id="teamtailor"]') };
    });
    assert.deepEqual(seen, { skeleton: false, sameRow: true });
    assert.equal(await badge(page, 'teamtailor').getAttribute('data-status'), 'needs_reauth');
    assert.deepEqual((await logLines(page)).filter((line) => line.startsWith('vault-connect-error')), []);
  });

  it('after 30 s away, the window regaining focus reads the list again', TEST, async () => {
    await guarded.context.clock.install();
    const listening = watchFreshness();
    const page = await openDemo(guarded.context, demo.url);
    await badgeBecomes(page, 'google-drive', 'Connected');
    await listening();
    demo.sandbox.vaultApi.setHealth(DEMO_CONSUMER, 'file-storage', 'google-drive', { health: 'degraded' });
    // The chunk's request has finished, but its listeners may be a moment behind: a return they missed is tried again.
    for (let attempt = 1; ; attempt++) {
      await page.evaluate("window.dispatchEvent(new FocusEvent('blur'))");
      await guarded.context.clock.fastForward(31_000);
      await page.evaluate("window.dispatchEvent(new FocusEvent('focus'))");
      const seen = await eventually('Google Drive degraded', () => rowState(page, 'google-drive'), (state) => state.status === 'degraded', 2_000).catch(
        (error: unknown) => {
          if (attempt === 3) throw error;
          return undefined;
        },
      );
      if (seen) break;
    }
    assert.match((await rowState(page, 'google-drive')).hint ?? '', /^The provider has not answered since /);
    await logged(page, 'the change event', (line) => line === 'vault-connection-change: google-drive → callable');
  });
});

describe('the Vault modal whose frame never loads', () => {
  it('is given up after 10 s (a fake clock): network_error, one console.warn, Try again works once the frame loads', TEST, async () => {
    const vaultJsOrigin = new URL(demo.sandbox.vaultJsUrl).origin;
    // The frame's request never gets an answer, as behind a blocker or a dead network.
    const hold = await guarded.context.route(`${vaultJsOrigin}/**`, () => undefined).then(() => true);
    assert.ok(hold);
    await guarded.context.clock.install();
    const page = await openDemo(guarded.context, demo.url);
    const warnings: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
    await badgeBecomes(page, 'xero', 'Not connected');
    await actionButton(page, 'xero', 'connect').click();
    await eventually('the row busy while the modal loads', () => row(page, 'xero').getAttribute('aria-busy'), (busy) => busy === 'true');
    // The modal is open (its frame in the page, still hidden): its 10 s have started.
    await page.locator('iframe[title="Vault"]').waitFor({ state: 'attached' });
    await guarded.context.clock.fastForward(10_000);
    await logged(page, 'network_error', (line) => line.startsWith('vault-connect-error:') && line.includes('"network_error"'));
    await eventually('Try again', () => actionButton(page, 'xero', 'retry').count(), (n) => n === 1);
    // The sandbox modal takes its frame down half a second after it is closed.
    await guarded.context.clock.fastForward(1_000);
    await eventually('the frame removed', () => page.locator('iframe[title="Vault"]').count(), (n) => n === 0);
    assert.equal(await actionButton(page, 'xero', 'connect').isEnabled(), true, 'the row is usable again');
    await eventually('one warning for the developer', () => Promise.resolve(warnings.filter((w) => w.startsWith('vault-connect:'))), (w) => w.length === 1);
    assert.match(warnings.find((w) => w.startsWith('vault-connect:')) ?? '', /onReady.*vaultjs\.apideck\.com|vaultjs\.apideck\.com.*onReady/s);

    await guarded.context.unroute(`${vaultJsOrigin}/**`);
    await actionButton(page, 'xero', 'retry').click();
    const frame = page.frameLocator('iframe[title="Vault"]');
    await frame.locator('#vault-authorize').click();
    await frame.locator('#vault-state').filter({ hasText: /^Connected$/ }).waitFor();
    await frame.locator('#vault-close').click();
    await badgeBecomes(page, 'xero', 'Connected');
  });
});
