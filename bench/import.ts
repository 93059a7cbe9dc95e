/**
 * The import bench: `vault-connect import` (the built `dist/cli.js`, a real process) against the sandbox Vault API.
 *
 *   node --import tsx bench/import.ts [--rows=10000] [--memory-rows=100000] [--concurrency=4] [--retry-after=1]
 *
 * 1. `--rows` rows with 5% of the imports answered 429 (with `Retry-After: --retry-after` seconds) and 1% answered 500:
 *    every row must be imported, none twice (counted at the sandbox). Reports rows/s and the CLI's peak memory (VmHWM).
 * 2. Peak memory without faults at `--rows` and at `--memory-rows`: the file is streamed, so it should not grow with it.
 *
 * `npm run bench` runs it after the element's benchmarks; `npm run bench:import` alone. Writes bench/import-results.json.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { startSandbox } from '../src/sandbox/index.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));

function option(name: string, fallback: number): number {
  const value = process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
  return value === undefined ? fallback : Number(value);
}

export interface ImportBenchRun {
  rows: number;
  faults: { import_429_rate: number; import_500_rate: number; retry_after: number };
  concurrency: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMiB: number;
  imported: number;
  importedTwice: number;
  missing: number;
  exitCode: number | null;
}

async function writeRows(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  const issuedAt = new Date().toISOString();
  for (let i = 1; i <= count; i++) {
    const row =
      i % 2 === 0
        ? { consumer_id: `bench-${i}`, unified_api: 'accounting', service_id: 'xero', credentials: { access_token: `at-${i}-${'a'.repeat(40)}`, refresh_token: `rt-${i}`, issued_at: issuedAt, expires_in: 3600 } }
        : { consumer_id: `bench-${i}`, unified_api: 'crm', service_id: 'pipedrive', settings: { api_key: `key-${i}-${'k'.repeat(24)}` }, metadata: { plan: 'pro' } };
    if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Peak resident memory of a running process, in MiB (`VmHWM`); polled, since it is gone once the process exits. */
function peakRss(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function builtCli(dir: string): Promise<string> {
  await build({ root: repo, configFile: join(repo, 'vite.server.config.ts'), logLevel: 'warn', build: { outDir: dir, emptyOutDir: true, sourcemap: false } });
  return join(dir, 'cli.js');
}

async function runOnce(cli: string, work: string, rows: number, faults: ImportBenchRun['faults'], concurrency: number): Promise<ImportBenchRun> {
  const counts = new Map<string, number>();
  const sandbox = await startSandbox({ faults, onImport: (consumer, connection) => counts.set(`${consumer}/${connection}`, (counts.get(`${consumer}/${connection}`) ?? 0) + 1) });
  const input = join(work, `rows-${rows}.jsonl`);
  if (!existsSync(input)) await writeRows(input, rows);
  rmSync(`${input}.checkpoint`, { force: true });
  try {
    const started = performance.now();
    const child = spawn(process.execPath, [cli, 'import', input, '--concurrency', String(concurrency), '--report', join(work, 'report.jsonl')], {
      env: { PATH: process.env.PATH, APIDECK_API_KEY: sandbox.apiKey, APIDECK_APP_ID: sandbox.applicationId, APIDECK_UNIFY_BASE_URL: sandbox.vaultApiUrl },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    let peak = 0;
    const poll = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!) ?? 0)), 100);
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    clearInterval(poll);
    const seconds = (performance.now() - started) / 1000;
    const values = [...counts.values()];
    return {
      rows,
      faults,
      concurrency,
      seconds: Math.round(seconds * 10) / 10,
      rowsPerSecond: Math.round(rows / seconds),
      peakRssMiB: Math.round(peak * 10) / 10,
      imported: counts.size,
      importedTwice: values.filter((count) => count > 1).length,
      missing: rows - counts.size,
      exitCode,
    };
  } finally {
    await sandbox.close();
  }
}

export async function benchImport(options: { rows?: number; memoryRows?: number; concurrency?: number; retryAfter?: number } = {}) {
  const rows = options.rows ?? 10_000;
  const memoryRows = options.memoryRows ?? 100_000;
  const concurrency = options.concurrency ?? 4;
  const work = mkdtempSync(join(tmpdir(), 'vault-connect-import-bench-'));
  try {
    // Built inside the repository, so that the CLI's bare imports (zod, csv-parse) resolve to its node_modules.
    const cli = await builtCli(join(repo, 'node_modules', '.cache', 'vault-connect-import-bench'));
    const withFaults = await runOnce(cli, work, rows, { import_429_rate: 0.05, import_500_rate: 0.01, retry_after: options.retryAfter ?? 1 }, concurrency);
    const none = { import_429_rate: 0, import_500_rate: 0, retry_after: 0 };
    const small = await runOnce(cli, work, rows, none, concurrency);
    const large = await runOnce(cli, work, memoryRows, none, concurrency);
    const pass = withFaults.missing === 0 && withFaults.importedTwice === 0 && withFaults.exitCode === 0;
    return { pass, withFaults, memory: { small, large } };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function importBenchLines(result: Awaited<ReturnType<typeof benchImport>>): string[] {
  const { withFaults: f, memory } = result;
  return [
    `import: ${f.rows.toLocaleString('en')} rows, ${f.faults.import_429_rate * 100}% 429 (Retry-After ${f.faults.retry_after} s) and ${f.faults.import_500_rate * 100}% 500 injected, --concurrency ${f.concurrency}: ` +
      `${f.rowsPerSecond} rows/s (${f.seconds} s), peak RSS ${f.peakRssMiB} MiB; imported ${f.imported}, twice ${f.importedTwice}, missing ${f.missing}: ${result.pass ? 'pass' : 'FAIL'}`,
    `import memory (no faults): ${memory.small.rows.toLocaleString('en')} rows peak ${memory.small.peakRssMiB} MiB (${memory.small.rowsPerSecond} rows/s), ` +
      `${memory.large.rows.toLocaleString('en')} rows peak ${memory.large.peakRssMiB} MiB (${memory.large.rowsPerSecond} rows/s)`,
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const load = loadavg();
  const result = await benchImport({
    rows: option('rows', 10_000),
    memoryRows: option('memory-rows', 100_000),
    concurrency: option('concurrency', 4),
    retryAfter: option('retry-after', 1),
  });
  for (const line of importBenchLines(result)) console.log(line);
  console.log(`Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}; load average ${load.map((l) => l.toFixed(1)).join('/')} before`);
  writeFileSync(new URL('./import-results.json', import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2)}\n`);
  if (!result.pass) process.exitCode = 1;
}
