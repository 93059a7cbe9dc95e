/**
 * `importConnections()` against a Vault API that rate-limits and fails: 429 waits for `Retry-After`, 5xx and network
 * failures are retried with backoff a bounded number of times, other answers are final, and a refused API key stops
 * the run. Plus the checkpoint's row ranges and the retry policy's arithmetic.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ImportRowResult, importConnections } from '../../src/server/index.ts';
import { RowRanges } from '../../src/server/import/checkpoint.ts';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelay } from '../../src/server/import/retry.ts';
import { API_KEY, APP_ID, BASE, importSandbox } from './import-helpers.ts';

const row = (consumer: string) => ({ consumer_id: consumer, unified_api: 'crm', service_id: 'pipedrive', settings: { api_key: `key-${consumer}` } });

/** A fetch that answers the import with `answers` in turn (then passes through), for the sandbox's other routes too. */
function scripted(pass: typeof fetch, answers: (() => Response | Promise<Response>)[]) {
  const importTimes: number[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    if (request.method === 'POST' && request.url.endsWith('/import')) {
      importTimes.push(Date.now());
      const next = answers.shift();
      if (next) return next();
    }
    return pass(request);
  }) as typeof fetch;
  return { fetch: fetchImpl, importTimes };
}

const envelope = (status: number) =>
  new Response(JSON.stringify({ status_code: status, error: 'Error', type_name: 'X', message: 'x', detail: 'x' }), { status, headers: { 'content-type': 'application/json' } });

async function importOne(fetchImpl: typeof fetch, retry: Record<string, number> = {}) {
  const results: ImportRowResult[] = [];
  const summary = await importConnections({
    apiKey: API_KEY, appId: APP_ID, unifyBaseUrl: BASE, fetch: fetchImpl, rows: [row('r1')],
    onResult: (result) => results.push(result), retry: { baseDelayMs: 5, ...retry },
  });
  return { summary, result: results[0] };
}

describe('importConnections: retries', () => {
  it('waits for Retry-After on a 429, then imports', async () => {
    const sandbox = importSandbox();
    const { fetch: fetchImpl, importTimes } = scripted(sandbox.fetch, [
      () => { const response = envelope(429); response.headers.set('retry-after', '1'); return response; },
    ]);
    const { result } = await importOne(fetchImpl);
    assert.equal(result.outcome, 'imported');
    assert.equal(result.attempts, 2);
    assert.ok(importTimes[1] - importTimes[0] >= 1000, `waited ${importTimes[1] - importTimes[0]} ms, Retry-After said 1 s`);
    assert.equal(sandbox.imports.get('r1/crm+pipedrive'), 1);
    sandbox.close();
  });

  it('retries 5xx and network failures with a growing backoff, then imports', async () => {
    const sandbox = importSandbox();
    const { fetch: fetchImpl, importTimes } = scripted(sandbox.fetch, [
      () => envelope(500),
      () => Promise.reject(new TypeError('fetch failed')),
      () => envelope(503),
    ]);
    const { result } = await importOne(fetchImpl, { baseDelayMs: 20 });
    assert.equal(result.outcome, 'imported');
    assert.equal(result.attempts, 4);
    const gaps = importTimes.slice(1).map((time, i) => time - importTimes[i]);
    // Equal jitter: between half and all of 20, 40, 80 ms.
    assert.ok(gaps[0] >= 10 && gaps[1] >= 20 && gaps[2] >= 40, `gaps ${gaps.join(', ')}`);
    sandbox.close();
  });

  it('gives up after maxAttempts with the failure\'s code, and the run goes on', async () => {
    const sandbox = importSandbox();
    const always = Array.from({ length: 10 }, () => () => envelope(502));
    const { summary, result } = await importOne(scripted(sandbox.fetch, always).fetch, { maxAttempts: 3 });
    assert.deepEqual([result.outcome, result.error, result.attempts, result.status], ['failed', 'upstream_error', 3, 502]);
    assert.equal(summary.failed, 1);

    const limited = Array.from({ length: 10 }, () => () => { const response = envelope(429); response.headers.set('retry-after', '0'); return response; });
    const rate = await importOne(scripted(sandbox.fetch, limited).fetch, { maxAttempts: 2 });
    assert.deepEqual([rate.result.error, rate.result.attempts], ['rate_limited', 2]);

    const down = Array.from({ length: 10 }, () => () => Promise.reject(new TypeError('fetch failed')));
    const network = await importOne(scripted(sandbox.fetch, down).fetch, { maxAttempts: 2 });
    assert.deepEqual([network.result.error, network.result.attempts], ['network_error', 2]);
    sandbox.close();
  });

  it('does not retry a refusal (4xx), and says why without quoting the row', async () => {
    const sandbox = importSandbox();
    const refusal = () =>
      new Response(JSON.stringify({ status_code: 400, error: 'Bad Request', message: 'key-r1 is not accepted' }), { status: 400, headers: { 'content-type': 'application/json' } });
    const { result } = await importOne(scripted(sandbox.fetch, [refusal]).fetch);
    assert.deepEqual([result.error, result.attempts, result.status], ['import_rejected', 1, 400]);
    assert.equal(result.message, 'Apideck refused the import (HTTP 400): [redacted] is not accepted');
    sandbox.close();
  });

  it('a 401 stops the whole run: no row after it is sent', async () => {
    const sandbox = importSandbox();
    let imports = 0;
    const fetchImpl = ((input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      if (request.url.endsWith('/import')) imports++;
      return Promise.resolve(envelope(401));
    }) as typeof fetch;
    const summary = await importConnections({
      apiKey: API_KEY, appId: APP_ID, unifyBaseUrl: BASE, fetch: fetchImpl, concurrency: 1,
      rows: Array.from({ length: 20 }, (_, i) => row(`u${i}`)),
    });
    assert.equal(summary.fatal?.code, 'unauthorized');
    assert.match(summary.fatal?.message ?? '', /APIDECK_API_KEY/);
    assert.equal(summary.interrupted, true);
    assert.equal(summary.rows, 1);
    assert.equal(imports, 0, 'the auth-type read was refused first');
    sandbox.close();
  });

  it('the sandbox\'s injected 429s and 500s: every row imported, none twice', async () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const sandbox = importSandbox({ faults: { import_429_rate: 0.2, import_500_rate: 0.1, retry_after: 0 }, random });
    const summary = await importConnections({
      apiKey: API_KEY, appId: APP_ID, unifyBaseUrl: BASE, fetch: sandbox.fetch, concurrency: 8,
      rows: Array.from({ length: 200 }, (_, i) => row(`f${i}`)), retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 12 },
    });
    assert.equal(summary.imported, 200);
    assert.equal(sandbox.imports.size, 200);
    assert.ok([...sandbox.imports.values()].every((count) => count === 1));
    sandbox.close();
  });
});

describe('retry policy and checkpoint ranges', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(' 0 '), 0);
    assert.equal(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1)), 10_000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.UTC(2030, 0, 1)), 0);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });

  it('backs off exponentially with jitter, capped, never under Retry-After', () => {
    const at = (random: number, attempt: number, retryAfter?: number) => retryDelay({ ...DEFAULT_RETRY_POLICY, random: () => random }, attempt, retryAfter);
    assert.equal(at(0, 1), 125);
    assert.equal(at(0.999999, 1), 250);
    assert.equal(at(0, 3), 500);
    assert.equal(at(1, 20), 30_000);
    assert.equal(at(0, 1, 5000), 5000);
  });

  it('keeps imported rows as merged ranges, in any order', () => {
    const ranges = new RowRanges();
    for (const row of [3, 1, 2, 7, 5, 6, 10]) ranges.add(row);
    assert.deepEqual(ranges.toJSON(), [[1, 3], [5, 7], [10, 10]]);
    ranges.add(4);
    ranges.add(4);
    assert.deepEqual(ranges.toJSON(), [[1, 7], [10, 10]]);
    assert.equal(ranges.size, 8);
    assert.equal(ranges.has(8), false);
    assert.equal(ranges.has(7), true);
    assert.deepEqual(RowRanges.from([[5, 9], [1, 2], [3, 4], [20, 19]]).toJSON(), [[1, 9]]);
  });
});
