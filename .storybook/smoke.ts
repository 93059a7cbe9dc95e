/**
 * Checks that the static Storybook build works with no server behind it: serves `storybook-static/` from a plain
 * static server on 127.0.0.1, opens every story's `iframe.html` in headless Chromium and checks what it shows.
 *
 *   npx storybook build --quiet -o storybook-static && node --import tsx .storybook/smoke.ts
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, startStaticServer } from '../bench/lib/static-server.ts';

const root = fileURLToPath(new URL('../storybook-static/', import.meta.url));
const ROWS = '[part="connection"]';
/** Progress lines on stdout (the lint config keeps console.log to stories, bench, test and scripts). */
const log = (line: string) => process.stdout.write(`${line}\n`);

type Check = (page: Page) => Promise<void>;

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

const rows = (count: number): Check => async (page) => {
  await page.waitForFunction(
    ([selector, n]) => {
      const root = document.querySelector('vault-connect')?.shadowRoot;
      return root?.querySelectorAll(selector as string).length === n;
    },
    [ROWS, count] as const,
    { timeout: 10_000 },
  );
};

const panel = (text: string | RegExp, selector = '[part="state"]'): Check => async (page) => {
  await page.locator(selector).filter({ hasText: text }).first().waitFor({ timeout: 10_000 });
};

/** The element's error panel is shown and `vault-connect-error` reported `code` (messages are copy; codes are contract). */
const failure = (code: string): Check => async (page) => {
  await page.locator('[part="state"][role="alert"]').waitFor({ timeout: 10_000 });
  const codes = await page.evaluate(() => (window as unknown as { __vaultErrors: string[] }).__vaultErrors);
  expect(codes.includes(code), `expected a ${code} error, saw ${codes.join(', ') || 'none'}`);
};

const checks: Record<string, Check> = {
  'vault-connect-list--all-statuses': async (page) => {
    await rows(22)(page);
    const statuses = await page.locator('[part="badge"]').evaluateAll((badges) => [
      ...new Set(badges.map((badge) => badge.getAttribute('data-status'))),
    ]);
    expect(statuses.length === 7, `expected all 7 statuses, saw ${statuses.join(', ')}`);
    // The fake modal: connect Xero, authorize, and the row is re-read as connected.
    await page.locator('[data-service-id="xero"] [data-action="connect"]').click();
    await page.getByRole('dialog', { name: 'Fake Vault modal' }).getByRole('button', { name: 'Authorize' }).click();
    await page.locator('[data-service-id="xero"] [part="badge"][data-status="connected"]').waitFor({ timeout: 5_000 });
  },
  'vault-connect-list--one-unified-api': async (page) => {
    await rows(5)(page);
    const apis = await page.locator('[part="group"]').evaluateAll((groups) => groups.map((g) => g.getAttribute('data-unified-api')));
    expect(apis.join() === 'crm', `expected only the crm group, saw ${apis.join()}`);
  },
  'vault-connect-list--restricted-actions': async (page) => {
    await rows(22)(page);
    const gated = await page.locator('[data-action="disconnect"], [data-action="reconnect"], [data-action="disable"]').count();
    expect(gated === 0, `expected no gated buttons, saw ${gated}`);
  },
  'vault-connect-list--slow-actions': rows(22),
  'vault-connect-list--many-connections': rows(500),
  'vault-connect-loading--loading': async (page) => {
    await page.locator('ul[aria-busy="true"]').waitFor({ timeout: 10_000 });
    await page.waitForTimeout(1_000);
    expect((await page.locator(ROWS).count()) === 0, 'rows appeared in the loading story');
    expect(await page.locator('[part="search"]').isDisabled(), 'the search box is enabled while loading');
  },
  'vault-connect-loading--waiting-for-session': panel('Waiting for a session'),
  'vault-connect-empty--empty': panel('No integrations are available yet.'),
  'vault-connect-empty--nothing-for-this-unified-api': panel('No integrations are available yet.'),
  'vault-connect-empty--no-search-matches': panel('No integrations match “mainframe”.'),
  'vault-connect-error--server-error': async (page) => {
    await failure('api_error')(page);
    await panel('Unexpected error', '[part="state"][role="alert"]')(page);
  },
  'vault-connect-error--network-failure': failure('network_error'),
  'vault-connect-error--session-expired': failure('session_failed'),
  'vault-connect-error--invalid-response': failure('invalid_response'),
  'vault-connect-error--recovers-on-retry': async (page) => {
    await page.locator('[data-action="retry"]').click({ timeout: 10_000 });
    await rows(22)(page);
  },
  'vault-connect-error--row-action-fails': async (page) => {
    await rows(22)(page);
    await page.locator('[data-service-id="salesforce"] [data-action="disable"]').click();
    await page.locator('[data-service-id="salesforce"] [part="row-error"]').waitFor({ timeout: 5_000 });
  },
  'vault-connect-theme--dark': async (page) => {
    await rows(22)(page);
    const background = await page.locator('vault-connect').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(background === 'rgb(17, 24, 39)', `dark background expected, got ${background}`);
  },
  'vault-connect-theme--light': rows(22),
  'vault-connect-theme--custom-properties': async (page) => {
    await rows(22)(page);
    const primary = await page.locator('[data-service-id="xero"] [data-action="connect"]').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(primary === 'rgb(15, 118, 110)', `brand primary expected, got ${primary}`);
  },
  'vault-connect-theme--dark-custom-properties': rows(22),
};

interface IndexEntry {
  id: string;
  type: 'story' | 'docs';
}

const index = JSON.parse(await readFile(new URL('index.json', `file://${root}`), 'utf8')) as { entries: Record<string, IndexEntry> };
const stories = Object.values(index.entries).filter((entry) => entry.type === 'story');

const server = await startStaticServer(root);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
let failed = 0;
try {
  for (const { id } of stories) {
    const page = await browser.newPage();
    await page.addInitScript(() => {
      const errors: string[] = [];
      (window as unknown as { __vaultErrors: string[] }).__vaultErrors = errors;
      document.addEventListener('vault-connect-error', (event) => errors.push((event as CustomEvent<{ code: string }>).detail.code));
    });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) problems.push(`${response.status()}: ${response.url()}`);
    });
    page.on('requestfailed', (request) => {
      // The stories' fake origin never reaches the network; anything else failing is a broken build.
      if (!request.url().includes('.storybook.invalid')) problems.push(`request failed: ${request.url()}`);
    });
    const started = performance.now();
    try {
      await page.goto(`${server.url}/iframe.html?id=${encodeURIComponent(id)}&viewMode=story`);
      await page.locator('vault-connect').waitFor({ state: 'attached', timeout: 10_000 });
      const check = checks[id];
      if (check) await check(page);
      else problems.push('no check for this story (add one to .storybook/smoke.ts)');
    } catch (error) {
      problems.push(error instanceof Error ? error.message.split('\n')[0] : String(error));
    }
    const ms = Math.round(performance.now() - started);
    if (problems.length > 0) {
      failed++;
      log(`✘ ${id} (${ms} ms)\n    ${problems.join('\n    ')}`);
    } else {
      log(`✔ ${id} (${ms} ms)`);
    }
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
log(`${stories.length - failed} of ${stories.length} stories render from the static build`);
process.exit(failed === 0 ? 0 : 1);
