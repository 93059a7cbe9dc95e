/**
 * What-if measurements behind the benchmark's findings, without touching `src/`: each variant copies `src/` to a
 * temporary directory, applies a small source patch (or changes the data), builds it with the repo's Vite config and
 * takes the same timings as `bench/run.ts` (in-page fetch stub, minified bundle, fresh page per run). Runs are
 * interleaved across variants so that a busy machine slows them all alike.
 *
 *   node --import tsx bench/experiments.ts [--rows=1000] [--runs=5] [--only=baseline,memo-rows]
 *
 * A patch whose anchor text is no longer in `src/` is reported and skipped: the experiment is then out of date.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import ts from 'typescript';
import { build } from 'vite';
import { seedConnections, SEED_CONNECTOR_COUNT } from '../src/sandbox/seed.ts';
import { CHROMIUM, CHROMIUM_ARGS, startStaticServer, type StaticRoute } from './lib/static-server.ts';
import { CPU_TRACE_CATEGORIES, cpuByMeasure } from './lib/trace-cpu.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const option = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
const rows = Number(option('rows') ?? 1000);
const runs = Number(option('runs') ?? 5);
const only = option('only')?.split(',');
/** Typing "sal" then clearing it: "s" and "" toggle almost every row's `hidden`, "sa" and "sal" only a few. */
const QUERIES = ['s', 'sa', 'sal', ''];

// ---------------------------------------------------------------------------------------------------------------------
// Source patches

type Files = Map<string, string>;
type Patch = (files: Files) => void;

function replaceIn(files: Files, file: string, find: string | RegExp, replacement: string | (() => string)): void {
  const text = files.get(file);
  if (text === undefined) throw new Error(`${file} is missing`);
  // A string replacement may use $1; a function's result is inserted as it is.
  const next = typeof replacement === 'string' ? text.replace(find, replacement) : text.replace(find, replacement);
  if (next === text) throw new Error(`anchor not found in ${file}: ${String(find).slice(0, 80)}`);
  files.set(file, next);
}

const ROW = 'src/internal/templates/connection-row.ts';
const LIST = 'src/internal/controllers/list-controller.ts';

/** Each action button from its own static template: part, class, data-action fixed; label, text and disabled bound. */
const staticButtons: Patch = (files) => {
  replaceIn(
    files,
    ROW,
    /\$\{actions\.map\(\s*\(action\) => html`<button[\s\S]*?<\/button>`,\s*\)\}/,
    '${actions.map((action) => BUTTONS[action](strings.actionLabel(strings.action[action], name), strings.action[action], busy || (ctx.flowOpen && OPENS_FLOW.has(action))))}',
  );
  replaceIn(
    files,
    ROW,
    'export function renderConnectionRow(',
    `const BUTTONS = {
  connect: (label, text, disabled) => html\`<button part="button button-connect" class="primary" type="button" data-action="connect" aria-label=\${label} ?disabled=\${disabled}>\${text}</button>\`,
  settings: (label, text, disabled) => html\`<button part="button button-settings" class="secondary" type="button" data-action="settings" aria-label=\${label} ?disabled=\${disabled}>\${text}</button>\`,
  reconnect: (label, text, disabled) => html\`<button part="button button-reconnect" class="secondary" type="button" data-action="reconnect" aria-label=\${label} ?disabled=\${disabled}>\${text}</button>\`,
  disable: (label, text, disabled) => html\`<button part="button button-disable" class="secondary" type="button" data-action="disable" aria-label=\${label} ?disabled=\${disabled}>\${text}</button>\`,
  enable: (label, text, disabled) => html\`<button part="button button-enable" class="secondary" type="button" data-action="enable" aria-label=\${label} ?disabled=\${disabled}>\${text}</button>\`,
  disconnect: (label, text, disabled) => html\`<button part="button button-disconnect" class="danger" type="button" data-action="disconnect" aria-label=\${label} ?disabled=\${disabled}>\${text}</button>\`,
} as const;

export function renderConnectionRow(`,
  );
};

/**
 * The row's TemplateResult is reused while nothing it depends on changed (a WeakMap keyed by the connection object,
 * which the controller replaces whenever the connection changes): a keystroke then costs Lit one value comparison
 * per binding instead of building 1,000 new templates and recomputing each row's status and actions.
 */
const memoRows: Patch = (files) => {
  replaceIn(files, ROW, 'export function renderConnectionRow(', 'function renderRowUncached(');
  files.set(
    ROW,
    `${files.get(ROW)}
const rowCache = new WeakMap();
export function renderConnectionRow(connection, key, ctx) {
  const hit = rowCache.get(connection);
  if (hit && hit.key === key && hit.strings === ctx.strings && hit.allow === ctx.allow && hit.pending === ctx.pending &&
      hit.error === ctx.error && hit.hidden === ctx.hidden && hit.flowOpen === ctx.flowOpen) return hit.result;
  const result = renderRowUncached(connection, key, ctx);
  rowCache.set(connection, { key, ...ctx, result });
  return result;
}
`,
  );
};

/**
 * Each row wrapped in Lit's `guard` on the values it depends on: a keystroke re-renders only the rows whose `hidden`
 * flips, and Lit skips the others without diffing their bindings.
 */
const guardRows: Patch = (files) => {
  const file = 'src/vault-connect.ts';
  replaceIn(
    files,
    file,
    /return renderConnectionRow\(connection, key, (\{[\s\S]*?\})\);/,
    'const ctx = $1;\n          return guard([connection, key, ctx.strings, ctx.allow, ctx.pending, ctx.error, ctx.hidden, ctx.flowOpen], () => renderConnectionRow(connection, key, ctx));',
  );
  replaceIn(files, file, /^(import .*\n)/m, "import { guard } from 'lit/directives/guard.js';\n$1");
};

/** The icon's `<img>` without `loading="lazy"` (every image loads at once). */
const eagerImages: Patch = (files) => {
  replaceIn(files, ROW, ' loading="lazy"', '');
};

/**
 * The icon as a CSS background instead of an `<img>`: rows that `content-visibility: auto` skips never compute their
 * style, so their images are never requested, decoded or observed. (The URL is already restricted to https: and
 * data:image/ by safeImageUrl; here it is also escaped for a CSS string.)
 */
const cssIcons: Patch = (files) => {
  replaceIn(files, ROW, /\$\{icon \? html`<img [^`]*\/>` : nothing\}/, () => '${icon ? html`<span class="img" style=${iconStyle(icon)}></span>` : nothing}');
  files.set(
    ROW,
    `${files.get(ROW)}
function iconStyle(url: string): string {
  const escaped = url.replace(/["\\\\\\n]/g, (c) => '\\\\' + c.charCodeAt(0).toString(16) + ' ');
  return 'position:absolute;inset:0;background:center/contain no-repeat url("' + escaped + '"), var(--vc-color-background)';
}
`,
  );
};

/** Measurement only: a row with one text binding, the floor for "one <li> per connection" with this pipeline. */
const minimalRow: Patch = (files) => {
  replaceIn(
    files,
    ROW,
    /export function renderConnectionRow\(connection: Connection, key: string, ctx: RowContext\): TemplateResult \{/,
    'export function renderConnectionRow(connection: Connection, key: string, ctx: RowContext): TemplateResult {\n  if (connection) return html`<li part="connection" data-service-id=${connection.service_id} ?hidden=${ctx.hidden}>${displayName(connection)}</li>`;',
  );
};

/**
 * `ConnectionSchema` as `z.object` instead of `z.looseObject`: zod 4 then takes its compiled (JIT) fast path and looks
 * only at the fields it declares, instead of walking every extra field of every connection to copy it through.
 * (In src the element would keep the raw object once it validates, so hosts still get every field.)
 */
const strictSchema: Patch = (files) => {
  replaceIn(files, 'src/internal/api/schemas.ts', 'export const ConnectionSchema = z.looseObject({', 'export const ConnectionSchema = z.object({');
};

/**
 * Rows in batches: the first 60 rows render with the list, 300 more after each frame (the list controller's slices
 * with those sizes), so the first screen does not wait for the 1,000th row. "all rows" then spans several frames.
 */
const batchedRows: Patch = (files) => {
  replaceIn(files, LIST, /const FIRST_ROWS = \d+;/, 'const FIRST_ROWS = 60;');
  replaceIn(files, LIST, /const MORE_ROWS = \d+;/, 'const MORE_ROWS = 300;');
};

/** No zod validation of the list reply (measurement only: shows what validation costs). */
const noValidation: Patch = (files) => {
  replaceIn(files, 'src/internal/api/vault-client.ts', 'const parsed = schema.safeParse(json);', 'const parsed = { success: true, data: json };');
};

/** The row as committed (`git show HEAD:…`), to compare a row being reworked in the working tree against it. */
const committedRow: Patch = (files) => {
  const text = execFileSync('git', ['show', `HEAD:${ROW}`], { cwd: repo, encoding: 'utf8' });
  files.set(ROW, text);
};

/** The whole of `src/` as in another commit (`--commit=…`, default HEAD), to see what changed since. */
const committedTree: Patch = (files) => {
  const commit = option('commit') ?? 'HEAD';
  files.clear();
  const paths = execFileSync('git', ['ls-tree', '-r', '--name-only', commit, 'src'], { cwd: repo, encoding: 'utf8' }).split('\n').filter((p) => p.endsWith('.ts'));
  for (const path of paths) files.set(path, execFileSync('git', ['show', `${commit}:${path}`], { cwd: repo, encoding: 'utf8' }));
};

/** Long lists: a different slice size after the first render (`const MORE_ROWS = …` in src/vault-connect.ts). */
const moreRows = (n: number): Patch => (files) => replaceIn(files, LIST, /const MORE_ROWS = \d+;/, `const MORE_ROWS = ${n};`);

interface Variant {
  name: string;
  note: string;
  patches: Patch[];
  data: 'full' | 'bare' | 'https';
  /** The page around the element: empty (the default), or a host's settings page that has painted its own text first. */
  page?: 'blank' | 'host';
}

/** A settings page as a host has it: a heading, a paragraph and a button in the system font, painted before the element. */
const HOST_PAGE = `<style>body { font-family: system-ui, sans-serif; margin: 2rem; }</style>
  <h1>Settings</h1><p>Manage the <strong>apps</strong> connected to your account.</p><button type="button">Save</button>`;

const allVariants: Variant[] = [
  { name: 'baseline', note: 'src/ as it is', patches: [], data: 'full' },
  { name: 'slices-1000', note: 'long lists: 1,000 rows per slice after the first', patches: [moreRows(1000)], data: 'full' },
  { name: 'slices-2000', note: 'long lists: 2,000 rows per slice after the first', patches: [moreRows(2000)], data: 'full' },
  { name: 'no-slices', note: 'long lists: every row in the first render', patches: [(files) => replaceIn(files, LIST, /const FIRST_ROWS = \d+;/, 'const FIRST_ROWS = 1e9;')], data: 'full' },
  { name: 'windowed-50', note: 'lists longer than 50 rows are windowed', patches: [(files) => replaceIn(files, 'src/internal/controllers/windowing.ts', /const WINDOWED_FROM = \d+;/, 'const WINDOWED_FROM = 50;')], data: 'full' },
  { name: 'not-windowed', note: 'no windowing: every row in the DOM, in slices', patches: [(files) => replaceIn(files, 'src/internal/controllers/windowing.ts', /const WINDOWED_FROM = \d+;/, 'const WINDOWED_FROM = 1e9;')], data: 'full' },
  { name: 'windowing-on-render', note: 'the windowing chunk fetched only when a long list renders, not with the list request', patches: [(files) => replaceIn(files, 'src/internal/controllers/connections-controller.ts', /\n\s*void loadWindowing\(\)\.catch\(\(\) => undefined\);/, '')], data: 'full' },
  { name: 'windowing-preloaded', note: 'measurement only: the windowing chunk imported when the element connects', patches: [(files) => replaceIn(files, LIST, '    this.#host = host;\n  }', '    this.#host = host;\n    this.#loadWindowing();\n  }')], data: 'full' },
  { name: 'dom-first-15', note: 'no windowing, 15 rows in the first render', patches: [(files) => replaceIn(files, 'src/internal/controllers/windowing.ts', /const WINDOWED_FROM = \d+;/, 'const WINDOWED_FROM = 1e9;'), (files) => replaceIn(files, LIST, /const FIRST_ROWS = \d+;/, 'const FIRST_ROWS = 15;')], data: 'full' },
  { name: 'first-15', note: 'long lists: 15 rows in the first render', patches: [(files) => replaceIn(files, LIST, /const FIRST_ROWS = \d+;/, 'const FIRST_ROWS = 15;')], data: 'full' },
  { name: 'first-12', note: 'long lists: 12 rows in the first render', patches: [(files) => replaceIn(files, LIST, /const FIRST_ROWS = \d+;/, 'const FIRST_ROWS = 12;')], data: 'full' },
  { name: 'overhang-100', note: 'measurement only: windowed lists draw 100 px beyond the viewport instead of 600', patches: [(files) => replaceIn(files, 'src/internal/controllers/windowed-rows.ts', /const OVERHANG = \d+;/, 'const OVERHANG = 100;')], data: 'full' },
  { name: 'first-100', note: 'long lists: 100 rows in the first render', patches: [(files) => replaceIn(files, LIST, /const FIRST_ROWS = \d+;/, 'const FIRST_ROWS = 100;')], data: 'full' },
  { name: 'slices-rest', note: 'long lists: the first slice, then every other row at once', patches: [moreRows(1e9)], data: 'full' },
  { name: 'committed-tree', note: 'src/ as in --commit (default HEAD)', patches: [committedTree], data: 'full' },
  { name: 'committed-row', note: 'src/ with src/internal/templates/connection-row.ts as in HEAD', patches: [committedRow], data: 'full' },
  { name: 'baseline-https', note: 'src/ as it is, https: icons', patches: [], data: 'https' },
  { name: 'committed-row-https', note: 'committed-row, https: icons', patches: [committedRow], data: 'https' },
  { name: 'no-images', note: 'connections without icon/logo (no <img> per row, 5x smaller reply)', patches: [], data: 'bare' },
  { name: 'https-icons', note: 'icon/logo as short https: URLs, as the real Vault API sends them', patches: [], data: 'https' },
  { name: 'host-page', note: 'src/ as it is, in a settings page that painted its own text (fonts in use) first', patches: [], data: 'full', page: 'host' },
  { name: 'minimal-row-host-page', note: 'minimal-row in that settings page', patches: [minimalRow], data: 'full', page: 'host' },
  { name: 'minimal-row', note: 'measurement only: <li> with one text binding per connection', patches: [minimalRow], data: 'full' },
  { name: 'no-validation', note: 'list reply not validated with zod', patches: [noValidation], data: 'full' },
  { name: 'zod-object', note: 'ConnectionSchema as z.object (zod JIT fast path) instead of z.looseObject', patches: [strictSchema], data: 'full' },
  { name: 'batched-rows', note: 'first 60 rows at once, then 300 per frame', patches: [batchedRows], data: 'full' },
  { name: 'batched+zod-object', note: 'batched-rows + zod-object', patches: [batchedRows, strictSchema], data: 'full' },
  { name: 'batched+no-validation', note: 'measurement only: batched-rows + no-validation', patches: [batchedRows, noValidation], data: 'full' },
  { name: 'batched+no-images', note: 'measurement only: batched-rows, reply without data: URL icons', patches: [batchedRows], data: 'bare' },
  { name: 'static-buttons', note: 'one static template per action button', patches: [staticButtons], data: 'full' },
  { name: 'memo-rows', note: 'row TemplateResult reused while its inputs are unchanged', patches: [memoRows], data: 'full' },
  { name: 'static+memo', note: 'static-buttons + memo-rows', patches: [staticButtons, memoRows], data: 'full' },
  { name: 'guard-rows', note: "each row in lit's guard() on its inputs", patches: [guardRows], data: 'full' },
  { name: 'eager-images', note: 'icons without loading="lazy"', patches: [eagerImages], data: 'full' },
  { name: 'css-icons', note: 'icons as CSS backgrounds instead of <img>', patches: [cssIcons], data: 'full' },
  {
    name: 'combined',
    note: 'zod-object + static-buttons + guard-rows',
    patches: [strictSchema, staticButtons, guardRows],
    data: 'full',
  },
];
const variants = allVariants.filter((v) => !only || only.includes(v.name));

// ---------------------------------------------------------------------------------------------------------------------
// Builds

const work = mkdtempSync(join(tmpdir(), 'vault-connect-experiments-'));
const baseFiles: Files = new Map();
function readTree(dir: string): void {
  for (const entry of ts.sys.readDirectory(join(repo, dir), ['.ts'], undefined, undefined)) {
    baseFiles.set(entry.slice(repo.length), readFileSync(entry, 'utf8'));
  }
}
readTree('src');

async function buildVariant(variant: Variant): Promise<string | undefined> {
  const root = join(work, variant.name);
  const files: Files = new Map(baseFiles);
  try {
    for (const patch of variant.patches) patch(files);
  } catch (error) {
    console.log(`skipped ${variant.name}: ${(error as Error).message}`);
    return undefined;
  }
  for (const [path, text] of files) ts.sys.writeFile(join(root, path), text);
  cpSync(join(repo, 'package.json'), join(root, 'package.json'));
  // tsconfig.json matters: without `useDefineForClassFields: false` the build emits class fields that shadow Lit's
  // reactive accessors and the search box stops filtering.
  for (const file of ['vite.config.ts', 'tsconfig.json', 'scripts/vite-private-css-names.ts']) cpSync(join(repo, file), join(root, file));
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  const outDir = join(root, 'out');
  await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true, sourcemap: false } });
  return outDir;
}

// ---------------------------------------------------------------------------------------------------------------------
// Page and data

const full = seedConnections({
  vaultApiUrl: 'https://vault-api.bench.invalid',
  applicationId: 'bench-app',
  extra: rows - SEED_CONNECTOR_COUNT,
  authorizeState: () => 'bench',
});
const bare = full.map(({ icon: _icon, logo: _logo, ...rest }) => rest);
const https = full.map((c) => ({
  ...c,
  icon: `https://icons.bench.invalid/${c.service_id}/icon.png`,
  logo: `https://icons.bench.invalid/${c.service_id}/logo.png`,
}));
const reply = (data: unknown) => JSON.stringify({ status_code: 200, status: 'OK', data });
const harness = ts.transpileModule(readFileSync(join(here, 'harness.ts'), 'utf8'), {
  compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
}).outputText;
const routes: Record<string, StaticRoute> = {
  '/harness.js': { type: 'text/javascript', body: harness },
  '/data/full.json': { type: 'application/json', body: reply(full) },
  '/data/bare.json': { type: 'application/json', body: reply(bare) },
  '/data/https.json': { type: 'application/json', body: reply(https) },
};
const built = new Map<string, string>();
for (const variant of variants) {
  const out = await buildVariant(variant);
  if (!out) continue;
  built.set(variant.name, out);
  routes[`/${variant.name}/`] = {
    type: 'text/html; charset=utf-8',
    body: `<!doctype html><html lang="en"><body>${variant.page === 'host' ? HOST_PAGE : ''}<script type="module">
      import '/${variant.name}/out/vault-connect.js'; import '/harness.js';
      await customElements.whenDefined('vault-connect'); window.vcBenchReady = true;
    </script></body></html>`,
  };
}
// The server root is the work directory: each variant's build is at /<name>/out/.
const server = await startStaticServer(work, routes);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const samples = new Map<string, number[][]>();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
try {
  for (let run = 0; run < runs; run++) {
    for (const variant of variants) {
      if (!built.has(variant.name)) continue;
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${server.url}/${variant.name}/`);
      await page.waitForFunction('window.vcBenchReady === true');
      const source = await page.evaluate(`window.vcBench.useStub(${rows}, '/data/${variant.data}.json')`);
      await browser.startTracing(page, { categories: CPU_TRACE_CATEGORIES });
      const render = await page.evaluate<{ firstRowsMs: number; firstPaintMs: number; rafMs: number; paintMs: number }>(`window.vcBench.render(${rows}, ${JSON.stringify(source)})`);
      const keys = await page.evaluate<{ domMs: number; rafMs: number; paintMs: number }[]>(`window.vcBench.keystrokes(${JSON.stringify(QUERIES)})`);
      const windows = cpuByMeasure(await browser.stopTracing());
      const renderCpu = windows.find((w) => w.name === 'vc-rows-rendered')?.cpuMs ?? NaN;
      const firstPaintCpu = windows.find((w) => w.name === 'vc-first-paint')?.cpuMs ?? NaN;
      const keyCpu = windows.filter((w) => w.name === 'vc-keystroke').map((w) => w.cpuMs);
      const row = [render.firstRowsMs, render.firstPaintMs, firstPaintCpu, render.rafMs, render.paintMs, renderCpu, median(keys.map((k) => k.domMs)), median(keys.map((k) => k.rafMs)), median(keyCpu), keys[0].rafMs, keyCpu[0] ?? NaN, keys[3].paintMs, keyCpu[3] ?? NaN];
      samples.set(variant.name, [...(samples.get(variant.name) ?? []), row]);
      await page.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(work, { recursive: true, force: true });
}

const header = ['variant', 'first rows', 'first painted', 'first paint CPU', 'render rAF', 'render painted', 'render CPU', 'key update (median)', 'key rAF (median)', 'key CPU (median)', 'key "s" rAF', 'key "s" CPU', 'key "" painted', 'key "" CPU'];
console.log(`\n${rows} rows, medians of ${runs} interleaved runs (ms); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('rAF/painted: wall clock as in bench/run.ts; CPU: main-thread CPU from a Chrome trace of the same run (steady on a busy machine; includes tracing overhead)');
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map((h, i) => (i === 0 ? `${'-'.repeat(h.length + 2)}` : `${'-'.repeat(h.length + 1)}:`)).join('|')}|`);
for (const variant of variants) {
  const list = samples.get(variant.name);
  if (!list) continue;
  const columns = list[0].map((_, i) => median(list.map((s) => s[i])).toFixed(1));
  console.log(`| ${[variant.name, ...columns].join(' | ')} |`);
}
console.log('');
for (const variant of variants) console.log(`  ${variant.name}: ${variant.note}`);
