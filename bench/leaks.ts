/**
 * Leaks, as heap figures: the component test's cycles (`test/component/leaks/resource-counts.test.ts` counts listeners,
 * timers, channels, iframes, popups and storage keys) run in a page with the built element, and the JavaScript heap is
 * read through the Chrome DevTools Protocol before and after.
 *
 *   node --import tsx bench/leaks.ts [--cycles=200] [--attach-cycles=100] [--warmup=3] [--retain=0] [--dist]
 *
 * Per scenario — 200 flows started and cancelled of each kind (the embedded Vault through `vaultModal`, Hosted Vault
 * with `open-mode="popup"`, `open-mode="direct"`, VaultRE), and 100 attach/detach cycles (new elements loaded, still
 * loading or drawing a 1,000-row list, and one element removed in the middle of each kind of flow) — a fresh page
 * (Debian's Chromium through playwright-core) runs `--warmup` × the cycles as a warm-up (see `LeaksOptions.warmup`),
 * then: `HeapProfiler.collectGarbage` (three times), `Runtime.getHeapUsage` and `Performance.getMetrics`
 * (JSHeapUsedSize, JSEventListeners, Nodes, Documents, Frames); the cycles; the same readings again. Growth must stay
 * under 5% of the heap before. The page's stand-ins (`bench/leaks-harness.ts`) keep nothing of a finished cycle, so
 * what the heap keeps is the element's doing. `--retain=1024` makes the page keep 1 KiB per cycle on purpose: a
 * control that must fail.
 *
 * The bundle: `vite build` of the current sources into a temporary directory (the default), `dist/` with `--dist`, or
 * the directory `bench/run.ts` has already built (`root`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import ts from 'typescript';
import { build } from 'vite';
import { SEED_CONNECTOR_COUNT, seedConnections } from '../src/sandbox/seed.ts';
import type { CycleReport } from './leaks-harness.ts';
import { CHROMIUM, CHROMIUM_ARGS, startStaticServer } from './lib/static-server.ts';

export type LeakScenario = 'modal' | 'hosted' | 'direct' | 'vaultre' | 'attach';
export const LEAK_SCENARIOS: readonly LeakScenario[] = ['modal', 'hosted', 'direct', 'vaultre', 'attach'];
const LABELS: Record<LeakScenario, string> = {
  modal: 'embedded Vault (vaultModal)',
  hosted: 'Hosted Vault popup (open-mode="popup")',
  direct: 'direct authorize popup (open-mode="direct")',
  vaultre: 'VaultRE popup',
  attach: 'attach/detach (mid-flow)',
};

/** Heap and DevTools counters at one moment, after a forced GC. */
export interface HeapReading {
  /** `Runtime.getHeapUsage().usedSize`, bytes. */
  usedBytes: number;
  /** `Performance.getMetrics` JSHeapUsedSize, bytes. */
  jsHeapUsedSize: number;
  jsEventListeners: number;
  nodes: number;
  documents: number;
  frames: number;
}

export interface LeakScenarioResult {
  scenario: LeakScenario;
  label: string;
  cycles: number;
  warmupCycles: number;
  before: HeapReading;
  after: HeapReading;
  growthBytes: number;
  growthPercent: number;
  bytesPerCycle: number;
  /** Wall time of the measured cycles. */
  ms: number;
  report: CycleReport;
  pass: boolean;
}

export interface LeaksResult {
  limitPercent: number;
  method: string;
  scenarios: LeakScenarioResult[];
  pass: boolean;
}

export interface LeaksOptions {
  /** Flows per flow scenario (default 200). */
  cycles?: number;
  /** Attach/detach cycles (default 100). */
  attachCycles?: number;
  /**
   * Warm-up, as a multiple of the measured cycles (default 3: 600 flows, 300 attach/detach cycles). Measured: V8's
   * optimised code for the hot paths and its number-to-string cache (64 KiB) grow the heap by 5–8% over the first few
   * hundred cycles, then it stays flat (±1 KiB per 200 cycles); a warm-up shorter than that measures V8, not leaks.
   */
  warmup?: number;
  /** Bytes the page retains per measured cycle on purpose: a control that must fail the 5% limit (default 0). */
  retainBytesPerCycle?: number;
  /** A directory holding a built `vault-connect.js` (and its chunks); built from `src/` when absent. */
  root?: string;
  /** A running Chromium to open pages in; launched (and closed) here when absent. */
  browser?: Browser;
  /** Throw when a scenario grows by 5% or more (default true). */
  assert?: boolean;
  log?: (line: string) => void;
}

const LIMIT_PERCENT = 5;
const repo = fileURLToPath(new URL('..', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const STUB_ORIGIN = 'https://vault-api.leaks.invalid';

const PAGE = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>vault-connect leaks</title></head>
  <body>
    <script type="module">
      import '/vault-connect.js';
      import '/leaks-harness.js';
      await customElements.whenDefined('vault-connect');
      window.vcLeaksReady = true;
    </script>
  </body>
</html>`;

function harnessScript(): string {
  return ts.transpileModule(readFileSync(join(here, 'leaks-harness.ts'), 'utf8'), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    fileName: 'leaks-harness.ts',
  }).outputText;
}

function listReply(origin: string, rows = SEED_CONNECTOR_COUNT): string {
  const data = seedConnections({
    vaultApiUrl: origin,
    applicationId: 'bench-app',
    extra: rows - SEED_CONNECTOR_COUNT,
    authorizeState: (api, id) => `leaks-${api}-${id}`,
  });
  return JSON.stringify({ status_code: 200, status: 'OK', data });
}

async function builtBundle(root: string | undefined, useDist: boolean): Promise<{ dir: string; label: string; cleanup: () => void }> {
  if (root) return { dir: root, label: root, cleanup: () => {} };
  if (useDist) {
    const dist = join(repo, 'dist');
    if (!existsSync(join(dist, 'vault-connect.js'))) await build({ root: repo, configFile: join(repo, 'vite.config.ts'), logLevel: 'warn' });
    return { dir: dist, label: 'dist/vault-connect.js', cleanup: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'vault-connect-leaks-'));
  await build({ root: repo, configFile: join(repo, 'vite.config.ts'), logLevel: 'warn', build: { outDir: dir, emptyOutDir: true, sourcemap: false } });
  return { dir, label: 'vite build of src/ in a temp dir', cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function reading(cdp: CDPSession): Promise<HeapReading> {
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? Number.NaN;
  return {
    usedBytes: usedSize,
    jsHeapUsedSize: metric('JSHeapUsedSize'),
    jsEventListeners: metric('JSEventListeners'),
    nodes: metric('Nodes'),
    documents: metric('Documents'),
    frames: metric('Frames'),
  };
}

async function scenarioRun(
  browser: Browser,
  url: string,
  scenario: LeakScenario,
  cycles: number,
  warmup: number,
  retain: number,
): Promise<LeakScenarioResult> {
  const page: Page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  try {
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { vcLeaksReady?: boolean }).vcLeaksReady === true, undefined, { timeout: 15_000 });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.evaluate(() => window.vcLeaks.install());
    await page.evaluate((s) => window.vcLeaks.setup(s), scenario);
    // The warm-up starts with a cycle that waits for its flow to open (see `run` in the harness).
    await page.evaluate(([s, n]) => window.vcLeaks.run(s, n, 1), [scenario, warmup] as const);
    const before = await reading(cdp);
    const report = await page.evaluate(([s, n, from, bytes]) => window.vcLeaks.run(s, n, from, bytes), [scenario, cycles, warmup + 1, retain] as const);
    const after = await reading(cdp);
    await cdp.detach();
    if (pageErrors.length > 0) throw new Error(`the ${scenario} page threw: ${pageErrors.join('; ')}`);
    if (report.errors.length > 0) throw new Error(`the ${scenario} cycles reported errors: ${report.errors.join(', ')}`);
    if (report.popupsOpened !== report.popupsClosed) throw new Error(`${scenario}: ${report.popupsOpened} popups opened, ${report.popupsClosed} closed`);
    if (report.modalOpens !== report.modalCloses) throw new Error(`${scenario}: ${report.modalOpens} modals opened, ${report.modalCloses} closed`);
    const growthBytes = after.usedBytes - before.usedBytes;
    const growthPercent = (growthBytes / before.usedBytes) * 100;
    return {
      scenario,
      label: LABELS[scenario],
      cycles,
      warmupCycles: warmup,
      before,
      after,
      growthBytes,
      growthPercent: Math.round(growthPercent * 100) / 100,
      bytesPerCycle: Math.round(growthBytes / cycles),
      ms: Math.round(report.ms),
      report,
      pass: growthPercent < LIMIT_PERCENT,
    };
  } finally {
    await page.close();
  }
}

/** Runs every scenario and returns the heap figures (throws on 5% growth or more unless `assert: false`). */
export async function benchLeaks(options: LeaksOptions = {}): Promise<LeaksResult> {
  const cycles = options.cycles ?? 200;
  const attachCycles = options.attachCycles ?? 100;
  const warmup = options.warmup ?? 3;
  const retain = options.retainBytesPerCycle ?? 0;
  const log = options.log ?? (() => undefined);
  const bundle = await builtBundle(options.root, process.argv.includes('--dist'));
  const server = await startStaticServer(bundle.dir, {
    '/': { type: 'text/html; charset=utf-8', body: PAGE },
    '/leaks-harness.js': { type: 'text/javascript; charset=utf-8', body: harnessScript() },
    '/data/list.json': { type: 'application/json', body: listReply(STUB_ORIGIN) },
    '/data/long.json': { type: 'application/json', body: listReply('https://long-vault-api.leaks.invalid', 1000) },
  });
  const browser = options.browser ?? (await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true }));
  const scenarios: LeakScenarioResult[] = [];
  try {
    for (const scenario of LEAK_SCENARIOS) {
      const count = scenario === 'attach' ? attachCycles : cycles;
      const result = await scenarioRun(browser, `${server.url}/`, scenario, count, Math.round(count * warmup), retain);
      scenarios.push(result);
      log(
        `leaks ${scenario.padEnd(7)} ${result.cycles} cycles: heap ${kb(result.before.usedBytes)} → ${kb(result.after.usedBytes)} ` +
          `(${signed(result.growthPercent)}%, ${result.bytesPerCycle} B/cycle), listeners ${result.before.jsEventListeners} → ${result.after.jsEventListeners}, ` +
          `nodes ${result.before.nodes} → ${result.after.nodes}, ${result.ms} ms`,
      );
    }
  } finally {
    if (!options.browser) await browser.close();
    await server.close();
    bundle.cleanup();
  }
  const result: LeaksResult = {
    limitPercent: LIMIT_PERCENT,
    method:
      `fresh page per scenario with the built element (${bundle.label}); ${warmup}× the measured cycles as warm-up; then HeapProfiler.collectGarbage ×3, ` +
      'Runtime.getHeapUsage usedSize (and Performance.getMetrics), the measured cycles, the same again; growth = after − before',
    scenarios,
    pass: scenarios.every((s) => s.pass),
  };
  if ((options.assert ?? true) && !result.pass) {
    const failed = scenarios.filter((s) => !s.pass).map((s) => `${s.scenario} +${s.growthPercent}%`);
    throw new Error(`JS heap grew by ${LIMIT_PERCENT}% or more: ${failed.join(', ')}`);
  }
  return result;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;

/** The result as Markdown table rows (for `bench/run.ts` and the standalone run). */
export function leaksTable(result: LeaksResult): string[] {
  const rows = [
    ['scenario', 'cycles', 'heap before', 'heap after', 'growth', 'per cycle', 'listeners', 'DOM nodes', `< ${result.limitPercent}%`],
    ...result.scenarios.map((s) => [
      s.label,
      String(s.cycles),
      kb(s.before.usedBytes),
      kb(s.after.usedBytes),
      `${signed(s.growthPercent)}%`,
      `${s.bytesPerCycle} B`,
      `${s.before.jsEventListeners} → ${s.after.jsEventListeners}`,
      `${s.before.nodes} → ${s.after.nodes}`,
      s.pass ? 'met' : 'NOT met',
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: readonly string[]) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.slice(1).map(line)];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const count = (name: string, fallback: number) => {
    const value = Number(arg(name) ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
    return value;
  };
  const result = await benchLeaks({
    cycles: count('cycles', 200),
    attachCycles: count('attach-cycles', 100),
    warmup: count('warmup', 3),
    retainBytesPerCycle: Number(arg('retain') ?? 0),
    assert: false,
    log: (line) => console.log(line),
  });
  console.log('');
  for (const line of leaksTable(result)) console.log(line);
  const floor = Math.min(...result.scenarios.map((s) => (s.before.usedBytes * result.limitPercent) / 100 / s.cycles));
  console.log(`JS heap growth < ${result.limitPercent}% in every scenario: ${result.pass ? 'PASS' : 'FAIL'} (fails from about ${Math.round(floor)} B retained per cycle)`);
  process.exitCode = result.pass ? 0 : 1;
}
