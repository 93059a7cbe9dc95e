/**
 * `importConnections()`: every rule a row must meet, as the Migrating Integrations guide and the spec state them,
 * against the sandbox Vault API in-process. A bad row is reported by row number and field, never its value, and the
 * run goes on.
 */
import assert from 'node:assert/strict';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type ImportRowResult, type ImportSummary, ImportError, importConnections } from '../../src/server/index.ts';
import { API_KEY, APP_ID, BASE, type ImportSandbox, importSandbox, tempDir } from './import-helpers.ts';

const oauth = (consumer: string, extra: Record<string, unknown> = {}) => ({
  consumer_id: consumer,
  unified_api: 'accounting',
  service_id: 'xero',
  credentials: { access_token: `at-${consumer}-SECRET`, refresh_token: `rt-${consumer}-SECRET` },
  ...extra,
});
const apiKeyRow = (consumer: string, extra: Record<string, unknown> = {}) => ({
  consumer_id: consumer,
  unified_api: 'crm',
  service_id: 'pipedrive',
  settings: { api_key: `key-${consumer}-SECRET` },
  ...extra,
});

async function run(sandbox: ImportSandbox, rows: unknown[], options: Record<string, unknown> = {}) {
  const results: ImportRowResult[] = [];
  const summary = await importConnections({
    apiKey: API_KEY,
    appId: APP_ID,
    unifyBaseUrl: BASE,
    fetch: sandbox.fetch,
    rows,
    onResult: (result) => results.push(result),
    retry: { baseDelayMs: 1 },
    ...options,
  });
  results.sort((a, b) => a.row - b.row);
  return { summary, results };
}

/** The one row's result, checked to have failed with `error` on `field`. */
function failsWith(results: ImportRowResult[], row: number, error: string, field?: string): ImportRowResult {
  const result = results.find((r) => r.row === row);
  assert.ok(result, `row ${row} has a result`);
  assert.equal(result.outcome, 'failed', `row ${row}: ${JSON.stringify(result)}`);
  assert.equal(result.error, error, `row ${row}: ${JSON.stringify(result)}`);
  if (field !== undefined) assert.equal(result.field, field, `row ${row}: ${JSON.stringify(result)}`);
  assert.ok(!JSON.stringify(result).includes('SECRET'), `row ${row}'s result quotes a value: ${JSON.stringify(result)}`);
  return result;
}

let sandbox: ImportSandbox;
before(() => {
  sandbox = importSandbox();
});
after(() => sandbox.close());

describe('importConnections: rows', () => {
  it('refuses each broken row with its row number and field, and imports the good ones around them', async () => {
    const rows: unknown[] = [
      /* 1 */ oauth('ok-1'),
      /* 2 */ ['not', 'an', 'object'],
      /* 3 */ { ...oauth('c3'), settingz: {} },
      /* 4 */ { ...oauth('c4'), consumer_id: undefined },
      /* 5 */ oauth(' leading-space'),
      /* 6 */ oauth('trailing-space '),
      /* 7 */ oauth('tab\tinside'),
      /* 8 */ oauth('bell\u0007'),
      /* 9 */ oauth('caf\u00e9'),
      /* 10 */ { ...oauth('c10'), unified_api: undefined },
      /* 11 */ { ...oauth('c11'), service_id: 'xero/../../sessions' },
      /* 12 */ { ...oauth('c12'), credentials: 'a-SECRET-string' },
      /* 13 */ { ...oauth('c13'), credentials: { access_token: 'a-SECRET', refresh_token: 'r-SECRET', scope: 'x' } },
      /* 14 */ { ...oauth('c14'), credentials: { access_token: 7, refresh_token: 'r-SECRET' } },
      /* 15 */ { ...oauth('c15'), credentials: { access_token: 'a-SECRET', refresh_token: 'r-SECRET', issued_at: 'yesterday' } },
      /* 16 */ { ...oauth('c16'), credentials: { access_token: 'a-SECRET', refresh_token: 'r-SECRET', expires_in: 1.5 } },
      /* 17 */ { ...oauth('c17'), settings: 'x-SECRET' },
      /* 18 */ { ...oauth('c18'), metadata: { account: { type: 'company' } } },
      /* 19 */ apiKeyRow('c19', { settings: { type: 'api_key' } }),
      /* 20 */ { consumer_id: 'c20', unified_api: 'crm', service_id: 'pipedrive' },
      /* 21 */ { ...oauth('c21'), credentials: { access_token: 'a-SECRET' } },
      /* 22 */ { ...oauth('c22'), credentials: { access_token: 'a-SECRET', refresh_token: null } },
      /* 23 */ { ...oauth('c23'), credentials: { refresh_token: 'r-SECRET' } },
      /* 24 */ apiKeyRow('c24', { settings: {}, credentials: { access_token: 'a-SECRET', refresh_token: 'r-SECRET' } }),
      /* 25 */ apiKeyRow('c25', { settings: { company_domain: 'acme-SECRET' } }),
      /* 26 */ { consumer_id: 'c26', unified_api: 'accounting', service_id: 'sage-intacct', settings: { company_id: 'a-SECRET', username: 'u-SECRET' } },
      /* 27 */ apiKeyRow('c27', { service_id: 'no-such-connector' }),
      /* 28 */ oauth('c28', { unified_api: 'crm', service_id: 'zoho-crm' }),
      /* 29 */ apiKeyRow('ok-29'),
      /* 30 */ { consumer_id: 'ok-30', unified_api: 'accounting', service_id: 'sage-intacct', settings: { company_id: 'a', username: 'u', password: 'p-SECRET' } },
      /* 31 */ oauth('ok-31', { credentials: { access_token: 'a-SECRET', refresh_token: 'r-SECRET', issued_at: new Date().toISOString(), expires_in: 3600 } }),
      /* 32 */ oauth('ok-32', { unified_api: 'accounting', service_id: 'quickbooks', settings: { realm_id: '4620816365164357123' }, metadata: { account: { type: 'company', id: '1' } } }),
    ];
    const { summary, results } = await run(sandbox, rows);

    failsWith(results, 2, 'invalid_row');
    failsWith(results, 3, 'unknown_field', 'settingz');
    failsWith(results, 4, 'missing_field', 'consumer_id');
    for (const row of [5, 6, 7, 8, 9]) {
      const result = failsWith(results, row, 'invalid_consumer', 'consumer_id');
      assert.equal(result.consumer_id, null, 'an invalid consumer ID is not repeated in the report');
    }
    failsWith(results, 10, 'missing_field', 'unified_api');
    failsWith(results, 11, 'invalid_field', 'service_id');
    failsWith(results, 12, 'invalid_field', 'credentials');
    failsWith(results, 13, 'unknown_field', 'credentials.scope');
    failsWith(results, 14, 'invalid_field', 'credentials.access_token');
    failsWith(results, 15, 'invalid_field', 'credentials.issued_at');
    failsWith(results, 16, 'invalid_field', 'credentials.expires_in');
    failsWith(results, 17, 'invalid_field', 'settings');
    failsWith(results, 18, 'type_only_object', 'metadata.account');
    failsWith(results, 19, 'type_only_object', 'settings');
    failsWith(results, 20, 'missing_field', 'credentials');
    failsWith(results, 21, 'missing_field', 'credentials.refresh_token');
    failsWith(results, 22, 'missing_field', 'credentials.refresh_token');
    failsWith(results, 23, 'missing_field', 'credentials.access_token');
    failsWith(results, 24, 'missing_field', 'settings');
    failsWith(results, 25, 'missing_field', 'settings.api_key');
    failsWith(results, 26, 'missing_field', 'settings.password');
    failsWith(results, 27, 'unknown_connector', 'service_id');
    failsWith(results, 28, 'integration_not_configured', 'service_id');

    for (const row of [1, 29, 30, 31, 32]) {
      const result = results.find((r) => r.row === row)!;
      assert.equal(result.outcome, 'imported', JSON.stringify(result));
      assert.equal(result.attempts, 1);
      assert.match(result.connection_id ?? '', /^[a-z-]+\+[a-z-]+$/);
    }
    assert.equal(results.find((r) => r.row === 29)?.consumer_id, 'ok-29');
    assert.deepEqual(
      { rows: summary.rows, imported: summary.imported, failed: summary.failed, interrupted: summary.interrupted },
      { rows: 32, imported: 5, failed: 27, interrupted: false },
    );
    // Nothing was sent for a refused row: only the five good ones reached the import endpoint.
    assert.equal([...sandbox.imports.keys()].filter((key) => /^ok-\d+\//.test(key)).length, 5);
    assert.equal(sandbox.api.getConnection('ok-31', 'accounting', 'xero')?.health, 'ok', 'issued_at and expires_in: no refresh queued');
    assert.deepEqual(sandbox.api.getConnection('ok-32', 'accounting', 'quickbooks')?.settings?.realm_id, '4620816365164357123');
  });

  it('reads each connector\'s auth type once, whatever the number of its rows', async () => {
    const before = sandbox.requests.length;
    await run(sandbox, Array.from({ length: 12 }, (_, i) => apiKeyRow(`once-${i}`)), { concurrency: 4 });
    const reads = sandbox.requests.slice(before).filter((request) => request === 'GET /vault/connections/crm/pipedrive');
    assert.equal(reads.length, 1);
  });

  it('is an upsert: a row imported twice updates the one connection', async () => {
    const first = await run(sandbox, [apiKeyRow('twice')]);
    const second = await run(sandbox, [apiKeyRow('twice', { settings: { api_key: 'other-SECRET', company_domain: 'acme' } })]);
    assert.equal(first.results[0].connection_id, second.results[0].connection_id);
    const connection = sandbox.api.getConnection('twice', 'crm', 'pipedrive');
    assert.equal(connection?.state, 'callable');
    assert.equal(connection?.settings?.company_domain, 'acme');
    assert.equal(sandbox.imports.get('twice/crm+pipedrive'), 2);
  });

  it('--dry-run checks rows and reads auth types but imports nothing and writes no checkpoint', async () => {
    const files = tempDir();
    try {
      const input = files.path('rows.jsonl');
      writeFileSync(input, [apiKeyRow('dry-1'), oauth('dry-2', { credentials: { access_token: 'a' } })].map((row) => JSON.stringify(row)).join('\n'));
      const before = sandbox.requests.length;
      const results: ImportRowResult[] = [];
      const summary = await importConnections({
        apiKey: API_KEY, appId: APP_ID, unifyBaseUrl: BASE, fetch: sandbox.fetch,
        file: input, dryRun: true, checkpoint: files.path('rows.checkpoint'), report: files.path('report.jsonl'),
        onResult: (result) => results.push(result),
      });
      assert.equal(summary.valid, 1);
      assert.equal(summary.failed, 1);
      assert.equal(results.find((r) => r.row === 1)?.outcome, 'valid');
      assert.equal(results.find((r) => r.row === 2)?.field, 'credentials.refresh_token');
      assert.ok(sandbox.requests.slice(before).every((request) => request.startsWith('GET ')), 'only reads');
      assert.equal(sandbox.api.getConnection('dry-1', 'crm', 'pipedrive')?.state, 'available');
      assert.equal(existsSync(files.path('rows.checkpoint')), false);
      assert.equal(readFileSync(files.path('report.jsonl'), 'utf8').trim().split('\n').length, 2);
    } finally {
      files.remove();
    }
  });

  it('--verify puts state and health in the report: queued refreshes that succeed, and those that fail', async () => {
    const files = tempDir();
    try {
      const summary: ImportSummary = await importConnections({
        apiKey: API_KEY, appId: APP_ID, unifyBaseUrl: BASE, fetch: sandbox.fetch,
        rows: [
          oauth('verify-ok'),
          oauth('verify-revoked', { credentials: { access_token: 'a-SECRET', refresh_token: 'revoked-SECRET' } }),
          apiKeyRow('verify-key'),
        ],
        verify: true,
        report: files.path('report.jsonl'),
      });
      const lines = readFileSync(files.path('report.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as ImportRowResult);
      const byConsumer = new Map(lines.map((line) => [line.consumer_id, line]));
      assert.deepEqual([byConsumer.get('verify-ok')?.state, byConsumer.get('verify-ok')?.health], ['callable', 'ok']);
      assert.deepEqual([byConsumer.get('verify-revoked')?.state, byConsumer.get('verify-revoked')?.health], ['callable', 'needs_auth']);
      assert.deepEqual([byConsumer.get('verify-key')?.state, byConsumer.get('verify-key')?.health], ['callable', 'ok']);
      assert.equal(summary.unhealthy, 1);
      assert.ok(!readFileSync(files.path('report.jsonl'), 'utf8').includes('SECRET'));
    } finally {
      files.remove();
    }
  });
});

describe('importConnections: files', () => {
  it('reads CSV with dotted columns as nested fields, numbers rows by line, and reports unreadable records', async () => {
    const files = tempDir();
    try {
      const input = files.path('rows.csv');
      writeFileSync(
        input,
        [
          'consumer_id,unified_api,service_id,credentials.access_token,credentials.refresh_token,credentials.issued_at,credentials.expires_in,settings.realm_id,metadata.account.name',
          `csv-1,accounting,quickbooks,at-SECRET,rt-SECRET,${new Date().toISOString()},3600,4620816365164357123,Acme`,
          'csv-2,accounting,quickbooks,at-SECRET',
          'csv-3,crm,pipedrive,,,,,,',
          '"csv-4",accounting,xero,"at-SECRET, with a comma",rt-SECRET,,,,',
        ].join('\n'),
      );
      const results: ImportRowResult[] = [];
      await importConnections({
        apiKey: API_KEY, appId: APP_ID, unifyBaseUrl: BASE, fetch: sandbox.fetch,
        file: input, onResult: (result) => results.push(result),
      });
      results.sort((a, b) => a.row - b.row);
      assert.deepEqual(results.map((r) => [r.row, r.outcome, r.error, r.field ?? null]), [
        [2, 'imported', null, null],
        [3, 'failed', 'unreadable_row', null],
        [4, 'failed', 'missing_field', 'credentials'],
        [5, 'imported', null, null],
      ]);
      const quickbooks = sandbox.api.getConnection('csv-1', 'accounting', 'quickbooks');
      assert.equal(quickbooks?.settings?.realm_id, '4620816365164357123');
      assert.deepEqual(quickbooks?.metadata, { account: { name: 'Acme' } });
      assert.equal(quickbooks?.health, 'ok', 'expires_in was read as a number');
    } finally {
      files.remove();
    }
  });

  it('numbers JSON Lines rows by line, skipping blank lines, and reports a line that is not JSON', async () => {
    const files = tempDir();
    try {
      const input = files.path('rows.jsonl');
      writeFileSync(input, `\uFEFF${JSON.stringify(apiKeyRow('jl-1'))}\n\n{"consumer_id": "jl-2", "settings": {"api_key": "SECRET-broken"\n${JSON.stringify(apiKeyRow('jl-4'))}\n`);
      const results: ImportRowResult[] = [];
      await importConnections({ apiKey: API_KEY, appId: APP_ID, unifyBaseUrl: BASE, fetch: sandbox.fetch, file: input, onResult: (r) => results.push(r) });
      results.sort((a, b) => a.row - b.row);
      assert.deepEqual(results.map((r) => [r.row, r.outcome, r.error]), [[1, 'imported', null], [3, 'failed', 'unreadable_row'], [4, 'imported', null]]);
      assert.ok(!JSON.stringify(results).includes('SECRET'));
    } finally {
      files.remove();
    }
  });

  it('refuses a CSV header it does not understand before importing anything', async () => {
    const files = tempDir();
    try {
      for (const [header, pattern] of [
        ['consumer_id,unified_api,service_id,credential.access_token', /column "credential.access_token" is not a field/],
        ['consumer_id,unified_api,service_id,settings.a,settings.a.b', /both a value and an object/],
        ['consumer_id,unified_api,service_id,settings.a,settings.a', /twice/],
        ['consumer_id,service_id,settings.api_key', /no "unified_api" column/],
      ] as const) {
        const input = files.path('rows.csv');
        writeFileSync(input, `${header}\nc,crm,pipedrive,x\n`);
        await assert.rejects(
          importConnections({ apiKey: API_KEY, appId: APP_ID, unifyBaseUrl: BASE, fetch: sandbox.fetch, file: input }),
          (error: unknown) => error instanceof ImportError && error.code === 'invalid_header' && pattern.test(error.message),
        );
      }
    } finally {
      files.remove();
    }
  });

  it('refuses bad options with a message that names the option, never the key', async () => {
    await assert.rejects(importConnections({ apiKey: 'k-SECRET', appId: APP_ID, rows: [], concurrency: 0 }), /option "concurrency"/);
    await assert.rejects(importConnections({ apiKey: 'k-SECRET', appId: APP_ID, rows: [], unifyBaseUrl: 'http://example.com' }), /option "unifyBaseUrl" must be an https URL/);
    await assert.rejects(importConnections({ apiKey: 'k-SECRET', appId: APP_ID }), /file or rows/);
    await assert.rejects(importConnections({ apiKey: 'k-SECRET', appId: APP_ID, rows: [], verify: true }), /option "verify" must come with report/);
    await assert.rejects(importConnections({ apiKey: 'k-SECRET', appId: APP_ID, file: '/nonexistent/rows.jsonl' }), (error: unknown) => error instanceof ImportError && error.code === 'input_not_found' && !error.message.includes('SECRET'));
  });
});
