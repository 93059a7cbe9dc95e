/**
 * The checkpoint of an import: which rows of which input file are imported, so that running the same command again
 * skips them. It holds the input's name, size and SHA-256 and the imported row numbers as ranges, nothing from a row.
 * It is rewritten (a new file renamed over the old, so a kill never leaves half a file) after every imported row,
 * before that worker takes its next row: after a hard kill, only the rows still on their way (at most the
 * concurrency) were imported without being recorded.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import * as z from 'zod';
import { ImportError, type ImportFormat } from './types.ts';

const CHECKPOINT_VERSION = 1;

const CheckpointSchema = z.object({
  version: z.literal(CHECKPOINT_VERSION),
  input: z.object({ name: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  format: z.enum(['jsonl', 'csv']),
  imported: z.array(z.tuple([z.number().int().positive(), z.number().int().positive()])),
});
type CheckpointFile = z.infer<typeof CheckpointSchema>;

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
  readonly #path: string;
  readonly #header: Omit<CheckpointFile, 'imported'>;

  private constructor(path: string, input: CheckpointInput, imported: RowRanges) {
    this.#path = path;
    this.#header = {
      version: CHECKPOINT_VERSION,
      input: { name: basename(input.path), bytes: input.bytes, sha256: input.sha256 },
      format: input.format,
    };
    this.imported = imported;
  }

  /**
   * Opens the checkpoint at `path` for `input`: a fresh one when there is none (or `fresh`), the recorded rows when it
   * was written for the same bytes in the same format. Throws an `ImportError` when it is unreadable or for another input.
   */
  static open(path: string, input: CheckpointInput, fresh: boolean): Checkpoint {
    if (fresh || !existsSync(path)) {
      const checkpoint = new Checkpoint(path, input, new RowRanges());
      checkpoint.save();
      return checkpoint;
    }
    let parsed: CheckpointFile;
    try {
      parsed = CheckpointSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
    } catch {
      throw new ImportError('invalid_checkpoint', `The checkpoint file ${basename(path)} cannot be read; remove it or run with --fresh (imports are upserts: rows imported again are updated, never duplicated).`);
    }
    if (parsed.input.sha256 !== input.sha256 || parsed.input.bytes !== input.bytes || parsed.format !== input.format) {
      throw new ImportError(
        'checkpoint_mismatch',
        `The checkpoint ${basename(path)} was written for another version of the input (${parsed.input.name}). Restore that file, give another --checkpoint, or run with --fresh to import every row again (imports are upserts: rows imported again are updated, never duplicated).`,
      );
    }
    return new Checkpoint(path, input, RowRanges.from(parsed.imported));
  }

  /** Records an imported row and writes the file at once. */
  record(row: number): void {
    this.imported.add(row);
    this.save();
  }

  save(): void {
    const temporary = `${this.#path}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ ...this.#header, imported: this.imported })}\n`, { mode: 0o600 });
    renameSync(temporary, this.#path);
  }

  /** Removes a leftover temporary file (a kill between write and rename). */
  static cleanUp(path: string): void {
    rmSync(`${path}.tmp`, { force: true });
  }
}
