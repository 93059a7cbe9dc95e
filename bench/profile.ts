/**
 * Where the time goes, for when `npm run bench` misses a target: one render of N rows (and the keystrokes) in headless
 * Chromium with the V8 CPU profiler and a Chrome trace, on an unminified build of `src/` so function names survive.
 *
 *   node --import tsx bench/profile.ts [--rows=1000] [--phase=render|keys|both] [--sampling=200] [--trace=bench/trace.json]
 *
 * Prints the main thread's time by trace event (script, style, layout, paint, …) and the functions with the most
 * self time, with their source file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import ts from 'typescript';
import { build } from 'vite';
import { seedConnections, SEED_CONNECTOR_COUNT } from '../src/sandbox/seed.ts';
import { CHROMIUM, CHROMIUM_ARGS, startStaticServer } from './lib/static-server.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const option = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
const rows = Number(option('rows') ?? 1000);
const tracePath = option('trace');
/** V8 sampling interval in µs; 0 turns the CPU profiler off (the trace alone disturbs the timings less). */
const samplingUs = Number(option('sampling') ?? 200);
/** What is recorded: the first render, the keystrokes after it, or both. */
const phase = option('phase') ?? 'both';
const QUERIES = ['s', 'sa', 'sal', ''];

const dir = mkdtempSync(join(tmpdir(), 'vault-connect-profile-'));
await build({
  root: repo,
  configFile: join(repo, 'vite.config.ts'),
  logLevel: 'warn',
  build: { outDir: dir, emptyOutDir: true, sourcemap: false, minify: false, rolldownOptions: { output: { minify: false } } },
});

const data = seedConnections({
  vaultApiUrl: 'https://vault-api.bench.invalid',
  applicationId: 'bench-app',
  extra: rows - SEED_CONNECTOR_COUNT,
  authorizeState: () => 'bench',
});
const harness = ts.transpileModule(readFileSync(join(here, 'harness.ts'), 'utf8'), {
  compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
}).outputText;
const server = await startStaticServer(dir, {
  '/': {
    type: 'text/html; charset=utf-8',
    body: `<!doctype html><html lang="en"><body><script type="module">
      import '/vault-connect.js'; import '/harness.js';
      await customElements.whenDefined('vault-connect'); window.vcBenchReady = true;
    </script></body></html>`,
  },
  '/harness.js': { type: 'text/javascript', body: harness },
  [`/data/${rows}.json`]: { type: 'application/json', body: JSON.stringify({ status_code: 200, status: 'OK', data }) },
});

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface TraceEvent {
  name: string;
  ph: string;
  dur?: number;
  tdur?: number;
  tid: number;
  pid: number;
  ts: number;
  args?: { name?: string };
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => (window as unknown as { vcBenchReady?: boolean }).vcBenchReady === true);
  const source = await page.evaluate((n) => window.vcBench.useStub(n), rows);

  const untraced = phase === 'keys' ? await page.evaluate(([n, src]) => window.vcBench.render(n, src), [rows, source] as const) : undefined;
  const cdp = await page.context().newCDPSession(page);
  if (samplingUs > 0) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: samplingUs });
  }
  await browser.startTracing(page, {
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink'],
  });
  if (samplingUs > 0) await cdp.send('Profiler.start');
  const render = untraced ?? (await page.evaluate(([n, src]) => window.vcBench.render(n, src), [rows, source] as const));
  const keys = phase === 'render' ? [] : await page.evaluate((queries) => window.vcBench.keystrokes(queries), QUERIES);
  type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const profile: Profile = samplingUs > 0 ? ((await cdp.send('Profiler.stop')) as { profile: Profile }).profile : { nodes: [], samples: [], timeDeltas: [] };
  const trace = await browser.stopTracing();
  if (tracePath) writeFileSync(tracePath, trace);

  console.log(`render ${rows} rows: DOM ${render.domMs.toFixed(1)} ms, rAF ${render.rafMs.toFixed(1)} ms, painted ${render.paintMs.toFixed(1)} ms`);
  for (const k of keys) console.log(`keystroke "${k.query}": updateComplete ${k.domMs.toFixed(1)} ms, rAF ${k.rafMs.toFixed(1)} ms, painted ${k.paintMs.toFixed(1)} ms`);

  // Main-thread time by trace event: self time (its own duration minus nested events), wall clock and thread CPU
  // (`tdur`, which does not grow when the machine is busy with other work).
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const mainThread = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const slices = events
    .filter((e) => mainThread && e.pid === mainThread.pid && e.tid === mainThread.tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const selfWall = new Map<string, number>();
  const selfCpu = new Map<string, number>();
  const stack: TraceEvent[] = [];
  const add = (map: Map<string, number>, name: string, us: number) => map.set(name, (map.get(name) ?? 0) + us / 1000);
  for (const slice of slices) {
    while (stack.length > 0 && stack[stack.length - 1].ts + (stack[stack.length - 1].dur ?? 0) <= slice.ts) stack.pop();
    const parent = stack[stack.length - 1];
    add(selfWall, slice.name, slice.dur ?? 0);
    add(selfCpu, slice.name, slice.tdur ?? 0);
    if (parent) {
      add(selfWall, parent.name, -(slice.dur ?? 0));
      add(selfCpu, parent.name, -(slice.tdur ?? 0));
    }
    stack.push(slice);
  }
  console.log('\nmain thread, self time by trace event (ms): wall / thread CPU');
  for (const [name, ms] of [...selfCpu].sort((a, b) => b[1] - a[1]).filter(([, ms]) => ms >= 1).slice(0, 25)) {
    console.log(`  ${name.padEnd(36)} ${(selfWall.get(name) ?? 0).toFixed(1).padStart(8)} / ${ms.toFixed(1).padStart(8)}`);
  }

  // Self and total (inclusive) time per function from the CPU profile.
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const keyOf = (id: number): string | undefined => {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)' || frame.functionName === '(program)' || frame.functionName === '(root)') return undefined;
    const file = frame.url.split('/').pop() || '(native)';
    return `${frame.functionName || '(anonymous)'}  ${file}:${frame.lineNumber + 1}`;
  };
  const selfTime = new Map<string, number>();
  const totalTime = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const own = keyOf(id);
    if (own) selfTime.set(own, (selfTime.get(own) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = keyOf(at);
      if (key && !seen.has(key)) {
        seen.add(key);
        totalTime.set(key, (totalTime.get(key) ?? 0) + ms);
      }
    }
  });
  const top = (map: Map<string, number>, count: number) => [...map].sort((a, b) => b[1] - a[1]).slice(0, count);
  if (samplingUs > 0) {
    console.log('\nself time by function (ms):');
    for (const [key, ms] of top(selfTime, 25)) console.log(`  ${ms.toFixed(1).padStart(7)}  ${key}`);
    console.log('\ntotal time by function, callees included (ms):');
    for (const [key, ms] of top(totalTime, 30)) console.log(`  ${ms.toFixed(1).padStart(7)}  ${key}`);
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
