/**
 * What a Vite app that already uses Lit ships once it adds `<vault-connect>`: the same small app (`bench/lit-app/`: its
 * own LitElement, then `import 'vault-connect'`) built twice with Vite's defaults, `vault-connect` resolving to
 *
 * - `self-contained`: `dist/vault-connect.js`, Lit and zod inside (the only build before the bundler build; still the
 *   one for `<script type="module">` and CDNs), so the app ships two copies of Lit;
 * - `bundler`: `dist/lib/index.js`, what `exports["."]` gives bundlers: Lit and zod imported, so the app's Lit is the
 *   element's too.
 *
 * Counted: every JavaScript file the app's build writes (raw and gzip -9), and its first load (the entry chunk and
 * its static imports; the rest are lazy chunks: the row actions, `@apideck/vault-js`, languages…).
 *
 *   node --import tsx bench/lit-dedupe.ts [--dist]
 *
 * --dist  use the existing `dist/` (built first if missing) instead of building the current sources into a temporary
 *         directory (the default, as in bench/run.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Rolldown } from 'vite';

const repo = fileURLToPath(new URL('..', import.meta.url));
const APP = fileURLToPath(new URL('./lit-app/', import.meta.url));

export interface AppBytes {
  /** Which build `vault-connect` resolved to. */
  variant: 'self-contained' | 'bundler';
  resolvedTo: string;
  firstLoad: { files: number; bytes: number; gzipBytes: number };
  total: { files: number; bytes: number; gzipBytes: number };
  /** How many copies of Lit's `ReactiveElement` the app's JavaScript holds. */
  litCopies: number;
}

export interface LitDedupeResult {
  variants: AppBytes[];
  /**
   * What the bundler build saves the app, on its first load and in all it ships: raw bytes (what the browser parses
   * and compiles) and gzipped bytes (what crosses the network; gzip already finds much of the second Lit in the same
   * file, so the gain there is small).
   */
  saved: { firstLoad: { bytes: number; gzipBytes: number }; total: { bytes: number; gzipBytes: number } };
}

/** The element's two builds, from the current sources into a temporary directory, or the existing `dist/`. */
async function elementBuilds(useDist: boolean): Promise<{ dir: string; cleanup: () => void }> {
  const quiet = { root: repo, logLevel: 'warn' as const };
  if (useDist) {
    const dist = join(repo, 'dist');
    if (!existsSync(join(dist, 'vault-connect.js'))) await build({ ...quiet, configFile: join(repo, 'vite.config.ts') });
    if (!existsSync(join(dist, 'lib/index.js'))) await build({ ...quiet, configFile: join(repo, 'vite.lib.config.ts') });
    return { dir: dist, cleanup: () => {} };
  }
  // Inside the repository's node_modules, as an installed package is: its `lit` and `zod` imports resolve there.
  const cache = join(repo, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'vault-connect-lit-dedupe-'));
  await build({ ...quiet, configFile: join(repo, 'vite.config.ts'), build: { outDir: dir, emptyOutDir: true, sourcemap: false } });
  await build({ ...quiet, configFile: join(repo, 'vite.lib.config.ts'), build: { outDir: join(dir, 'lib'), emptyOutDir: true } });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const sum = (chunks: Rolldown.OutputChunk[]) => ({
  files: chunks.length,
  bytes: chunks.reduce((total, chunk) => total + Buffer.byteLength(chunk.code), 0),
  gzipBytes: chunks.reduce((total, chunk) => total + gzipSync(chunk.code, { level: 9 }).length, 0),
});

/** Builds the app in memory with `vault-connect` resolved to `entry`. */
async function buildApp(variant: AppBytes['variant'], entry: string): Promise<AppBytes> {
  const result = await build({
    root: APP,
    configFile: false,
    logLevel: 'warn',
    resolve: { alias: [{ find: /^vault-connect$/, replacement: entry }] },
    build: { write: false, modulePreload: false, reportCompressedSize: false },
  });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((each) => ('output' in each ? each.output : []));
  const chunks = outputs.filter((file): file is Rolldown.OutputChunk => file.type === 'chunk');
  const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  const entryChunk = chunks.find((chunk) => chunk.isEntry);
  if (!entryChunk) throw new Error(`the ${variant} app build has no entry chunk`);
  const firstLoad = new Set<Rolldown.OutputChunk>();
  const visit = (chunk: Rolldown.OutputChunk) => {
    if (firstLoad.has(chunk)) return;
    firstLoad.add(chunk);
    for (const name of chunk.imports) {
      const imported = byName.get(name);
      if (imported) visit(imported);
    }
  };
  visit(entryChunk);
  // Lit's base class announces itself once per copy: `reactiveElementVersions` is pushed to by each.
  const litCopies = chunks.reduce((count, chunk) => count + (chunk.code.match(/reactiveElementVersions/g)?.length ?? 0), 0);
  return { variant, resolvedTo: entry.slice(repo.length) || entry, firstLoad: sum([...firstLoad]), total: sum(chunks), litCopies };
}

export async function benchLitDedupe(options: { useDist?: boolean } = {}): Promise<LitDedupeResult> {
  const builds = await elementBuilds(options.useDist ?? false);
  try {
    const selfContained = await buildApp('self-contained', join(builds.dir, 'vault-connect.js'));
    const bundler = await buildApp('bundler', join(builds.dir, 'lib/index.js'));
    return {
      variants: [selfContained, bundler],
      saved: {
        firstLoad: { bytes: selfContained.firstLoad.bytes - bundler.firstLoad.bytes, gzipBytes: selfContained.firstLoad.gzipBytes - bundler.firstLoad.gzipBytes },
        total: { bytes: selfContained.total.bytes - bundler.total.bytes, gzipBytes: selfContained.total.gzipBytes - bundler.total.gzipBytes },
      },
    };
  } finally {
    builds.cleanup();
  }
}

/** The result as a Markdown table. */
export function litDedupeTable(result: LitDedupeResult): string[] {
  const rows = result.variants.map(
    (v) =>
      `| ${v.variant} | ${v.firstLoad.gzipBytes.toLocaleString('en')} B (${v.firstLoad.bytes.toLocaleString('en')} B raw) | ` +
      `${v.total.gzipBytes.toLocaleString('en')} B (${v.total.bytes.toLocaleString('en')} B raw, ${v.total.files} files) | ${v.litCopies} |`,
  );
  return [
    '| vault-connect resolved to | first load, gzip | all JavaScript, gzip | copies of Lit |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
    `saved by the bundler build: first load ${result.saved.firstLoad.bytes.toLocaleString('en')} B raw ` +
      `(${result.saved.firstLoad.gzipBytes.toLocaleString('en')} B gzipped); all JavaScript ` +
      `${result.saved.total.bytes.toLocaleString('en')} B raw (${result.saved.total.gzipBytes.toLocaleString('en')} B gzipped)`,
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await benchLitDedupe({ useDist: process.argv.includes('--dist') });
  console.log('A Vite app that already uses Lit, adding <vault-connect> (bench/lit-app/, Vite defaults):');
  for (const line of litDedupeTable(result)) console.log(line);
}
