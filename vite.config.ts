import minifyHTML from '@lit-labs/rollup-plugin-minify-html-literals';
import { defineConfig, type Plugin } from 'vite';
import { privateCssNames } from './scripts/vite-private-css-names.ts';

/**
 * The browser library build: `dist/vault-connect.js`, one self-contained ES module (Lit and zod inside) that defines
 * `<vault-connect>`. `@apideck/vault-js` stays a lazy chunk beside it, loaded on the first modal open.
 * The demo (`npm start`) uses the same config through `scripts/start.ts`, which adds the sandbox plugin.
 */
export default defineConfig({
  // Lit's css`` and html`` literals ship as written; minify them (Lit's own plugin), and shorten the private CSS
  // custom properties, for the library build only.
  plugins: [{ ...(minifyHTML() as unknown as Plugin), apply: 'build' }, privateCssNames()],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    // Maps without the sources (the package does not ship them): a stack trace from the minified file still maps to
    // `src/…` file, line and name, for 10% of the map's size.
    sourcemap: true,
    // Library mode leaves ES output unminified by default; the budget is for what a page really loads.
    minify: true,
    lib: {
      entry: { 'vault-connect': 'src/index.ts' },
      formats: ['es'],
    },
    rolldownOptions: {
      // The entry may export what it shares with its lazy chunks (they import it from the entry).
      preserveEntrySignatures: 'allow-extension',
      output: {
        chunkFileNames: 'chunks/[name]-[hash].js',
        sourcemapExcludeSources: true,
        // Everything the entry loads statically (`$initial`) is one chunk, the entry itself: one request, all of it in
        // the size budget. Rolldown's chunk optimizer alone can leave a shared module in a chunk the entry imports.
        codeSplitting: { groups: [{ name: 'vault-connect', tags: ['$initial'] }] },
        minify: true,
        // `comments`: the minifier keeps tree-shaking annotations (`/* @__PURE__ */`, about a hundred of them, 0.3 kB
        // gzipped) for a bundler downstream; this file is the finished page module, so only licence comments stay.
        comments: { legal: true, annotation: false, jsdoc: false },
      },
    },
  },
});
