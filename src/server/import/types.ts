/**
 * The vocabulary of `importConnections()`: a row as read from the input, the problems a row can have, and the line the
 * report keeps for each row. No value here ever holds a credential or a setting's value.
 */

/** The input formats: JSON Lines (one object a line) or CSV (a header row; nested fields as dotted column names). */
export const IMPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** One connection to import, as `ConnectionImportData` plus who and where (spec `connectionsImport`). */
export interface ConnectionRow {
  consumer_id: string;
  unified_api: string;
  service_id: string;
  /** OAuth tokens (`oauth2` connectors). */
  credentials?: {
    access_token?: string;
    refresh_token?: string | null;
    issued_at?: string | null;
    expires_in?: number | null;
  };
  /** The connector's settings (`apiKey` / `basic` connectors; beside the tokens for some OAuth ones, e.g. `realm_id`). */
  settings?: Record<string, unknown> | null;
  metadata?: Record<string, unknown> | null;
}

/** The codes a row can fail with, in the report's `error` column. */
export const ROW_ERROR_CODES = [
  /** The line is not JSON, or the CSV record could not be read (wrong number of columns, an unclosed quote). */
  'unreadable_row',
  /** The row is not an object. */
  'invalid_row',
  'missing_field',
  'invalid_field',
  'unknown_field',
  /** The consumer ID has leading or trailing whitespace or control characters (as the handlers refuse it). */
  'invalid_consumer',
  /** An object holds only a `type`: Apideck would remove it. */
  'type_only_object',
  /** Apideck does not know this unified API / service ID for the application. */
  'unknown_connector',
  /** The integration must be configured in Apideck before connections can be imported into it. */
  'integration_not_configured',
  /** A connector whose auth type has nothing to import (`none`). */
  'unsupported_auth_type',
  /** Apideck refused the import (a 4xx other than 401, 402, 404 and 429). */
  'import_rejected',
  /** Still rate limited (429) after every retry. */
  'rate_limited',
  /** Apideck still failed (5xx) after every retry. */
  'upstream_error',
  /** Apideck could not be reached, or did not answer in time, after every retry. */
  'network_error',
  /** Apideck answered 2xx with a reply that is not a connection. */
  'invalid_response',
  /** The run stopped (Ctrl+C twice, or a fatal error) while this row was on its way. */
  'aborted',
] as const;
export type RowErrorCode = (typeof ROW_ERROR_CODES)[number];

/** Why a row cannot be imported: a code, the field (dotted path) when one is to blame, and a sentence without values. */
export interface RowProblem {
  code: RowErrorCode;
  field?: string;
  message: string;
}

/** A row as the source hands it over: its number (the line in the file, or the position), and the value or a problem. */
export interface SourceRow {
  row: number;
  value?: unknown;
  problem?: RowProblem;
}

export type RowOutcome =
  /** Imported (or updated: an import is an upsert). */
  | 'imported'
  /** `dryRun`: the row is valid and its connector known; nothing was written. */
  | 'valid'
  /** Not imported; see `error`. */
  | 'failed'
  /** Imported by an earlier run, according to the checkpoint. */
  | 'skipped';

/** One line of the report: what happened to one input row. Never a token or a setting's value. */
export interface ImportRowResult {
  row: number;
  /** `null` when the row has no valid consumer ID (an invalid one is not repeated). */
  consumer_id: string | null;
  unified_api: string | null;
  service_id: string | null;
  /** The connection's `id` as Apideck answered the import; `null` when it was not imported in this run. */
  connection_id: string | null;
  outcome: RowOutcome;
  /** Requests made for the import itself (retries included); 0 when none was sent. */
  attempts: number;
  error: RowErrorCode | null;
  /** The field to blame, as a dotted path (`credentials.refresh_token`). */
  field?: string;
  /** A sentence about the failure; never a value from the row. */
  message?: string;
  /** HTTP status of Apideck's last answer to the import, when it failed with one. */
  status?: number;
  /** With `verify`: the connection's `state` and `health` as read back after the run. */
  state?: string | null;
  health?: string | null;
}

/** What a run did, in numbers. */
export interface ImportSummary {
  /** Rows read from the input (skipped ones included). */
  rows: number;
  imported: number;
  /** `dryRun`: rows that would be imported. */
  valid: number;
  failed: number;
  /** Rows the checkpoint says an earlier run imported. */
  skipped: number;
  dryRun: boolean;
  /** The run was stopped before the end of the input (`stop` signal, or a fatal error). */
  interrupted: boolean;
  /** What stopped the whole run, when something did (the API key refused, the checkpoint not for this file, …). */
  fatal?: { code: string; message: string };
  /** With `verify`: imported connections whose `health` is not `ok` after the run (tokens Apideck could not refresh). */
  unhealthy?: number;
}

/** The error `importConnections()` rejects with before it imports anything, or when the whole run must stop. */
export class ImportError extends Error {
  override readonly name = 'ImportError';
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
