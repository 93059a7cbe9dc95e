// @ts-check
/**
 * The import rules of `src/` (`npm run deps`, and part of `npm run lint`): no cycle, counting `import type` and dynamic
 * `import()` edges (a cycle of types or of lazy chunks is still a cycle in the design), and arrows that point one way:
 *
 *   index.ts → vault-connect.ts → internal/controllers → internal/{actions, vaultre} → internal/{popup, templates}
 *     → internal/api;  callback/ → internal/{vaultre client, popup, api};  events/ and i18n/ → internal/api
 *
 * `server/` runs on the host's server and shares nothing with the browser code; `cli/` (the `vault-connect` command)
 * uses `server/` only; `sandbox/` may read the shared vocabulary, the JWT payload decoder, the modal's interface and
 * `randomState`, never the element.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const INTERNAL = '^src/internal/';
const PUBLIC_FILES = '^src/(index|vault-connect|vault-connect\\.styles)\\.ts$|^src/(react|callback)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle, counting type-only imports and dynamic import(): break it by moving the shared part down.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'api-is-the-bottom',
      severity: 'error',
      comment: 'internal/api (client, session, schemas, vocabulary) imports nothing of the element above it.',
      from: { path: '^src/internal/api/' },
      to: { path: '^src/', pathNot: '^src/internal/api/' },
    },
    {
      name: 'popup-engine-below-actions',
      severity: 'error',
      comment: 'The popup engine knows windows and messages, not rows, controllers, templates or VaultRE.',
      from: { path: '^src/internal/popup/' },
      to: { path: '^src/', pathNot: '^src/internal/(popup|api)/' },
    },
    {
      name: 'templates-draw-only',
      severity: 'error',
      comment: 'Templates turn values into markup: they read the api and the strings, never a controller, an action or a flow.',
      from: { path: '^src/internal/templates/' },
      to: { path: '^src/', pathNot: '^src/internal/(templates|api)/|^src/i18n/' },
    },
    {
      name: 'actions-below-controllers',
      severity: 'error',
      comment: 'What a button does is told what to change through an interface; it never imports the controllers that own the state.',
      from: { path: '^src/internal/(actions|vaultre)/' },
      to: { path: '^src/internal/controllers/' },
    },
    {
      name: 'internal-never-imports-public-files',
      severity: 'error',
      comment: 'Public files are thin and sit on top: nothing under internal/ imports the element, the entry or a wrapper.',
      from: { path: INTERNAL },
      to: { path: PUBLIC_FILES },
    },
    {
      name: 'events-and-strings-are-leaves',
      severity: 'error',
      comment: 'Events and string tables are read by everything above; they read only the api vocabulary and each other.',
      from: { path: '^src/(events|i18n)/' },
      to: { path: '^src/', pathNot: '^src/(events|i18n)/|^src/internal/api/' },
    },
    {
      name: 'callback-page-stays-small',
      severity: 'error',
      comment: 'The callback page loads on its own: the VaultRE client, the popup wire format and the api, never the element.',
      from: { path: '^src/callback/' },
      to: { path: '^src/', pathNot: '^src/callback/|^src/internal/(popup|api)/|^src/internal/vaultre/vaultre-client\\.ts$|^src/i18n/' },
    },
    {
      name: 'server-shares-nothing-with-the-browser',
      severity: 'error',
      comment: 'Server code runs on the host: it imports no browser code and no sandbox code.',
      from: { path: '^src/server/' },
      to: { path: '^src/', pathNot: '^src/server/' },
    },
    {
      name: 'browser-never-imports-server-or-sandbox',
      severity: 'error',
      comment: 'The element and its callback page never bundle server or sandbox code.',
      from: { path: '^src/', pathNot: '^src/(server|sandbox|cli)/' },
      to: { path: '^src/(server|sandbox)/' },
    },
    {
      name: 'cli-runs-the-server-side',
      severity: 'error',
      comment: 'The command line (npx vault-connect) is a client of the server code, never of the element or the sandbox.',
      from: { path: '^src/cli/' },
      to: { path: '^src/', pathNot: '^src/(cli|server)/' },
    },
    {
      name: 'sandbox-reads-only-shared-definitions',
      severity: 'error',
      comment:
        "The sandbox emulates Apideck and VaultRE: it may read the shared vocabulary, the JWT payload decoder, the modal's interface and randomState, not the element.",
      from: { path: '^src/sandbox/' },
      to: {
        path: '^src/',
        pathNot: '^src/sandbox/|^src/server/|^src/internal/api/vocabulary\\.ts$|^src/internal/api/jwt-payload\\.ts$|^src/internal/actions/vault-modal\\.ts$|^src/internal/popup/random-state\\.ts$',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    // `import type` edges count: a cycle through types is still a cycle in the design.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'browser', 'default'], extensions: ['.ts', '.js'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
