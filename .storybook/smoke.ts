/**
 * Runs every story of the static Storybook build, with no server behind it but a plain static one on 127.0.0.1:
 * opens each story's `iframe.html?id=…&viewMode=story` in headless Chromium, waits until Storybook reports the story
 * finished (rendered, `play` function done, the a11y addon's axe run done) and fails the story on:
 *
 * - a render error (`storyErrored`, `storyThrewException`, `storyMissing`), a `play` function that threw
 *   (`playFunctionThrewException`) or left unhandled errors (`unhandledErrorsWhilePlaying`), a `storyFinished` with
 *   status `error`;
 * - an axe violation (the a11y addon's report in `storyFinished`, `parameters.a11y.test: 'error'`);
 * - an uncaught page error, a console error, a failed or 4xx/5xx request;
 * - a story without a `play` function: every story checks the state it shows.
 *
 * It also opens each docs page (`viewMode=docs`) and checks the element's Autodocs page renders its manifest-driven
 * tables. Keys pressed in `play` functions (`stories/support/play.ts`) are real browser input here, through
 * `window.__storybookPressKey`.
 *
 * Each worker (two by default) keeps its page and moves to the next story the way the Storybook UI does, with
 * `setCurrentStory` on the channel: the previous story is torn down (its cleanup runs) and the next one rendered,
 * without loading Storybook and axe again for every story. After a failure the worker starts over in a fresh page, so
 * one broken story cannot fail the next; `STORYBOOK_FRESH_PAGES=1` gives every story a fresh page.
 *
 *   npm run build-storybook && npm run storybook:smoke
 *   node --import tsx .storybook/smoke.ts vaultre error        only the entries whose id contains one of the words
 *   STORYBOOK_CONCURRENCY=1 …                                  one page at a time
 *
 * Storybook's preview reports on its channel (`window.__STORYBOOK_ADDONS_CHANNEL__`): the init script below catches
 * the channel when the preview installs it, before any story renders, so no event is missed.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, startStaticServer } from '../bench/lib/static-server.ts';
import { ATTRIBUTES, CSS_PROPERTIES, declaration, PROPERTIES } from '../stories/support/manifest.ts';

const root = fileURLToPath(new URL('../storybook-static/', import.meta.url));
const CONCURRENCY = Math.max(1, Number(process.env.STORYBOOK_CONCURRENCY ?? 2));
const FRESH_PAGES = process.env.STORYBOOK_FRESH_PAGES === '1';
/** A story has this long to finish (the slowest ones wait ~4 s for a popup's grace period or slow replies). */
const STORY_TIMEOUT_MS = Number(process.env.STORYBOOK_STORY_TIMEOUT ?? 30_000);
/** Progress lines on stdout (the lint config keeps console.log to stories, bench, test and scripts). */
const log = (line: string) => process.stdout.write(`${line}\n`);

interface IndexEntry {
  id: string;
  type: 'story' | 'docs';
  title: string;
  name: string;
}

/** What the init script collects from the preview's channel, per story. */
interface RunReport {
  /** `performance.now()` when the story was asked for (0: the page's own navigation). */
  startedAt: number;
  done: boolean;
  /** Render phases in order, with `performance.now()` when each began. */
  phases: { phase: string; at: number }[];
  errors: string[];
  status?: 'success' | 'error';
  reports: { type: string; status: string; violations: { id: string; impact: string; help: string; nodes: number; targets: string[] }[]; error?: string }[];
  docsRendered: boolean;
}

/** Runs in the page before Storybook: hooks the channel as soon as the preview sets it. */
function hookChannel(): void {
  type Listener = (...args: unknown[]) => void;
  interface Channel {
    on(event: string, listener: Listener): void;
  }
  const target = window as unknown as { __storybookRun: RunReport; __storybookRunReset: () => void; __STORYBOOK_ADDONS_CHANNEL__?: Channel };
  target.__storybookRunReset = () => {
    target.__storybookRun = { startedAt: performance.now(), done: false, phases: [], errors: [], reports: [], docsRendered: false };
  };
  target.__storybookRunReset();
  target.__storybookRun.startedAt = 0;
  /** The current story's report (replaced when the harness moves to the next story). */
  const current = () => target.__storybookRun;
  const message = (value: unknown) => {
    if (value && typeof value === 'object') {
      const { name, message: text, title, description } = value as Record<string, unknown>;
      return [name ?? title, text ?? description].filter(Boolean).map(String).join(': ');
    }
    return String(value);
  };
  const hooked = new WeakSet<Channel>();
  const hook = (channel: Channel | undefined) => {
    if (!channel || typeof channel.on !== 'function' || hooked.has(channel)) return;
    hooked.add(channel);
    channel.on('storyRenderPhaseChanged', (payload) =>
      current().phases.push({ phase: String((payload as { newPhase?: string }).newPhase), at: performance.now() }),
    );
    channel.on('playFunctionThrewException', (error) => current().errors.push(`play function threw: ${message(error)}`));
    channel.on('unhandledErrorsWhilePlaying', (errors) =>
      current().errors.push(...(errors as unknown[]).map((error) => `unhandled error while playing: ${message(error)}`)),
    );
    channel.on('storyErrored', (error) => {
      current().errors.push(`story errored: ${message(error)}`);
      current().done = true;
    });
    channel.on('storyThrewException', (error) => {
      current().errors.push(`story threw: ${message(error)}`);
      current().done = true;
    });
    channel.on('storyMissing', (id) => {
      current().errors.push(`story missing: ${String(id)}`);
      current().done = true;
    });
    channel.on('docsRendered', () => {
      current().docsRendered = true;
      current().done = true;
    });
    channel.on('storyFinished', (payload) => {
      const { status, reporters } = payload as { status: 'success' | 'error'; reporters: { type: string; status: string; result?: unknown }[] };
      const report = current();
      report.status = status;
      report.reports = reporters.map((r) => {
        const result = (r.result ?? {}) as {
          violations?: { id: string; impact: string; help: string; nodes: { target: unknown[] }[] }[];
          error?: unknown;
        };
        return {
          type: r.type,
          status: r.status,
          violations: (result.violations ?? []).map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.length,
            targets: v.nodes.slice(0, 3).map((n) => n.target.map(String).join(' → ')),
          })),
          ...(result.error ? { error: message(result.error) } : {}),
        };
      });
      report.done = true;
    });
  };
  let installed: Channel | undefined;
  Object.defineProperty(window, '__STORYBOOK_ADDONS_CHANNEL__', {
    configurable: true,
    get: () => installed,
    set: (channel: Channel) => {
      installed = channel;
      hook(channel);
    },
  });
}

/**
 * The init script's source. tsx (esbuild with `keepNames`) wraps the inner functions in `__name(…)` calls, a helper
 * that exists only in Node: give the page a local stand-in.
 */
const INIT_SCRIPT = `(() => { const __name = (fn) => fn; (${hookChannel.toString()})(); })();`;

/**
 * What the docs page must show, from the manifest: the start of the summary, and a row for every public attribute,
 * attribute-less property, event, CSS custom property and part.
 */
const DOCS_TEXT = [
  (declaration.summary ?? declaration.description ?? '').slice(0, 40),
  ...ATTRIBUTES.map((a) => a.name),
  ...PROPERTIES.map((p) => p.name),
  ...(declaration.events ?? []).map((e) => e.name),
  ...CSS_PROPERTIES.map((p) => p.name),
  ...(declaration.cssParts ?? []).map((p) => p.name),
].filter(Boolean);

async function checkDocs(page: Page, problems: string[]): Promise<void> {
  const text = (await page.locator('#storybook-docs').textContent({ timeout: 5_000 })) ?? '';
  for (const expected of DOCS_TEXT) if (!text.includes(expected)) problems.push(`docs page lacks “${expected}”`);
  await page
    .locator('#storybook-docs vault-connect')
    .first()
    .waitFor({ state: 'attached', timeout: 5_000 })
    .catch(() => problems.push('docs page renders no <vault-connect>'));
}

/** Testing Library puts the whole DOM in its messages: one line of it is enough here. */
function firstLine(text: string): string {
  const line = text.split('\n')[0];
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}

/** Where a story's time went: until it rendered (page load included in a fresh page), its play function, axe. */
function breakdown({ phases, startedAt }: RunReport): string {
  const at = (phase: string) => {
    const found = phases.find((p) => p.phase === phase)?.at;
    return found === undefined ? undefined : found - startedAt;
  };
  const span = (from: string, to: string) => {
    const start = at(from);
    const end = at(to);
    return start === undefined || end === undefined ? '–' : `${Math.round(end - start)}`;
  };
  const rendered = at('playing') ?? at('completing');
  return `render ${rendered === undefined ? '–' : Math.round(rendered)} ms, play ${span('playing', 'played')} ms, axe ${span('afterEach', 'finished')} ms`;
}

/** A worker's page, with what it reported since the current story was asked for. */
interface StoryPage {
  context: BrowserContext;
  page: Page;
  problems: string[];
}

async function openPage(browser: Browser, baseUrl: string, entry: IndexEntry): Promise<StoryPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const opened: StoryPage = { context, page, problems: [] };
  const problem = (line: string) => opened.problems.push(line);
  await page.addInitScript({ content: INIT_SCRIPT });
  await page.exposeFunction('__storybookPressKey', (key: string) => page.keyboard.press(key));
  page.on('pageerror', (error) => problem(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const where = message.location().url;
    problem(`console error: ${firstLine(message.text())}${where ? ` (${where})` : ''}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problem(`${response.status()}: ${response.url()}`);
  });
  page.on('requestfailed', (request) => problem(`request failed: ${request.url()} (${request.failure()?.errorText ?? ''})`));
  await page.goto(`${baseUrl}/iframe.html?id=${encodeURIComponent(entry.id)}&viewMode=${entry.type}`);
  return opened;
}

/** Moves a page to another story as the Storybook UI does: the preview tears the current one down and renders it. */
async function selectStory(opened: StoryPage, entry: IndexEntry): Promise<void> {
  opened.problems = [];
  await opened.page.evaluate(
    ([storyId, viewMode]) => {
      const target = window as unknown as {
        __storybookRunReset: () => void;
        __STORYBOOK_ADDONS_CHANNEL__: { emit(event: string, payload: unknown): void };
      };
      target.__storybookRunReset();
      target.__STORYBOOK_ADDONS_CHANNEL__.emit('setCurrentStory', { storyId, viewMode });
    },
    [entry.id, entry.type] as const,
  );
}

interface Worker {
  page?: StoryPage;
}

async function runEntry(
  browser: Browser,
  baseUrl: string,
  worker: Worker,
  entry: IndexEntry,
): Promise<{ ok: boolean; ms: number; timing: string; lines: string[] }> {
  const started = performance.now();
  const problems: string[] = [];
  let timing = '';
  try {
    if (worker.page && !FRESH_PAGES) await selectStory(worker.page, entry);
    else worker.page = await openPage(browser, baseUrl, entry);
    const { page } = worker.page;
    await page.waitForFunction(() => (window as unknown as { __storybookRun?: RunReport }).__storybookRun?.done === true, undefined, {
      timeout: STORY_TIMEOUT_MS,
      polling: 50,
    });
    const run = await page.evaluate(() => (window as unknown as { __storybookRun: RunReport }).__storybookRun);
    problems.push(...run.errors.map(firstLine));
    if (entry.type === 'story') {
      if (run.status !== 'success' && run.errors.length === 0) problems.push(`storyFinished with status ${run.status ?? 'none'}`);
      if (!run.phases.some((p) => p.phase === 'playing')) problems.push('no play function ran (every story checks its state in one)');
      timing = breakdown(run);
      for (const report of run.reports) {
        if (report.error) problems.push(`${report.type}: ${report.error}`);
        for (const v of report.violations) {
          problems.push(`${report.type} (${report.status}): ${v.id} [${v.impact}] ${v.help} — ${v.nodes} node(s): ${v.targets.join(' | ')}`);
        }
      }
      // A story may turn axe off (`parameters.a11y.test: 'off'`, the long list): then there is no report to expect.
      const axe = await page.evaluate(
        () =>
          (window as unknown as { __STORYBOOK_PREVIEW__?: { currentRender?: { story?: { parameters?: { a11y?: { test?: string } } } } } })
            .__STORYBOOK_PREVIEW__?.currentRender?.story?.parameters?.a11y?.test,
      );
      if (axe === 'off') timing = timing.replace(/axe [^,]*$/, 'axe off for this story');
      else if (!run.reports.some((report) => report.type === 'a11y') && run.errors.length === 0) problems.push('the a11y addon did not run');
    } else {
      await checkDocs(page, problems);
    }
    // Errors that arrive just after the story finished still count.
    await page.waitForTimeout(100);
  } catch (error) {
    problems.push(error instanceof Error ? error.message.split('\n')[0] : String(error));
  }
  problems.unshift(...(worker.page?.problems ?? []));
  const ok = problems.length === 0;
  if (!ok || FRESH_PAGES) {
    // Start the next story in a fresh page: whatever broke here stays here.
    await worker.page?.context.close();
    worker.page = undefined;
  }
  return { ok, ms: Math.round(performance.now() - started), timing, lines: [...new Set(problems)] };
}

const index = JSON.parse(await readFile(new URL('index.json', `file://${root}`), 'utf8')) as { entries: Record<string, IndexEntry> };
/** `node --import tsx .storybook/smoke.ts actions vaultre`: only the entries whose id contains one of the words. */
const only = process.argv.slice(2);
const entries = Object.values(index.entries).filter((entry) => only.length === 0 || only.some((word) => entry.id.includes(word)));
const stories = entries.filter((entry) => entry.type === 'story');
if (stories.length === 0 && only.length === 0) throw new Error('storybook-static has no stories: run `npm run build-storybook` first');
if (entries.length === 0) throw new Error(`no story id contains ${only.join(' or ')}`);

const started = performance.now();
// Browsers ask for /favicon.ico on their own; Storybook ships an SVG one.
const favicon = { type: 'image/svg+xml', body: await readFile(new URL('favicon.svg', `file://${root}`)) };
const server = await startStaticServer(root, { '/favicon.ico': favicon });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
let failed = 0;
try {
  const queue = [...entries];
  const worker = async () => {
    const state: Worker = {};
    for (let entry = queue.shift(); entry; entry = queue.shift()) {
      const result = await runEntry(browser, server.url, state, entry);
      const label = `${entry.type === 'docs' ? 'docs ' : ''}${entry.id} (${result.ms} ms${result.timing ? `: ${result.timing}` : ''})`;
      if (result.ok) {
        log(`✔ ${label}`);
      } else {
        failed++;
        log(`✘ ${label}\n    ${result.lines.join('\n    ')}`);
      }
    }
    await state.page?.context.close();
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, entries.length) }, worker));
} finally {
  await browser.close();
  await server.close();
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
log(
  `${entries.length - failed} of ${entries.length} passed (${stories.length} stories with play functions and axe, ` +
    `${entries.length - stories.length} docs page${entries.length - stories.length === 1 ? '' : 's'}) in ${seconds} s, ` +
    `${CONCURRENCY} at a time${FRESH_PAGES ? ', a fresh page each' : ''}`,
);
process.exit(failed === 0 ? 0 : 1);
