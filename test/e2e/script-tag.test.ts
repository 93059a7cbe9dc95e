/**
 * End to end, the element from a plain HTML page with no build step: the library build (`vite.config.ts`, the build that
 * writes `dist/vault-connect.js`, made here into a temporary directory so the test needs no earlier `npm run build`)
 * served as static files beside a page made of the README's script-tag snippet, by a tiny static server on 127.0.0.1
 * that also answers the snippet's `session-url` with the package's own `createSessionHandler` against the sandbox.
 *
 * - the README snippet, as written, renders the list (only `unify-base-url` is added, to point at the sandbox);
 * - two copies of the file under two URLs (two module instances, each with its own Lit and its own class) on one page,
 *   and a second copy loaded after the first has rendered, throw nothing: `customElements.define` is guarded;
 * - a session endpoint answering garbage ends in the element's error panel, not in an uncaught error.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { createSessionHandler } from '../../src/server/session-handler.ts';
import { toNodeHandler } from '../../src/server/node-adapter.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { SEED_CONNECTOR_COUNT } from '../../src/sandbox/seed.ts';
import { WAIT, badgeBecomes, eventually, guardedContext, launchChromium, rows, type GuardedContext } from './helpers.ts';

const TEST = { timeout: 30_000 };
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where the second copy of the build is served: the same files under another URL, so a second module instance. */
const COPY_BASE = '/copy/of/vault-connect/';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.map': 'application/json',
};

/** The README's script-tag snippet (quick start, step 2): its `<script type="module" src>` directory and the markup as written. */
async function readmeSnippet(): Promise<{ base: string; html: string }> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const section = /^\*\*2\. The element\.\*\*([\s\S]*?)^\*\*3\. /m.exec(readme)?.[1] ?? '';
  const html = /```html\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
  assert.equal(scripts.length, 1, `the README's script-tag snippet has one script tag: ${html}`);
  const src = /^<script type="module" src="([^"]*\/)vault-connect\.js"><\/script>$/m.exec(html)?.[1];
  assert.ok(src, `the snippet loads vault-connect.js as a module: ${scripts[0]}`);
  assert.match(html, /^<vault-connect session-url="\/api\/session"><\/vault-connect>$/m, 'the snippet shows the element');
  return { base: src, html };
}

function page(body: string): string {
  return `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>script tag</title></head>\n<body>\n${body}\n</body>\n</html>\n`;
}

let sandbox: Sandbox;
let server: Server;
let origin: string;
let outDir: string;
let browser: Browser;
let guarded: GuardedContext;
/** Every path the static server was asked for, in order. */
const served: string[] = [];

before(async () => {
  outDir = await mkdtemp(path.join(tmpdir(), 'vault-connect-script-tag-'));
  const [built, started, launched] = await Promise.allSettled([
    build({
      root: ROOT,
      configFile: path.join(ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    }),
    startSandbox(),
    launchChromium(),
  ]);
  if (started.status === 'fulfilled') sandbox = started.value;
  if (launched.status === 'fulfilled') browser = launched.value;
  for (const result of [built, started, launched]) if (result.status === 'rejected') throw result.reason;

  const snippet = await readmeSnippet();
  // The snippet as written; only the Vault API base is pointed at the sandbox.
  const element = (extra = '') =>
    snippet.html
      .replace(/^<script[^\n]*\n/m, '')
      .replace('<vault-connect ', `<vault-connect unify-base-url="${sandbox.vaultApiUrl}" ${extra}`);
  const scriptTag = (base: string) => `<script type="module" src="${base}vault-connect.js"></script>`;
  const pages: Record<string, string> = {
    '/': page(snippet.html.replace('<vault-connect ', `<vault-connect unify-base-url="${sandbox.vaultApiUrl}" `)),
    '/twice.html': page(`${scriptTag(snippet.base)}\n${scriptTag(COPY_BASE)}\n${element()}`),
    '/broken.html': page(`${scriptTag(snippet.base)}\n${element().replace('session-url="/api/session"', 'session-url="/api/broken-session"')}`),
  };
  const session = toNodeHandler(
    createSessionHandler({
      apiKey: sandbox.apiKey,
      appId: sandbox.applicationId,
      unifyBaseUrl: sandbox.vaultApiUrl,
      consumerId: () => 'script-tag-consumer',
    }),
  );

  const serveFile = async (file: string, res: ServerResponse) => {
    const resolved = path.resolve(outDir, file);
    if (!resolved.startsWith(outDir + path.sep)) throw new Error('outside the build');
    const body = await readFile(resolved);
    res.writeHead(200, { 'content-type': TYPES[path.extname(resolved)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const { pathname } = new URL(req.url ?? '/', 'http://static');
    served.push(pathname);
    if (pathname === '/api/session') return session(req, res);
    if (pathname === '/api/broken-session') {
      // A host endpoint gone wrong: 200 with a body that is not a session reply (and a hostile string in it).
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ session_token: 42, note: '<img src=x onerror=alert(1)>' }));
      return;
    }
    if (pathname in pages) {
      res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' });
      res.end(pages[pathname]);
      return;
    }
    for (const base of [snippet.base, COPY_BASE]) {
      if (pathname.startsWith(base)) return serveFile(decodeURIComponent(pathname.slice(base.length)), res);
    }
    res.writeHead(404).end();
  };
  server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  // Bounded even if `after` never runs.
  setTimeout(() => server.close(), 5 * 60_000).unref();
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await sandbox?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

/** The page's uncaught errors and console errors, collected from the moment it opens. */
interface Watched {
  page: Page;
  problems: string[];
}

async function open(pathname: string): Promise<Watched> {
  const page = await guarded.context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.name}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console.${message.type()}: ${message.text()}`);
  });
  await page.goto(origin + pathname);
  return { page, problems };
}

/** How many copies of Lit (and so of the package) have been evaluated in the page. */
function litCopies(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as { litHtmlVersions?: string[] }).litHtmlVersions?.length ?? 0);
}

describe('dist/vault-connect.js from a plain HTML page (script tag, no build step)', () => {
  beforeEach(async () => {
    served.length = 0;
    sandbox.vaultApi.reset();
    guarded = await guardedContext(browser, { orderStartup: false });
  });

  afterEach(async () => {
    await guarded.context.close();
    assert.deepEqual(guarded.blocked, [], 'no request may leave 127.0.0.1');
  });

  it('the README snippet renders the list', TEST, async () => {
    const { page, problems } = await open('/');
    await eventually('every seeded row', () => rows(page).count(), (n) => n === SEED_CONNECTOR_COUNT, WAIT * 2);
    await badgeBecomes(page, 'salesforce', 'Connected');
    await badgeBecomes(page, 'xero', 'Not connected');
    assert.equal(await litCopies(page), 1);
    const html = served.filter((p) => !p.endsWith('.js'));
    assert.deepEqual(html, ['/', '/api/session'], 'a static page and the session endpoint; the rest are the module and its chunks');
    assert.ok(served.every((p) => p === '/' || p === '/api/session' || p.startsWith('/vendor/vault-connect/')), served.join(' '));
    assert.deepEqual(problems, []);
  });

  it('two copies of the file under two URLs on one page throw nothing; the element works', TEST, async () => {
    const { page, problems } = await open('/twice.html');
    await eventually('every seeded row', () => rows(page).count(), (n) => n === SEED_CONNECTOR_COUNT, WAIT * 2);
    // Both copies were fetched and evaluated (each brings its own Lit, which records its version globally).
    assert.ok(served.includes(`${COPY_BASE}vault-connect.js`) && served.includes('/vendor/vault-connect/vault-connect.js'));
    await eventually('both copies evaluated', () => litCopies(page), (n) => n === 2);
    assert.equal(await page.evaluate(() => customElements.get('vault-connect') === document.querySelector('vault-connect')?.constructor), true);
    // The element still works: a row action round-trips to the sandbox.
    await page.locator('vault-connect >> [data-service-id="teamtailor"] button[data-action="more"]').click();
    await page.locator('vault-connect >> [data-service-id="teamtailor"] [role="menuitem"][data-action="disable"]').click();
    await badgeBecomes(page, 'teamtailor', 'Disabled');
    assert.deepEqual(problems, []);
  });

  it('a second copy loaded after the first has rendered throws nothing', TEST, async () => {
    const { page, problems } = await open('/');
    await badgeBecomes(page, 'salesforce', 'Connected');
    const defined = await page.evaluateHandle(() => customElements.get('vault-connect'));
    await page.addScriptTag({ type: 'module', url: `${COPY_BASE}vault-connect.js` });
    await eventually('the second copy evaluated', () => litCopies(page), (n) => n === 2);
    assert.equal(await page.evaluate((first) => customElements.get('vault-connect') === first, defined), true, 'the first definition stays');
    // A new element made after the second copy loaded is still the first copy's, and renders.
    await page.evaluate((base) => {
      const second = document.createElement('vault-connect');
      second.setAttribute('unify-base-url', base);
      second.setAttribute('session-url', '/api/session');
      second.setAttribute('unified-api', 'crm');
      second.id = 'second';
      document.body.append(second);
    }, sandbox.vaultApiUrl);
    await page.locator('#second >> [part="connection"][data-service-id="salesforce"]').waitFor();
    assert.deepEqual(problems, []);
  });

  it('a session endpoint answering garbage ends in the error panel, not an uncaught error', TEST, async () => {
    const { page, problems } = await open('/broken.html');
    const panel = page.locator('vault-connect >> [part="state"][role="alert"]');
    await panel.waitFor();
    assert.doesNotMatch((await panel.textContent()) ?? '', /onerror|<img/);
    assert.equal(await page.locator('vault-connect >> img').count(), 0);
    assert.equal(await rows(page).count(), 0);
    assert.deepEqual(problems, []);
  });
});
