/**
 * The import report: one JSON line per input row (row, consumer, connection id, outcome, attempts, error code …),
 * appended as each row finishes, so it is on disk however the run ends. Rows finish out of order under concurrency:
 * each line carries its row number. Nothing in a line comes from a row's credentials or settings.
 */
import { closeSync, createReadStream, openSync, renameSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ImportRowResult } from './types.ts';

export class ReportFile {
  readonly path: string;
  #fd: number | undefined;

  constructor(path: string) {
    this.path = path;
    this.#fd = openSync(path, 'w', 0o600);
  }

  write(result: ImportRowResult): void {
    if (this.#fd === undefined) return;
    writeSync(this.#fd, `${JSON.stringify(result)}\n`);
  }

  close(): void {
    if (this.#fd === undefined) return;
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
