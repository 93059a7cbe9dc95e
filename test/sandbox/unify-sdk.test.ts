/**
 * The sandbox against Apideck's official SDK, `@apideck/unify`, which validates every reply with its own schemas (an
 * independent check of the emulator, beside the OpenAPI contract test): each Vault operation the element and the server
 * handlers use parses, with the API key (the server: sessions, import, the import store's reads and deletes) and with
 * the session JWT (the browser: list, one, update, delete, token). `POST …/confirm` has no SDK operation.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Apideck } from '@apideck/unify';
import { HTTPClient } from '@apideck/unify/lib/http.js';
import * as errors from '@apideck/unify/models/errors';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts';

const CONSUMER = 'sdk-consumer';

let sandbox: Sandbox;
/** The host's backend: the API key, the app and the consumer. */
let server: Apideck;
/** The browser: the session JWT as the bearer, as the element sends it (`x-apideck-auth-type: JWT`). */
let browser: Apideck;

before(async () => {
  sandbox = await startSandbox();
  server = new Apideck({ apiKey: sandbox.apiKey, appId: sandbox.applicationId, consumerId: CONSUMER, serverURL: sandbox.vaultApiUrl, retryConfig: { strategy: 'none' } });
  const created = await server.vault.sessions.create({ session: { settings: { unifiedApis: ['crm', 'hris', 'ats'] } } });
  const token = created.createSessionResponse?.data.sessionToken;
  assert.ok(token, 'the session reply parses and carries a session_token');
  const jwtClient = new HTTPClient().addHook('beforeRequest', (request) => {
    const headers = new Headers(request.headers);
    headers.set('x-apideck-auth-type', 'JWT');
    return new Request(request, { headers });
  });
  browser = new Apideck({ apiKey: token, serverURL: sandbox.vaultApiUrl, httpClient: jwtClient, retryConfig: { strategy: 'none' } });
});

after(() => sandbox.close());

describe('@apideck/unify parses every reply the element relies on (session JWT)', () => {
  test('list connections, all and by unified API', async () => {
    const all = await browser.vault.connections.list({});
    const connections = all.getConnectionsResponse?.data ?? [];
    assert.ok(connections.length > 10, `${connections.length} connections`);
    for (const connection of connections) assert.ok(connection.serviceId && connection.unifiedApi);
    const crm = await browser.vault.connections.list({ api: 'crm' });
    assert.ok(crm.getConnectionsResponse?.data.every((connection) => connection.unifiedApi === 'crm'));
  });

  test('get one connection', async () => {
    const one = await browser.vault.connections.get({ unifiedApi: 'crm', serviceId: 'salesforce' });
    assert.equal(one.getConnectionResponse?.data.serviceId, 'salesforce');
  });

  test('update: disable, enable, save settings', async () => {
    const disabled = await browser.vault.connections.update({ unifiedApi: 'hris', serviceId: 'bob', connection: { enabled: false } });
    assert.equal(disabled.updateConnectionResponse?.data.enabled, false);
    const enabled = await browser.vault.connections.update({ unifiedApi: 'hris', serviceId: 'bob', connection: { enabled: true } });
    assert.equal(enabled.updateConnectionResponse?.data.enabled, true);
    const saved = await browser.vault.connections.update({
      unifiedApi: 'hris',
      serviceId: 'personio',
      connection: { settings: { client_id: 'sdk-client', client_secret: 'sdk-secret' } },
    });
    assert.equal(saved.updateConnectionResponse?.data.serviceId, 'personio');
  });

  test('token: the client_credentials grant', async () => {
    const granted = await browser.vault.connections.token({ unifiedApi: 'hris', serviceId: 'personio', requestBody: {} });
    assert.equal(granted.getConnectionResponse?.data.state, 'callable');
  });

  test('delete a connection', async () => {
    const deleted = await browser.vault.connections.delete({ unifiedApi: 'hris', serviceId: 'bob' });
    assert.equal(deleted.httpMeta.response.status, 204);
  });

  test("Apideck's error envelope parses as the SDK's typed errors", async () => {
    await assert.rejects(browser.vault.connections.get({ unifiedApi: 'crm', serviceId: 'no-such-connector' }), errors.NotFoundResponse);
    const stranger = new Apideck({ apiKey: 'not-a-session', serverURL: sandbox.vaultApiUrl, retryConfig: { strategy: 'none' } });
    await assert.rejects(stranger.vault.connections.list({}), errors.UnauthorizedResponse);
  });
});

describe('@apideck/unify parses every reply the server handlers rely on (API key)', () => {
  test('create a session with the settings the session handler sends', async () => {
    const created = await server.vault.sessions.create({
      session: {
        redirectUri: 'http://127.0.0.1:5173/callback.html',
        settings: { autoRedirect: true, isolationMode: true, unifiedApis: ['crm'] },
        theme: { vaultName: 'SDK test' },
      },
    });
    assert.match(created.createSessionResponse?.data.sessionToken ?? '', /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.ok(created.createSessionResponse?.data.sessionUri);
  });

  test('import credentials (apideckImportStore.set), read them back (get), then forget them (delete)', async () => {
    const imported = await server.vault.connections.imports({
      unifiedApi: 'ats',
      serviceId: 'greenhouse',
      connectionImportData: { settings: { api_key: 'sdk-imported-key' }, metadata: { source: 'sdk-test' } },
    });
    assert.equal(imported.createConnectionResponse?.data.state, 'callable');
    const read = await server.vault.connections.get({ unifiedApi: 'ats', serviceId: 'greenhouse' });
    assert.equal(read.getConnectionResponse?.data.state, 'callable');
    const deleted = await server.vault.connections.delete({ unifiedApi: 'ats', serviceId: 'greenhouse' });
    assert.equal(deleted.httpMeta.response.status, 204);
  });

  test('import OAuth tokens', async () => {
    const imported = await server.vault.connections.imports({
      unifiedApi: 'crm',
      serviceId: 'salesforce',
      connectionImportData: { credentials: { accessToken: 'sdk-access', refreshToken: 'sdk-refresh', expiresIn: 3600 } },
    });
    assert.ok(imported.createConnectionResponse?.data.serviceId === 'salesforce');
  });

  test('an import with missing settings parses as the SDK\'s BadRequestResponse', async () => {
    await assert.rejects(
      server.vault.connections.imports({ unifiedApi: 'ats', serviceId: 'greenhouse', connectionImportData: { settings: {} } }),
      errors.BadRequestResponse,
    );
  });
});

test('the SDK does validate: a reply that breaks its schema is refused', async () => {
  const liar = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status_code: 200, status: 'OK', data: [{ service_id: 42, enabled: 'yes' }] }));
  });
  await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
  try {
    const serverURL = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
    const client = new Apideck({ apiKey: 'key', appId: 'app', consumerId: CONSUMER, serverURL, retryConfig: { strategy: 'none' } });
    await assert.rejects(client.vault.connections.list({}), errors.ResponseValidationError);
  } finally {
    await new Promise<void>((resolve) => liar.close(() => resolve()));
  }
});
