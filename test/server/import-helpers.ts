/** Shared set-up for the import tests: the sandbox Vault API in-process (no port), counting what it is asked. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ImportFaults, createVaultApi } from '../../src/sandbox/vault-api.ts';

export const API_KEY = 'import-test-api-key-9d31';
export const APP_ID = 'import-test-app';
export const BASE = 'http://127.0.0.1:4999';

export interface ImportSandbox {
  fetch: typeof fetch;
  /** Imports performed, by `consumer/unified_api+service_id`. */
  imports: Map<string, number>;
  /** Requests seen, as `METHOD path`. */
  requests: string[];
  api: ReturnType<typeof createVaultApi>;
  close(): void;
}

export function importSandbox(options: { faults?: ImportFaults; random?: () => number; refreshDelayMs?: number } = {}): ImportSandbox {
  const imports = new Map<string, number>();
  const requests: string[] = [];
  const api = createVaultApi({
    apiKey: API_KEY,
    applicationId: APP_ID,
    vaultApiUrl: BASE,
    allowOrigin: () => false,
    refreshDelayMs: options.refreshDelayMs ?? 10,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.random ? { random: options.random } : {}),
    onImport: (consumerId, connectionId) => {
      const key = `${consumerId}/${connectionId}`;
      imports.set(key, (imports.get(key) ?? 0) + 1);
    },
  });
  const fetchImpl = ((input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    requests.push(`${request.method} ${new URL(request.url).pathname}`);
    return api.handler(request);
  }) as typeof fetch;
  return { fetch: fetchImpl, imports, requests, api, close: () => api.close() };
}

/** A temporary directory, removed by the returned function. */
export function tempDir(): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'vault-connect-import-'));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
