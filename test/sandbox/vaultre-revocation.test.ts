/**
 * A token revoked in the VaultRE emulator reads as revoked on the next `GET`: `createVaultreHandler` with the demo's
 * `verifyToken` (`vaultreTokenVerifier`, which asks the emulated VaultRE API over HTTP as a host asks VaultRE's) against
 * a running sandbox, the token obtained through the emulator's real authorize page and exchange. A failure to verify
 * (the API key refused, VaultRE unreachable) is not a revocation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { vaultreTokenVerifier } from '../../src/sandbox/demo-vaultre-verify.ts';
import { createVaultreHandler, memoryStore } from '../../src/server/index.ts';
import type { FetchHandler } from '../../src/server/node-adapter.ts';

const ENDPOINT = 'http://127.0.0.1:5173/api/vaultre';
const CALLBACK = 'http://127.0.0.1:5173/callback.html';
const SECRET = 'a-test-secret-of-at-least-32-characters!';

let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox({ vaultreRedirectUris: [CALLBACK] });
});

after(async () => {
  await sandbox?.close();
});

function handlerFor(apiKey = sandbox.vaultreApiKey, apiUrl = sandbox.vaultreApiUrl): FetchHandler {
  return createVaultreHandler({
    clientId: sandbox.vaultreClientId,
    secret: SECRET,
    redirectUri: CALLBACK,
    authorizeUrl: sandbox.vaultreUrl,
    exchangeUrl: sandbox.vaultreExchangeUrl,
    consumerId: () => 'user-7',
    store: memoryStore(),
    verifyToken: vaultreTokenVerifier({ apiUrl, apiKey }),
    verifyTimeoutMs: 2_000,
  });
}

const json = { 'content-type': 'application/json' };

async function status(handler: FetchHandler): Promise<Record<string, unknown>> {
  const response = await handler(new Request(ENDPOINT));
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, unknown>;
}

/** Connect as the browser and the callback page would: authorize URL, VaultRE's approval page, Confirm, exchange. */
async function connect(handler: FetchHandler): Promise<void> {
  const authorize = await handler(new Request(ENDPOINT, { method: 'POST', headers: json, body: JSON.stringify({ action: 'authorize', token_type: 'account' }) }));
  const { authorize_url: url } = (await authorize.json()) as { authorize_url: string };
  const page = await (await fetch(url)).text();
  const request = /name="request" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const confirmed = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request, action: 'confirm' }).toString(),
    redirect: 'manual',
  });
  const back = new URL(confirmed.headers.get('location') ?? '');
  const exchanged = await handler(
    new Request(ENDPOINT, { method: 'POST', headers: json, body: JSON.stringify({ code: back.searchParams.get('code'), state: back.searchParams.get('state') }) }),
  );
  assert.equal(exchanged.status, 200);
}

describe('a token revoked in the VaultRE emulator', () => {
  it('reads {connected: false, reason: "revoked"} on the next GET; reconnecting connects again', async () => {
    const handler = handlerFor();
    await connect(handler);
    assert.equal((await status(handler)).connected, true);
    assert.ok(sandbox.vaultre.revokeAll() >= 1);
    assert.deepEqual(await status(handler), { connected: false, reason: 'revoked' });
    await connect(handler);
    const again = await status(handler);
    assert.equal(again.connected, true);
    assert.equal(again.reason, undefined);
  });

  it('is not taken for revoked when the API key is refused (403): that is the host’s problem, not the user’s', async () => {
    const handler = handlerFor('not-the-key');
    await connect(handler);
    sandbox.vaultre.revokeAll();
    assert.equal((await status(handler)).connected, true);
  });

  it('is not taken for revoked when VaultRE cannot be reached', async () => {
    const handler = handlerFor(sandbox.vaultreApiKey, 'http://127.0.0.1:9/api/v1.3');
    await connect(handler);
    sandbox.vaultre.revokeAll();
    assert.equal((await status(handler)).connected, true);
  });
});
