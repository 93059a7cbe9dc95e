import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/**
 * The React wrapper build, beside the element's: `dist/react.js`, which imports React, `@lit/react` and the element
 * itself from the outside. The element is imported as `vault-connect` (the package's own entry, `dist/lib/`), never
 * bundled: an app that imports both `vault-connect` and `vault-connect/react` gets one copy, and under server rendering
 * its `lit` import resolves to Lit's Node build. `@lit/react` stays a dependency (its own `node` and `browser` builds
 * differ, and apps with other Lit wrappers share it). Nothing here touches `dist/vault-connect.js`.
 * `react` is an optional peer dependency (>= 18): only apps that import `vault-connect/react` need it.
 */
const ENTRY = fileURLToPath(new URL('./src/index.ts', import.meta.url));

const elementFromPackage: Plugin = {
  name: 'vault-connect:element-from-package',
  enforce: 'pre',
  async resolveId(source, importer, options) {
    if (!importer) return null;
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    return resolved?.id === ENTRY ? { id: 'vault-connect', external: true } : null;
  },
};

export default defineConfig({
  plugins: [elementFromPackage],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: false,
    // A few readable lines: no map.
    sourcemap: false,
    minify: false,
    lib: {
      entry: { react: 'src/react/index.ts' },
      formats: ['es'],
    },
    rolldownOptions: {
      external: ['react', 'react-dom', /^react\//, '@lit/react'],
      // The wrapper runs hooks: React Server Components frameworks (Next.js's app router) must treat it as client code.
      output: { entryFileNames: '[name].js', banner: "'use client';" },
    },
  },
});
