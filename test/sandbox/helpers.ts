/** Shared set-up for the sandbox tests: a Vault API emulator on a controllable clock, called without any port. */
import assert from 'node:assert/strict';
import { type Connection, type VaultApi, createVaultApi } from '../../src/sandbox/vault-api.ts';

export const API_KEY = 'test-api-key-5f1c';
export const APP_ID = 'test-app';
export const VAULT_API_URL = 'http://127.0.0.1:4999';
export const BASE = 'https://vault.test';

export interface Harness {
  api: VaultApi;
  clock: { now: number };
  /** Calls the handler with the API key and the app/consumer headers. */
  asServer(path: string, init?: RequestInit & { consumer?: string }): Promise<Response>;
  /** Calls the handler with a session JWT as the browser does. */
  asBrowser(token: string, path: string, init?: RequestInit & { consumer?: string; appId?: string }): Promise<Response>;
  raw(path: string, init?: RequestInit): Promise<Response>;
  session(consumer?: string, body?: unknown): Promise<string>;
}

export function harness(options: { allowOrigin?: (origin: string) => boolean; extra?: number } = {}): Harness {
  const clock = { now: Date.UTC(2026, 0, 15, 12, 0, 0) };
  const api = createVaultApi({
    apiKey: API_KEY,
    applicationId: APP_ID,
    vaultApiUrl: VAULT_API_URL,
    allowOrigin: options.allowOrigin ?? ((origin) => origin === 'http://localhost:5173'),
    now: () => clock.now,
    // Imported tokens are refreshed in the background: quickly, in tests.
    refreshDelayMs: 10,
    ...(options.extra !== undefined ? { extra: options.extra } : {}),
  });
  const raw = (path: string, init: RequestInit = {}) => api.handler(new Request(`${BASE}${path}`, init));
  const asServer: Harness['asServer'] = (path, init = {}) => {
    const { consumer = 'consumer-1', headers, ...rest } = init;
    const h = new Headers(headers);
    h.set('authorization', `Bearer ${API_KEY}`);
    h.set('x-apideck-app-id', APP_ID);
    h.set('x-apideck-consumer-id', consumer);
    if (rest.body !== undefined && !h.has('content-type')) h.set('content-type', 'application/json');
    return raw(path, { ...rest, headers: h });
  };
  const asBrowser: Harness['asBrowser'] = (token, path, init = {}) => {
    const { consumer, appId, headers, ...rest } = init;
    const h = new Headers(headers);
    h.set('authorization', `Bearer ${token}`);
    h.set('x-apideck-auth-type', 'JWT');
    if (consumer !== undefined) h.set('x-apideck-consumer-id', consumer);
    if (appId !== undefined) h.set('x-apideck-app-id', appId);
    if (rest.body !== undefined && !h.has('content-type')) h.set('content-type', 'application/json');
    return raw(path, { ...rest, headers: h });
  };
  const session = async (consumer = 'consumer-1', body: unknown = {}) => {
    const response = await asServer('/vault/sessions', { method: 'POST', consumer, body: JSON.stringify(body) });
    if (response.status !== 200) throw new Error(`session failed: ${response.status} ${await response.text()}`);
    const json = (await response.json()) as { data: { session_token: string } };
    return json.data.session_token;
  };
  return { api, clock, asServer, asBrowser, raw, session };
}

/** Decodes a JWT's payload without verifying it. */
export function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

export type Json = Record<string, unknown> & { data?: unknown };

export async function body(response: Response): Promise<Json> {
  return (await response.json()) as Json;
}

export type Envelope = { status_code: number; error: string; type_name: string; message: string; detail: unknown; ref: string };

/** Asserts Apideck's error envelope with this status (and type). */
export async function expectError(response: Response, status: number, typeName?: string): Promise<Envelope> {
  const json = (await response.json()) as Envelope;
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${JSON.stringify(json)}`);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.equal(json.status_code, status);
  assert.equal(typeof json.error, 'string');
  assert.equal(typeof json.message, 'string');
  assert.ok(typeof json.detail === 'string' || (typeof json.detail === 'object' && json.detail !== null));
  assert.match(json.ref, /^https:\/\/developers\.apideck\.com\/errors#/);
  if (typeName) assert.equal(json.type_name, typeName);
  return json;
}

/** Asserts a 200 `{status_code, status, data}` reply and returns its connection. */
export async function connection(response: Response): Promise<Connection> {
  const json = await body(response);
  assert.equal(response.status, 200, JSON.stringify(json));
  assert.equal(json.status_code, 200);
  assert.equal(json.status, 'OK');
  return json.data as Connection;
}

export const json = (value: unknown) => JSON.stringify(value);
