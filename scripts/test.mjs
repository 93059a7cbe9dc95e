// `npm test`: every check, in order, each in its own process. A failing step does not stop the others, so one run
// shows everything that is wrong; the exit code is non-zero if any step failed.
import { spawnSync } from 'node:child_process';
import { findChrome, installHint as chromeInstallHint } from './find-chrome.mjs';
import { findRedisServer, preparePostgres, redisInstallHint } from './find-databases.mjs';

// What the tests start themselves: Chromium, Redis (the system's redis-server) and PostgreSQL (from npm). Say at once
// everything that is missing and how to install it.
const chrome = findChrome();
const postgres = preparePostgres();
const missing = [
  ...(chrome ? [] : [chromeInstallHint]),
  ...(findRedisServer() ? [] : [redisInstallHint]),
  ...(postgres.ok ? [] : [postgres.hint]),
];
if (missing.length > 0) {
  console.error(missing.join('\n\n'));
  process.exit(1);
}
const env = { ...process.env, CHROME_PATH: chrome, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' };
const bin = (name) => `node_modules/.bin/${name}`;
const withTsx = (script, ...args) => ['node', ['--import', 'tsx', script, ...args]];

/** @type {[string, string, string[]][]} */
const steps = [
  ['types', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  ['lint and import rules', 'npm', ['run', '--silent', 'lint']],
  ['build', 'npm', ['run', '--silent', 'build']],
  ['docs (API page, links)', 'npm', ['run', '--silent', 'docs:check']],
  ['size budget (one-file first load)', 'npm', ['run', '--silent', 'size']],
  ['package checks (publint, attw, installed tarball)', 'node', ['scripts/check-package.mjs']],
  ['framework types (React, Vue)', 'npm', ['run', '--silent', 'test:types']],
  ['component tests (Chromium)', ...withTsx('node_modules/@web/test-runner/dist/bin.js')],
  ['server and sandbox tests', 'npm', ['run', '--silent', 'test:server']],
  ['end-to-end tests (Chromium)', 'npm', ['run', '--silent', 'test:e2e']],
  ['visual baselines (Chromium, pixel diff)', 'npm', ['run', '--silent', 'visual']],
  ['storybook build', 'npm', ['run', '--silent', 'build-storybook']],
  ['storybook stories and play functions', ...withTsx('.storybook/smoke.ts')],
];

const only = process.argv.slice(2);
const results = [];
for (const [name, command, args] of steps) {
  if (only.length > 0 && !only.some((word) => name.includes(word))) continue;
  console.log(`\n▶ ${name}`);
  const started = Date.now();
  const run = spawnSync(command, args, { stdio: 'inherit', env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = run.status === 0;
  results.push({ name, ok, seconds });
  console.log(`${ok ? '✔' : '✘'} ${name} (${seconds} s)`);
}

console.log('\nSummary');
for (const { name, ok, seconds } of results) console.log(`  ${ok ? '✔' : '✘'} ${name.padEnd(30)} ${seconds} s`);
const failed = results.filter((r) => !r.ok).length;
console.log(`checks: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
