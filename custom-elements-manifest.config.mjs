// custom-elements.json is generated from the element's class JSDoc (the API contract).
import path from 'node:path';

/**
 * Where a source module ships: `src/vault-connect.ts` is `dist/lib/vault-connect.js` in the package (the bundler build
 * keeps one module per source file), so every path the manifest names is a file of the tarball. A path relative to
 * the module that names it (`./vault-connect-ready.ts` in `src/events/index.ts`) is made package-relative first.
 */
function shippedPath(modulePath, from) {
  const packageRelative = modulePath.startsWith('.') ? path.posix.join(path.posix.dirname(from), modulePath) : modulePath;
  if (!/^src\/.*\.ts$/.test(packageRelative)) return modulePath;
  return packageRelative.replace(/^src\//, 'dist/lib/').replace(/\.ts$/, '.js');
}

/** Rewrites every `path` and `module` under `value` (a module of the manifest, whose own path is `from`). */
function rewritePaths(value, from) {
  if (Array.isArray(value)) {
    for (const item of value) rewritePaths(item, from);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if ((key === 'path' || key === 'module') && typeof item === 'string') value[key] = shippedPath(item, from);
      else rewritePaths(item, from);
    }
  }
}

export default {
  globs: ['src/vault-connect.ts', 'src/events/*.ts'],
  // A barrel of re-exports: the bundler build has no module for it (the entry imports each event's own file).
  exclude: ['src/events/index.ts'],
  outdir: '.',
  litelement: true,
  dependencies: false,
  packagejson: false,
  plugins: [
    {
      // Events dispatched as class instances (\`new VaultConnectErrorEvent(…)\`) are found without a name; the named
      // \`@event\` JSDoc entries already describe them.
      name: 'drop-unnamed-events',
      packageLinkPhase({ customElementsManifest }) {
        for (const module of customElementsManifest.modules) {
          for (const declaration of module.declarations ?? []) {
            if (declaration.events) declaration.events = declaration.events.filter((event) => event.name);
          }
        }
      },
    },
    {
      name: 'paths-in-the-package',
      packageLinkPhase({ customElementsManifest }) {
        for (const module of customElementsManifest.modules) rewritePaths(module, module.path);
      },
    },
  ],
};
