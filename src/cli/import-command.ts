/**
 * `vault-connect import <file>`: `importConnections()` from the command line. Secrets come from the environment only
 * (`APIDECK_API_KEY`, `APIDECK_APP_ID`); the Vault API base from `APIDECK_UNIFY_BASE_URL`. Ctrl+C once lets the rows on
 * their way finish and records them in the checkpoint; twice stops at once.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_UNIFY_BASE_URL, unifyBaseUrlOption } from '../server/apideck.ts';
import { importConnections } from '../server/import/import-connections.ts';
import { formatFromName } from '../server/import/read-rows.ts';
import { ImportError, type ImportSummary } from '../server/import/types.ts';
import { type CliIo, type Command, EXIT } from './io.ts';
import { countLines, jsonLinesView, terminalView } from './progress.ts';

export const IMPORT_HELP = `Usage: vault-connect import <file> [options]

Imports connections authorized elsewhere into Apideck Vault, one row per connection, through
POST /vault/connections/{unified_api}/{service_id}/import (an upsert). See docs/migration.md.

The file: JSON Lines (.jsonl, .ndjson) or CSV (.csv) with consumer_id, unified_api, service_id and
credentials and/or settings (and optional metadata); in CSV, nested fields are dotted column names
(credentials.access_token, settings.realm_id, metadata.account).

Options:
  --dry-run             check every row and read each connector's auth type; write nothing to Apideck
  --concurrency N       rows on their way at once (default 4, at most 64)
  --report FILE         the report, one JSON line per row (default import-report.jsonl)
  --checkpoint FILE     the checkpoint that makes a run resumable (default <file>.checkpoint)
  --fresh               ignore the checkpoint and import every row again
  --format jsonl|csv    the file's format (default: from its extension)
  --verify              after the run, read each connection back: its state and health go in the report
  -h, --help            this text

Environment:
  APIDECK_API_KEY         your Apideck API key (required; never passed as an argument)
  APIDECK_APP_ID          your Apideck application ID (required)
  APIDECK_UNIFY_BASE_URL  the Vault API base (default ${DEFAULT_UNIFY_BASE_URL}; plain http only on loopback)

Exit status: 0 every row imported (or skipped), 1 some rows failed, 2 a usage error or a failure that stopped
the run, 130 interrupted (run the same command again to go on).
`;

const OPTIONS = {
  'dry-run': { type: 'boolean' },
  concurrency: { type: 'string' },
  report: { type: 'string' },
  checkpoint: { type: 'string' },
  fresh: { type: 'boolean' },
  format: { type: 'string' },
  verify: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** An option's name as typed, without any `=value` (which may be a secret typed by mistake). */
function optionName(arg: string): string {
  return arg.split('=', 1)[0].replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
}

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`vault-connect import: ${message}\nRun "vault-connect import --help" for the options.\n`);
  return EXIT.error;
}

export const importCommand: Command = async (args, io) => {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch {
    const unknown = args.find((arg) => arg.startsWith('-') && !Object.keys(OPTIONS).some((name) => optionName(arg) === `--${name}` || arg === '-h'));
    if (unknown && /key|secret|token|app/i.test(unknown)) {
      return usageError(io, `unknown option ${optionName(unknown)}: secrets are read from APIDECK_API_KEY and APIDECK_APP_ID, never from arguments.`);
    }
    return usageError(io, unknown ? `unknown option ${optionName(unknown)}.` : 'an option is missing its value.');
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(IMPORT_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) return usageError(io, positionals.length === 0 ? 'give the file to import.' : 'give exactly one file to import.');
  const file = positionals[0];

  let concurrency = 4;
  if (values.concurrency !== undefined) {
    if (!/^\d{1,2}$/.test(values.concurrency) || Number(values.concurrency) < 1 || Number(values.concurrency) > 64) {
      return usageError(io, '--concurrency must be a whole number from 1 to 64.');
    }
    concurrency = Number(values.concurrency);
  }
  if (values.format !== undefined && values.format !== 'jsonl' && values.format !== 'csv') return usageError(io, '--format must be jsonl or csv.');
  const format = values.format;
  if (format === undefined && formatFromName(file) === undefined) {
    return usageError(io, 'cannot tell the format from the file name (.jsonl, .ndjson or .csv): add --format jsonl or --format csv.');
  }

  const apiKey = io.env.APIDECK_API_KEY?.trim();
  const appId = io.env.APIDECK_APP_ID?.trim();
  if (!apiKey || !appId) return usageError(io, 'set APIDECK_API_KEY and APIDECK_APP_ID in the environment.');
  const unifyBaseUrl = io.env.APIDECK_UNIFY_BASE_URL?.trim() || undefined;
  if (unifyBaseUrl !== undefined && !unifyBaseUrlOption.safeParse(unifyBaseUrl).success) {
    return usageError(io, 'APIDECK_UNIFY_BASE_URL must be an https URL without query or fragment (plain http only for localhost).');
  }

  const dryRun = values['dry-run'] ?? false;
  const report = values.report ?? 'import-report.jsonl';
  const checkpoint = values.checkpoint ?? `${file}.checkpoint`;
  const files = { report, checkpoint };
  const interactive = io.stderr.isTTY === true;
  let view;
  try {
    view = interactive ? terminalView(io, await countLines(file)) : jsonLinesView(io, { file, dry_run: dryRun, concurrency });
  } catch {
    return usageError(io, 'the file cannot be read.');
  }

  const stop = new AbortController();
  const abort = new AbortController();
  const removeSignalHandler = io.onSignal(() => {
    if (!stop.signal.aborted) {
      view.notice(`Stopping: finishing the rows on their way and recording them in the checkpoint (press Ctrl+C again to stop at once).`);
      stop.abort();
    } else if (!abort.signal.aborted) {
      view.notice('Stopping at once: the rows on their way are not recorded, and will be imported again on the next run.');
      abort.abort();
    }
  });

  let summary: ImportSummary;
  try {
    summary = await importConnections({
      apiKey,
      appId,
      ...(unifyBaseUrl !== undefined ? { unifyBaseUrl } : {}),
      file,
      ...(format !== undefined ? { format } : {}),
      concurrency,
      dryRun,
      verify: values.verify ?? false,
      report,
      checkpoint,
      fresh: values.fresh ?? false,
      onResult: (result) => view.row(result),
      stop: stop.signal,
      signal: abort.signal,
    });
  } catch (error) {
    removeSignalHandler();
    if (error instanceof ImportError) {
      view.fail(error.code, error.message);
      return EXIT.error;
    }
    view.fail('unexpected', 'the import failed unexpectedly.');
    throw error;
  }
  removeSignalHandler();
  view.done(summary, files);
  if (summary.fatal) return EXIT.error;
  if (stop.signal.aborted && summary.interrupted) return EXIT.interrupted;
  return summary.failed > 0 ? EXIT.failures : EXIT.ok;
};
