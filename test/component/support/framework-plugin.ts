/**
 * A web-test-runner (dev server) plugin that lets component tests import React and Vue as an app would:
 *
 * - `react`, `react-dom` and `react-dom/client` are CommonJS, which the dev server cannot serve to a browser. On first
 *   request they are bundled into ES modules with esbuild (the one `@web/dev-server-esbuild` already runs on), with
 *   code splitting so that React itself is one shared chunk (two copies of React break hooks) and with the named
 *   exports each module has in Node, so `import { createElement } from 'react'` works as under a bundler.
 * - `vue` resolves to Vue's self-contained browser build with the template compiler (`vue.esm-browser.js`): the
 *   bundler build Node resolution picks reads `process.env` and expects compile-time flags.
 *
 * Development builds throughout, so React and Vue report misuse (a wrong prop, a hook order) as they do for app authors.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const PREFIX = '/__framework/';
/** The CommonJS modules served as ES modules, by bare specifier; the value is the served file's name. */
const COMMONJS: Record<string, string> = {
  react: 'react.js',
  'react-dom': 'react-dom.js',
  'react-dom/client': 'react-dom-client.js',
};
const VUE = '/node_modules/vue/dist/vue.esm-browser.js';

const require = createRequire(import.meta.url);
const execFileAsync = promisify(execFile);

interface OutputFile {
  path: string;
  text: string;
}
interface PluginBuild {
  onResolve(options: { filter: RegExp }, callback: (args: { path: string }) => { path: string; namespace: string }): void;
  onLoad(options: { filter: RegExp; namespace: string }, callback: (args: { path: string }) => { contents: string; resolveDir: string }): void;
}
/** The part of esbuild's API used here (it is not a direct dependency, so its types are not either). */
interface Esbuild {
  build(options: Record<string, unknown> & { plugins: { name: string; setup(build: PluginBuild): void }[] }): Promise<{ outputFiles: OutputFile[] }>;
}

/**
 * The export names each CommonJS module has when Node loads it (the bundle re-exports each one by name). Read in one
 * child process: React's development build touches `console`, which web-test-runner's terminal has replaced in this one.
 */
async function exportNames(specifiers: readonly string[]): Promise<Record<string, string[]>> {
  const script = `process.stdout.write(JSON.stringify(Object.fromEntries(${JSON.stringify(specifiers)}.map((s) => [s, Object.keys(require(s))]))))`;
  const { stdout } = await execFileAsync(process.execPath, ['-e', script], { cwd: ROOT, timeout: 30_000 });
  const names = JSON.parse(stdout) as Record<string, string[]>;
  for (const specifier of specifiers) names[specifier] = (names[specifier] ?? []).filter((name) => name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name));
  return names;
}

async function bundle(): Promise<Map<string, string>> {
  // esbuild is `@web/dev-server-esbuild`'s dependency: load it from there rather than rely on where npm hoists it.
  const esbuild = createRequire(require.resolve('@web/dev-server-esbuild'))('esbuild') as Esbuild;
  const entries = Object.entries(COMMONJS);
  const names = await exportNames(Object.keys(COMMONJS));
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: entries.map(([specifier, file]) => ({ in: `entry:${specifier}`, out: file.replace(/\.js$/, '') })),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: `${ROOT}__framework`, // never written (write: false): names the output files
    chunkNames: 'chunk-[hash]',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"development"' },
    plugins: [
      {
        name: 'commonjs-entries',
        setup(build) {
          build.onResolve({ filter: /^entry:/ }, (args) => ({ path: args.path.slice('entry:'.length), namespace: 'entry' }));
          build.onLoad({ filter: /.*/, namespace: 'entry' }, (args) => ({
            resolveDir: ROOT,
            contents: `import m from ${JSON.stringify(args.path)};\nexport default m;\nexport const { ${(names[args.path] ?? []).join(', ')} } = m;\n`,
          }));
        },
      },
    ],
  });
  const files = new Map<string, string>();
  for (const file of result.outputFiles) files.set(`${PREFIX}${file.path.slice(file.path.lastIndexOf('/') + 1)}`, file.text);
  return files;
}

/** The subset of `@web/dev-server-core`'s `Plugin` this plugin implements. */
export interface FrameworkPlugin {
  name: string;
  resolveImport(args: { source: string }): string | undefined;
  serve(context: { path: string }): Promise<{ body: string; type: string } | undefined>;
}

export function frameworkPlugin(): FrameworkPlugin {
  let files: Promise<Map<string, string>> | undefined;
  return {
    name: 'vault-connect-frameworks',

    resolveImport({ source }) {
      if (source === 'vue') return VUE;
      const file = COMMONJS[source];
      return file === undefined ? undefined : `${PREFIX}${file}`;
    },

    async serve(context) {
      if (!context.path.startsWith(PREFIX)) return undefined;
      files ??= bundle();
      const body = (await files).get(context.path);
      return body === undefined ? undefined : { body, type: 'js' };
    },
  };
}
