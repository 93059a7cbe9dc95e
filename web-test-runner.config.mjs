// Component tests in headless Chromium (Debian's, never a downloaded one), TypeScript through esbuild,
// with the sandbox's Vault API started on 127.0.0.1 for the tests that talk to a real server, and React and Vue served
// as ES modules (support/framework-plugin.ts) for the tests that render the element with them.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { requireChrome, chromeArgs } from './scripts/find-chrome.mjs';
import { sandboxPlugin } from './test/component/support/sandbox-plugin.ts';
import { frameworkPlugin } from './test/component/support/framework-plugin.ts';

export default {
  files: ['test/component/**/*.test.ts'],
  nodeResolve: { exportConditions: ['browser', 'development'] },
  // One file at a time: a background tab gets no animation frames, and a native <dialog>'s close event waits for one.
  concurrency: 1,
  testFramework: { config: { timeout: 10000 } },
  testsFinishTimeout: 300000,
  plugins: [esbuildPlugin({ ts: true, tsconfig: './tsconfig.json', target: 'es2022' }), sandboxPlugin(), frameworkPlugin()],
  browsers: [chromeLauncher({ launchOptions: { executablePath: requireChrome(), args: chromeArgs } })],
};
