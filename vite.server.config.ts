import { defineConfig } from 'vite';

/**
 * The Node builds, dependencies left external: `dist/server.js` (the host handlers, for Node and edge runtimes) and
 * `dist/vault-connect.node.js`, the element entry for server-side rendering, where Lit's `node` export brings its own DOM
 * shim so importing the package does not throw.
 */
export default defineConfig({
  build: {
    target: 'node20',
    outDir: 'dist',
    emptyOutDir: false,
    ssr: true,
    sourcemap: true,
    rolldownOptions: {
      input: { server: 'src/server/index.ts', 'vault-connect.node': 'src/index.ts' },
      output: { entryFileNames: '[name].js', format: 'es' },
    },
  },
});
