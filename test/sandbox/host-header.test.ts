/**
 * Finding 10 of issue 14 (DNS rebinding): a page on a name the attacker controls, rebound to 127.0.0.1, reaches the
 * sandbox's ports, but its requests carry that name in `Host`. Every emulator answers only requests addressed to its own
 * loopback host and port (`127.0.0.1:<port>` or `localhost:<port>`); anything else gets 403 and never reaches an
 * emulator (no session minted, no code issued, no page served).
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts';

/** A raw request with a chosen `Host` header (fetch does not let a caller set it). */
function send(url: string, host: string | undefined, method = 'GET'): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method, headers: host === undefined ? {} : { host }, timeout: 5000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

describe('the sandbox emulators answer only their own loopback host and port', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(async () => {
    await sandbox.close();
  });

  const targets = (): [string, string][] => [
    ['the Vault API', `${sandbox.vaultApiUrl}/vault/connections`],
    ['the Vault JS modal page', `${sandbox.vaultJsUrl}/`],
    ['Hosted Vault', `${sandbox.hostedVaultUrl}/integrations/crm/salesforce?jwt=x`],
    ['VaultRE’s authorize page', `${sandbox.vaultreUrl}/oauth-authorize.cgi?client_id=${sandbox.vaultreClientId}`],
  ];

  it('another name (a rebound DNS name), another port or no port → 403, nothing served', async () => {
    for (const [name, url] of targets()) {
      const { port } = new URL(url);
      for (const host of [`attacker.example:${port}`, 'attacker.example', `127.0.0.1.nip.io:${port}`, `127.0.0.1:${Number(port) + 1}`, '127.0.0.1', `localhost.attacker.example:${port}`]) {
        const reply = await send(url, host);
        assert.equal(reply.status, 403, `${name} with Host: ${host}`);
        assert.match(reply.body, /host_not_allowed/);
      }
    }
  });

  it('127.0.0.1:<port> and localhost:<port> are served as before', async () => {
    for (const [name, url] of targets()) {
      const { port } = new URL(url);
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
        const reply = await send(url, host);
        assert.notEqual(reply.status, 403, `${name} with Host: ${host} (${reply.body.slice(0, 120)})`);
      }
    }
  });
});
