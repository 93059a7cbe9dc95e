// `prepare`: npm runs it after a plain `npm install` in a clone, and in the clone it makes of a git dependency
// (`npm install github:…`) before packing it, which keeps only what `files` names: so build `dist/` when it is not
// there yet. `npm pack` and `npm publish` build anew first (`prepack`), and `npm test` builds too.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../dist/vault-connect.js', import.meta.url))) {
  console.log('vault-connect: no dist/ yet, building it once (npm run build rebuilds it)…');
  const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  process.exit(build.status ?? 1);
}
