/**
 * How long a VaultRE code takes from the callback page to the host: from the callback page's load in the popup
 * (`performance.timeOrigin` of that document) to the code's arrival at the demo's `POST /api/vaultre` (a timestamp
 * taken by a middleware placed in front of the route, before the handler reads the body). The VaultRE code lives 60
 * seconds, so this path must be short: target under 100 ms. Since 0.2.0 the callback page posts the code itself (the
 * element never sees it), so the path is: the page loads, reads its flow record, checks the state and posts.
 *
 *   node --import tsx bench/vaultre-callback.ts [--runs=5] [--callback=built|dev|both]
 *
 * The demo as `npm start` serves it (Vite dev server, sandbox VaultRE emulator, `createVaultreHandler` + `memoryStore()`),
 * Debian's Chromium through playwright-core (no request interception: a request that is not for 127.0.0.1 fails the
 * bench instead, since intercepting would route every request through this Node process, which also runs the
 * server). Each run: the host forgets the token, the demo page is reloaded, Connect opens the popup on the emulator's
 * approval page, Confirm redirects it to the callback page, which posts the code. One warm-up run first, then `--runs`
 * measured runs; medians are reported.
 *
 * Two callback pages (`--callback`, default both), both at the redirect URI `/api/vaultre` registers
 * (`/demo/callback.html`):
 * - `built` (the headline figure): the callback page as a host ships it, `dist/callback.html` + `callback-page.js` +
 *   `callback.js` built from the current sources with `vite.callback.config.ts` into a temporary directory and served
 *   in place of the demo's page;
 * - `dev`: the demo's own `/demo/callback.html` through the Vite dev server, which loads `src/callback/auto.ts` and its
 *   imports as separate, transformed modules plus Vite's client: development-only cost.
 *
 * The figure from `timeOrigin` includes, for this navigation, the Confirm form's POST to the emulator and its 302; a
 * breakdown is printed (timeOrigin → first byte of the callback document → arrival at the host). Clocks: the machine's
 * wall clock (`performance.timeOrigin + performance.now()` in the pages and in Node).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { build } from 'vite';
import { WAIT, startDemoAndBrowser, type Demo } from '../test/e2e/helpers.ts';
import { closed, connectVaultrePopup, decide, ensureVaultreRow, forgetToken, openVaultreDemo, vaultreConfig } from '../test/e2e/vaultre-helpers.ts';
import { CALLBACK_PATH } from '../src/sandbox/vite-plugin.ts';

export type CallbackVariant = 'built' | 'dev';

export interface VaultreCallbackSample {
  /** Callback page `timeOrigin` → code at the host, ms. */
  fromTimeOriginMs: number;
  /** Callback document's first byte (`responseStart`) → code at the host, ms. */
  fromFirstByteMs: number;
  /** timeOrigin → first byte; first byte → the code at the host (the page loads, reads its record and posts). */
  breakdown: { navigationMs: number; pageMs: number };
}

export interface VaultreCallbackVariantResult {
  variant: CallbackVariant;
  callbackUrl: string;
  samples: VaultreCallbackSample[];
  /** Median of `fromTimeOriginMs`. */
  medianMs: number;
  medianFromFirstByteMs: number;
}

export interface VaultreCallbackResult {
  runs: number;
  targetMs: number;
  variants: VaultreCallbackVariantResult[];
  /** The `built` median (the page a host ships), else the first variant's. */
  medianMs: number;
  pass: boolean;
}

const TARGET_MS = 100;
/** The demo's callback page and the files beside it, where the built page is served in place of the demo's. */
const CALLBACK_DIR = CALLBACK_PATH.slice(0, CALLBACK_PATH.lastIndexOf('/'));
const repo = fileURLToPath(new URL('..', import.meta.url));

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round = (value: number) => Math.round(value * 10) / 10;

/** What the callback page reports about its own load, through a binding installed before its scripts run. */
interface CallbackTiming {
  timeOrigin: number;
  responseStart: number;
}

/** Builds the shipped callback page (`dist/callback.*`) from the current sources into a temporary directory. */
async function buildCallback(): Promise<{ dir: string; files: Map<string, { body: Buffer; type: string }> }> {
  const dir = mkdtempSync(join(tmpdir(), 'vaultre-callback-bench-'));
  await build({
    root: repo,
    configFile: join(repo, 'vite.callback.config.ts'),
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: true, sourcemap: false },
  });
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of ['callback.html', 'callback-page.js', 'callback.js']) {
    files.set(name, { body: readFileSync(join(dir, name)), type: name.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8' });
  }
  return { dir, files };
}

/**
 * The demo's server, with a clock in front of `POST /api/vaultre` (each run posts twice: the element's authorize
 * request, then the callback page's code exchange) and, while `serveBuilt()` says so, the built callback page in place
 * of the demo's.
 */
function instrument(demo: Demo, files: Map<string, { body: Buffer; type: string }> | undefined, serveBuilt: () => boolean): number[] {
  const arrivals: number[] = [];
  demo.server.middlewares.stack.unshift({
    route: '/api/vaultre',
    handle: (req: IncomingMessage, _res: ServerResponse, next: (error?: unknown) => void) => {
      if (req.method === 'POST') arrivals.push(performance.timeOrigin + performance.now());
      next();
    },
  });
  if (files) {
    demo.server.middlewares.stack.unshift({
      route: CALLBACK_DIR,
      handle: (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => {
        const name = new URL(req.url ?? '/', 'http://bench').pathname.replace(/^\//, '');
        const file = serveBuilt() ? files.get(name) : undefined;
        if (!file) return next();
        res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
        res.end(file.body);
      },
    });
  }
  return arrivals;
}

/** Reports each callback page's timing (an init script in every page of the context; only the callback pages call). */
async function watchCallbackPages(context: BrowserContext, paths: string[], onTiming: (timing: CallbackTiming) => void): Promise<void> {
  await context.exposeBinding('__vaultreBenchTiming', (_source, timing: CallbackTiming) => onTiming(timing));
  await context.addInitScript((watched) => {
    if (!watched.includes(location.pathname)) return;
    const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    (window as unknown as { __vaultreBenchTiming: (timing: CallbackTiming) => void }).__vaultreBenchTiming({
      timeOrigin: performance.timeOrigin,
      responseStart: performance.timeOrigin + (navigation?.responseStart ?? 0),
    });
  }, paths);
}

export async function benchVaultreCallback(
  options: { runs?: number; variants?: CallbackVariant[]; log?: (line: string) => void } = {},
): Promise<VaultreCallbackResult> {
  const runs = options.runs ?? 5;
  const variants = options.variants ?? ['built', 'dev'];
  const log = options.log ?? (() => undefined);
  const built = variants.includes('built') ? await buildCallback() : undefined;
  const { demo, browser } = await startDemoAndBrowser();
  try {
    let current: CallbackVariant = variants[0];
    const arrivals = instrument(demo, built?.files, () => current === 'built');
    const config = vaultreConfig(demo);

    // No request interception (it would route every request through this busy Node process): a passive check instead.
    const context = await browser.newContext();
    context.setDefaultTimeout(WAIT);
    const offsite: string[] = [];
    context.on('request', (request) => {
      if (!/^https?:\/\/127\.0\.0\.1(?::\d+)?\//.test(request.url())) offsite.push(`${request.method()} ${request.url()}`);
    });
    const timings: CallbackTiming[] = [];
    await watchCallbackPages(context, [new URL(config.redirectUri).pathname], (timing) => timings.push(timing));
    const page = await openVaultreDemo(context, demo);

    const results: VaultreCallbackVariantResult[] = [];
    for (const variant of variants) {
      current = variant;
      const callbackUrl = config.redirectUri;
      const samples: VaultreCallbackSample[] = [];
      for (let run = 0; run <= runs; run++) {
        await forgetToken(demo);
        await page.reload();
        await ensureVaultreRow(page, config);
        const before = { arrivals: arrivals.length, timings: timings.length };
        const popup = await connectVaultrePopup(page, demo);
        await decide(popup, 'confirm');
        await closed(popup);
        await page.waitForFunction(
          () =>
            document.querySelector('vault-connect')?.shadowRoot?.querySelector('[data-service-id="vaultre"] [part="badge"]')?.getAttribute('data-status') ===
            'connected',
          undefined,
          { timeout: WAIT },
        );
        // The authorize request, then the code: the last one is the code's arrival.
        if (arrivals.length !== before.arrivals + 2) throw new Error(`expected two POST /api/vaultre (authorize, exchange), saw ${arrivals.length - before.arrivals}`);
        if (timings.length !== before.timings + 1) throw new Error('the callback page did not report its timing');
        const arrival = arrivals.at(-1)!;
        const timing = timings.at(-1)!;
        const sample: VaultreCallbackSample = {
          fromTimeOriginMs: round(arrival - timing.timeOrigin),
          fromFirstByteMs: round(arrival - timing.responseStart),
          breakdown: {
            navigationMs: round(timing.responseStart - timing.timeOrigin),
            pageMs: round(arrival - timing.responseStart),
          },
        };
        const line = `${sample.fromTimeOriginMs} ms (from first byte ${sample.fromFirstByteMs} ms) ${JSON.stringify(sample.breakdown)}`;
        if (run === 0) {
          log(`${variant} warm-up: ${line}`);
          continue;
        }
        samples.push(sample);
        log(`${variant} run ${run}: ${line}`);
      }
      results.push({
        variant,
        callbackUrl,
        samples,
        medianMs: round(median(samples.map((s) => s.fromTimeOriginMs))),
        medianFromFirstByteMs: round(median(samples.map((s) => s.fromFirstByteMs))),
      });
    }
    await context.close();
    if (offsite.length > 0) throw new Error(`requests left 127.0.0.1: ${offsite.join(', ')}`);
    const headline = results.find((r) => r.variant === 'built') ?? results[0];
    return { runs, targetMs: TARGET_MS, variants: results, medianMs: headline.medianMs, pass: headline.medianMs < TARGET_MS };
  } finally {
    await browser.close();
    await demo.server.close();
    if (built) rmSync(built.dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const runs = Number(arg('runs') ?? 5);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  const which = arg('callback') ?? 'both';
  if (which !== 'built' && which !== 'dev' && which !== 'both') throw new Error('--callback must be built, dev or both');
  const result = await benchVaultreCallback({ runs, variants: which === 'both' ? ['built', 'dev'] : [which], log: (line) => console.log(line) });
  for (const variant of result.variants) {
    console.log(
      `VaultRE callback → host (${variant.variant} callback page): median ${variant.medianMs} ms from the page's timeOrigin, ` +
        `${variant.medianFromFirstByteMs} ms from its first byte (${result.runs} runs)`,
    );
  }
  console.log(`Target < ${result.targetMs} ms (${result.variants.find((v) => v.variant === 'built') ? 'built' : result.variants[0].variant}): ${result.pass ? 'PASS' : 'FAIL'}`);
  console.log(JSON.stringify(result));
  process.exitCode = result.pass ? 0 : 1;
}
