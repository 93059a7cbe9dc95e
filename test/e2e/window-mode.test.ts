/**
 * End to end, `window-mode` against the demo page as `npm start` serves it: in an in-app browser (Chromium with
 * Instagram's user agent) `auto` runs the flow in this tab — no popup; the page goes to the provider, the user
 * authorizes, the callback page brings them back and the row is Connected — for Hosted Vault, a direct authorization and
 * VaultRE; `window-mode="popup"` opens a popup there after all; and a desktop browser with `window-mode="same-tab"`
 * runs the flow in this tab too.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  actionButton,
  badgeBecomes,
  eventually,
  guardedContext,
  openDemo,
  startDemoAndBrowser,
  type Demo,
  type GuardedContext,
} from './helpers.ts';
import { ensureVaultreRow, vaultreConfig, vaultreRow } from './vaultre-helpers.ts';

const TEST = { timeout: 30_000 };
const INSTAGRAM =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 312.0.2.17.109 (iPhone14,5; iOS 17_2; en_US; en; scale=3.00; 1170x2532; 549124568)';

let demo: Demo;
let browser: Browser;
let guarded: GuardedContext | undefined;
let pageErrors: string[];

before(async () => {
  ({ demo, browser } = await startDemoAndBrowser());
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  await demo?.server.close();
});

beforeEach(() => {
  demo.sandbox.vaultApi.reset();
  pageErrors = [];
});

afterEach(async () => {
  await guarded?.context.close();
  assert.deepEqual(guarded?.blocked ?? [], [], 'no request may leave 127.0.0.1');
  guarded = undefined;
  assert.deepEqual(pageErrors, [], 'no page threw');
});

async function open(userAgent: string | undefined, query: string, windowMode?: string): Promise<Page> {
  guarded = await guardedContext(browser, userAgent ? { userAgent } : {});
  guarded.context.on('page', (page) => page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`)));
  const page = await openDemo(guarded.context, `${demo.url}${query}`);
  if (windowMode) await page.evaluate((mode) => document.querySelector('vault-connect')!.setAttribute('window-mode', mode), windowMode);
  // The interactions chunk is in before the click (a pointer over the list fetches it).
  await actionButton(page, 'xero', 'connect').hover();
  await page.waitForTimeout(200);
  return page;
}

/** Clicks Connect on Xero and follows the flow in this tab: the provider's page, authorize, back to the demo. */
async function connectInThisTab(page: Page, providerOrigin: string, authorize: string, returnUrl: string, click: () => Promise<void>): Promise<void> {
  const pagesBefore = guarded!.context.pages().length;
  await click();
  await page.waitForURL((url) => url.origin === providerOrigin);
  assert.equal(guarded!.context.pages().length, pagesBefore, 'no popup');
  await page.locator(authorize).click();
  await page.waitForURL((url) => url.href === returnUrl);
}

describe('window-mode', () => {
  it('auto in an in-app browser: Hosted Vault in this tab, back to a Connected row', TEST, async () => {
    const page = await open(INSTAGRAM, '?open-mode=popup');
    assert.equal(await page.evaluate(() => navigator.userAgent), INSTAGRAM);
    await connectInThisTab(page, new URL(demo.sandbox.hostedVaultUrl).origin, 'button[data-action="authorize"]', `${demo.url}?open-mode=popup`, () =>
      actionButton(page, 'xero', 'connect').click(),
    );
    await badgeBecomes(page, 'xero', 'Connected');
    assert.equal(demo.sandbox.vaultApi.getConnection('demo-consumer', 'accounting', 'xero')?.state, 'callable');
  });

  it('same-tab in a desktop browser: a direct authorization in this tab', TEST, async () => {
    const page = await open(undefined, '?open-mode=direct', 'same-tab');
    await connectInThisTab(page, new URL(demo.sandbox.vaultApiUrl).origin, 'button[name="decision"][value="authorize"]', `${demo.url}?open-mode=direct`, () =>
      actionButton(page, 'xero', 'connect').click(),
    );
    await badgeBecomes(page, 'xero', 'Connected');
  });

  it('popup in an in-app browser: a popup after all', TEST, async () => {
    const page = await open(INSTAGRAM, '?open-mode=popup', 'popup');
    const [popup] = await Promise.all([guarded!.context.waitForEvent('page'), actionButton(page, 'xero', 'connect').click()]);
    await popup.waitForURL((url) => url.origin === new URL(demo.sandbox.hostedVaultUrl).origin);
    assert.equal(new URL(page.url()).origin, new URL(demo.url).origin, 'the page stays');
    await popup.close();
  });

  it('auto in an in-app browser: VaultRE in this tab, back to a Connected row', TEST, async () => {
    const page = await open(INSTAGRAM, '');
    await ensureVaultreRow(page, vaultreConfig(demo));
    await connectInThisTab(page, new URL(demo.sandbox.vaultreUrl).origin, 'button[value="confirm"]', demo.url, () =>
      vaultreRow(page).locator('button[data-action="connect"]').click(),
    );
    await ensureVaultreRow(page, vaultreConfig(demo));
    await eventually(
      'the VaultRE row to read Connected',
      async () => ((await vaultreRow(page).locator('[part="badge"]').textContent()) ?? '').trim(),
      (text) => text === 'Connected',
    );
  });
});
