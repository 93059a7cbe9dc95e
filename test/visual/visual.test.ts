/**
 * Visual baselines (`npm run visual`): `<vault-connect>` at 1280 and 390 CSS pixels wide, light and dark, in five
 * states — the list, a busy row, an open More menu, the status filter on "Needs attention", and the disconnect dialog —
 * each compared with its committed PNG in `baselines/` by pixel diff (pixelmatch) with a small tolerance.
 *
 * Everything is fixed: the page is served by Vite from this repository (the source, not a build), the font is the one
 * shipped in `fonts/`, the Vault API and the VaultRE endpoint are answered by Playwright from `page.ts`, the date, the
 * time zone (UTC) and the locale are set, the pointer rests in a corner, animations and the caret are off. Debian's Chromium draws them (never a downloaded
 * browser). `UPDATE_VISUAL=1 npm run visual` writes new baselines; a failure writes the actual image and the diff to
 * `test/visual/output/` and names them. Baselines hold for the Chromium major version in `baselines/chromium-version.txt`;
 * under another one the comparisons are skipped with that instruction.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pixelmatch from 'pixelmatch';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { createServer, type ViteDevServer } from 'vite';
import { API, LIST, pageHtml, VAULTRE_PATH } from './page.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BASELINES = fileURLToPath(new URL('./baselines/', import.meta.url));
const OUTPUT = fileURLToPath(new URL('./output/', import.meta.url));
const PAGE_PATH = '/__visual';
const UPDATE = process.env.UPDATE_VISUAL === '1';
/** A pixel differs when pixelmatch's colour distance exceeds this (0 to 1); anti-aliased pixels are not counted. */
const THRESHOLD = 0.1;
/** A screenshot matches when at most this share of its pixels differ. */
const TOLERANCE = 0.002;
const VIEWPORTS = [
  { name: '1280', width: 1280, height: 800 },
  { name: '390', width: 390, height: 844 },
] as const;
const THEMES = ['light', 'dark'] as const;
const CHROME_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run', '--font-render-hinting=none'];

let server: ViteDevServer;
let origin: string;
let browser: Browser;
/** Why this run cannot compare (set when the baselines were drawn by another Chromium major version). */
let otherChromium: string | undefined;
const VERSION_FILE = `${BASELINES}chromium-version.txt`;

before(async () => {
  server = await createServer({
    root: ROOT,
    configFile: false,
    logLevel: 'silent',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
    plugins: [
      {
        name: 'visual-page',
        configureServer(vite) {
          vite.middlewares.use(PAGE_PATH, (req: IncomingMessage, res: ServerResponse) => {
            const theme = new URL(req.url ?? '', 'http://x').searchParams.get('theme') === 'dark' ? 'dark' : 'light';
            res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
            res.end(pageHtml(theme));
          });
        },
      },
    ],
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('the visual page server has no port');
  origin = `http://127.0.0.1:${address.port}`;
  const executablePath = process.env.CHROME_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`No Chromium at ${executablePath}: install Debian's chromium or set CHROME_PATH.`);
  browser = await chromium.launch({ executablePath, args: CHROME_ARGS, timeout: 30_000 });
  // Text is rasterised differently from one Chromium release to the next: baselines hold for the major version that drew
  // them. Another one skips the comparison, saying how to draw them again, instead of failing on a browser update.
  const major = browser.version().split('.')[0] ?? '';
  if (UPDATE) await writeFile(VERSION_FILE, `${major}\n`);
  else {
    const recorded = existsSync(VERSION_FILE) ? (await readFile(VERSION_FILE, 'utf8')).trim() : '';
    if (recorded !== major) {
      otherChromium = `the baselines were drawn by Chromium ${recorded || '(unknown)'}, this is Chromium ${major}: ` +
        'run UPDATE_VISUAL=1 npm run visual, check the images and commit them';
    }
  }
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the page at a viewport and theme, with the fake APIs, once the list, the filter and the font are in. */
async function openPage(width: number, height: number, theme: 'light' | 'dark'): Promise<{ page: Page; holdPatch: () => void }> {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, colorScheme: theme, timezoneId: 'UTC', locale: 'en-US', reducedMotion: 'reduce' });
  context.setDefaultTimeout(15_000);
  let hold = false;
  await context.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => {
    const request = route.request();
    const url = new URL(request.url());
    if (url.origin !== API) return route.abort('blockedbyclient');
    if (request.method() === 'PATCH' && hold) return undefined; // Held forever: the row stays busy.
    if (request.method() === 'GET' && url.pathname === '/vault/connections') {
      return route.fulfill({ json: { status_code: 200, status: 'OK', data: LIST } });
    }
    return route.fulfill({ status: 404, json: { status_code: 404, error: 'Not Found', message: 'not in the visual fixture' } });
  });
  await context.route(`**${VAULTRE_PATH}`, (route) =>
    route.fulfill({ json: { connected: true, token_type: 'account', connected_at: '2024-05-01T09:00:00Z' } }),
  );
  // Dates are written relative to today ("12 March", or with the year in another year): today is fixed.
  await context.clock.setFixedTime(new Date('2026-01-15T12:00:00Z'));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${origin}${PAGE_PATH}?theme=${theme}`);
  await page.locator('vault-connect >> [part~="filter"]').waitFor();
  await page.locator('vault-connect >> [data-service-id="vaultre"][aria-busy="false"]').waitFor();
  await page.evaluate(async () => {
    await document.fonts.ready;
    if (!document.fonts.check("600 14px 'Inter Visual'")) throw new Error('the shipped font did not load');
  });
  assert.deepEqual(errors, []);
  await rest(page);
  return { page, holdPatch: () => (hold = true) };
}

/** The pointer in a corner (no hover), and two frames for layout and paint to settle. */
async function rest(page: Page): Promise<void> {
  await page.mouse.move(0, 0);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** Compares the page with its baseline (or writes the baseline with `UPDATE_VISUAL=1`). */
async function compare(page: Page, name: string): Promise<void> {
  await rest(page);
  const shot = await page.screenshot({ animations: 'disabled', caret: 'hide' });
  const file = `${BASELINES}${name}.png`;
  if (UPDATE || !existsSync(file)) {
    if (!UPDATE) assert.fail(`no baseline for ${name}: run UPDATE_VISUAL=1 npm run visual and commit test/visual/baselines/${name}.png`);
    await mkdir(BASELINES, { recursive: true });
    await writeFile(file, shot);
    return;
  }
  const expected = PNG.sync.read(await readFile(file));
  const actual = PNG.sync.read(shot);
  assert.deepEqual([actual.width, actual.height], [expected.width, expected.height], `${name}: the size changed`);
  const diff = new PNG({ width: expected.width, height: expected.height });
  const different = pixelmatch(expected.data, actual.data, diff.data, expected.width, expected.height, { threshold: THRESHOLD });
  const share = different / (expected.width * expected.height);
  if (share > TOLERANCE) {
    await mkdir(OUTPUT, { recursive: true });
    await writeFile(`${OUTPUT}${name}.actual.png`, shot);
    await writeFile(`${OUTPUT}${name}.diff.png`, PNG.sync.write(diff));
    assert.fail(
      `${name}: ${different} pixels differ (${(share * 100).toFixed(2)}% > ${TOLERANCE * 100}%); see test/visual/output/${name}.actual.png and .diff.png. ` +
        'If the change is intended: UPDATE_VISUAL=1 npm run visual, then commit the baselines.',
    );
  }
}

/** Opens a row's More menu with a click. */
async function openMenu(page: Page, serviceId: string): Promise<void> {
  await page.locator(`vault-connect >> [data-service-id="${serviceId}"] button[data-action="more"]`).click();
  await page.locator(`vault-connect >> [data-service-id="${serviceId}"] [role="menu"]`).waitFor();
}

for (const viewport of VIEWPORTS) {
  for (const theme of THEMES) {
    describe(`${viewport.name} px, ${theme}`, () => {
      it('the list, the filter, an open menu, the dialog and a busy row match their baselines', { timeout: 60_000 }, async (t) => {
        if (otherChromium) {
          t.skip(otherChromium);
          return;
        }
        const { page, holdPatch } = await openPage(viewport.width, viewport.height, theme);
        try {
          const prefix = `${viewport.name}-${theme}`;
          await compare(page, `${prefix}-list`);

          await page.locator('vault-connect >> [data-filter="attention"]').click();
          await page.locator('vault-connect >> [data-filter="attention"][aria-checked="true"]').waitFor();
          await compare(page, `${prefix}-filter`);
          await page.locator('vault-connect >> [data-filter="all"]').click();

          await openMenu(page, 'salesforce');
          await compare(page, `${prefix}-menu`);
          await page.keyboard.press('Escape');

          await openMenu(page, 'salesforce');
          await page.locator('vault-connect >> [role="menuitem"][data-action="disconnect"]').click();
          await page.locator('vault-connect >> dialog[open]').waitFor();
          await compare(page, `${prefix}-dialog`);
          await page.keyboard.press('Escape');
          await page.locator('vault-connect >> dialog').waitFor({ state: 'detached' });

          holdPatch();
          await openMenu(page, 'salesforce');
          await page.locator('vault-connect >> [role="menuitem"][data-action="disable"]').click();
          await page.locator('vault-connect >> [data-service-id="salesforce"][aria-busy="true"]').waitFor();
          // Focus returned to More, which a pointer user does not see ringed; take it away so the ring never shows.
          await page.evaluate(() => (document.querySelector('vault-connect')?.shadowRoot?.activeElement as HTMLElement | null)?.blur());
          await compare(page, `${prefix}-busy`);
        } finally {
          await page.context().close();
        }
      });
    });
  }
}
