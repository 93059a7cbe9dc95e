/**
 * The import report: one JSON line per input row (row, consumer, connection id, outcome, attempts, error code …),
 * appended as rows finish (a few dozen lines at a time; all of them when the run ends, Ctrl+C included). Rows finish
 * out of order under concurrency: each line carries its row number. Nothing in a line comes from a row's credentials or settings.
 */
import { closeSync, createReadStream, openSync, renameSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ImportRowResult } from './types.ts';

/** Lines kept before a write: one system call per batch instead of one per row. */
const BATCH_LINES = 64;

export class ReportFile {
  readonly path: string;
  #fd: number | undefined;
  #pending: string[] = [];

  constructor(path: string) {
    this.path = path;
    this.#fd = openSync(path, 'w', 0o600);
  }

  write(result: ImportRowResult): void {
    if (this.#fd === undefined) return;
    this.#pending.push(`${JSON.stringify(result)}\n`);
    if (this.#pending.length >= BATCH_LINES) this.#flush();
  }

  #flush(): void {
    if (this.#fd === undefined || this.#pending.length === 0) return;
    writeSync(this.#fd, this.#pending.join(''));
    this.#pending = [];
  }

  close(): void {
    if (this.#fd === undefined) return;
    this.#flush();
    closeSync(this.#fd);
    this.#fd = undefined;
  }

  /**
   * Rewrites the report with each line passed through `update` (the `--verify` pass: state and health added to the
   * imported rows), streaming, then renames the new file over the old one.
   */
  async rewrite(update: (result: ImportRowResult) => Promise<ImportRowResult>, concurrency: number): Promise<void> {
    this.close();
    const temporary = `${this.path}.tmp`;
    const out = openSync(temporary, 'w', 0o600);
    const lines = createInterface({ input: createReadStream(this.path, { encoding: 'utf8' }), crlfDelay: Infinity });
    try {
      // A window of `concurrency` lines in flight, written back in the report's own order.
      const window: Promise<ImportRowResult>[] = [];
      for await (const line of lines) {
        if (line.trim() === '') continue;
        window.push(update(JSON.parse(line) as ImportRowResult));
        if (window.length >= concurrency) writeSync(out, `${JSON.stringify(await window.shift()!)}\n`);
      }
      while (window.length > 0) writeSync(out, `${JSON.stringify(await window.shift()!)}\n`);
    } finally {
      lines.close();
      closeSync(out);
    }
    renameSync(temporary, this.path);
  }
}
