/**
 * `npm run fuzz`: the fuzz suites with ten times the cases of `npm test` — the Node properties with `FUZZ_RUNS=20000`
 * (each) and the Chromium ones with `FUZZ_SCALE=10` — on the same fixed seed unless `FUZZ_SEED` is set.
 * `npm run fuzz -- node` runs only the Node suites, `npm run fuzz -- browser` only Chromium's.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const runs = process.env.FUZZ_RUNS ?? '20000';
const scale = process.env.FUZZ_SCALE ?? '10';
const only = process.argv.slice(2);
const env: NodeJS.ProcessEnv = { ...process.env, FUZZ_RUNS: runs, FUZZ_SCALE: scale, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' };

// Node 20's test runner takes no glob: list the files.
const nodeSuites = readdirSync('test/fuzz').filter((name) => name.endsWith('.test.ts')).map((name) => `test/fuzz/${name}`);

const steps: [string, string[]][] = [
  ['node', ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeSuites]],
  ['browser', ['--import', 'tsx', 'node_modules/@web/test-runner/dist/bin.js', '--config', 'test/fuzz/wtr-fuzz.config.mjs']],
];

let failed = 0;
for (const [name, args] of steps) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n▶ fuzz (${name}): ${name === 'node' ? `${runs} cases per property` : `case counts ×${scale}`}`);
  const started = Date.now();
  const run = spawnSync(process.execPath, args, { stdio: 'inherit', env, shell: false });
  const ok = run.status === 0;
  if (!ok) failed++;
  console.log(`${ok ? '✔' : '✘'} fuzz (${name}) ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
process.exit(failed === 0 ? 0 : 1);
