// custom-elements.json is generated from the element's class JSDoc (the API contract).
export default {
  globs: ['src/vault-connect.ts', 'src/events/*.ts'],
  outdir: '.',
  litelement: true,
  dependencies: false,
  packagejson: false,
};
