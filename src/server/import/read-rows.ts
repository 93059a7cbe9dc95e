/**
 * Reading the import file as a stream of numbered rows, so memory stays flat however long it is: JSON Lines through
 * `readline`, CSV through `csv-parse` (a header row; nested fields as dotted column names, `credentials.access_token`,
 * `settings.realm_id`, `metadata.account.name`). A row's number is its line in the file (a CSV record that spans lines:
 * its last line). A line that cannot be read becomes a row with a problem, and reading goes on.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { printableField } from './validate-row.ts';
import { IMPORT_FORMATS, ImportError, type ImportFormat, type SourceRow } from './types.ts';

const TOP_LEVEL_COLUMNS = ['consumer_id', 'unified_api', 'service_id'];
const NESTED_COLUMNS = ['credentials', 'settings', 'metadata'];

/** The format a file name implies: `.jsonl` / `.ndjson` → `jsonl`, `.csv` → `csv`; `undefined` otherwise. */
export function formatFromName(path: string): ImportFormat | undefined {
  const extension = extname(path).toLowerCase();
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  if (extension === '.csv') return 'csv';
  return undefined;
}

/** The format to read `path` with: the one given, or the one its name implies; an `ImportError` when neither says. */
export function resolveFormat(path: string, format: string | undefined): ImportFormat {
  if (format !== undefined) {
    if (!(IMPORT_FORMATS as readonly string[]).includes(format)) {
      throw new ImportError('invalid_format', `The format must be ${IMPORT_FORMATS.join(' or ')}.`);
    }
    return format as ImportFormat;
  }
  const implied = formatFromName(path);
  if (!implied) {
    throw new ImportError('invalid_format', 'Cannot tell the format from the file name (.jsonl, .ndjson or .csv): give the format (--format jsonl|csv).');
  }
  return implied;
}

/** SHA-256 of the file's bytes, read as a stream: ties a checkpoint to the exact input it was written for. */
export async function fingerprintFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    bytes += buffer.byteLength;
    hash.update(buffer);
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** The rows of `path` in `format`, one at a time. */
export function readRows(path: string, format: ImportFormat): AsyncIterable<SourceRow> {
  return format === 'csv' ? readCsv(path) : readJsonLines(path);
}

async function* readJsonLines(path: string): AsyncIterable<SourceRow> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      // A byte order mark on the first line is not part of the JSON.
      const content = line === 1 ? text.replace(/^\uFEFF/, '') : text;
      if (content.trim() === '') continue;
      try {
        yield { row: line, value: JSON.parse(content) as unknown };
      } catch {
        yield { row: line, problem: { code: 'unreadable_row', message: `Line ${line} is not a JSON object.` } };
      }
    }
  } finally {
    lines.close();
  }
}

/** Checks the header: known names only, each once, no column both a value and an object (`settings.a`, `settings.a.b`). */
function checkHeader(columns: string[]): void {
  const seen = new Set<string>();
  for (const column of columns) {
    const name = printableField(column);
    if (seen.has(column)) throw new ImportError('invalid_header', `The CSV header names the column "${name}" twice.`);
    seen.add(column);
    const [first, ...rest] = column.split('.');
    const known = rest.length === 0 ? TOP_LEVEL_COLUMNS.includes(first) : NESTED_COLUMNS.includes(first) && rest.every((part) => part !== '');
    if (!known) {
      throw new ImportError(
        'invalid_header',
        `The CSV column "${name}" is not a field of an import row: use ${TOP_LEVEL_COLUMNS.join(', ')} and dotted names under ${NESTED_COLUMNS.join(', ')} (e.g. credentials.access_token, settings.realm_id).`,
      );
    }
  }
  for (const column of columns) {
    if (columns.some((other) => other.startsWith(`${column}.`))) {
      throw new ImportError('invalid_header', `The CSV column "${printableField(column)}" is both a value and an object of other columns.`);
    }
  }
  for (const required of TOP_LEVEL_COLUMNS) {
    if (!seen.has(required)) throw new ImportError('invalid_header', `The CSV header has no "${required}" column.`);
  }
}

/** A CSV record as an import row: empty cells left out, dotted columns nested, `credentials.expires_in` a number. */
function nest(record: Record<string, string>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [column, cell] of Object.entries(record)) {
    if (cell === '') continue;
    const path = column.split('.');
    let target = row;
    for (const part of path.slice(0, -1)) {
      const next = target[part];
      if (typeof next === 'object' && next !== null) target = next as Record<string, unknown>;
      else target = target[part] = {};
    }
    const leaf = path[path.length - 1];
    target[leaf] = column === 'credentials.expires_in' && /^\d{1,15}$/.test(cell) ? Number(cell) : cell;
  }
  return row;
}

async function* readCsv(path: string): AsyncIterable<SourceRow> {
  let headerError: ImportError | undefined;
  const skipped: SourceRow[] = [];
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      info: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      columns: (header: string[]) => {
        try {
          checkHeader(header);
        } catch (error) {
          headerError = error as ImportError;
          throw error;
        }
        return header;
      },
      on_skip: (error) => {
        const line = (error as { lines?: number } | undefined)?.lines;
        const row = typeof line === 'number' ? line : 0;
        skipped.push({ row, problem: { code: 'unreadable_row', message: `The CSV record at line ${row} cannot be read (its columns do not match the header, or a quote is not closed).` } });
      },
    }),
  );
  try {
    for await (const item of parser) {
      const { info, record } = item as { info: { lines: number }; record: Record<string, string> };
      while (skipped.length > 0) yield skipped.shift()!;
      yield { row: info.lines, value: nest(record) };
    }
  } catch (error) {
    if (headerError) throw headerError;
    // csv-parse's message may quote the file's content: only its code is passed on.
    const code = typeof (error as { code?: unknown }).code === 'string' ? ` (${printableField((error as { code: string }).code)})` : '';
    throw new ImportError('unreadable_input', `The CSV file cannot be read${code}.`);
  } finally {
    parser.destroy();
  }
  while (skipped.length > 0) yield skipped.shift()!;
}
