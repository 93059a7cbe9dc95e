/**
 * `npm run bench`: how fast `<vault-connect>` draws long lists and filters them, in headless Chromium (Debian's
 * `/usr/bin/chromium` through playwright-core), on the minified bundle a host ships.
 *
 *   node --import tsx bench/run.ts [--source=stub|sandbox] [--dist] [--runs=5] [--sizes=100,1000,5000]
 *
 * --source=stub     (default) the page answers `GET /vault/connections` from memory: the reply text (built with the
 *                   sandbox seed) is downloaded before timing starts, so no network time is measured, but the element
 *                   still does all of its own work (Response.json, zod validation, grouping, rendering).
 * --source=sandbox  the element talks to the sandbox Vault API emulator (`startSandbox({extra})`) over HTTP on
 *                   127.0.0.1, with a real session JWT: includes the emulator and loopback network.
 * --dist            use the existing `dist/vault-connect.js` (built first if missing) instead of building the current
 *                   sources into a temporary directory (the default, so the numbers are for the code in `src/`).
 *
 * Render: a fresh page per run; `performance.now()` just before `document.body.append(el)`, end when the shadow root
 * holds N `[part="connection"]` rows (a windowed list, over 200 rows: the rows near the viewport, after the ready
 * event and `updateComplete`) and one `requestAnimationFrame` has passed. Keystroke: at 1,000 rows, set the
 * search input's value, dispatch `input`, await `el.updateComplete`, then one rAF. Medians of `--runs` runs.
 * Then: the VaultRE callback path, leaks, the comparison with Apideck's React component, and what a Vite app that
 * already uses Lit ships with each of the element's builds (bench/lit-dedupe.ts), and the import command (bench/import.ts):
 * 10,000 rows with 5% 429s and 1% 500s injected, and its memory at 100,000. Writes `bench/results.json`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import ts from 'typescript';
import { build } from 'vite';
import { seedConnections, SEED_CONNECTOR_COUNT } from '../src/sandbox/seed.ts';
import { CHROMIUM, CHROMIUM_ARGS, startStaticServer, type StaticRoute } from './lib/static-server.ts';
import { benchVaultreCallback } from './vaultre-callback.ts';
import { benchLeaks, leaksTable, type LeaksResult } from './leaks.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));

// ---------------------------------------------------------------------------------------------------------------------
// Options

function option(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

const source = (option('source') ?? 'stub') as 'stub' | 'sandbox';
if (source !== 'stub' && source !== 'sandbox') throw new Error(`--source must be stub or sandbox, not ${String(source)}`);
const useDist = process.argv.includes('--dist');
const runs = Number(option('runs') ?? 5);
const sizes = (option('sizes') ?? '100,1000,5000').split(',').map(Number);
const KEYSTROKE_ROWS = 1000;
/** Typing "sales" and clearing it: the first and last keystrokes toggle almost every row, the others only a few. */
const QUERIES = ['s', 'sa', 'sal', 'sale', 'sales', ''];
const TARGETS = { render1000Ms: 100, keystrokeMs: 16, firstPaint100Ms: 50 };

// ---------------------------------------------------------------------------------------------------------------------
// Helpers

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round = (value: number) => Math.round(value * 10) / 10;

interface Timing {
  /** Connected → the first task after the frame that painted the first rows (a long list renders in slices). */
  firstPaintMs: number;
  domMs: number;
  rafMs: number;
  paintMs: number;
  /** Rows in the DOM at the end (fewer than N when the list is windowed). */
  drawnRows: number;
}

/** Timings plus the main thread's share: the update, then the frame's style/layout/paint (rAF → next task). */
interface Summary extends Timing {
  workMs: number;
}

interface KeystrokeTiming extends Timing {
  query: string;
  visible: number;
}

function medians(samples: readonly Timing[]): Summary {
  return {
    firstPaintMs: round(median(samples.map((s) => s.firstPaintMs))),
    domMs: round(median(samples.map((s) => s.domMs))),
    rafMs: round(median(samples.map((s) => s.rafMs))),
    paintMs: round(median(samples.map((s) => s.paintMs))),
    workMs: round(median(samples.map((s) => s.domMs + (s.paintMs - s.rafMs)))),
    drawnRows: median(samples.map((s) => s.drawnRows)),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The bundle

async function bundleDir(): Promise<{ dir: string; label: string; cleanup: () => void }> {
  if (useDist) {
    const dist = join(repo, 'dist');
    if (!existsSync(join(dist, 'vault-connect.js'))) {
      console.log('dist/vault-connect.js is missing: running vite build');
      await build({ root: repo, configFile: join(repo, 'vite.config.ts'), logLevel: 'warn' });
    }
    return { dir: dist, label: 'dist/vault-connect.js', cleanup: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'vault-connect-bench-'));
  await build({
    root: repo,
    configFile: join(repo, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: true, sourcemap: false },
  });
  return { dir, label: 'vite build of src/ (repo vite.config.ts, minified) in a temp dir', cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function harnessScript(): string {
  const source = readFileSync(join(here, 'harness.ts'), 'utf8');
  return ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    fileName: 'harness.ts',
  }).outputText;
}

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>vault-connect bench</title>
    <style>body { margin: 0; font-family: system-ui, sans-serif; } vault-connect { max-width: 760px; }</style>
  </head>
  <body>
    <script type="module">
      import '/vault-connect.js';
      import '/harness.js';
      await customElements.whenDefined('vault-connect');
      window.vcBenchReady = true;
    </script>
  </body>
</html>`;

// ---------------------------------------------------------------------------------------------------------------------
// Data sources

interface PageSource {
  /** Points the page's element at its data for `n` rows; returns the `Source` the harness takes. */
  prepare(page: Page, n: number): Promise<{ origin: string; token: string }>;
  close(): Promise<void>;
}

function listReply(n: number, vaultApiUrl: string): string {
  const data = seedConnections({
    vaultApiUrl,
    applicationId: 'bench-app',
    extra: n - SEED_CONNECTOR_COUNT,
    authorizeState: (api, id) => `bench-${api}-${id}`,
  });
  if (data.length !== n) throw new Error(`seed gave ${data.length} connections, wanted ${n}`);
  return JSON.stringify({ status_code: 200, status: 'OK', data });
}

function stubSource(routes: Record<string, StaticRoute>): PageSource {
  for (const n of new Set([...sizes, KEYSTROKE_ROWS])) {
    routes[`/data/${n}.json`] = { type: 'application/json', body: listReply(n, 'https://vault-api.bench.invalid') };
  }
  return {
    prepare: (page, n) => page.evaluate((rows) => window.vcBench.useStub(rows), n),
    close: () => Promise.resolve(),
  };
}

async function sandboxSource(): Promise<PageSource> {
  const { startSandbox } = await import('../src/sandbox/index.ts');
  const sandboxes = new Map<number, Awaited<ReturnType<typeof startSandbox>>>();
  const consumer = 'bench-consumer';
  return {
    async prepare(_page, n) {
      let sandbox = sandboxes.get(n);
      if (!sandbox) {
        sandbox = await startSandbox({ extra: n - SEED_CONNECTOR_COUNT });
        sandboxes.set(n, sandbox);
        // The emulator builds a consumer's copy of the seed on first use: do that before timing.
        const token = await sandbox.vaultApi.createSessionToken(consumer);
        const warm = await fetch(`${sandbox.vaultApiUrl}/vault/connections`, {
          headers: { authorization: `Bearer ${token}`, 'x-apideck-auth-type': 'JWT', 'x-apideck-app-id': sandbox.applicationId, 'x-apideck-consumer-id': consumer },
        });
        if (!warm.ok) throw new Error(`sandbox warm-up answered ${warm.status}: ${await warm.text()}`);
        const { data } = (await warm.json()) as { data: unknown[] };
        if (data.length !== n) throw new Error(`sandbox lists ${data.length} connections, wanted ${n}`);
      }
      return { origin: sandbox.vaultApiUrl, token: await sandbox.vaultApi.createSessionToken(consumer) };
    },
    async close() {
      await Promise.all([...sandboxes.values()].map((sandbox) => sandbox.close()));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Main

const loadBefore = loadavg();
const bundle = await bundleDir();
const bundleFile = join(bundle.dir, 'vault-connect.js');
const bundleBytes = statSync(bundleFile).size;
const bundleGzip = gzipSync(readFileSync(bundleFile)).length;

const routes: Record<string, StaticRoute> = {
  '/': { type: 'text/html; charset=utf-8', body: PAGE },
  '/harness.js': { type: 'text/javascript; charset=utf-8', body: harnessScript() },
};
const data = source === 'stub' ? stubSource(routes) : await sandboxSource();
// The build output is the server's root (`/vault-connect.js`, `/chunks/…`); the page, harness and data are in memory.
const server = await startStaticServer(bundle.dir, routes);

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
const chromiumVersion = browser.version();

async function freshPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => (window as unknown as { vcBenchReady?: boolean }).vcBenchReady === true, undefined, { timeout: 15_000 }).catch(() => {
    throw new Error(`the bench page did not load: ${errors.join('; ') || 'timeout'}`);
  });
  return page;
}

interface RenderResult {
  rows: number;
  median: Summary;
  samples: Summary[];
}

const renderResults: RenderResult[] = [];
/** 100 rows drawn by a second element on a page where one has drawn them already (the target is judged on a fresh page). */
const reusedPageSamples: Timing[] = [];
const keystrokeSamples: KeystrokeTiming[] = [];
let leaks: LeaksResult | undefined;
try {
  for (const n of sizes) {
    const samples: Timing[] = [];
    for (let run = 0; run < runs; run++) {
      const page = await freshPage();
      const pageSource = await data.prepare(page, n);
      samples.push(await page.evaluate(([rows, src]) => window.vcBench.render(rows, src), [n, pageSource] as const));
      await page.close();
    }
    const m = medians(samples);
    renderResults.push({ rows: n, median: m, samples: samples.map((sample) => medians([sample])) });
    console.log(`render ${String(n).padStart(5)} rows: ${m.rafMs} ms (DOM ${m.domMs} ms, painted ${m.paintMs} ms; first rows painted ${m.firstPaintMs} ms)`);
  }
  // As after a single-page app's navigation back to its settings: the module, its templates, its stylesheet and its
  // schemas have been used once on this page, so only the element's own work for this list is timed.
  if (sizes.includes(100)) {
    for (let run = 0; run < runs; run++) {
      const page = await freshPage();
      const pageSource = await data.prepare(page, 100);
      await page.evaluate(([rows, src]) => window.vcBench.render(rows, src), [100, pageSource] as const);
      reusedPageSamples.push(await page.evaluate(([rows, src]) => window.vcBench.render(rows, src), [100, pageSource] as const));
      await page.close();
    }
  }
  for (let run = 0; run < runs; run++) {
    const page = await freshPage();
    const pageSource = await data.prepare(page, KEYSTROKE_ROWS);
    await page.evaluate(([rows, src]) => window.vcBench.render(rows, src), [KEYSTROKE_ROWS, pageSource] as const);
    keystrokeSamples.push(...(await page.evaluate((queries) => window.vcBench.keystrokes(queries), QUERIES)));
    await page.close();
  }
  // Leaks (bench/leaks.ts): flows and attach/detach cycles on the same bundle, JS heap before/after through CDP.
  leaks = await benchLeaks({ root: bundle.dir, browser, assert: false });
} finally {
  await browser.close();
  await server.close();
  await data.close();
  bundle.cleanup();
}

// ---------------------------------------------------------------------------------------------------------------------
// Report

const keystroke = medians(keystrokeSamples);
const perQuery = QUERIES.map((query) => {
  const samples = keystrokeSamples.filter((s) => s.query === query);
  return { query, visible: samples[0]?.visible ?? 0, ...medians(samples) };
});
const worstQuery = perQuery.reduce((a, b) => (b.workMs > a.workMs ? b : a));
const render1000 = renderResults.find((r) => r.rows === 1000)?.median;

type Row = [string, string, string, string, string, string];
const cells = (label: string, t: Summary): Row => [label, String(t.firstPaintMs), String(t.rafMs), String(t.domMs), String(t.paintMs), String(t.workMs)];
const rows: Row[] = [
  ['measurement', 'first rows painted (ms)', 'all rows, to rAF (ms)', 'DOM only (ms)', 'painted (ms)', 'main-thread work (ms)'],
  ...renderResults.map((r) =>
    cells(`connected → ${r.rows.toLocaleString('en')} rows${r.median.drawnRows < r.rows ? ` (windowed: ${r.median.drawnRows} in the DOM)` : ''}`, r.median),
  ),
  ...(reusedPageSamples.length > 0 ? [cells('connected → 100 rows, second element on the page', medians(reusedPageSamples))] : []),
  cells(`keystroke @ ${KEYSTROKE_ROWS.toLocaleString('en')} rows (median)`, keystroke),
  ...perQuery.map((q) => cells(`  "${q.query}" → ${q.visible} visible`, q)),
];
const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
const line = (row: readonly string[]) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
console.log('');
console.log(`source: ${source === 'stub' ? 'in-page fetch stub (no network)' : 'sandbox Vault API over loopback HTTP'}; bundle: ${bundle.label} (${bundleBytes} B, ${bundleGzip} B gzip)`);
console.log(
  `Chromium ${chromiumVersion}, ${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}, Node ${process.version}; medians of ${runs} runs; ` +
    `load average ${loadBefore.map((l) => l.toFixed(1)).join('/')} before, ${loadavg().map((l) => l.toFixed(1)).join('/')} after`,
);
if (Math.max(loadBefore[0], loadavg()[0]) > cpus().length) {
  console.log(`warning: the machine was busy (load above ${cpus().length} cores): wall-clock numbers are inflated; run again when it is idle`);
}
console.log('to rAF = the brief\'s metric; main-thread work = DOM only + (painted − to rAF), i.e. without the wait for the next frame');
console.log(line(rows[0]));
console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const row of rows.slice(1)) console.log(line(row));

const render100 = renderResults.find((r) => r.rows === 100)?.median;
const targets = {
  firstPaint100: { targetMs: TARGETS.firstPaint100Ms, medianMs: render100?.firstPaintMs ?? null, met: render100 ? render100.firstPaintMs < TARGETS.firstPaint100Ms : null },
  render1000: { targetMs: TARGETS.render1000Ms, medianMs: render1000?.rafMs ?? null, met: render1000 ? render1000.rafMs < TARGETS.render1000Ms : null },
  // A keystroke fits in a frame when its work (input → DOM, then that frame's style, layout and paint) takes less than
  // one. Not "to rAF": each keystroke starts just after a frame, so the next rAF is about 16.7 ms away however little
  // the keystroke costs (that figure is in the table too).
  keystroke: { targetMs: TARGETS.keystrokeMs, medianMs: keystroke.workMs, met: keystroke.workMs < TARGETS.keystrokeMs, worst: worstQuery, medianToRafMs: keystroke.rafMs },
};
console.log('');
console.log(
  `targets: 1,000 rows < ${TARGETS.render1000Ms} ms: ${targets.render1000.met === null ? 'not measured' : targets.render1000.met ? 'met' : 'NOT met'} (${targets.render1000.medianMs} ms); ` +
    `keystroke < ${TARGETS.keystrokeMs} ms of work: ${targets.keystroke.met ? 'met' : 'NOT met'} (median ${keystroke.workMs} ms, slowest "${worstQuery.query}" ${worstQuery.workMs} ms; to the next rAF ${keystroke.rafMs} ms); ` +
    `first paint at 100 rows (warm session: token given, reply in memory; fresh page) < ${TARGETS.firstPaint100Ms} ms: ${targets.firstPaint100.met === null ? 'not measured' : targets.firstPaint100.met ? 'met' : 'NOT met'} (${targets.firstPaint100.medianMs} ms` +
    `${reusedPageSamples.length > 0 ? `; a second element on the same page: ${medians(reusedPageSamples).firstPaintMs} ms` : ''})`,
);

// VaultRE: the callback page's load (its timeOrigin) → the code's arrival at the host endpoint, built callback page.
const vaultreCallback = await benchVaultreCallback({ runs: 5, variants: ['built'] });
const vaultreBuilt = vaultreCallback.variants[0];
console.log(
  `VaultRE callback page → code at the host: median ${vaultreBuilt?.medianMs} ms (${vaultreCallback.runs} runs; target < ${vaultreCallback.targetMs} ms: ${vaultreCallback.pass ? 'met' : 'NOT met'})`,
);

if (leaks) {
  console.log('');
  console.log(`leaks: JS heap after a forced GC, before → after the cycles (bench/leaks.ts); target growth < ${leaks.limitPercent}%: ${leaks.pass ? 'met' : 'NOT met'}`);
  for (const row of leaksTable(leaks)) console.log(row);
}

// Side by side with Apideck's own @apideck/react-vault, on the same sandbox data (bench/compare.ts).
const { runComparison, formatComparison } = await import('./compare.ts');
const comparison = await runComparison({ runs, sizes, ...(useDist ? { vaultConnectDir: join(repo, 'dist') } : {}) });
console.log(formatComparison(comparison));

// A Vite app that already uses Lit: what it ships with each of the element's builds (bench/lit-dedupe.ts).
const { benchLitDedupe, litDedupeTable } = await import('./lit-dedupe.ts');
const litDedupe = await benchLitDedupe({ useDist });
console.log('');
console.log('A Vite app that already uses Lit, adding <vault-connect> (bench/lit-app/, Vite defaults):');
for (const row of litDedupeTable(litDedupe)) console.log(row);
// The migration command: 10,000 rows through dist/cli.js with 429s and 500s injected, and its memory at 100,000 rows
// (bench/import.ts).
const { benchImport, importBenchLines } = await import('./import.ts');
const importBench = await benchImport();
console.log('');
for (const line of importBenchLines(importBench)) console.log(line);

const results = {
  date: new Date().toISOString(),
  source,
  bundle: { label: bundle.label, bytes: bundleBytes, gzipBytes: bundleGzip },
  environment: {
    chromium: chromiumVersion,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    node: process.version,
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadavg(),
  },
  runs,
  method: {
    renderOnReusedPage: 'the same, for a second element on a page where a first one has drawn the same 100 rows and been removed',
    render: 'fresh page per run; performance.now() before document.body.append(el); rafMs = first rAF after the shadow root holds N [part="connection"] rows (a windowed list: after ready + updateComplete, the rows near the viewport, drawnRows); domMs = when it holds them; paintMs = first task after that frame',
    keystroke: `at ${KEYSTROKE_ROWS} rows, each keystroke starting just after a frame: input.value = q, dispatch input, await el.updateComplete (domMs), one rAF (rafMs), next task (paintMs); queries ${JSON.stringify(QUERIES)} per run`,
    workMs: 'domMs + (paintMs - rafMs): the main thread\'s work without the wait for the next frame',
  },
  render: renderResults,
  renderOnReusedPage: reusedPageSamples.length > 0 ? { rows: 100, median: medians(reusedPageSamples), samples: reusedPageSamples.map((sample) => medians([sample])) } : null,
  keystroke: { rows: KEYSTROKE_ROWS, median: keystroke, perQuery, samples: keystrokeSamples },
  targets,
  vaultreCallback,
  leaks,
  comparison,
  litDedupe,
  import: importBench,
};
writeFileSync(join(here, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote bench/results.json`);
if ((leaks && !leaks.pass) || !importBench.pass) process.exitCode = 1;
