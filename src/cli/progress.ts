/**
 * How `vault-connect import` shows a run: on a terminal, a progress bar with the rate and the time left
 * (`cli-progress`); otherwise quiet JSON Lines on stdout (a start line, a progress line every few seconds, the summary).
 * Neither ever shows a value from a row.
 */
import { createReadStream } from 'node:fs';
import cliProgress from 'cli-progress';
import type { ImportRowResult, ImportSummary } from '../server/import/types.ts';
import type { CliIo } from './io.ts';

export interface RunView {
  /** A row finished. */
  row(result: ImportRowResult): void;
  /** A line for the user (a notice), kept apart from the bar. */
  notice(text: string): void;
  /** The run is over; the bar is stopped and the summary shown. */
  done(summary: ImportSummary, files: { report?: string; checkpoint?: string }): void;
  /** The run could not start (or stopped on an error): the bar is stopped and the reason shown. */
  fail(code: string, message: string): void;
}

/** Lines in a file, counted as a stream: the bar's total (rows in a JSON Lines file; about that for CSV). */
export async function countLines(path: string): Promise<number> {
  let lines = 0;
  let last = 10;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    for (let index = buffer.indexOf(10); index !== -1; index = buffer.indexOf(10, index + 1)) lines++;
    last = buffer.at(-1) ?? last;
  }
  return last === 10 ? lines : lines + 1;
}

const FIRST_FAILURES_SHOWN = 10;

function describeFailure(result: ImportRowResult): string {
  return `row ${result.row}: ${result.error}${result.field ? ` (${result.field})` : ''}${result.message ? ` — ${result.message}` : ''}`;
}

function summaryLines(summary: ImportSummary, files: { report?: string; checkpoint?: string }): string[] {
  const counts = summary.dryRun
    ? `${summary.valid} valid, ${summary.failed} failed (dry run: nothing was written to Apideck)`
    : `${summary.imported} imported, ${summary.skipped} skipped (already imported), ${summary.failed} failed`;
  const lines = [`${summary.rows} rows: ${counts}.`];
  if (summary.unhealthy !== undefined) lines.push(`${summary.unhealthy} imported connections are not healthy (see state and health in the report).`);
  if (summary.fatal) lines.push(`Stopped: ${summary.fatal.message}`);
  else if (summary.interrupted) lines.push('Interrupted: run the same command again to import the remaining rows.');
  if (files.report) lines.push(`Report: ${files.report}`);
  if (files.checkpoint && !summary.dryRun) lines.push(`Checkpoint: ${files.checkpoint}`);
  return lines;
}

/** The terminal view: a bar on stderr, the first failures above it, the summary after. */
export function terminalView(io: CliIo, total: number): RunView {
  const started = Date.now();
  let imported = 0;
  let failed = 0;
  let done = 0;
  let failuresShown = 0;
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr,
      format: ' {bar} {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_formatted} | ✔ {imported} ✘ {failed}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 200,
      fps: 8,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { rate: '0', imported: 0, failed: 0 });
  const payload = () => ({ rate: (done / Math.max((Date.now() - started) / 1000, 0.001)).toFixed(0), imported, failed });
  return {
    row(result) {
      done++;
      if (result.outcome === 'imported' || result.outcome === 'valid') imported++;
      if (result.outcome === 'failed') {
        failed++;
        if (failuresShown < FIRST_FAILURES_SHOWN) {
          failuresShown++;
          bar.stop();
          io.stderr.write(`${describeFailure(result)}\n`);
          bar.start(Math.max(total, done), done - 1, payload());
        }
      }
      if (done > bar.getTotal()) bar.setTotal(done);
      bar.update(done, payload());
    },
    notice(text) {
      io.stderr.write(`\n${text}\n`);
    },
    done(summary, files) {
      bar.update(done, payload());
      bar.stop();
      if (failed > failuresShown) io.stderr.write(`… and ${failed - failuresShown} more failed rows in the report.\n`);
      io.stderr.write(`${summaryLines(summary, files).join('\n')}\n`);
    },
    fail(_code, message) {
      bar.stop();
      io.stderr.write(`vault-connect import: ${message}\n`);
    },
  };
}

/** The quiet view: JSON Lines on stdout — `start`, `progress` every few seconds, `notice`, `summary`. */
export function jsonLinesView(io: CliIo, start: Record<string, unknown>, intervalMs = 2000): RunView {
  const write = (line: Record<string, unknown>) => io.stdout.write(`${JSON.stringify(line)}\n`);
  const started = Date.now();
  const counts = { rows: 0, imported: 0, valid: 0, failed: 0, skipped: 0 };
  let lastProgress = started;
  write({ event: 'start', ...start });
  return {
    row(result) {
      counts.rows++;
      counts[result.outcome]++;
      const now = Date.now();
      if (now - lastProgress >= intervalMs) {
        lastProgress = now;
        write({ event: 'progress', ...counts, rows_per_second: Math.round(counts.rows / ((now - started) / 1000)) });
      }
    },
    notice(text) {
      write({ event: 'notice', message: text });
    },
    done(summary, files) {
      const seconds = (Date.now() - started) / 1000;
      write({ event: 'summary', ...summary, seconds: Math.round(seconds * 10) / 10, ...(files.report ? { report: files.report } : {}), ...(files.checkpoint && !summary.dryRun ? { checkpoint: files.checkpoint } : {}) });
    },
    fail(code, message) {
      write({ event: 'error', code, message });
      io.stderr.write(`vault-connect import: ${message}\n`);
    },
  };
}
