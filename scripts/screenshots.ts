/**
 * `npm run screenshots`: the README's pictures of `<vault-connect>` in light and in dark, taken with headless Chromium
 * (never a downloaded one) against the sandbox: `docs/screenshot-light.png` and `docs/screenshot-dark.png`, 800 CSS
 * pixels wide.
 *
 * It starts the demo's dev server (the sandbox behind it, no network) and opens a page of its own on that origin,
 * answered by Playwright's routing: the element on a plain settings-page backdrop, filtered to the CRM group (rows in
 * several states), with `theme` set and `prefers-color-scheme` emulated to match.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startDemo } from './start.ts';

const WIDTH = 800;
const PAGE_PATH = '/__screenshots';
const CHROME_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'];
const THEMES = {
  light: { page: '#ffffff', text: '#111827', muted: '#4b5563' },
  dark: { page: '#111827', text: '#f3f4f6', muted: '#9ca3af' },
} as const;
type ThemeName = keyof typeof THEMES;

function pageFor(theme: ThemeName): string {
  const colours = THEMES[theme];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>vault-connect (${theme})</title>
<style>
  body { margin: 0; background: ${colours.page}; font-family: system-ui, sans-serif; color: ${colours.text}; }
  main { box-sizing: border-box; width: ${WIDTH}px; padding: 28px 32px 32px; }
  h1 { font-size: 1.125rem; margin: 0 0 4px; }
  p { margin: 0 0 20px; font-size: 0.875rem; color: ${colours.muted}; }
</style>
<script type="module">
  import '/src/index.ts';
  const config = await (await fetch('/api/demo-config')).json();
  const element = document.querySelector('vault-connect');
  element.unifyBaseUrl = config.unifyBaseUrl;
  element.sessionUrl = '/api/session';
</script>
</head>
<body>
<main>
  <h1>Integrations</h1>
  <p>Connect the tools your team already uses.</p>
  <vault-connect theme="${theme}" unified-api="crm"></vault-connect>
</main>
</body>
</html>
`;
}

async function main(): Promise<void> {
  const out = fileURLToPath(new URL('../docs/', import.meta.url));
  await mkdir(out, { recursive: true });
  // `env: {}`: always the sandbox, even with real credentials in the environment.
  const { server, url } = await startDemo({ port: 0, env: {} });
  // The page comes from the dev server itself, ahead of Vite's own middlewares: a page answered by Playwright's routing
  // would count as public to Chromium's local-network checks, and could not call the sandbox on 127.0.0.1.
  server.middlewares.stack.unshift({
    route: PAGE_PATH,
    handle: (req: IncomingMessage, res: ServerResponse) => {
      const theme = new URL(req.url ?? '', 'http://x').searchParams.get('theme');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(pageFor(theme === 'dark' ? 'dark' : 'light'));
    },
  });
  const executablePath = process.env.CHROME_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`No Chromium at ${executablePath}: install Debian's chromium or set CHROME_PATH (nothing is downloaded).`);
  }
  const browser = await chromium.launch({ executablePath, args: CHROME_ARGS, timeout: 30_000 });
  try {
    for (const theme of Object.keys(THEMES) as ThemeName[]) {
      const context = await browser.newContext({ viewport: { width: WIDTH, height: 600 }, colorScheme: theme, deviceScaleFactor: 1 });
      context.setDefaultTimeout(20_000);
      // Nothing may leave the machine: only the dev server and the sandbox (127.0.0.1) answer.
      await context.route(/^(?!https?:\/\/127\.0\.0\.1[:/])/, (route) => route.abort('blockedbyclient'));
      const page = await context.newPage();
      page.on('pageerror', (error) => console.error(`${theme}: ${error.message}`));
      await page.goto(new URL(`${PAGE_PATH}?theme=${theme}`, url).href);
      await page.locator('vault-connect >> [part="connection"][data-service-id="salesforce"]').waitFor();
      // Icons are data: URLs; wait until every one has decoded, and for the fonts.
      await page.waitForFunction(() => {
        const root = document.querySelector('vault-connect')?.shadowRoot;
        return [...(root?.querySelectorAll('img') ?? [])].every((img) => img.complete) && document.fonts.status === 'loaded';
      });
      const file = `${out}screenshot-${theme}.png`;
      await page.locator('main').screenshot({ path: file, animations: 'disabled', caret: 'hide' });
      console.log(`wrote ${file}`);
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

// Bounded: a stuck browser or server must not hang the script.
const deadline = setTimeout(() => {
  console.error('screenshots: timed out after 90 s');
  process.exit(1);
}, 90_000);
deadline.unref();

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
