// web-test-runner config for `npm run fuzz` (test/fuzz/run.ts): the component config, only the Chromium fuzz suites,
// and `window.FUZZ_SCALE` (from the environment) to multiply their case counts.
import base from '../../web-test-runner.config.mjs';

const scale = Number(process.env.FUZZ_SCALE ?? 10);

export default {
  ...base,
  files: ['test/component/fuzz/**/*.test.ts'],
  testFramework: { config: { timeout: 600_000 } },
  testRunnerHtml: (testFramework) =>
    `<html><head><script>window.FUZZ_SCALE = ${JSON.stringify(scale)};</script></head>` +
    `<body><script type="module" src="${testFramework}"></script></body></html>`,
};
