/**
 * Side by side: `<vault-connect>` against Apideck's own `@apideck/react-vault` (its in-page React UI), on the same
 * sandbox data, in headless Chromium (Debian's `/usr/bin/chromium` through playwright-core).
 *
 *   node --import tsx bench/compare.ts [--runs=5] [--sizes=100,1000,5000] [--vault-connect-dir=dist]   (npm run bench:compare)
 *
 * `runComparison()` is also called by `bench/run.ts`, which stores its figures under "comparison" in bench/results.json.
 *
 * Setup, identical for both sides unless said:
 * - Data: for each size, one sandbox (`startSandbox({ extra })`, the Vault API emulator on 127.0.0.1, seed +
 *   synthetic connectors) and a fresh session JWT per page (`vaultApi.createSessionToken`). Both clients fetch
 *   `GET /vault/connections` from it cross-origin (CORS preflight included; checked once up front for each page origin
 *   and each client's headers).
 * - Pages: each side is served by its own static server on 127.0.0.1 (no compression, no caching); the token and the
 *   API base are in the URL fragment. vault-connect: the current sources built with the repo's `vite.config.ts` (what
 *   ships as `dist/vault-connect.js` + chunks) and a 6-line module that creates the element. react-vault: a minimal React
 *   page (`bench/compare/react-vault-app.ts`: `<Vault token unifyBaseUrl open />` + its README's stylesheet) built by
 *   `vite.build` in production mode, minified, into a temporary directory.
 * - Runs: fresh page (and browser context) per run, one discarded warm-up per side, then for each size `runs` runs per
 *   side, interleaved (the side that goes first alternates). Medians; ratios are react-vault / vault-connect.
 * - Probe (`bench/compare/probe.ts`, an init script, so it runs before either page's code): "every name in the DOM" =
 *   the name elements' trimmed texts are exactly the expected names, checked at the DOM mutation that completes them
 *   (shadow root included); time from navigation start (`performance.now()`), plus the next frame. The probe's own
 *   main-thread time is reported (it is inside the figures, slightly more for vault-connect's sliced rendering). The
 *   list request's Resource Timing splits each figure into "reply in" and the client's work after it.
 * - The sandbox and the static servers run in this Node process, beside the Playwright driver: on a busy machine the
 *   reply times vary; both sides share that.
 * - JavaScript shipped: every `.js` response the page had loaded when the list was complete (Resource Timing, read by
 *   the probe at that moment), fetched again from the server and gzipped (level 9) here; the probe is not counted.
 * - Heap: after the list, 2 frames and 500 ms settle, CDP `HeapProfiler.collectGarbage` then `Runtime.getHeapUsage`.
 * - Keystroke (at `keystrokeRows`): focus the search box, press one key through CDP (`keyboard.press`), from the
 *   `keydown` (capture, on window) until the DOM shows exactly the filtered names, plus one frame. The expected names
 *   come from each side's own rule: vault-connect's case-insensitive substring of the name; react-vault's Fuse.js search
 *   (its own copy of fuse.js, its options: keys name + unified_api, threshold 0.4), after its 250 ms debounce.
 *
 * react-vault shows its list in two tabs, "Added" (state ≠ available, selected at open) and "Available": at load the
 * DOM holds only the Added tab's names, so its "full list" figure is for fewer names than vault-connect renders (a
 * bias in its favour). Each react-vault run also clicks "Available" and times until that tab's names are in.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import ts from 'typescript';
import { build } from 'vite';
import { startSandbox, type Sandbox } from '../src/sandbox/index.ts';
import { SEED_CONNECTOR_COUNT } from '../src/sandbox/seed.ts';
import { CHROMIUM, CHROMIUM_ARGS, startStaticServer, type StaticRoute, type StaticServer } from './lib/static-server.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const compareDir = fileURLToPath(new URL('./compare/', import.meta.url));
const require = createRequire(import.meta.url);

export interface ComparisonOptions {
  /** Connection counts. Default 100, 1,000 and 5,000. */
  sizes?: readonly number[];
  /** Measured runs per side and size. Default 5. */
  runs?: number;
  /** The size at which a keystroke is timed. Default 1,000 (or the last size, without 1,000). */
  keystrokeRows?: number;
  /** The key typed into the search box. Default `s`. */
  query?: string;
  /** A built vault-connect (`vault-connect.js` + `chunks/`), e.g. `dist`; default: the current sources, built. */
  vaultConnectDir?: string;
  /** Progress lines. Default `console.log`. */
  log?: (line: string) => void;
}

export type Side = 'vault-connect' | 'react-vault';
const SIDES: readonly Side[] = ['vault-connect', 'react-vault'];

export interface ScriptFile {
  path: string;
  bytes: number;
  gzipBytes: number;
}

export interface JavaScriptFigures {
  /** Median over runs of the `.js` responses loaded when the list was complete. */
  gzipBytes: number;
  bytes: number;
  /** The files of the first measured run. */
  files: ScriptFile[];
  /** Median of every `.js` response by the heap measurement (lazy chunks prefetched after the list included). */
  gzipBytesAfterSettle: number;
  /** The whole page, for the target: the run (of any size) that had loaded the most once settled, and its files. */
  wholePage: { gzipBytes: number; bytes: number; files: ScriptFile[] };
}

export interface SideLoad {
  /** How many names the probe waited for (what the side shows at load). */
  names: number;
  /** A windowed list (vault-connect above 200 rows): median names in the DOM when it filled the viewport. */
  drawn?: number | undefined;
  /** Median ms from navigation start to every name in the DOM. */
  domMs: number;
  /** … to the next animation frame after that. */
  frameMs: number;
  /** Median ms from navigation start to the list request sent, and to its reply received (Resource Timing). */
  listSentMs: number;
  listReceivedMs: number;
  /** Median of (every name in the DOM − reply received): the client's own work once the data is in. */
  clientMs: number;
  /** Median of the probe's own main-thread time until every name was in (included in `domMs`). */
  probeMs: number;
  /** Median JS heap after a forced GC, bytes. */
  heapBytes: number;
  samples: { domMs: number; frameMs: number; listSentMs: number; listReceivedMs: number; probeMs: number; heapBytes: number }[];
}

export interface SizeFigures {
  rows: number;
  sides: Record<Side, SideLoad>;
  /** react-vault / vault-connect. */
  ratio: { domMs: number; frameMs: number; clientMs: number; heapBytes: number };
  /** react-vault: click on its "Available" tab → that tab's names in the DOM (+ one frame). */
  reactVaultAvailableTab: { names: number; domMs: number; frameMs: number };
}

export interface KeystrokeSide {
  /** Names left visible. */
  visible: number;
  /** Median ms from `keydown` to the DOM showing exactly the filtered names. */
  domMs: number;
  /** … plus one frame (the figure compared). */
  frameMs: number;
  samples: number[];
}

export interface ComparisonResult {
  date: string;
  environment: { chromium: string; cpu: string | undefined; cores: number; node: string; loadAverageBefore: number[]; loadAverageAfter: number[] };
  runs: number;
  setup: {
    vaultConnect: string;
    reactVault: string;
    react: string;
    notes: string[];
  };
  cors: Record<Side, { origin: string; requestHeaders: string; allowed: boolean }>;
  javascript: Record<Side, JavaScriptFigures> & { ratio: number };
  /** react-vault's stylesheet (not JavaScript, not counted above; vault-connect's CSS is inside its JS). */
  reactVaultCss: { bytes: number; gzipBytes: number };
  sizes: SizeFigures[];
  keystroke: { rows: number; query: string; sides: Record<Side, KeystrokeSide>; ratio: number };
  targets: {
    javascript: { target: string; ratio: number; met: boolean };
    fullList1000: { target: string; ratio: number | null; met: boolean | null; note: string };
  };
  /** Page errors and console errors/warnings seen, per side (deduplicated, first 200 characters). */
  console: Record<Side, string[]>;
  wallSeconds: number;
}

// ---------------------------------------------------------------------------------------------------------------------
// Helpers

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: () => Promise<string> | string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void Promise.resolve(what()).then((detail) => reject(new Error(`timed out after ${ms} ms: ${detail}`)), reject);
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------------------------------
// Builds

async function buildVaultConnect(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vault-connect-compare-'));
  await build({
    root: repo,
    configFile: join(repo, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir: dir, emptyOutDir: true, sourcemap: false, reportCompressedSize: false },
  });
  return dir;
}

/**
 * The react-vault page, built as a host would with Vite (production mode, minified). `@apideck/wayfinder` is aliased to
 * a stub: see `bench/compare/wayfinder-stub.ts` (its only published version has no code to bundle).
 */
async function buildReactVault(): Promise<{ dir: string; cleanup: () => void }> {
  const temp = mkdtempSync(join(tmpdir(), 'react-vault-compare-'));
  const dir = join(temp, 'dist');
  await build({
    configFile: false,
    root: compareDir,
    mode: 'production',
    logLevel: 'error',
    cacheDir: join(temp, 'vite-cache'),
    resolve: { alias: { '@apideck/wayfinder': join(compareDir, 'wayfinder-stub.ts') } },
    build: { outDir: dir, emptyOutDir: true, sourcemap: false, minify: true, reportCompressedSize: false, chunkSizeWarningLimit: 10_000 },
  });
  return { dir, cleanup: () => rmSync(temp, { recursive: true, force: true }) };
}

function probeScript(): string {
  const source = readFileSync(join(compareDir, 'probe.ts'), 'utf8');
  const js = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    fileName: 'probe.ts',
  }).outputText;
  // An init script is a classic script: wrap it, and drop the `export {}` that made the file a module.
  return `(() => {\n${js.replace(/^export \{\};?\s*$/m, '')}\n})();`;
}

// The module preload spares the element the wait for the page's own module (Vite adds the same for react-vault's chunks).
const VAULT_CONNECT_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>vault-connect bench</title>
    <link rel="modulepreload" href="/vault-connect.js" />
  </head>
  <body>
    <script type="module" src="/vault-connect-app.js"></script>
  </body>
</html>`;

/** An empty icon: without it, Chromium's favicon request is a 404 in the console of both pages. */
const NO_ICON: StaticRoute = { type: 'image/x-icon', body: '' };

/** The vault-connect page's own code (counted as shipped JavaScript, like react-vault's `createRoot().render()`). */
const VAULT_CONNECT_APP = `import '/vault-connect.js';
const params = new URLSearchParams(location.hash.slice(1));
const element = document.createElement('vault-connect');
element.token = params.get('token') ?? '';
element.setAttribute('unify-base-url', params.get('base') ?? '');
document.body.append(element);
`;

// ---------------------------------------------------------------------------------------------------------------------
// Data

interface ListedConnection {
  id: string;
  service_id: string;
  name: string;
  state: string;
  unified_api: string;
}

type FuseConstructor = new <T>(list: readonly T[], options: { keys: string[]; threshold: number }) => { search(query: string): { item: T }[] };

/** react-vault's own fuse.js (the copy its `require` resolves), to know which rows its search shows. */
async function reactVaultFuse(): Promise<FuseConstructor> {
  const reactVault = dirname(require.resolve('@apideck/react-vault/package.json'));
  const path = createRequire(join(reactVault, 'package.json')).resolve('fuse.js');
  const module = (await import(pathToFileURL(path).href)) as { default: FuseConstructor };
  return module.default;
}

const CONSUMER = 'compare-consumer';

interface Dataset {
  rows: number;
  sandbox: Sandbox;
  connections: ListedConnection[];
}

async function startDataset(rows: number): Promise<Dataset> {
  const sandbox = await startSandbox({ extra: rows - SEED_CONNECTOR_COUNT });
  try {
    // The emulator builds a consumer's copy of the seed on first use: do that before timing, and read what it lists.
    const token = await sandbox.vaultApi.createSessionToken(CONSUMER);
    const reply = await fetch(`${sandbox.vaultApiUrl}/vault/connections`, {
      headers: { authorization: `Bearer ${token}`, 'x-apideck-auth-type': 'JWT', 'x-apideck-app-id': sandbox.applicationId, 'x-apideck-consumer-id': CONSUMER },
    });
    if (!reply.ok) throw new Error(`the sandbox answered ${reply.status}: ${await reply.text()}`);
    const { data } = (await reply.json()) as { data: ListedConnection[] };
    if (data.length !== rows) throw new Error(`the sandbox lists ${data.length} connections, wanted ${rows}`);
    return { rows, sandbox, connections: data };
  } catch (error) {
    await sandbox.close();
    throw error;
  }
}

/** The headers each client sends with its list request (vault-client.ts; react-vault's ConnectionsProvider). */
const REQUEST_HEADERS: Record<Side, string> = {
  'vault-connect': 'accept,authorization,x-apideck-app-id,x-apideck-auth-type,x-apideck-consumer-id',
  'react-vault': 'authorization,content-type,x-apideck-app-id,x-apideck-auth-type,x-apideck-consumer-id',
};

async function checkCors(vaultApiUrl: string, origin: string, side: Side): Promise<{ origin: string; requestHeaders: string; allowed: boolean }> {
  const reply = await fetch(`${vaultApiUrl}/vault/connections`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': REQUEST_HEADERS[side] },
  });
  const allowedHeaders = (reply.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
  const allowed =
    reply.ok &&
    reply.headers.get('access-control-allow-origin') === origin &&
    REQUEST_HEADERS[side].split(',').every((header) => header === 'accept' || allowedHeaders.includes(header));
  return { origin, requestHeaders: REQUEST_HEADERS[side], allowed };
}

// ---------------------------------------------------------------------------------------------------------------------
// One page

interface SideSetup {
  side: Side;
  server: StaticServer;
  /** Probe selectors (see probe.ts `ProbeConfig`). */
  shadowHost: string | null;
  names: string;
  /** Marks a windowed list (see probe.ts), or null. */
  windowed: string | null;
  /** Names of the rows a search leaves visible. */
  visibleNames: string;
  search: string;
  /** The names shown once loaded, and after typing `query`. */
  loadedNames(data: Dataset): string[];
  filteredNames(data: Dataset, query: string): string[];
}

interface RunResult {
  domMs: number;
  frameMs: number;
  listSentMs: number;
  listReceivedMs: number;
  probeMs: number;
  heapBytes: number;
  scripts: string[];
  scriptsAfterSettle: string[];
  keystroke?: { domMs: number; frameMs: number; visible: number };
  /** A windowed list: how many names were in the DOM when it filled the viewport. */
  drawn?: number | undefined;
  availableTab?: { names: number; domMs: number; frameMs: number };
}

/** What a side's "full list" was: every name, or a windowed list's full viewport. */
function listed(side: SideLoad): string {
  return side.drawn === undefined
    ? `all ${side.names} names`
    : `windowed: a full viewport, ${side.drawn} of ${side.names} names in the DOM, the rest drawn on scroll`;
}

const VIEWPORT = { width: 1280, height: 800 };
const SETTLE_MS = 500;
const LOAD_TIMEOUT_MS = 60_000;

function frames(page: Page, count = 2): Promise<void> {
  // (Functions handed to page.evaluate must not declare named functions: tsx's transpiler wraps them in `__name`.)
  return page.evaluate((n) => window.__cmpProbe.frames(n), count);
}

async function runPage(
  browser: Browser,
  probe: string,
  setup: SideSetup,
  data: Dataset,
  options: { keystroke?: string; availableTab?: boolean; issues: Set<string> },
): Promise<RunResult> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  const note = (text: string) => options.issues.add(text.slice(0, 200));
  page.on('pageerror', (error) => note(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') note(`${message.type()}: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) note(`${response.status()} for ${new URL(response.url()).pathname}`);
  });
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('http://127.0.0.1:') && !url.startsWith('data:')) note(`request outside 127.0.0.1: ${url}`);
  });
  try {
    const expected = setup.loadedNames(data);
    const config = { shadowHost: setup.shadowHost, names: setup.names, expected, windowed: setup.windowed };
    await page.addInitScript({ content: `window.__cmpConfig = ${JSON.stringify(config)};\n${probe}` });
    const cdp = await page.context().newCDPSession(page);
    const token = await data.sandbox.vaultApi.createSessionToken(CONSUMER);
    const fragment = `token=${encodeURIComponent(token)}&base=${encodeURIComponent(data.sandbox.vaultApiUrl)}`;
    await page.goto(`${setup.server.url}/#${fragment}`, { waitUntil: 'commit' });
    const snapshot = () => page.evaluate(() => JSON.stringify(window.__cmpProbe.snapshot())).catch((error: Error) => error.message);
    const loaded = await withTimeout(
      page.evaluate(() => window.__cmpProbe.loaded),
      LOAD_TIMEOUT_MS,
      async () =>
        `${setup.side} at ${data.rows} rows never showed the ${expected.length} expected names; it shows ${await snapshot()}; console: ${[...options.issues].join(' | ') || 'nothing'}`,
    );
    await frames(page);
    await page.waitForTimeout(SETTLE_MS);
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    const scriptsAfterSettle = await page.evaluate(() => window.__cmpProbe.scripts());
    if (!loaded.list) throw new Error(`${setup.side}: no list request in the page's Resource Timing`);
    if (loaded.safetyNet) note(`probe: at ${data.rows} rows the full list was found by the every-30-frames check, not at its mutation (late)`);
    const result: RunResult = {
      domMs: loaded.domMs,
      frameMs: loaded.frameMs,
      listSentMs: loaded.list.startMs,
      listReceivedMs: loaded.list.endMs,
      probeMs: loaded.probeMs,
      heapBytes: usedSize,
      scripts: loaded.scripts,
      scriptsAfterSettle,
      drawn: loaded.windowed ? loaded.count : undefined,
    };

    if (options.keystroke !== undefined) {
      const filtered = setup.filteredNames(data, options.keystroke);
      await page.locator(setup.search).focus();
      await frames(page);
      await page.evaluate((arm) => window.__cmpProbe.arm(arm), { trigger: 'keydown', expected: filtered, selector: setup.visibleNames });
      await page.keyboard.press(options.keystroke);
      const typed = await withTimeout(
        page.evaluate(() => window.__cmpProbe.armed),
        20_000,
        async () => `${setup.side}: typing "${options.keystroke}" never left exactly ${filtered.length} names; it shows ${await snapshot()}`,
      );
      if (!typed) throw new Error('the keystroke was not armed');
      result.keystroke = { domMs: typed.domMs, frameMs: typed.frameMs, visible: filtered.length };
    }

    if (options.availableTab) {
      const available = data.connections.filter((c) => c.state === 'available').map((c) => c.name);
      const tab = page.getByRole('tab', { name: /Available/ });
      await tab.waitFor();
      await frames(page);
      await page.evaluate((arm) => window.__cmpProbe.arm(arm), { trigger: 'click', expected: available });
      await tab.click();
      const shown = await withTimeout(
        page.evaluate(() => window.__cmpProbe.armed),
        30_000,
        async () => `react-vault's Available tab never showed its ${available.length} names; it shows ${await snapshot()}`,
      );
      if (!shown) throw new Error('the tab click was not armed');
      result.availableTab = { names: available.length, domMs: shown.domMs, frameMs: shown.frameMs };
    }
    return result;
  } finally {
    await page.context().close();
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// The comparison

export async function runComparison(options: ComparisonOptions = {}): Promise<ComparisonResult> {
  const started = performance.now();
  const log = options.log ?? ((line: string) => console.log(line));
  const sizes = [...(options.sizes ?? [100, 1000, 5000])];
  const runs = options.runs ?? 5;
  const keystrokeRows = options.keystrokeRows ?? (sizes.includes(1000) ? 1000 : sizes[sizes.length - 1]);
  const query = options.query ?? 's';
  const loadAverageBefore = loadavg();

  const cleanups: (() => Promise<void> | void)[] = [];
  const issues: Record<Side, Set<string>> = { 'vault-connect': new Set(), 'react-vault': new Set() };
  try {
    log('compare: building vault-connect and the react-vault page…');
    let vaultConnectDir = options.vaultConnectDir;
    if (!vaultConnectDir) {
      const dir = await buildVaultConnect();
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      vaultConnectDir = dir;
    }
    const reactVault = await buildReactVault();
    cleanups.push(reactVault.cleanup);
    const Fuse = await reactVaultFuse();

    const vcServer = await startStaticServer(vaultConnectDir, {
      '/': { type: 'text/html; charset=utf-8', body: VAULT_CONNECT_PAGE },
      '/vault-connect-app.js': { type: 'text/javascript; charset=utf-8', body: VAULT_CONNECT_APP },
      '/favicon.ico': NO_ICON,
    });
    cleanups.push(() => vcServer.close());
    const rvServer = await startStaticServer(reactVault.dir, { '/favicon.ico': NO_ICON });
    cleanups.push(() => rvServer.close());

    const datasets: Dataset[] = [];
    cleanups.push(() => Promise.all(datasets.map((d) => d.sandbox.close())).then(() => undefined));
    for (const rows of sizes) datasets.push(await startDataset(rows));

    const nameOf = (c: ListedConnection) => c.name.trim() || c.service_id;
    const setups: Record<Side, SideSetup> = {
      'vault-connect': {
        side: 'vault-connect',
        server: vcServer,
        shadowHost: 'vault-connect',
        names: '[part="name"]',
        windowed: 'ul.windowed',
        visibleNames: 'li[part~="connection"]:not([hidden]) [part="name"]',
        search: 'vault-connect input[type="search"]',
        loadedNames: (data) => data.connections.map(nameOf),
        filteredNames: (data, q) => data.connections.map(nameOf).filter((name) => name.toLocaleLowerCase().includes(q.trim().toLocaleLowerCase())),
      },
      'react-vault': {
        side: 'react-vault',
        server: rvServer,
        shadowHost: null,
        // ConnectionListItem: li > … > p.text-sm.font-medium.text-gray-900 {connection.name}
        names: '#react-vault-connection-list > li p.text-gray-900',
        windowed: null,
        visibleNames: '#react-vault-connection-list > li p.text-gray-900',
        search: '#react-vault-search-input input',
        loadedNames: (data) => data.connections.filter((c) => c.state !== 'available').map((c) => c.name),
        filteredNames: (data, q) =>
          new Fuse(data.connections.filter((c) => c.state !== 'available'), { keys: ['name', 'unified_api'], threshold: 0.4 })
            .search(q)
            .map((hit) => hit.item.name),
      },
    };

    const cors = {
      'vault-connect': await checkCors(datasets[0].sandbox.vaultApiUrl, vcServer.url, 'vault-connect'),
      'react-vault': await checkCors(datasets[0].sandbox.vaultApiUrl, rvServer.url, 'react-vault'),
    };
    for (const side of SIDES) if (!cors[side].allowed) throw new Error(`the sandbox's CORS preflight refuses ${side}: ${JSON.stringify(cors[side])}`);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    cleanups.push(() => browser.close());
    const probe = probeScript();

    // One discarded run per side: the first page of a browser pays for process start-up and cold caches.
    for (const side of SIDES) await runPage(browser, probe, setups[side], datasets[0], { issues: issues[side] });

    const perSize = new Map<number, Record<Side, RunResult[]>>();
    for (const data of datasets) {
      const results: Record<Side, RunResult[]> = { 'vault-connect': [], 'react-vault': [] };
      perSize.set(data.rows, results);
      for (let run = 0; run < runs; run++) {
        const order = run % 2 === 0 ? SIDES : [...SIDES].reverse();
        for (const side of order) {
          results[side].push(
            await runPage(browser, probe, setups[side], data, {
              issues: issues[side],
              ...(data.rows === keystrokeRows ? { keystroke: query } : {}),
              availableTab: side === 'react-vault',
            }),
          );
        }
      }
      const vc = results['vault-connect'];
      const rv = results['react-vault'];
      log(
        `compare ${String(data.rows).padStart(5)} rows: to every name vault-connect ${round1(median(vc.map((r) => r.domMs)))} ms, ` +
          `react-vault ${round1(median(rv.map((r) => r.domMs)))} ms (load average ${loadavg()[0].toFixed(1)})`,
      );
    }

    // JavaScript: each distinct URL fetched once from its server and gzipped.
    const sizeCache = new Map<string, ScriptFile>();
    const scriptFile = async (url: string): Promise<ScriptFile> => {
      let file = sizeCache.get(url);
      if (!file) {
        const body = Buffer.from(await (await fetch(url)).arrayBuffer());
        file = { path: new URL(url).pathname, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
        sizeCache.set(url, file);
      }
      return file;
    };
    const total = async (urls: readonly string[]) => {
      const files = await Promise.all([...new Set(urls)].map(scriptFile));
      return { files, bytes: files.reduce((sum, f) => sum + f.bytes, 0), gzipBytes: files.reduce((sum, f) => sum + f.gzipBytes, 0) };
    };
    const javascriptOf = async (side: Side): Promise<JavaScriptFigures> => {
      const all = [...perSize.values()].flatMap((bySide) => bySide[side]);
      const atList = await Promise.all(all.map((r) => total(r.scripts)));
      const settled = await Promise.all(all.map((r) => total(r.scriptsAfterSettle)));
      // The whole page: everything any run had loaded once it settled (a long list's windowing chunk, prefetches).
      const largest = settled.reduce((a, b) => (b.gzipBytes > a.gzipBytes ? b : a), settled[0]);
      return {
        gzipBytes: median(atList.map((t) => t.gzipBytes)),
        bytes: median(atList.map((t) => t.bytes)),
        files: atList[0]?.files ?? [],
        gzipBytesAfterSettle: median(settled.map((t) => t.gzipBytes)),
        wholePage: largest ? { gzipBytes: largest.gzipBytes, bytes: largest.bytes, files: largest.files } : { gzipBytes: 0, bytes: 0, files: [] },
      };
    };
    const jsVc = await javascriptOf('vault-connect');
    const jsRv = await javascriptOf('react-vault');

    const cssFiles = readdirSync(join(reactVault.dir, 'assets')).filter((name) => name.endsWith('.css'));
    const css = cssFiles.map((name) => readFileSync(join(reactVault.dir, 'assets', name)));
    const reactVaultCss = { bytes: css.reduce((s, b) => s + b.length, 0), gzipBytes: css.reduce((s, b) => s + gzipSync(b, { level: 9 }).length, 0) };

    const sizeFigures: SizeFigures[] = datasets.map((data) => {
      const bySide = perSize.get(data.rows) as Record<Side, RunResult[]>;
      const sideLoad = (side: Side): SideLoad => {
        const runsOf = bySide[side];
        const med = (pick: (r: RunResult) => number) => round1(median(runsOf.map(pick)));
        return {
          names: setups[side].loadedNames(data).length,
          drawn: runsOf.every((r) => r.drawn !== undefined) ? median(runsOf.map((r) => r.drawn ?? 0)) : undefined,
          domMs: med((r) => r.domMs),
          frameMs: med((r) => r.frameMs),
          listSentMs: med((r) => r.listSentMs),
          listReceivedMs: med((r) => r.listReceivedMs),
          clientMs: med((r) => r.domMs - r.listReceivedMs),
          probeMs: med((r) => r.probeMs),
          heapBytes: median(runsOf.map((r) => r.heapBytes)),
          samples: runsOf.map((r) => ({
            domMs: round1(r.domMs),
            frameMs: round1(r.frameMs),
            listSentMs: round1(r.listSentMs),
            listReceivedMs: round1(r.listReceivedMs),
            probeMs: round1(r.probeMs),
            heapBytes: r.heapBytes,
          })),
        };
      };
      const vc = sideLoad('vault-connect');
      const rv = sideLoad('react-vault');
      const tabs = bySide['react-vault'].map((r) => r.availableTab).filter((t) => t !== undefined);
      return {
        rows: data.rows,
        sides: { 'vault-connect': vc, 'react-vault': rv },
        ratio: {
          domMs: ratio(rv.domMs, vc.domMs),
          frameMs: ratio(rv.frameMs, vc.frameMs),
          clientMs: ratio(rv.clientMs, vc.clientMs),
          heapBytes: ratio(rv.heapBytes, vc.heapBytes),
        },
        reactVaultAvailableTab: {
          names: tabs[0]?.names ?? 0,
          domMs: round1(median(tabs.map((t) => t.domMs))),
          frameMs: round1(median(tabs.map((t) => t.frameMs))),
        },
      };
    });

    const keystrokeResults = perSize.get(keystrokeRows);
    const keystrokeSide = (side: Side): KeystrokeSide => {
      const samples = (keystrokeResults?.[side] ?? []).map((r) => r.keystroke).filter((k) => k !== undefined);
      return {
        visible: samples[0]?.visible ?? 0,
        domMs: round1(median(samples.map((k) => k.domMs))),
        frameMs: round1(median(samples.map((k) => k.frameMs))),
        samples: samples.map((k) => round1(k.frameMs)),
      };
    };
    const keystroke = { 'vault-connect': keystrokeSide('vault-connect'), 'react-vault': keystrokeSide('react-vault') };

    // The target is for the whole page: the most JavaScript any run of a side had loaded once it settled.
    const jsRatio = ratio(jsRv.wholePage.gzipBytes, jsVc.wholePage.gzipBytes);
    const at1000 = sizeFigures.find((s) => s.rows === 1000);
    const browserVersion = browser.version();
    const result: ComparisonResult = {
      date: new Date().toISOString(),
      environment: { chromium: browserVersion, cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, loadAverageBefore, loadAverageAfter: loadavg() },
      runs,
      setup: {
        vaultConnect: options.vaultConnectDir ? `${options.vaultConnectDir} (vault-connect.js + chunks)` : 'the current sources built with vite.config.ts (minified) into a temp dir',
        reactVault: `@apideck/react-vault ${packageVersion('@apideck/react-vault')}: bench/compare/react-vault-app.ts built by vite.build (production, minified)`,
        react: `react ${packageVersion('react')}, react-dom ${packageVersion('react-dom')}`,
        notes: [
          '@apideck/wayfinder 0.2.5 (what react-vault resolves) is published without code (README + package.json only): aliased to a stub returning null; it is used only by the field-mapping editor, so react-vault\'s JS here is a lower bound',
          `react-vault shows at load only its "Added" tab (state ≠ available); the "Available" tab's names appear after a click (timed separately)`,
          `react-vault's search is debounced by 250 ms (its ConnectionsList) and fuzzy (Fuse.js)`,
        ],
      },
      cors,
      javascript: { 'vault-connect': jsVc, 'react-vault': jsRv, ratio: jsRatio },
      reactVaultCss,
      sizes: sizeFigures,
      keystroke: { rows: keystrokeRows, query, sides: keystroke, ratio: ratio(keystroke['react-vault'].frameMs, keystroke['vault-connect'].frameMs) },
      targets: {
        javascript: { target: 'at least 10× less JavaScript (gzip, whole page: all a run had loaded once settled, largest run)', ratio: jsRatio, met: jsRatio >= 10 },
        fullList1000: {
          target: 'at least 3× faster to a full list at 1,000 connections',
          ratio: at1000 ? at1000.ratio.domMs : null,
          met: at1000 ? at1000.ratio.domMs >= 3 : null,
          note: at1000
            ? `vault-connect: ${listed(at1000.sides['vault-connect'])}; react-vault: its Added tab, ${at1000.sides['react-vault'].names} names (the rest need a click)`
            : 'not measured (1,000 not in sizes)',
        },
      },
      console: { 'vault-connect': [...issues['vault-connect']], 'react-vault': [...issues['react-vault']] },
      wallSeconds: 0,
    };
    result.wallSeconds = Math.round((performance.now() - started) / 100) / 10;
    return result;
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error('compare: cleanup failed:', error);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Report

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const MB = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const times = (value: number | null) => (value === null ? '–' : `${value.toFixed(2)}×`);

/** The comparison as a Markdown table plus its context lines. */
export function formatComparison(result: ComparisonResult): string {
  const rows: string[][] = [['measurement (median)', 'vault-connect', 'react-vault', 'react-vault / vault-connect']];
  const { javascript: js } = result;
  rows.push([
    'JavaScript, whole page (most any run loaded), gzip (raw)',
    `${kB(js['vault-connect'].wholePage.gzipBytes)} (${kB(js['vault-connect'].wholePage.bytes)})`,
    `${kB(js['react-vault'].wholePage.gzipBytes)} (${kB(js['react-vault'].wholePage.bytes)})`,
    times(js.ratio),
  ]);
  rows.push([
    'JavaScript when the list was complete, gzip (median)',
    kB(js['vault-connect'].gzipBytes),
    kB(js['react-vault'].gzipBytes),
    times(ratio(js['react-vault'].gzipBytes, js['vault-connect'].gzipBytes)),
  ]);
  rows.push([
    'JavaScript by the heap measurement, gzip (median)',
    kB(js['vault-connect'].gzipBytesAfterSettle),
    kB(js['react-vault'].gzipBytesAfterSettle),
    times(ratio(js['react-vault'].gzipBytesAfterSettle, js['vault-connect'].gzipBytesAfterSettle)),
  ]);
  rows.push(['  vault-connect files (whole page)', js['vault-connect'].wholePage.files.map((f) => `${f.path.split('/').pop()} ${kB(f.gzipBytes)}`).join(', '), '', '']);
  for (const size of result.sizes) {
    const vc = size.sides['vault-connect'];
    const rv = size.sides['react-vault'];
    const n = size.rows.toLocaleString('en');
    rows.push([`${n} rows: navigation → every name in DOM`, `${vc.domMs} ms (${listed(vc)})`, `${rv.domMs} ms (${rv.names} names, Added tab)`, times(size.ratio.domMs)]);
    rows.push([`${n} rows: … + next frame`, `${vc.frameMs} ms`, `${rv.frameMs} ms`, times(size.ratio.frameMs)]);
    rows.push([`${n} rows: list request sent → reply in`, `${vc.listSentMs} → ${vc.listReceivedMs} ms`, `${rv.listSentMs} → ${rv.listReceivedMs} ms`, '']);
    rows.push([`${n} rows: reply in → every name (client work)`, `${vc.clientMs} ms`, `${rv.clientMs} ms`, times(size.ratio.clientMs)]);
    rows.push([`${n} rows: the probe's own checks (included)`, `${vc.probeMs} ms`, `${rv.probeMs} ms`, '']);
    rows.push([`${n} rows: JS heap after render (GC'd)`, MB(vc.heapBytes), MB(rv.heapBytes), times(size.ratio.heapBytes)]);
    const tab = size.reactVaultAvailableTab;
    rows.push([`${n} rows: click "Available" tab → its names`, 'n/a (one list)', `${tab.domMs} ms (${tab.names} names; +frame ${tab.frameMs} ms)`, '']);
  }
  const k = result.keystroke;
  rows.push([
    `keystroke "${k.query}" @ ${k.rows.toLocaleString('en')} rows → DOM filtered + 1 frame`,
    `${k.sides['vault-connect'].frameMs} ms (DOM ${k.sides['vault-connect'].domMs} ms; ${k.sides['vault-connect'].visible} visible)`,
    `${k.sides['react-vault'].frameMs} ms (DOM ${k.sides['react-vault'].domMs} ms; ${k.sides['react-vault'].visible} visible)`,
    times(k.ratio),
  ]);
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: readonly string[]) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const env = result.environment;
  const out = [
    '',
    `vault-connect vs ${result.setup.reactVault.split(':')[0]} (${result.setup.react}); sandbox Vault API on 127.0.0.1; medians of ${result.runs} interleaved runs, fresh page each`,
    `Chromium ${env.chromium}, ${env.cpu ?? 'unknown CPU'} ×${env.cores}, Node ${env.node}; load average ${env.loadAverageBefore.map((l) => l.toFixed(1)).join('/')} before, ${env.loadAverageAfter.map((l) => l.toFixed(1)).join('/')} after; ${result.wallSeconds} s`,
    line(rows[0]),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.slice(1).map(line),
    '',
    `targets: ${result.targets.javascript.target}: ${result.targets.javascript.met ? 'met' : 'NOT met'} (${times(result.targets.javascript.ratio)}); ` +
      `${result.targets.fullList1000.target}: ${result.targets.fullList1000.met === null ? 'not measured' : result.targets.fullList1000.met ? 'met' : 'NOT met'} (${times(result.targets.fullList1000.ratio)}; ${result.targets.fullList1000.note})`,
    `react-vault also ships ${kB(result.reactVaultCss.gzipBytes)} of CSS (gzip), not counted; ${result.setup.notes[0]}.`,
  ];
  if (Math.max(env.loadAverageBefore[0], env.loadAverageAfter[0]) > env.cores) {
    out.push(`warning: the machine was busy (load above ${env.cores}): absolute times are inflated for both sides; ratios are less affected`);
  }
  for (const side of SIDES) {
    if (result.console[side].length) out.push(`${side} console: ${result.console[side].slice(0, 5).join(' | ')}${result.console[side].length > 5 ? ` (+${result.console[side].length - 5} more)` : ''}`);
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------------
// CLI

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const option = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const runs = option('runs');
  const sizes = option('sizes');
  const dir = option('vault-connect-dir');
  const result = await runComparison({
    ...(runs ? { runs: Number(runs) } : {}),
    ...(sizes ? { sizes: sizes.split(',').map(Number) } : {}),
    ...(dir ? { vaultConnectDir: dir } : {}),
  });
  console.log(formatComparison(result));
}
