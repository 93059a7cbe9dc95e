import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import packageJson from './package.json' with { type: 'json' };
import { vaultModalAssets } from './src/sandbox/vault-modal-build.ts';

/**
 * The Node builds: `dist/server.js` (the host handlers, for Node and edge runtimes), `dist/sandbox.js` (the sandbox
 * for hosts' own tests, Node only) and `dist/cli.js`, the `vault-connect` command (`bin` in package.json). What they
 * share goes to `dist/chunks/`, the package's one chunk folder.
 *
 * The package's dependencies stay imports (Vite's server build leaves bare imports external); a build that imports a
 * package a host does not install fails. The sandbox reads two files at run time in the repository, which the package
 * does not ship: they are inlined here (see `sandboxFilesInlined`).
 */
const RUNTIME_PACKAGES = Object.keys({ ...packageJson.dependencies, ...packageJson.peerDependencies });
const isRuntimePackage = (id: string) => RUNTIME_PACKAGES.some((name) => id === name || id.startsWith(`${name}/`));
const isNodeBuiltin = (id: string) => id.startsWith('node:') || builtinModules.includes(id);

const VAULT_MODAL_BUILD = fileURLToPath(new URL('./src/sandbox/vault-modal-build.ts', import.meta.url));
const FILE_READ_BESIDE_MODULE = /readFileSync\(new URL\((['"])(\.\/[\w.-]+)\1, import\.meta\.url\), (['"])utf8\3\)/g;

/**
 * In the repository the sandbox builds the Vault modal page with Vite on first use and reads `pages.css` beside its
 * module; a host has neither Vite nor the sources. The package carries both as strings: the modal page is built once,
 * here, and `readFileSync(new URL('./file', import.meta.url), 'utf8')` becomes the file's text. A build that still reads
 * a file beside a module fails, as does one that imports a package a host does not install.
 */
const sandboxFilesInlined: Plugin = {
  name: 'vault-connect:sandbox-files-inlined',
  apply: 'build',
  async load(id) {
    if (id !== VAULT_MODAL_BUILD) return null;
    const assets = await vaultModalAssets();
    return `/** The Vault modal page's module and styles, built with the package. */\nexport function vaultModalAssets() {\n  return Promise.resolve(${JSON.stringify(assets)});\n}\n`;
  },
  transform(code, id) {
    if (!id.includes('/src/sandbox/')) return null;
    const inlined = code.replace(FILE_READ_BESIDE_MODULE, (_call, _quote, file: string) =>
      JSON.stringify(readFileSync(new URL(file, `file://${id}`), 'utf8')),
    );
    return inlined === code ? null : { code: inlined, map: null };
  },
  generateBundle(_options, bundle) {
    for (const file of Object.values(bundle)) {
      if (file.type !== 'chunk') continue;
      if (file.code.includes('import.meta.url')) this.error(`${file.fileName} reads a file beside its module, which the package does not ship`);
      const foreign = [...file.imports, ...file.dynamicImports].filter((id) => !id.startsWith('chunks/') && !isNodeBuiltin(id) && !isRuntimePackage(id) && !(id in bundle));
      if (foreign.length > 0) this.error(`${file.fileName} imports ${foreign.join(', ')}, which a host does not install (make it a dependency)`);
    }
  },
};

export default defineConfig({
  plugins: [sandboxFilesInlined],
  build: {
    target: 'node20',
    outDir: 'dist',
    emptyOutDir: false,
    ssr: true,
    // Readable output (Vite does not minify server builds): no map needed.
    sourcemap: false,
    rolldownOptions: {
      input: { server: 'src/server/index.ts', sandbox: 'src/sandbox/index.ts', cli: 'src/cli/bin.ts' },
      output: {
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js',
        format: 'es',
        // The command runs as a program: `npx vault-connect` executes the file itself.
        banner: (chunk) => (chunk.isEntry && chunk.name === 'cli' ? '#!/usr/bin/env node' : ''),
      },
    },
  },
});
