/**
 * End to end, the sandbox's Vault JS modal page (`src/sandbox/browser/vault-modal-page.ts`, built by Vite) in its
 * iframe, driven the way `@apideck/vault-js` drives it: a host page on its own 127.0.0.1 origin frames it, waits for
 * `'on-ready'`, posts the options and listens for the page's messages. Besides the protocol, what a forged or malformed
 * input does: a message from another window, options or a token it cannot read, a reply it cannot read, hostile text.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { type EmulatorServer, startEmulatorServer } from '../../src/sandbox/emulator-server.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts';
import { WAIT, eventually, guardedContext, launchChromium, sleep, type GuardedContext } from './helpers.ts';

const TEST = { timeout: 30_000 };
const CONSUMER = 'modal-page-consumer';
const HOSTILE = '<img src=x onerror="window.hacked = true">';

let sandbox: Sandbox;
let host: EmulatorServer;
let browser: Browser;
let guarded: GuardedContext;
let errors: string[];

before(async () => {
  const [started, hosted, launched] = await Promise.allSettled([startSandbox(), startEmulatorServer(), launchChromium()]);
  if (started.status === 'fulfilled') sandbox = started.value;
  if (hosted.status === 'fulfilled') host = hosted.value;
  if (launched.status === 'fulfilled') browser = launched.value;
  for (const result of [started, hosted, launched]) if (result.status === 'rejected') throw result.reason;
  host.setHandler(() =>
    Promise.resolve(new Response('<!doctype html><title>host</title><body></body>', { headers: { 'content-type': 'text/html' } })),
  );
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  await host?.close();
  await sandbox?.close();
});

beforeEach(async () => {
  sandbox.vaultApi.reset();
  guarded = await guardedContext(browser, { orderStartup: false });
  errors = [];
  guarded.context.on('weberror', (error) => errors.push(error.error().message));
});

afterEach(async () => {
  await guarded.context.close();
  assert.deepEqual(guarded.blocked, [], 'no request may leave 127.0.0.1');
  assert.deepEqual(errors, [], 'no page error');
});

/** The host page with the modal page in an iframe, once it has said `'on-ready'`. */
async function openModal(): Promise<{ page: Page; frame: FrameLocator }> {
  const page = await guarded.context.newPage();
  await page.goto(`${host.url}/`);
  await page.evaluate((src) => {
    const received: unknown[] = [];
    Object.assign(window, { received });
    const frame = document.createElement('iframe');
    frame.id = 'vault';
    frame.src = src;
    window.addEventListener('message', (event) => {
      if (event.source === frame.contentWindow) received.push(event.data);
    });
    document.body.append(frame);
  }, `${sandbox.vaultJsUrl}/`);
  await eventually('on-ready', () => messages(page), (seen) => seen.includes('on-ready'), WAIT);
  return { page, frame: page.frameLocator('#vault') };
}

/** What the modal page has posted to its parent so far. */
function messages(page: Page): Promise<unknown[]> {
  return page.evaluate(() => (window as unknown as { received: unknown[] }).received.slice());
}

/** Posts a message to the modal page from its parent, as vault-js does. */
async function send(page: Page, message: unknown): Promise<void> {
  await page.evaluate(
    ([data, origin]) => document.querySelector<HTMLIFrameElement>('#vault')!.contentWindow!.postMessage(data, origin),
    [message, sandbox.vaultJsUrl] as const,
  );
}

describe('the sandbox Vault JS modal page', () => {
  it('opens a connection from the options, authorizes it, reports the change and closes', TEST, async () => {
    const { page, frame } = await openModal();
    const token = await sandbox.vaultApi.createSessionToken(CONSUMER);
    await send(page, { token, unifiedApi: 'accounting', serviceId: 'xero', locale: 'de', showAttribution: false });
    await frame.locator('#vault-title').filter({ hasText: /^Xero$/ }).waitFor();
    assert.equal(await frame.locator('#vault-state').textContent(), 'Not connected');
    assert.equal(await frame.locator('html').getAttribute('lang'), 'de');
    assert.equal(await frame.locator('#vault-attribution').isHidden(), true);

    await frame.locator('#vault-authorize').click();
    await frame.locator('#vault-state').filter({ hasText: /^Connected$/ }).waitFor();
    assert.equal(sandbox.vaultApi.getConnection(CONSUMER, 'accounting', 'xero')?.state, 'callable');
    const change = (await messages(page)).find((m) => (m as { type?: string }).type === 'on-connection-change') as
      | { data: { service_id: string; state: string } }
      | undefined;
    assert.deepEqual([change?.data.service_id, change?.data.state], ['xero', 'callable']);

    await frame.locator('#vault-close').click();
    await eventually('on-close', () => messages(page), (seen) => seen.includes('on-close'), WAIT);
  });

  it('lists the session’s connections without a service, and a close message closes it', TEST, async () => {
    const { page, frame } = await openModal();
    await send(page, { token: await sandbox.vaultApi.createSessionToken(CONSUMER), unifiedApi: 'crm' });
    await frame.locator('#vault-status').filter({ hasText: /^\d+ integrations$/ }).waitFor();
    const names = await frame.locator('#vault-list-items button > span:first-child').allTextContents();
    assert.ok(names.includes('Salesforce') && names.includes('HubSpot'), names.join(', '));
    await send(page, { type: 'close' });
    await eventually('on-close', () => messages(page), (seen) => seen.includes('on-close'), WAIT);
  });

  it('ignores a message from any window but its parent', TEST, async () => {
    const { page, frame } = await openModal();
    // The page itself, and a sibling frame of the host's origin, each try to close it and to open it with a session.
    const token = await sandbox.vaultApi.createSessionToken(CONSUMER);
    const forged = { token, unifiedApi: 'crm', serviceId: 'salesforce' };
    await page.evaluate(
      ([origin, data]) => {
        const sibling = document.createElement('iframe');
        document.body.append(sibling);
        const target = document.querySelector<HTMLIFrameElement>('#vault')!.contentWindow!;
        // A function of the sibling's realm, so that the message's source is the sibling, not the parent.
        const SiblingFunction = (sibling.contentWindow as Window & typeof globalThis).Function;
        const post = new SiblingFunction('target', 'data', 'origin', 'target.postMessage(data, origin);') as (
          target: Window,
          data: unknown,
          origin: string,
        ) => void;
        post(target, { type: 'close' }, origin);
        post(target, data, origin);
      },
      [sandbox.vaultJsUrl, forged] as const,
    );
    await frame.locator('body').evaluate((_body, data) => {
      window.postMessage({ type: 'close' }, '*');
      window.postMessage(data, '*');
    }, forged);
    await sleep(300);
    assert.equal((await messages(page)).includes('on-close'), false, 'no close from a forged message');
    assert.equal(await frame.locator('#vault-title').textContent(), 'Vault', 'no session from a forged message');
    await send(page, { type: 'close' });
    await eventually('on-close from the parent', () => messages(page), (seen) => seen.includes('on-close'), WAIT);
  });

  it('says so when the options or the session token cannot be read', TEST, async () => {
    const { page, frame } = await openModal();
    await send(page, { token: 'not-a-jwt' });
    await frame.locator('#vault-error').filter({ hasText: 'The session token could not be read.' }).waitFor();
    await send(page, { token: await sandbox.vaultApi.createSessionToken(CONSUMER), serviceId: 42 });
    await frame.locator('#vault-error').filter({ hasText: 'The Vault options could not be read.' }).waitFor();
    assert.equal(await frame.locator('#vault-list').isHidden(), true);
  });

  it('shows a reply it cannot read as an error, and every text from the API as text', TEST, async () => {
    const { page, frame } = await openModal();
    const vaultJsOrigin = new URL(sandbox.vaultJsUrl).origin;
    const cors = { 'access-control-allow-origin': vaultJsOrigin };
    await guarded.context.route(`${sandbox.vaultApiUrl}/vault/connections?api=crm`, (route) =>
      route.request().method() === 'GET'
        ? route.fulfill({ status: 200, contentType: 'application/json', headers: cors, body: JSON.stringify({ data: [{ service_id: 7 }] }) })
        : route.fallback(),
    );
    const token = await sandbox.vaultApi.createSessionToken(CONSUMER);
    await send(page, { token, unifiedApi: 'crm' });
    await frame.locator('#vault-error').filter({ hasText: 'The Vault API sent a reply this page could not read.' }).waitFor();

    const hostile = {
      ...sandbox.vaultApi.getConnection(CONSUMER, 'crm', 'pipedrive'),
      name: HOSTILE,
      tag_line: HOSTILE,
      form_fields: [{ id: 'api_key', label: HOSTILE, description: HOSTILE, prefix: HOSTILE, type: 'text', required: true }],
    };
    await guarded.context.route(`${sandbox.vaultApiUrl}/vault/connections/crm/pipedrive`, (route) =>
      route.request().method() === 'GET'
        ? route.fulfill({ status: 200, contentType: 'application/json', headers: cors, body: JSON.stringify({ data: hostile }) })
        : route.fallback(),
    );
    await send(page, { token, unifiedApi: 'crm', serviceId: 'pipedrive' });
    await frame.locator('#vault-title').filter({ hasText: HOSTILE }).waitFor();
    assert.equal(await frame.locator('#vault-tagline').textContent(), HOSTILE);
    assert.equal(await frame.locator('#vault-fields label').first().textContent(), `${HOSTILE} (required)`);
    assert.equal(await frame.locator('img:not(#vault-icon)').count(), 0, 'no element made from API text');
    assert.equal(await frame.locator('body').evaluate(() => 'hacked' in window), false);
  });
});
