// `npm test`'s package checks, on the tarball `npm pack` makes of the built package (run `npm run build` first):
//
// 1. every module path custom-elements.json names is a file of the tarball;
// 2. publint (the package.json fields and `exports` against the packed files), warnings included;
// 3. @arethetypeswrong/cli: types resolve, and match the JavaScript, for every export under Node 16+ ESM and bundlers.
//    Profile `esm-only`: the package is ESM only ("type": "module", no `require` condition), so CommonJS `require()`
//    resolution is not checked. `./callback.html` is a page to serve, not a module: it has no types to check;
// 4. the tarball installed into a fresh project (`npm install <tarball>`), where test/package/installed.test.mjs imports
//    each entry as a host would and runs the sandbox and a handler, with Node's own resolution; the example test of
//    docs/sandbox.md runs there too, as written.
//
// Prints the tarball's packed and unpacked size. Usage: node scripts/check-package.mjs
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = fileURLToPath(new URL('../', import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), 'vault-connect-package-'));
let failed = false;
const fail = (message) => {
  console.error(`✘ ${message}`);
  failed = true;
};
const run = (command, args, options = {}) => spawnSync(command, args, { encoding: 'utf8', ...options });

try {
  if (!existsSync(path.join(root, 'dist/vault-connect.js'))) throw new Error('dist/ is missing: run `npm run build` first.');

  // --ignore-scripts: `prepack` would build again.
  const packed = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root });
  if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const [pack] = JSON.parse(packed.stdout);
  const tarball = path.join(work, pack.filename);
  const files = new Set(pack.files.map((file) => file.path));
  console.log(`tarball: ${pack.filename}, ${pack.size} B packed, ${pack.unpackedSize} B unpacked, ${pack.entryCount} files`);

  // 1. The manifest's module paths.
  const manifest = JSON.parse(readFileSync(path.join(root, 'custom-elements.json'), 'utf8'));
  const named = new Set();
  const collect = (value) => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if ((key === 'path' || key === 'module') && typeof item === 'string') named.add(item);
        else collect(item);
      }
    }
  };
  collect(manifest.modules);
  const missing = [...named].filter((file) => !files.has(file));
  if (missing.length > 0) fail(`custom-elements.json names files the tarball does not contain: ${missing.join(', ')}`);
  else console.log(`✔ custom-elements.json: all ${named.size} module paths are in the tarball`);

  // 2. publint, on the tarball.
  const tarballBytes = readFileSync(tarball);
  const linted = await publint({
    pack: { tarball: tarballBytes.buffer.slice(tarballBytes.byteOffset, tarballBytes.byteOffset + tarballBytes.byteLength) },
    level: 'suggestion',
    strict: true,
  });
  if (linted.messages.length > 0) {
    for (const message of linted.messages) fail(`publint: ${formatMessage(message, linted.pkg) ?? message.code}`);
  } else {
    console.log('✔ publint: no suggestion, warning or error');
  }

  // 3. Are the types wrong?
  const attw = run(path.join(root, 'node_modules/.bin/attw'), [tarball, '--profile', 'esm-only', '--exclude-entrypoints', './callback.html', '--format', 'table-flipped', '--no-emoji', '--no-color'], { cwd: root });
  if (attw.status !== 0) fail(`@arethetypeswrong/cli found problems:\n${attw.stdout}${attw.stderr}`);
  else console.log('✔ @arethetypeswrong/cli: types resolve for every export (node16 ESM, bundler)');

  // 4. Installed in a fresh project, used as a host would.
  const project = path.join(work, 'host');
  run('mkdir', ['-p', project]);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'package-check-host', private: true, type: 'module' }));
  const installed = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: project });
  if (installed.status !== 0) throw new Error(`npm install of the tarball failed:\n${installed.stdout}${installed.stderr}`);
  copyFileSync(path.join(root, 'test/package/installed.test.mjs'), path.join(project, 'installed.test.mjs'));
  const guide = readFileSync(path.join(root, 'docs/sandbox.md'), 'utf8');
  const example = /^#{2,3} An example test\n[\s\S]*?^```js\n([\s\S]*?)^```/m.exec(guide)?.[1];
  if (!example) throw new Error('docs/sandbox.md has no js block under "An example test"');
  writeFileSync(path.join(project, 'docs-sandbox-example.test.mjs'), example);
  const tests = ['installed.test.mjs', 'docs-sandbox-example.test.mjs'];
  const tested = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...tests], { cwd: project, stdio: 'inherit' });
  if (tested.status !== 0) fail('the installed package failed its tests (above)');
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
