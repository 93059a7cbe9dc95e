import { defineConfig } from 'vite';

/** The server handlers build: `dist/server.js` for Node and edge runtimes; zod and jose stay dependencies. */
export default defineConfig({
  build: {
    target: 'node20',
    outDir: 'dist',
    emptyOutDir: false,
    ssr: true,
    sourcemap: true,
    rolldownOptions: {
      input: { server: 'src/server/index.ts' },
      output: { entryFileNames: '[name].js', format: 'es' },
    },
  },
});
