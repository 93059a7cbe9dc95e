/**
 * The live loop `npm start` shows, end to end in Chromium: the sandbox makes Salesforce's token refresh fail (the
 * demo's control), sends Apideck's signed `vault.connection.token_refresh.failed` webhook to the demo server, whose
 * `createWebhookHandler` accepts it (200) and tells the page over server-sent events; the page calls `refresh()` and
 * the element re-reads the list from the Vault API, where the connection's health is now `needs_auth`, and the row says
 * "Reconnect needed" (`data-status="needs_reauth"`) with Reconnect first.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { SentWebhook } from '../../src/sandbox/index.ts';
import { DEMO_CONSUMER, actionButton, badge, badgeBecomes, eventually, guardedContext, logged, openDemo, row, type Demo, type GuardedContext, startDemoAndBrowser } from './helpers.ts';

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

describe('the webhook loop (npm start)', () => {
  it('a failed token refresh reaches the page through the signed webhook, and the list is re-read', TEST, async () => {
    const deliveries: SentWebhook[] = [];
    const stopListening = demo.sandbox.vaultApi.onWebhookSent((sent) => deliveries.push(sent));
    try {
      const page = await openDemo(guarded.context, demo.url);
      await badgeBecomes(page, 'salesforce', 'Connected');
      const control = page.locator('#refresh-failure');
      await control.waitFor({ state: 'visible' });
      await control.locator('select').selectOption('crm/salesforce');

      const listReads: number[] = [];
      page.on('request', (request) => {
        if (request.method() === 'GET' && /\/vault\/connections(\?|$)/.test(request.url())) listReads.push(Date.now());
      });
      const clicked = Date.now();
      await control.getByRole('button', { name: 'Fail the refresh' }).click();

      await logged(page, 'the webhook', (line) => line === 'webhook: vault.connection.token_refresh.failed salesforce (health needs_auth)');
      await logged(page, 'the re-read', (line) => line === 'list re-read after vault.connection.token_refresh.failed');
      assert.ok(listReads.some((at) => at >= clicked), 'the element read the list again from the Vault API');
      assert.equal(demo.sandbox.vaultApi.getConnection(DEMO_CONSUMER, 'crm', 'salesforce')?.health, 'needs_auth');
      // What the user sees after the re-read: no longer "Connected", and the fix first.
      await badgeBecomes(page, 'salesforce', 'Reconnect needed');
      assert.equal(await badge(page, 'salesforce').getAttribute('data-status'), 'needs_reauth');
      assert.equal(await row(page, 'salesforce').locator('button[data-action]').first().getAttribute('data-action'), 'reconnect');
      assert.equal(await actionButton(page, 'salesforce', 'reconnect').count(), 1);

      const failed = await eventually(
        'the demo server to accept the signed webhook',
        () => Promise.resolve(deliveries.filter((sent) => sent.eventType === 'vault.connection.token_refresh.failed')),
        (sent) => sent.length > 0,
      );
      assert.equal(failed[0].status, 200, 'createWebhookHandler verified the signature and answered 200');
      assert.equal(new URL(failed[0].url).pathname, '/api/webhooks');
      assert.match((await page.locator('#refresh-failure-status').textContent()) ?? '', /health is now needs_auth/);
    } finally {
      stopListening();
    }
  });
});
