/**
 * Shared set-up for the end-to-end tests: the demo exactly as `npm start` serves it (on a free port), Debian's
 * Chromium through playwright-core, and a network guard so that no request leaves 127.0.0.1.
 */
import { existsSync } from 'node:fs';
import type { ViteDevServer } from 'vite';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startDemo } from '../../scripts/start.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import type { DemoConfig } from '../../src/sandbox/vite-plugin.ts';

/** How long any single wait may take. */
export const WAIT = 10_000;
/** The consumer the demo's `/api/session` creates sessions for. */
export const DEMO_CONSUMER = 'demo-consumer';

export const CHROME_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

export function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROME_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`No Chromium at ${executablePath}: install Debian's chromium or set CHROME_PATH (nothing is downloaded).`);
  }
  return chromium.launch({ executablePath, args: CHROME_ARGS, timeout: 30_000 });
}

export interface Demo {
  server: ViteDevServer;
  /** The demo page, `http://127.0.0.1:<port>/`. */
  url: string;
  sandbox: Sandbox;
  /** What `GET /api/demo-config` answers. */
  config: DemoConfig;
}

/** Starts the demo and Chromium side by side; when either fails, stops the half that started and throws. */
export async function startDemoAndBrowser(): Promise<{ demo: Demo; browser: Browser }> {
  const [started, launched] = await Promise.allSettled([startE2eDemo(), launchChromium()]);
  if (started.status === 'fulfilled' && launched.status === 'fulfilled') return { demo: started.value, browser: launched.value };
  if (started.status === 'fulfilled') await started.value.server.close();
  if (launched.status === 'fulfilled') await launched.value.close();
  throw started.status === 'rejected' ? started.reason : (launched as PromiseRejectedResult).reason;
}

/** Starts the demo on a free port and waits for its sandbox. */
export async function startE2eDemo(): Promise<Demo> {
  let sandbox: Sandbox | undefined;
  const { server, url } = await startDemo({ port: 0, env: {}, onSandbox: (s) => (sandbox = s) });
  try {
    const { hostname, port } = new URL(url);
    if (hostname !== '127.0.0.1' || port === '' || port === '0') {
      throw new Error(`The demo is not on a bound 127.0.0.1 port: ${url}`);
    }
    if (!sandbox) throw new Error('The demo started without its sandbox.');
    const response = await fetch(new URL('/api/demo-config', url), { signal: AbortSignal.timeout(WAIT) });
    const config = (await response.json()) as DemoConfig;
    return { server, url, sandbox, config };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** Any URL that is not `http(s)://127.0.0.1[:port]/…`. */
const NOT_LOCAL = /^(?!https?:\/\/127\.0\.0\.1(?::\d+)?\/)/;

export const SESSION_PATH = /^http:\/\/127\.0\.0\.1:\d+\/api\/session$/;

export interface GuardedContext {
  context: BrowserContext;
  /** Every request the guard stopped because it was not for 127.0.0.1 (and no test route answered it). */
  blocked: string[];
}

export interface GuardOptions {
  /**
   * Holds the page's `POST /api/session` until the demo has pointed the element at the sandbox (`unifyBaseUrl` set).
   * The demo page has a start-up race (see the `todo` test in `demo.test.ts`): `index.html` gives the element
   * `session-url`, so it starts loading before `demo/main.ts` has fetched `/api/demo-config`; when the session arrives
   * first, the list is requested from the default `https://unify.apideck.com`. Default `true`, so that the other tests
   * see the intended order.
   */
  orderStartup?: boolean;
  /** The browser's user agent (an in-app browser's, say); Chromium's own by default. */
  userAgent?: string;
}

/** A fresh browser context whose requests may only go to 127.0.0.1; every wait in it is bounded. */
export async function guardedContext(browser: Browser, options: GuardOptions = {}): Promise<GuardedContext> {
  const context = await browser.newContext(options.userAgent ? { userAgent: options.userAgent } : {});
  context.setDefaultTimeout(WAIT);
  context.setDefaultNavigationTimeout(WAIT * 2);
  const blocked: string[] = [];
  // Only requests that would leave the machine are intercepted (a regex route is matched before interception, so the
  // page's ~180 module requests to the dev server are not slowed down); a test's own routes, added later, win.
  await context.route(NOT_LOCAL, (route) => {
    blocked.push(`${route.request().method()} ${route.request().url()}`);
    return route.abort('blockedbyclient');
  });
  if (options.orderStartup ?? true) {
    await context.route(SESSION_PATH, async (route) => {
      try {
        await route.request().frame().waitForFunction(
          () => Boolean(document.querySelector('vault-connect')?.unifyBaseUrl),
          undefined,
          { timeout: WAIT },
        );
      } catch {
        // The page went away or never configured the element: let the request through and the test report it.
      }
      await route.continue().catch(() => undefined);
    });
  }
  return { context, blocked };
}

/**
 * Waits until the list has rendered and, when the element shows VaultRE, its VaultRE row too. That row comes in its
 * own chunk and goes above the list: should it arrive after the rows (it does, now and then), every row moves down
 * by one, and a click aimed at a row's button lands on the row above.
 */
async function listSettled(page: Page): Promise<void> {
  // The first load after start compiles the page's modules: allow it twice the usual wait.
  await rows(page).first().waitFor({ timeout: WAIT * 2 });
  // A string, not a function: tsx names the functions it compiles with a helper the page does not have.
  await page.waitForFunction(
    `(() => { const el = document.querySelector('vault-connect');
      return !el || !el.vaultreClientId || Boolean(el.shadowRoot?.querySelector('[data-service-id="vaultre"]')); })()`,
    undefined,
    { timeout: WAIT * 2 },
  );
}

/** Opens the demo and waits until its first list (and VaultRE row) has rendered. */
export async function openDemo(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await listSettled(page);
  if (errors.length > 0) throw new Error(`The demo page threw: ${errors.join('; ')}`);
  return page;
}

/** Reloads the demo and waits until its list has rendered again. */
export async function reloadDemo(page: Page): Promise<void> {
  await page.reload();
  await listSettled(page);
}

/** Every row of the list (Playwright's CSS engine pierces the open shadow root). */
/** The Apideck rows (the demo's VaultRE row is not one of them). */
export function rows(page: Page): Locator {
  return page.locator('vault-connect >> [part="connection"]:not([data-service-id="vaultre"])');
}

export function row(page: Page, serviceId: string): Locator {
  return page.locator(`vault-connect >> [part="connection"][data-service-id="${serviceId}"]`);
}

export function badge(page: Page, serviceId: string): Locator {
  return row(page, serviceId).locator('[part="badge"]');
}

/** A row's visible button for `action` (its primary action, More, a retry; not an item of its More menu). */
export function actionButton(page: Page, serviceId: string, action: string): Locator {
  return row(page, serviceId).locator(`button[data-action="${action}"]:not([role="menuitem"])`);
}

/** Chooses a row's action as a user does: a click on its button, or on its item in the row's More menu. */
export async function chooseAction(page: Page, serviceId: string, action: string): Promise<void> {
  const visible = actionButton(page, serviceId, action);
  if ((await visible.count()) > 0) return visible.click();
  await actionButton(page, serviceId, 'more').click();
  await row(page, serviceId).locator(`[role="menuitem"][data-action="${action}"]`).click();
}

/** The actions a row offers: its visible buttons (More aside), then its More menu's items (opened, then Escape). */
export async function offeredActions(page: Page, serviceId: string): Promise<string[]> {
  const read = (selector: string) =>
    row(page, serviceId).locator(selector).evaluateAll((buttons) => buttons.map((b) => (b as HTMLElement).dataset.action ?? ''));
  const visible = (await read('button[data-action]:not([role="menuitem"])')).filter((action) => action !== 'more');
  if ((await actionButton(page, serviceId, 'more').count()) === 0) return visible;
  await actionButton(page, serviceId, 'more').click();
  await row(page, serviceId).locator('[role="menu"]').waitFor();
  const items = await read('[role="menuitem"]');
  await page.keyboard.press('Escape');
  await row(page, serviceId).locator('[role="menu"]').waitFor({ state: 'detached' });
  return [...visible, ...items];
}

/** The demo's event log, newest first. */
export async function logLines(page: Page): Promise<string[]> {
  return (await page.locator('#log li').allTextContents()).map((line) => line.trim());
}

/** Polls `probe` until `accept` holds, for at most `timeout` ms; fails with the last value seen. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeout = WAIT,
): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      lastError = undefined;
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen = lastError instanceof Error ? `error: ${lastError.message}` : JSON.stringify(last);
      throw new Error(`Timed out after ${timeout} ms waiting for ${what}; last seen ${seen}`);
    }
    await sleep(50);
  }
}

/** Waits until a row's badge reads exactly `text`. */
export function badgeBecomes(page: Page, serviceId: string, text: string): Promise<string> {
  return eventually(
    `the ${serviceId} badge to read "${text}"`,
    async () => ((await badge(page, serviceId).textContent({ timeout: 1_000 })) ?? '').trim(),
    (value) => value === text,
  );
}

/** Waits until the demo's log has a line for which `match` holds. */
export function logged(page: Page, what: string, match: (line: string) => boolean): Promise<string[]> {
  return eventually(`the log to show ${what}`, () => logLines(page), (lines) => lines.some(match));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Decodes a JWT's payload without verifying it. */
export function jwtClaims(token: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}
