// The package as a host installs it: run by scripts/check-package.mjs (`npm test`, "package checks") in a fresh project
// where the tarball was installed with `npm install`, so every import below goes through the package's `exports` and
// its declared dependencies only, with Node's own resolution.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const file = (specifier) => fileURLToPath(import.meta.resolve(specifier));

describe('entries', () => {
  test('npx vault-connect: the bin runs from the installed package, with its own dependencies', async () => {
    const { spawnSync } = await import('node:child_process');
    const bin = fileURLToPath(new URL('./node_modules/.bin/vault-connect', import.meta.url));
    const help = spawnSync(bin, ['import', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /Usage: vault-connect import <file>/);
    const { importConnections, createWebhookHandler } = await import('vault-connect/server');
    assert.equal(typeof importConnections, 'function');
    assert.equal(typeof createWebhookHandler, 'function');
  });

  test('vault-connect under Node (server rendering): the element class, no window, no document', async () => {
    const entry = await import('vault-connect');
    assert.equal(typeof entry.VaultConnect, 'function');
    assert.equal(typeof entry.VaultConnectErrorEvent, 'function');
    assert.equal(typeof globalThis.window, 'undefined');
    assert.equal(typeof globalThis.document, 'undefined');
    assert.match(file('vault-connect'), /\/dist\/lib\/index\.js$/);
  });

  test('the bundler build imports lit and zod, and carries no copy of them', () => {
    const element = readFileSync(file('vault-connect').replace(/index\.js$/, 'vault-connect.js'), 'utf8');
    assert.match(element, /from "lit"/);
    assert.doesNotMatch(element, /class ReactiveElement|LitElement extends/);
  });

  test('vault-connect/vault-connect.js is the self-contained module for <script> and CDNs', () => {
    const cdn = readFileSync(file('vault-connect/vault-connect.js'), 'utf8');
    assert.doesNotMatch(cdn, /^import\s*(\{|\*|")/m, 'no static import');
    assert.match(file('vault-connect/vault-connect.js'), /\/dist\/vault-connect\.js$/);
  });

  test('vault-connect/callback, callback.js and callback.html', async () => {
    const { relayCallback } = await import('vault-connect/callback');
    assert.equal(typeof relayCallback, 'function');
    assert.ok(existsSync(file('vault-connect/callback.js')));
    assert.match(readFileSync(file('vault-connect/callback.html'), 'utf8'), /<script type="module" src="\.\/callback-page\.js">/);
  });

  test('vault-connect/react and vault-connect/vue resolve (React itself is the app\'s)', () => {
    assert.ok(existsSync(file('vault-connect/react')));
    assert.ok(existsSync(file('vault-connect/vue')));
  });

  test('custom-elements.json: its module paths are files of the installed package', () => {
    const manifestPath = file('vault-connect/custom-elements.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const packageRoot = manifestPath.replace(/custom-elements\.json$/, '');
    for (const module of manifest.modules) assert.ok(existsSync(packageRoot + module.path), module.path);
  });
});

test('pg and redis are optional peer dependencies: not installed here, and each store names the one to install', async () => {
  for (const name of ['pg', 'redis']) assert.throws(() => import.meta.resolve(name), name);
  const { postgresStore, redisStore, redisLimiter } = await import('vault-connect/server');
  const reports = [];
  const options = { encryptionKey: new Uint8Array(32).fill(1), onError: (error) => reports.push(error.code) };
  const postgres = postgresStore({ connectionString: 'postgres://127.0.0.1:1/app', ...options });
  await assert.rejects(postgres.get('alice'), /^Error: postgresStore needs the "pg" package, which is not installed\. Install it with: npm install pg$/);
  const redis = redisStore({ url: 'redis://127.0.0.1:1', ...options });
  await assert.rejects(redis.get('alice'), /^Error: redisStore needs the "redis" package, .* npm install redis$/);
  // A limiter without its package counts in memory: the request goes ahead.
  assert.deepEqual(await redisLimiter({ url: 'redis://127.0.0.1:1', onError: options.onError }).consume('k'), { allowed: true, retryAfterSeconds: 0 });
  assert.deepEqual(reports, ['setup_failed', 'setup_failed', 'setup_failed']);
});

test('npx vault-connect rotate-key from the installed package: its help, and the package to install without pg', async () => {
  const { spawnSync } = await import('node:child_process');
  const bin = fileURLToPath(new URL('./node_modules/.bin/vault-connect', import.meta.url));
  const help = spawnSync(bin, ['rotate-key', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: vault-connect rotate-key/);
  const keyring = JSON.stringify({ current: 'k', keys: { k: Buffer.alloc(32, 1).toString('base64') } });
  const env = { ...process.env, VAULT_CONNECT_DATABASE_URL: 'postgres://app:hunter2@127.0.0.1:1/app', VAULT_CONNECT_ENCRYPTION_KEY: keyring };
  const run = spawnSync(bin, ['rotate-key'], { encoding: 'utf8', env });
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /^vault-connect rotate-key: postgresStore needs the "pg" package, which is not installed\. Install it with: npm install pg\n/);
  assert.ok(!run.stderr.includes('hunter2') && !run.stderr.includes(keyring));
});

describe('vault-connect/sandbox and vault-connect/server, as a host\'s test uses them', () => {
  let sandbox;
  before(async () => {
    const { startSandbox } = await import('vault-connect/sandbox');
    sandbox = await startSandbox();
  });
  after(() => sandbox?.close());

  test('a session from the session handler, then the list with its token', async () => {
    const { createSessionHandler } = await import('vault-connect/server');
    const session = createSessionHandler({
      apiKey: sandbox.apiKey,
      appId: sandbox.applicationId,
      consumerId: () => 'package-check-user',
      unifyBaseUrl: sandbox.vaultApiUrl,
    });
    const reply = await session(
      new Request('http://127.0.0.1/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    );
    assert.equal(reply.status, 200);
    const { session_token: token } = await reply.json();
    const list = await fetch(`${sandbox.vaultApiUrl}/vault/connections`, {
      headers: { authorization: `Bearer ${token}`, 'x-apideck-auth-type': 'JWT' },
    });
    assert.equal(list.status, 200);
    assert.ok((await list.json()).data.length > 10);
  });

  test('the pages it serves from the package alone: the Vault modal module and the page stylesheet', async () => {
    const modal = await fetch(`${sandbox.vaultJsUrl}/modal.js`);
    assert.equal(modal.status, 200);
    assert.match(await modal.text(), /on-ready/);
    const css = await fetch(`${sandbox.hostedVaultUrl}/__sandbox/page.css`);
    assert.equal(css.status, 200);
    assert.ok((await css.text()).length > 100);
  });
});
