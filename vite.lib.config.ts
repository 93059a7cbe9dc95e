import minifyHTML from '@lit-labs/rollup-plugin-minify-html-literals';
import { defineConfig, type Plugin } from 'vite';
import packageJson from './package.json' with { type: 'json' };
import { privateCssNames } from './scripts/vite-private-css-names.ts';

/** `lit`, `zod`, `@apideck/vault-js` and their subpaths (`lit/directives/repeat.js`, `zod/mini`). */
const DEPENDENCIES = Object.keys(packageJson.dependencies);
const isDependency = (id: string) => DEPENDENCIES.some((name) => id === name || id.startsWith(`${name}/`));

/**
 * The bundler build, where `exports["."]` sends bundlers and Node: `dist/lib/`, one ES module per source file of the
 * element and the callback page, with the package's dependencies (Lit, zod, `@apideck/vault-js`) imported, not inlined,
 * so an app that already uses Lit or zod ships one copy. The app's bundler chunks and minifies; the lazy `import()`s
 * stay, so it splits where `dist/vault-connect.js` does. Only what a bundler cannot do is done here: Lit's html``/css``
 * literals are minified and the private CSS custom properties shortened, as in the self-contained build.
 */
export default defineConfig({
  plugins: [{ ...(minifyHTML() as unknown as Plugin), apply: 'build' }, privateCssNames()],
  build: {
    target: 'es2022',
    outDir: 'dist/lib',
    emptyOutDir: false,
    // Readable modules, like the sources they come from: no map needed.
    sourcemap: false,
    minify: false,
    lib: {
      entry: { index: 'src/index.ts', 'callback/index': 'src/callback/index.ts' },
      formats: ['es'],
    },
    rolldownOptions: {
      external: isDependency,
      output: {
        preserveModules: true,
        preserveModulesRoot: 'src',
        entryFileNames: '[name].js',
      },
    },
  },
});
