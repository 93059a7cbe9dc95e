// custom-elements.json is generated from the element's class JSDoc (the API contract).
export default {
  globs: ['src/vault-connect.ts', 'src/events/*.ts'],
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
  ],
};
