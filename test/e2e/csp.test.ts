/**
 * End to end, the demo under a strict Content-Security-Policy: the one docs/csp.md recommends, with the sandbox's origins
 * in place of Apideck's —
 *
 *   default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:;
 *   connect-src 'self' <Vault API>; frame-src <Vault JS> https://vaultjs.apideck.com; object-src 'none'; base-uri 'none'
 *
 * No 'unsafe-inline', no 'unsafe-eval', no nonce. `npm start` serves the demo from Vite's dev server, whose client
 * injects inline styles; so the demo is built here (`vite build` of `index.html` and the demo's callback page into a
 * temporary directory) and served by `vite preview` with the header on every response, behind the same sandbox plugin
 * as `npm start` (its `/api/session`, `/api/vaultre` and `/api/demo-config`).
 *
 * Every page and frame of the context reports `securitypolicyviolation` events (an init script, before any page script)
 * and every console message about the policy; any one fails the test. A first test proves the policy is in force and
 * the watch sees a violation.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { build, preview, type Plugin, type PreviewServer, type ViteDevServer } from 'vite';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { SEED_CONNECTOR_COUNT } from '../../src/sandbox/seed.ts';
import { vaultConnectSandbox } from '../../src/sandbox/vite-plugin.ts';
import {
  DEMO_CONSUMER,
  WAIT,
  actionButton,
  badgeBecomes,
  eventually,
  guardedContext,
  launchChromium,
  openDemo,
  row,
  rows,
  sleep,
  type GuardedContext,
  chooseAction,
} from './helpers.ts';

const TEST = { timeout: 30_000 };
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FAKE_VAULT_JS = new URL('./pages/fake-vault-js.html', import.meta.url);
const VAULT_JS = /^https:\/\/vaultjs\.apideck\.com(?:\/|$)/;
/** Where the package's callback build is served, beside the built demo. */
const PACKAGE_CALLBACK_DIR = 'package-callback';

/** docs/csp.md's policy, with the sandbox's Vault API and Vault JS origins. */
function policyFor(sandbox: Sandbox): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' https: data:",
    `connect-src 'self' ${new URL(sandbox.vaultApiUrl).origin}`,
    `frame-src ${new URL(sandbox.vaultJsUrl).origin} https://vaultjs.apideck.com`,
    "object-src 'none'",
    "base-uri 'none'",
  ].join('; ');
}

let outDir: string;
let server: PreviewServer;
let sandbox: Sandbox;
let url: string;
let policy: string;
let browser: Browser;
let guarded: GuardedContext;
/** Policy violations and page errors seen in the current test's context. */
let problems: string[];
/** The `content-security-policy` header of every document the current test's context loaded from the demo. */
let documents: { url: string; csp: string | undefined }[];

/** The built demo behind `vite preview`, with the sandbox plugin and the policy header. */
async function startBuiltDemo(): Promise<void> {
  outDir = await mkdtemp(path.join(tmpdir(), 'vault-connect-csp-'));
  await build({
    root: ROOT,
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      rolldownOptions: { input: { index: path.join(ROOT, 'index.html'), callback: path.join(ROOT, 'demo/callback.html') } },
    },
  });
  // The package's own callback page (dist/callback.html, callback-page.js, callback.js), served beside the demo.
  await build({
    root: ROOT,
    configFile: path.join(ROOT, 'vite.callback.config.ts'),
    logLevel: 'warn',
    build: { outDir: path.join(outDir, PACKAGE_CALLBACK_DIR), emptyOutDir: true, sourcemap: false },
  });
  const sandboxPlugin = vaultConnectSandbox({ env: {}, onSandbox: (started) => (sandbox = started) });
  const hook = sandboxPlugin.configureServer;
  const configureServer = typeof hook === 'function' ? hook : hook?.handler;
  if (!configureServer) throw new Error('the sandbox plugin has no configureServer hook');
  const withPolicy: Plugin = {
    name: 'csp-demo',
    async configurePreviewServer(previewServer) {
      previewServer.middlewares.use((_req, res, next) => {
        res.setHeader('content-security-policy', policy);
        next();
      });
      // The sandbox plugin uses only `middlewares` and `httpServer`, which the preview server has as the dev server does.
      await configureServer.call(this, previewServer as unknown as ViteDevServer);
      policy = policyFor(sandbox);
    },
  };
  server = await preview({
    root: ROOT,
    configFile: false,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
    plugins: [withPolicy],
  });
  url = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}/`;
}

before(async () => {
  const [started, launched] = await Promise.allSettled([startBuiltDemo(), launchChromium()]);
  if (launched.status === 'fulfilled') browser = launched.value;
  for (const result of [started, launched]) if (result.status === 'rejected') throw result.reason;
  // Bounded even if `after` never runs.
  setTimeout(() => void server.close(), 5 * 60_000).unref();
}, { timeout: 90_000 });

after(async () => {
  await browser?.close();
  await server?.close();
  await sandbox?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

beforeEach(async () => {
  // docs/csp.md's policy (a test may narrow it for its own pages).
  policy = policyFor(sandbox);
  sandbox.vaultApi.reset();
  guarded = await guardedContext(browser);
  problems = [];
  documents = [];
  const { context } = guarded;
  await context.exposeBinding('__reportCspViolation', ({ frame }, report: string) => {
    problems.push(`securitypolicyviolation in ${frame.url()}: ${report}`);
  });
  await context.addInitScript(() => {
    // Capture on window: the event is composed, so violations inside the element's shadow root arrive here too.
    window.addEventListener(
      'securitypolicyviolation',
      (event) => {
        const report = (window as unknown as { __reportCspViolation: (text: string) => void }).__reportCspViolation;
        void report(`${event.effectiveDirective} blocked ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber} ${event.sample}`);
      },
      true,
    );
  });
  context.on('console', (message) => {
    if (/content.security.policy|refused to/i.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  context.on('weberror', (error) => problems.push(`page error: ${error.error().message}`));
  context.on('response', (response) => {
    if (response.request().resourceType() === 'document' && response.url().startsWith(url)) {
      documents.push({ url: response.url(), csp: response.headers()['content-security-policy'] });
    }
  });
});

afterEach(async () => {
  await guarded.context.close();
  assert.deepEqual(guarded.blocked, [], 'no request may leave 127.0.0.1');
  assert.deepEqual(problems, [], 'no policy violation, no page error');
  assert.ok(documents.length > 0 && documents.every((d) => d.csp === policy), `every demo document has the policy: ${JSON.stringify(documents)}`);
});

/** Waits until the page has fetched no new resource for a little while (the element prefetches chunks after its first render). */
async function settled(page: Page): Promise<void> {
  let last = -1;
  await eventually(
    'the prefetched chunks',
    async () => {
      const count = await page.evaluate(() => performance.getEntriesByType('resource').length);
      const same = count === last;
      last = count;
      if (!same) await sleep(150);
      return same;
    },
    Boolean,
  );
}

describe('the demo under a strict Content-Security-Policy', () => {
  it('the policy is in force, and a violation would be seen', TEST, async () => {
    const page = await openDemo(guarded.context, url);
    assert.equal(await rows(page).count(), SEED_CONNECTOR_COUNT);
    // What the watch must catch, done by the page itself: an inline <style>, an inline script, and `new Function` in
    // a script from the page's own origin (as zod's JIT probe would; DevTools' own evaluation is exempt from the policy).
    await guarded.context.route(`${url}csp-probe.js`, (route) =>
      route.fulfill({ contentType: 'text/javascript', body: "try { new Function('return 1')(); } catch { /* blocked */ }" }),
    );
    await page.evaluate(() => {
      const style = document.createElement('style');
      style.textContent = 'body { outline: 1px solid red; }';
      const script = document.createElement('script');
      script.textContent = 'document.title = "inline ran";';
      document.head.append(style, script);
    });
    await page.addScriptTag({ url: '/csp-probe.js' });
    assert.notEqual(await page.title(), 'inline ran');
    const reported = (pattern: RegExp) => problems.some((p) => p.startsWith('securitypolicyviolation') && pattern.test(p));
    await eventually(
      'the three probes to be reported',
      () => Promise.resolve([/script-src blocked eval/, /style-src-elem blocked inline/, /script-src-elem blocked inline/].map(reported)),
      (seen) => seen.every(Boolean),
    );
    await sleep(200); // and their console lines
    problems = [];
  });

  it('list, search, disable and enable, and the disconnect dialog', TEST, async () => {
    const page = await openDemo(guarded.context, url);
    await eventually('every seeded row', () => rows(page).count(), (n) => n === SEED_CONNECTOR_COUNT);
    await badgeBecomes(page, 'salesforce', 'Connected');
    // Styles arrive through adopted stylesheets: the element looks styled (a bordered list, a pill badge).
    assert.equal(await page.locator('vault-connect >> ul').first().evaluate((ul) => getComputedStyle(ul).borderTopStyle), 'solid');
    assert.equal(await row(page, 'salesforce').locator('[part="badge"]').evaluate((b) => getComputedStyle(b).borderTopLeftRadius), '999px');

    const search = page.locator('vault-connect >> input[part="search"]');
    await search.fill('sales');
    await eventually('one visible row', () => rows(page).filter({ visible: true }).count(), (n) => n === 1);
    await row(page, 'salesforce').waitFor({ state: 'visible' });
    await search.fill('');
    await eventually('every row again', () => rows(page).filter({ visible: true }).count(), (n) => n === SEED_CONNECTOR_COUNT);

    await chooseAction(page, 'teamtailor', 'disable');
    await badgeBecomes(page, 'teamtailor', 'Disabled');
    assert.equal(sandbox.vaultApi.getConnection(DEMO_CONSUMER, 'ats', 'teamtailor')?.enabled, false);
    await chooseAction(page, 'teamtailor', 'enable');
    await badgeBecomes(page, 'teamtailor', 'Connected');
    assert.equal(sandbox.vaultApi.getConnection(DEMO_CONSUMER, 'ats', 'teamtailor')?.enabled, true);

    const dialog = page.locator('vault-connect >> dialog[part="dialog"]');
    await chooseAction(page, 'salesforce', 'disconnect');
    await dialog.waitFor({ state: 'visible' });
    // The lazy dialog chunk's styles (its own adopted stylesheet) apply: the radius and padding come from it.
    const look = await dialog.evaluate((d) => {
      const style = getComputedStyle(d);
      const list = (d.getRootNode() as ShadowRoot).querySelector('ul')!;
      return { radius: style.borderTopLeftRadius, listRadius: getComputedStyle(list).borderTopLeftRadius, actions: getComputedStyle(d.querySelector('.dialog-actions')!).display };
    });
    assert.equal(look.actions, 'flex', 'the dialog stylesheet applies');
    assert.equal(look.radius, look.listRadius, 'the dialog has the element\'s radius');
    assert.notEqual(look.radius, '0px');
    await dialog.locator('button[value="cancel"]').click();
    await dialog.waitFor({ state: 'hidden' });
    await chooseAction(page, 'salesforce', 'disconnect');
    await dialog.locator('button[value="confirm"]').click();
    await badgeBecomes(page, 'salesforce', 'Not connected');
    assert.equal(sandbox.vaultApi.getConnection(DEMO_CONSUMER, 'crm', 'salesforce')?.state, 'available');
  });

  it('the modal: the sandbox Vault JS frame, then the real @apideck/vault-js frame', TEST, async () => {
    const page = await openDemo(guarded.context, url);
    await badgeBecomes(page, 'xero', 'Not connected');
    await actionButton(page, 'xero', 'connect').click();
    const iframe = page.locator('iframe[title="Vault"]');
    await iframe.waitFor({ state: 'visible' });
    const frame = await (await iframe.elementHandle())?.contentFrame();
    assert.ok(frame, 'the Vault iframe loaded (frame-src)');
    await frame.locator('#vault-authorize').click();
    await frame.locator('#vault-state').filter({ hasText: /^Connected$/ }).waitFor();
    await frame.locator('#vault-close').click();
    await iframe.waitFor({ state: 'detached' });
    await badgeBecomes(page, 'xero', 'Connected');

    // The default vault-js (a lazy chunk) and its https://vaultjs.apideck.com frame, answered by a fixture page.
    const body = await readFile(FAKE_VAULT_JS, 'utf8');
    await guarded.context.route(VAULT_JS, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body }));
    await page.evaluate(() => {
      document.querySelector('vault-connect')!.vaultModal = undefined;
    });
    await chooseAction(page, 'salesforce', 'settings');
    const vaultJs = page.locator('iframe[src^="https://vaultjs.apideck.com"]');
    await vaultJs.waitFor({ state: 'visible' }); // shown on its 'on-ready'
    const fake = await (await vaultJs.elementHandle())?.contentFrame();
    assert.ok(fake, 'the vault-js iframe loaded (frame-src)');
    await fake.evaluate(() => window.parent.postMessage('on-close', '*'));
    await vaultJs.waitFor({ state: 'detached' });
  });

  it('a policy whose frame-src leaves Vault JS out: blocked_by_policy at once, Try again, one warning', TEST, async () => {
    const vaultJs = new URL(sandbox.vaultJsUrl).origin;
    policy = policyFor(sandbox).replace(`frame-src ${vaultJs} `, 'frame-src ');
    assert.ok(!policy.includes(vaultJs), policy);
    const page = await openDemo(guarded.context, url);
    const warnings: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
    await badgeBecomes(page, 'xero', 'Not connected');
    const clicked = Date.now();
    await actionButton(page, 'xero', 'connect').click();
    const line = await eventually(
      'the error event',
      () => page.locator('#log li').allTextContents(),
      (lines) => lines.some((l) => l.startsWith('vault-connect-error:')),
    );
    assert.ok(Date.now() - clicked < 5_000, 'well before the 10 s limit: the policy names the frame');
    const error = JSON.parse(line.find((l) => l.startsWith('vault-connect-error:'))!.slice('vault-connect-error: '.length)) as Record<string, unknown>;
    assert.equal(error.code, 'blocked_by_policy');
    assert.match(String(error.message), new RegExp(`frame-src ${vaultJs.replace(/[.:/]/g, '\\$&')}$`));
    await eventually('Try again', () => actionButton(page, 'xero', 'retry').count(), (n) => n === 1);
    assert.equal(await actionButton(page, 'xero', 'connect').isEnabled(), true);
    assert.equal(await row(page, 'xero').locator('[part="row-error"]').textContent(), String(error.message));
    await eventually('the frame removed', () => page.locator('iframe[title="Vault"]').count(), (n) => n === 0);
    assert.equal(warnings.filter((w) => w.startsWith('vault-connect:')).length, 1);
    assert.match(warnings.find((w) => w.startsWith('vault-connect:')) ?? '', /Content-Security-Policy.*frame-src/);
    // The violation was expected here; the console's own report of it too.
    assert.ok(problems.some((p) => p.startsWith('securitypolicyviolation') && p.includes(`frame-src blocked ${vaultJs}`)), problems.join('\n'));
    problems = [];
  });

  // The demo's callback page (demo/callback.html, built) and the one the package ships (dist/callback.html).
  for (const callback of ['/demo/callback.html', `/${PACKAGE_CALLBACK_DIR}/callback.html`]) {
    it(`a popup flow (direct authorization) ends on ${callback}, which runs under the same policy`, TEST, async () => {
      const page = await openDemo(guarded.context, `${url}?open-mode=direct`);
      await badgeBecomes(page, 'xero', 'Not connected');
      await page.evaluate((href) => {
        document.querySelector('vault-connect')!.callbackUrl = href;
      }, new URL(callback, url).href);
      await settled(page);
      const opened = guarded.context.waitForEvent('page');
      await actionButton(page, 'xero', 'connect').click();
      const popup = await opened;
      await popup.locator('button[name="decision"][value="authorize"]').click();
      // The consent page sends the popup to the callback page, which relays the result and closes the popup.
      if (!popup.isClosed()) {
        await popup.waitForEvent('close', { timeout: WAIT }).catch((error: unknown) => {
          if (!popup.isClosed()) throw error;
        });
      }
      await badgeBecomes(page, 'xero', 'Connected');
      assert.ok(
        documents.some((d) => new URL(d.url).pathname === callback),
        `the callback page was loaded: ${documents.map((d) => d.url).join(', ')}`,
      );
      assert.equal(sandbox.vaultApi.getConnection(DEMO_CONSUMER, 'accounting', 'xero')?.state, 'callable');
    });
  }
});
