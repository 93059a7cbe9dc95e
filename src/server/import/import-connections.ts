/**
 * `importConnections()`: moves connections authorized elsewhere into Apideck Vault, one
 * `POST /vault/connections/{unified_api}/{service_id}/import` per row (the Migrating Integrations guide), with a bounded
 * number of rows on their way at once. Rows are read as a stream and checked before anything is sent; a bad row is
 * reported (row number, field, never the value) and the run goes on. With a checkpoint the run can be resumed.
 *
 * The file-system parts (reading the file, the checkpoint, the report) are loaded only when asked for, so that
 * `vault-connect/server` still loads where there is no file system (edge runtimes).
 */
import * as z from 'zod';
import { apideckErrorMessage, unifyBase, unifyBaseUrlOption } from '../apideck.ts';
import { HEADER_SAFE, fetchOption, optionsError, safeParse } from '../options.ts';
import { redactUpstreamText } from '../upstream.ts';
import type { Checkpoint } from './checkpoint.ts';
import { createConnectorFacts } from './connector-facts.ts';
import type { ReportFile } from './report.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, sleep } from './retry.ts';
import { IMPORT_FORMATS, ImportError, type ImportRowResult, type ImportSummary, type RowProblem, type SourceRow } from './types.ts';
import { IDENTIFIER, checkForConnector, checkRowShape } from './validate-row.ts';
import { isValidConsumerId } from '../consumer-id.ts';
import { ConnectionReplySchema, createVaultCalls } from './vault-calls.ts';

export interface ImportConnectionsOptions {
  /** Apideck API key. Secret: never written anywhere by the import. */
  apiKey: string;
  /** Apideck application ID. */
  appId: string;
  /** Vault API base. Default `https://unify.apideck.com`; plain http only for loopback hosts (the sandbox). */
  unifyBaseUrl?: string;
  /** The input file (JSON Lines or CSV), read as a stream. Give this or `rows`. */
  file?: string;
  /** The file's format; default from its extension (`.jsonl`, `.ndjson`, `.csv`). */
  format?: 'jsonl' | 'csv';
  /** The rows themselves (objects as a JSON Lines row), numbered from 1 in order. Give this or `file`. */
  rows?: Iterable<unknown> | AsyncIterable<unknown>;
  /** Rows on their way at once. Default 4, at most 64. */
  concurrency?: number;
  /** Check every row and read every connector's auth type, but write nothing to Apideck (nor to the checkpoint). */
  dryRun?: boolean;
  /**
   * After the run, read each imported connection back and put its `state` and `health` in the report (needs `report`).
   * A connection still `pending_refresh` is read again, for up to `verifyWaitMs`, until Apideck's background refresh
   * has run.
   */
  verify?: boolean;
  /** How long `verify` waits for a queued token refresh, in ms. Default 20000. */
  verifyWaitMs?: number;
  /** Path of the report: one JSON line per input row. */
  report?: string;
  /** Path of the checkpoint that makes the run resumable (with `file` only). */
  checkpoint?: string;
  /** Ignore an existing checkpoint and import every row again. */
  fresh?: boolean;
  /** Called with each row's result as it finishes (progress). */
  onResult?: (result: ImportRowResult) => void;
  /** Stops the run gracefully: no new row is started, the rows on their way finish and are recorded. */
  stop?: AbortSignal;
  /** Stops at once: the rows on their way are abandoned (not recorded in the checkpoint; imported again on resume). */
  signal?: AbortSignal;
  /** The `fetch` used to call Apideck (injectable for tests). */
  fetch?: typeof fetch;
  /** Timeout of each call, in milliseconds. Default 30000. */
  timeoutMs?: number;
  /** Retries of 429 (after `Retry-After`), 5xx and network failures, with exponential backoff and jitter. */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number };
}

const headerValue = z.string().trim().min(1, 'must be a non-empty string').regex(HEADER_SAFE, 'must contain printable ASCII characters only');
const isIterable = (value: unknown) =>
  typeof value === 'object' && value !== null && (Symbol.iterator in value || Symbol.asyncIterator in value);

const OptionsSchema = z
  .strictObject({
    apiKey: headerValue,
    appId: headerValue,
    unifyBaseUrl: unifyBaseUrlOption,
    file: z.string().min(1).optional(),
    format: z.enum(IMPORT_FORMATS).optional(),
    rows: z.custom<Iterable<unknown> | AsyncIterable<unknown>>(isIterable, 'must be an iterable or async iterable').optional(),
    concurrency: z.number().int().min(1).max(64).optional(),
    dryRun: z.boolean().optional(),
    verify: z.boolean().optional(),
    verifyWaitMs: z.number().int().min(0).max(600_000).optional(),
    report: z.string().min(1).optional(),
    checkpoint: z.string().min(1).optional(),
    fresh: z.boolean().optional(),
    onResult: z.custom<(result: ImportRowResult) => void>((value) => typeof value === 'function', 'must be a function').optional(),
    stop: z.custom<AbortSignal>((value) => value instanceof AbortSignal, 'must be an AbortSignal').optional(),
    signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal, 'must be an AbortSignal').optional(),
    fetch: fetchOption,
    timeoutMs: z.number().int().positive().max(300_000).optional(),
    retry: z
      .strictObject({
        maxAttempts: z.number().int().min(1).max(20).optional(),
        baseDelayMs: z.number().int().min(0).max(60_000).optional(),
        maxDelayMs: z.number().int().min(0).max(600_000).optional(),
        maxRetryAfterMs: z.number().int().min(0).max(3_600_000).optional(),
      })
      .optional(),
  })
  .refine((options) => (options.file === undefined) !== (options.rows === undefined), { message: 'must be given: file or rows, not both', path: ['file'] })
  .refine((options) => options.checkpoint === undefined || options.file !== undefined, { message: 'must come with file', path: ['checkpoint'] })
  .refine((options) => !options.verify || options.report !== undefined, { message: 'must come with report', path: ['verify'] });

const DEFAULT_CONCURRENCY = 4;
const DEFAULT_TIMEOUT_MS = 30_000;
const MESSAGE_LIMIT = 200;

/** Numbers the rows of an iterable from 1. */
async function* numbered(rows: Iterable<unknown> | AsyncIterable<unknown>): AsyncIterable<SourceRow> {
  let row = 0;
  for await (const value of rows) yield { row: ++row, value };
}

/** Every string in a value, for redaction. */
function stringsIn(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) stringsIn(item, into);
  return into;
}

/** Apideck's `message`, when short, with the API key and every value of the row redacted. */
function upstreamMessage(reply: unknown, secrets: string[]): string | undefined {
  const text = apideckErrorMessage(reply);
  if (text === undefined) return undefined;
  const message = redactUpstreamText(text, secrets).replace(/[^\x20-\x7e]/g, '?');
  return message === '' || message.length > MESSAGE_LIMIT ? undefined : message;
}

/** What a row that failed its checks still says reliably about who and where: each field only when it is valid. */
function identityOf(value: unknown): RowIdentity | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const row = value as Record<string, unknown>;
  const identifier = (field: unknown) => (typeof field === 'string' && IDENTIFIER.test(field) ? field : null);
  return {
    consumer_id: isValidConsumerId(row.consumer_id) ? row.consumer_id : null,
    unified_api: identifier(row.unified_api),
    service_id: identifier(row.service_id),
  };
}

type RowIdentity = Pick<ImportRowResult, 'consumer_id' | 'unified_api' | 'service_id'>;

function failedResult(
  source: SourceRow,
  row: RowIdentity | undefined,
  problem: RowProblem,
  attempts = 0,
): ImportRowResult {
  return {
    row: source.row,
    consumer_id: row?.consumer_id ?? null,
    unified_api: row?.unified_api ?? null,
    service_id: row?.service_id ?? null,
    connection_id: null,
    outcome: 'failed',
    attempts,
    error: problem.code,
    ...(problem.field !== undefined ? { field: problem.field } : {}),
    message: problem.message,
  };
}

/**
 * Imports every row of `file` (or `rows`) and resolves with the summary once the last one is done. Rejects with an
 * `ImportError` (or an `Error` for invalid options) before anything is sent when the options, the input's header or the
 * checkpoint are wrong. A failure that concerns every row (Apideck refusing the API key) stops the run: the summary
 * then has `fatal`.
 */
export async function importConnections(options: ImportConnectionsOptions): Promise<ImportSummary> {
  const parsed = safeParse(OptionsSchema, options);
  if (!parsed.success) throw optionsError('importConnections', parsed.error);
  const config = parsed.data;
  const concurrency = config.concurrency ?? DEFAULT_CONCURRENCY;
  const dryRun = config.dryRun ?? false;
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...config.retry };
  const verifyWaitMs = config.verifyWaitMs ?? 20_000;

  // The graceful stop, and the hard one (which also ends the graceful one).
  const hard = new AbortController();
  const stopping = new AbortController();
  const onHard = () => {
    hard.abort();
    stopping.abort();
  };
  const onStop = () => stopping.abort();
  config.signal?.addEventListener('abort', onHard, { once: true });
  config.stop?.addEventListener('abort', onStop, { once: true });
  if (config.signal?.aborted) onHard();
  if (config.stop?.aborted) onStop();

  let source: AsyncIterable<SourceRow>;
  let checkpoint: Checkpoint | undefined;
  let report: ReportFile | undefined;
  try {
    if (config.file !== undefined) {
      const { existsSync } = await import('node:fs');
      const { readRows, resolveFormat, fingerprintFile } = await import('./read-rows.ts');
      if (!existsSync(config.file)) throw new ImportError('input_not_found', 'The input file does not exist.');
      const format = resolveFormat(config.file, config.format);
      if (config.checkpoint !== undefined && !dryRun) {
        const { Checkpoint } = await import('./checkpoint.ts');
        const fingerprint = await fingerprintFile(config.file);
        checkpoint = Checkpoint.open(config.checkpoint, { path: config.file, format, ...fingerprint }, config.fresh ?? false);
      }
      source = readRows(config.file, format);
    } else {
      source = numbered(config.rows!);
    }
    if (config.report !== undefined) {
      const { ReportFile } = await import('./report.ts');
      report = new ReportFile(config.report);
    }
  } catch (error) {
    config.signal?.removeEventListener('abort', onHard);
    config.stop?.removeEventListener('abort', onStop);
    throw error;
  }

  const calls = createVaultCalls({
    base: unifyBase(config.unifyBaseUrl),
    apiKey: config.apiKey,
    appId: config.appId,
    fetch: config.fetch ?? globalThis.fetch.bind(globalThis),
    timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry,
    signal: hard.signal,
  });
  const facts = createConnectorFacts(calls);
  const summary: ImportSummary = { rows: 0, imported: 0, valid: 0, failed: 0, skipped: 0, dryRun, interrupted: false };
  let fatal: ImportError | undefined;

  async function processRow(source: SourceRow): Promise<ImportRowResult> {
    if (source.problem) return failedResult(source, undefined, source.problem);
    const shape = checkRowShape(source.value);
    if ('problem' in shape) return failedResult(source, identityOf(source.value), shape.problem);
    const row = shape.row;
    const identity = { consumer_id: row.consumer_id, unified_api: row.unified_api, service_id: row.service_id };
    if (checkpoint?.imported.has(source.row)) {
      return { row: source.row, ...identity, connection_id: null, outcome: 'skipped', attempts: 0, error: null };
    }
    const lookup = await facts.lookup(row.consumer_id, row.unified_api, row.service_id);
    if ('problem' in lookup) return failedResult(source, row, lookup.problem);
    const problem = checkForConnector(row, lookup.facts);
    if (problem) return failedResult(source, row, problem);
    if (dryRun) return { row: source.row, ...identity, connection_id: null, outcome: 'valid', attempts: 0, error: null };

    const body = JSON.stringify({
      ...(row.credentials !== undefined ? { credentials: row.credentials } : {}),
      ...(row.settings !== undefined ? { settings: row.settings } : {}),
      ...(row.metadata !== undefined ? { metadata: row.metadata } : {}),
    });
    const result = await calls.importConnection(row.consumer_id, row.unified_api, row.service_id, body);
    if (!result.ok) {
      const secrets = [config.apiKey, ...stringsIn([row.credentials, row.settings, row.metadata])];
      const detail = result.reply !== undefined ? upstreamMessage(result.reply, secrets) : undefined;
      const messages: Record<string, string> = {
        import_rejected: `Apideck refused the import (HTTP ${result.status ?? '?'})${detail ? `: ${detail}` : '.'}`,
        rate_limited: `Apideck still answered 429 (rate limited) after ${result.attempts} attempts.`,
        upstream_error: `Apideck still failed (HTTP ${result.status ?? '?'}) after ${result.attempts} attempts.`,
        network_error: `Apideck could not be reached after ${result.attempts} attempts.`,
        aborted: 'The run was stopped while this row was on its way; it was not recorded as imported.',
      };
      const code = result.status === 404 ? 'unknown_connector' : result.code;
      return {
        ...failedResult(source, row, { code, message: messages[result.code] ?? 'The import failed.' }, result.attempts),
        ...(result.status !== undefined ? { status: result.status } : {}),
      };
    }
    const reply = ConnectionReplySchema.safeParse(result.reply);
    checkpoint?.record(source.row);
    return {
      row: source.row,
      ...identity,
      connection_id: reply.success ? (reply.data.data.id ?? null) : null,
      outcome: 'imported',
      attempts: result.attempts,
      error: null,
    };
  }

  function finish(result: ImportRowResult): void {
    summary.rows++;
    if (result.outcome === 'imported') summary.imported++;
    else if (result.outcome === 'valid') summary.valid++;
    else if (result.outcome === 'skipped') summary.skipped++;
    else summary.failed++;
    report?.write(result);
    config.onResult?.(result);
  }

  const iterator = source[Symbol.asyncIterator]();
  let exhausted = false;
  async function worker(): Promise<void> {
    while (!stopping.signal.aborted) {
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        return;
      }
      let result: ImportRowResult;
      try {
        result = await processRow(next.value);
      } catch (error) {
        if (!(error instanceof ImportError)) throw error;
        fatal ??= error;
        stopping.abort();
        result = failedResult(next.value, undefined, { code: 'aborted', message: error.message });
      }
      finish(result);
    }
  }

  try {
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
  } finally {
    checkpoint?.close();
    await iterator.return?.();
    config.signal?.removeEventListener('abort', onHard);
    config.stop?.removeEventListener('abort', onStop);
  }
  summary.interrupted = !exhausted;
  if (fatal) summary.fatal = { code: fatal.code, message: fatal.message };

  if (report) {
    if (config.verify && !dryRun && !summary.interrupted) {
      let unhealthy = 0;
      await report.rewrite(async (line) => {
        if ((line.outcome !== 'imported' && line.outcome !== 'skipped') || !line.consumer_id || !line.unified_api || !line.service_id) return line;
        const { consumer_id, unified_api, service_id } = line;
        let state: string | null = null;
        let health: string | null = null;
        const deadline = Date.now() + verifyWaitMs;
        try {
          for (let wait = 250; ; wait = Math.min(wait * 2, 4000)) {
            const read = await calls.readConnection(consumer_id, unified_api, service_id);
            const parsedRead = read.ok ? ConnectionReplySchema.safeParse(read.reply) : undefined;
            state = parsedRead?.success ? (parsedRead.data.data.state ?? null) : null;
            health = parsedRead?.success ? (parsedRead.data.data.health ?? null) : null;
            if (health !== 'pending_refresh' || Date.now() + wait > deadline) break;
            if (!(await sleep(wait, hard.signal))) break;
          }
        } catch {
          // A fatal answer while verifying leaves the line without state and health.
        }
        if (health !== 'ok') unhealthy++;
        return { ...line, state, health };
      }, concurrency);
      summary.unhealthy = unhealthy;
    } else {
      report.close();
    }
  }
  return summary;
}
