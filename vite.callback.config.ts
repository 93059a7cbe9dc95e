import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';

/**
 * The callback page build, beside the element's: `dist/callback.js` (one self-contained ES module exporting
 * `relayCallback`, zod/mini inside), `dist/callback-page.js` (two statements: import it, call it — what
 * `src/callback/auto.ts` does in development) and `dist/callback.html`, a page with no inline script that loads
 * `callback-page.js`, so it runs under a strict Content-Security-Policy.
 */
const callbackPage: Plugin = {
  name: 'vault-connect:callback-page',
  apply: 'build',
  generateBundle() {
    this.emitFile({
      type: 'asset',
      fileName: 'callback-page.js',
      source: "import { relayCallback } from './callback.js';\nrelayCallback();\n",
    });
    this.emitFile({
      type: 'asset',
      fileName: 'callback.html',
      source: readFileSync(new URL('./src/callback/callback.html', import.meta.url), 'utf8'),
    });
  },
};

export default defineConfig({
  plugins: [callbackPage],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: false,
    // As for dist/vault-connect.js: a map for the minified file, without the sources.
    sourcemap: true,
    minify: true,
    lib: {
      entry: { callback: 'src/callback/index.ts' },
      formats: ['es'],
    },
    rolldownOptions: {
      output: { entryFileNames: '[name].js', minify: true, sourcemapExcludeSources: true },
    },
  },
});
