/**
 * `vault-connect import` as a real process (node + tsx on src/cli/index.ts) against the sandbox over HTTP on
 * 127.0.0.1, with the imports counted at the sandbox: Ctrl+C halfway then the same command again imports every row
 * exactly once; a hard kill re-imports at most `--concurrency` rows; nothing printed or written holds a secret; usage
 * errors are clear and the exit status says what happened.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/index.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts';
import { tempDir } from './import-helpers.ts';

const CLI = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));
const API_KEY = 'cli-api-key-SECRET-71f2';
const ROWS = 300;
const TEST = { timeout: 60_000 };

let sandbox: Sandbox;
const imports = new Map<string, number>();
let onImport: ((total: number) => void) | undefined;
let files: ReturnType<typeof tempDir>;

before(async () => {
  files = tempDir();
  sandbox = await startSandbox({
    apiKey: API_KEY,
    refreshDelayMs: 5,
    onImport: (consumerId, connectionId) => {
      const key = `${consumerId}/${connectionId}`;
      imports.set(key, (imports.get(key) ?? 0) + 1);
      onImport?.([...imports.values()].reduce((a, b) => a + b, 0));
    },
  });
});
after(async () => {
  await sandbox.close();
  files.remove();
});
beforeEach(() => {
  imports.clear();
  onImport = undefined;
  sandbox.vaultApi.reset();
  sandbox.vaultApi.setFaults({ import_429_rate: 0, import_500_rate: 0 });
});

/** Secret values: every token and setting the file holds, and the API key. */
const secrets: string[] = [API_KEY];
function writeRows(name: string, count: number): string {
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    const access = `access-SECRET-${i}-${'x'.repeat(8)}`;
    const refresh = `refresh-SECRET-${i}`;
    const key = `apikey-SECRET-${i}`;
    secrets.push(access, refresh, key);
    lines.push(
      JSON.stringify(
        i % 2 === 0
          ? { consumer_id: `cli-${i}`, unified_api: 'accounting', service_id: 'xero', credentials: { access_token: access, refresh_token: refresh } }
          : { consumer_id: `cli-${i}`, unified_api: 'crm', service_id: 'pipedrive', settings: { api_key: key }, metadata: { plan: 'pro' } },
      ),
    );
  }
  const path = files.path(name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string | undefined> = {}, started?: (child: ChildProcess) => void): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: {
      PATH: process.env.PATH,
      APIDECK_API_KEY: API_KEY,
      APIDECK_APP_ID: sandbox.applicationId,
      APIDECK_UNIFY_BASE_URL: sandbox.vaultApiUrl,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  started?.(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

const summaryOf = (run: Run) => {
  const line = run.stdout.trim().split('\n').map((text) => JSON.parse(text) as Record<string, unknown>).find((event) => event.event === 'summary');
  assert.ok(line, `no summary in ${run.stdout} ${run.stderr}`);
  return line;
};

function assertNoSecret(where: string, text: string): void {
  for (const secret of secrets) assert.ok(!text.includes(secret), `${where} holds a secret value (${secret.slice(0, 12)}…)`);
}

describe('vault-connect import (a real process)', () => {
  it('Ctrl+C halfway, then the same command: every row imported exactly once', TEST, async () => {
    const input = writeRows('interrupt.jsonl', ROWS);
    const report = files.path('interrupt-report.jsonl');
    let child: ChildProcess | undefined;
    onImport = (total) => {
      if (total === ROWS / 2) child?.kill('SIGINT');
    };
    const first = await cli(['import', input, '--report', report], {}, (spawned) => (child = spawned));
    onImport = undefined;
    assert.equal(first.code, 130, `exit ${first.code}: ${first.stderr}`);
    const interrupted = summaryOf(first);
    assert.equal(interrupted.interrupted, true);
    assert.ok((interrupted.imported as number) >= ROWS / 2 && (interrupted.imported as number) < ROWS, `imported ${String(interrupted.imported)}`);
    assert.match(first.stdout, /"event":"notice","message":"Stopping: finishing the rows on their way/);
    const checkpoint = readFileSync(`${input}.checkpoint`, 'utf8');
    assertNoSecret('the checkpoint', checkpoint);

    const second = await cli(['import', input, '--report', report]);
    assert.equal(second.code, 0, second.stderr);
    const resumed = summaryOf(second);
    assert.equal(resumed.skipped, interrupted.imported, 'the rows of the first run are skipped');
    assert.equal((resumed.imported as number) + (resumed.skipped as number), ROWS);

    assert.equal(imports.size, ROWS, 'every row imported');
    assert.deepEqual([...new Set(imports.values())], [1], 'no row imported twice');
    for (const [where, text] of [['stdout', first.stdout + second.stdout], ['stderr', first.stderr + second.stderr], ['the report', readFileSync(report, 'utf8')], ['the checkpoint', readFileSync(`${input}.checkpoint`, 'utf8')]] as const) {
      assertNoSecret(where, text);
    }
    const lines = readFileSync(report, 'utf8').trim().split('\n');
    assert.equal(lines.length, ROWS, 'one report line per input row');

    // A third run finds everything done; --fresh imports everything again (an upsert: updated, not duplicated).
    const third = await cli(['import', input, '--report', report]);
    assert.equal(summaryOf(third).skipped, ROWS);
    assert.equal(imports.size, ROWS);
  });

  it('after a hard kill, the next run imports at most --concurrency rows a second time', TEST, async () => {
    const input = writeRows('kill.jsonl', ROWS);
    let child: ChildProcess | undefined;
    onImport = (total) => {
      if (total === ROWS / 2) child?.kill('SIGKILL');
    };
    const first = await cli(['import', input, '--concurrency', '4', '--report', files.path('kill-report.jsonl')], {}, (spawned) => (child = spawned));
    onImport = undefined;
    assert.equal(first.signal, 'SIGKILL');
    const second = await cli(['import', input, '--concurrency', '4', '--report', files.path('kill-report.jsonl')]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(imports.size, ROWS, 'every row imported');
    const twice = [...imports.values()].filter((count) => count > 1).length;
    assert.ok(twice <= 4, `${twice} rows imported twice`);
    assert.ok([...imports.values()].every((count) => count <= 2));
  });

  it('goes through injected 429s and 500s, reports failed rows, and exits 1 when any row failed', TEST, async () => {
    sandbox.vaultApi.setFaults({ import_429_rate: 0.1, import_500_rate: 0.05, retry_after: 0 });
    const input = files.path('mixed.jsonl');
    writeFileSync(
      input,
      [
        ...Array.from({ length: 40 }, (_, i) => JSON.stringify({ consumer_id: `m-${i}`, unified_api: 'crm', service_id: 'pipedrive', settings: { api_key: `apikey-SECRET-m${i}` } })),
        JSON.stringify({ consumer_id: 'm-bad', unified_api: 'accounting', service_id: 'xero', credentials: { access_token: 'access-SECRET-bad' } }),
      ].join('\n'),
    );
    secrets.push(...Array.from({ length: 40 }, (_, i) => `apikey-SECRET-m${i}`), 'access-SECRET-bad');
    const report = files.path('mixed-report.jsonl');
    const run = await cli(['import', input, '--report', report, '--verify']);
    assert.equal(run.code, 1, run.stderr);
    const summary = summaryOf(run);
    assert.deepEqual([summary.imported, summary.failed], [40, 1]);
    const lines = readFileSync(report, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const bad = lines.find((line) => line.consumer_id === 'm-bad');
    assert.deepEqual([bad?.row, bad?.error, bad?.field], [41, 'missing_field', 'credentials.refresh_token']);
    assert.ok(lines.filter((line) => line.outcome === 'imported').every((line) => line.health === 'ok' && line.state === 'callable'));
    assert.ok(lines.some((line) => (line.attempts as number) > 1), 'some rows were retried');
    assert.deepEqual([...new Set(imports.values())], [1]);
    assertNoSecret('stdout', run.stdout);
    assertNoSecret('stderr', run.stderr);
    assertNoSecret('the report', readFileSync(report, 'utf8'));
  });

  it('usage errors say what is wrong, never echo a secret, and exit 2 (in-process)', TEST, async () => {
    const input = writeRows('usage.jsonl', 2);
    const run = async (args: string[], env: Record<string, string> = {}) => {
      let stdout = '';
      let stderr = '';
      const io: CliIo = {
        stdout: Object.assign(new PassThrough(), { isTTY: false }).on('data', (chunk: Buffer) => (stdout += chunk.toString())),
        stderr: Object.assign(new PassThrough(), { isTTY: false }).on('data', (chunk: Buffer) => (stderr += chunk.toString())),
        env: { APIDECK_API_KEY: API_KEY, APIDECK_APP_ID: sandbox.applicationId, APIDECK_UNIFY_BASE_URL: sandbox.vaultApiUrl, ...env },
        onSignal: () => () => {},
      };
      const code = await main(args, io);
      await new Promise((resolve) => setImmediate(resolve));
      return { code, stdout, stderr };
    };
    const noKey = await run(['import', input], { APIDECK_API_KEY: '' });
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /set APIDECK_API_KEY and APIDECK_APP_ID/);

    const keyArgument = await run(['import', input, '--api-key=typed-SECRET-key']);
    assert.equal(keyArgument.code, 2);
    assert.match(keyArgument.stderr, /unknown option --api-key: secrets are read from APIDECK_API_KEY/);
    assert.ok(!keyArgument.stderr.includes('typed-SECRET-key'));

    const plainHttp = await run(['import', input], { APIDECK_UNIFY_BASE_URL: 'http://unify.example.com' });
    assert.equal(plainHttp.code, 2);
    assert.match(plainHttp.stderr, /plain http only for localhost/);

    assert.match((await run(['import', files.path('rows.txt')])).stderr, /add --format jsonl or --format csv/);
    assert.match((await run(['import', input, '--concurrency', '0'])).stderr, /--concurrency must be a whole number from 1 to 64/);
    assert.match((await run(['import'])).stderr, /give the file to import/);

    const mismatch = writeRows('changed.jsonl', 2);
    assert.equal((await run(['import', mismatch, '--report', files.path('r.jsonl')])).code, 0);
    writeFileSync(mismatch, `${readFileSync(mismatch, 'utf8')}\n`);
    const changed = await run(['import', mismatch, '--report', files.path('r.jsonl')]);
    assert.equal(changed.code, 2);
    assert.match(changed.stderr, /written for another version of the input.*--fresh/);
    assert.match(changed.stdout, /"event":"error","code":"checkpoint_mismatch"/);
    assert.equal((await run(['import', mismatch, '--fresh', '--report', files.path('r.jsonl')])).code, 0);

    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /import\s+import existing connections/);
    assert.match((await run(['import', '--help'])).stdout, /--dry-run/);
    const unknown = await run(['rotate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "rotate"/);
  });
});
