/**
 * A real Redis for the tests: the system's `redis-server` (see scripts/find-databases.mjs), started on 127.0.0.1 on a
 * free port with a throw-away directory and no persistence, and stopped by `stop()` (or when the test process exits).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRedisServer, redisInstallHint } from '../../../scripts/find-databases.mjs';
import { freePort, within } from './free-port.ts';

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

function launch(binary: string, port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const started = new Promise<ChildProcess>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited (code ${String(code)}): ${output.slice(-500)}`)));
  });
  return within(started, START_TIMEOUT_MS, 'redis-server start').catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
}

export async function startRedis(): Promise<RedisServer> {
  const binary = findRedisServer();
  if (!binary) throw new Error(redisInstallHint);
  const dir = mkdtempSync(join(tmpdir(), 'vault-connect-redis-'));
  let child: ChildProcess | undefined;
  let port = 0;
  // A port picked free may be taken before Redis binds it: try a few.
  for (let attempt = 0; !child; attempt += 1) {
    port = await freePort();
    try {
      child = await launch(binary, port, dir);
    } catch (error) {
      if (attempt >= 2) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  const running = child;
  const killOnExit = () => running.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      process.off('exit', killOnExit);
      if (running.exitCode === null && running.signalCode === null) {
        const exited = new Promise((resolve) => running.once('exit', resolve));
        running.kill('SIGTERM');
        await within(exited, 5_000, 'redis-server stop').catch(() => running.kill('SIGKILL'));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
