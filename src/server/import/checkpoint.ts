/**
 * The checkpoint of an import: which rows of which input file are imported, so that running the same command again
 * skips them. It holds the input's name, size and SHA-256 and the imported row numbers, nothing from a row. It is a
 * journal: a header line, the rows known when the run started (as ranges), then one line appended per imported row,
 * written before that worker takes its next row. After a hard kill, only the rows still on their way (at most the
 * concurrency) were imported without being recorded; a last line cut short by the kill (no newline) is ignored.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import * as z from 'zod';
import { ImportError, type ImportFormat } from './types.ts';

const CHECKPOINT_VERSION = 1;

const HeaderSchema = z.object({
  version: z.literal(CHECKPOINT_VERSION),
  input: z.object({ name: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  format: z.enum(['jsonl', 'csv']),
});
type CheckpointHeader = z.infer<typeof HeaderSchema>;
const RangesSchema = z.array(z.tuple([z.number().int().positive(), z.number().int().positive()]));

/** A set of row numbers kept as sorted, disjoint ranges: rows finish nearly in order, so it stays a handful of pairs. */
export class RowRanges {
  readonly #ranges: [number, number][] = [];

  /** Ranges as `toJSON()` wrote them; overlapping or unsorted ones are merged. */
  static from(ranges: readonly (readonly [number, number])[]): RowRanges {
    const set = new RowRanges();
    const sorted = ranges.filter(([start, end]) => start <= end).toSorted((a, b) => a[0] - b[0]);
    for (const [start, end] of sorted) {
      const last = set.#ranges.at(-1);
      if (last && start <= last[1] + 1) last[1] = Math.max(last[1], end);
      else set.#ranges.push([start, end]);
    }
    return set;
  }

  has(row: number): boolean {
    const index = this.#indexAtOrBefore(row);
    return index >= 0 && this.#ranges[index][1] >= row;
  }

  add(row: number): void {
    if (this.has(row)) return;
    const index = this.#indexAtOrBefore(row);
    const before = index >= 0 ? this.#ranges[index] : undefined;
    const after = this.#ranges[index + 1];
    const joinsBefore = before !== undefined && before[1] === row - 1;
    const joinsAfter = after !== undefined && after[0] === row + 1;
    if (joinsBefore && joinsAfter) {
      before[1] = after[1];
      this.#ranges.splice(index + 1, 1);
    } else if (joinsBefore) {
      before[1] = row;
    } else if (joinsAfter) {
      after[0] = row;
    } else {
      this.#ranges.splice(index + 1, 0, [row, row]);
    }
  }

  get size(): number {
    return this.#ranges.reduce((sum, [start, end]) => sum + end - start + 1, 0);
  }

  toJSON(): [number, number][] {
    return this.#ranges.map(([start, end]) => [start, end]);
  }

  /** The index of the last range starting at or before `row`; -1 when none does. */
  #indexAtOrBefore(row: number): number {
    let low = 0;
    let high = this.#ranges.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.#ranges[middle][0] <= row) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }
}

export interface CheckpointInput {
  path: string;
  bytes: number;
  sha256: string;
  format: ImportFormat;
}

export class Checkpoint {
  readonly imported: RowRanges;
  readonly #fd: number;

  private constructor(path: string, header: CheckpointHeader, imported: RowRanges) {
    this.imported = imported;
    // Compacted once at the start (a new file renamed over the old one), then appended to.
    const temporary = `${path}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(header)}\n${JSON.stringify(imported)}\n`, { mode: 0o600 });
    renameSync(temporary, path);
    this.#fd = openSync(path, 'a');
  }

  /**
   * Opens the checkpoint at `path` for `input`: a fresh one when there is none (or `fresh`), the recorded rows when it
   * was written for the same bytes in the same format. Throws an `ImportError` when it is unreadable or for another input.
   */
  static open(path: string, input: CheckpointInput, fresh: boolean): Checkpoint {
    const header: CheckpointHeader = {
      version: CHECKPOINT_VERSION,
      input: { name: basename(input.path), bytes: input.bytes, sha256: input.sha256 },
      format: input.format,
    };
    rmSync(`${path}.tmp`, { force: true });
    if (fresh || !existsSync(path)) return new Checkpoint(path, header, new RowRanges());
    const unreadable = () =>
      new ImportError('invalid_checkpoint', `The checkpoint file ${basename(path)} cannot be read; remove it or run with --fresh (imports are upserts: rows imported again are updated, never duplicated).`);
    const text = readFileSync(path, 'utf8');
    // Only whole lines count: a line a kill cut short has no newline yet.
    const lines = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter((line) => line !== '');
    let recorded: CheckpointHeader;
    const ranges: [number, number][] = [];
    try {
      recorded = HeaderSchema.parse(JSON.parse(lines[0] ?? ''));
      for (const line of lines.slice(1)) {
        if (/^\d{1,15}$/.test(line)) ranges.push([Number(line), Number(line)]);
        else ranges.push(...RangesSchema.parse(JSON.parse(line)));
      }
    } catch {
      throw unreadable();
    }
    if (recorded.input.sha256 !== input.sha256 || recorded.input.bytes !== input.bytes || recorded.format !== input.format) {
      throw new ImportError(
        'checkpoint_mismatch',
        `The checkpoint ${basename(path)} was written for another version of the input (${recorded.input.name}). Restore that file, give another --checkpoint, or run with --fresh to import every row again (imports are upserts: rows imported again are updated, never duplicated).`,
      );
    }
    return new Checkpoint(path, header, RowRanges.from(ranges));
  }

  /** Records an imported row: appended to the file at once. */
  record(row: number): void {
    this.imported.add(row);
    writeSync(this.#fd, `${row}\n`);
  }

  close(): void {
    closeSync(this.#fd);
  }
}
