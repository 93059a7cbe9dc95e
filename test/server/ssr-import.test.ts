// Importing the package under server-side rendering must not throw, touch `window`/`document`, or define globals.
import assert from 'node:assert/strict';
import { test } from 'node:test';

test('the element entry imports under Node without a DOM', async () => {
  assert.equal(typeof (globalThis as { window?: unknown }).window, 'undefined');
  const module = await import('../../src/index.ts');
  assert.equal(typeof module.VaultConnect, 'function');
  assert.equal(typeof module.VaultConnectErrorEvent, 'function');
  assert.equal(typeof (globalThis as { window?: unknown }).window, 'undefined', 'no window was created');
  assert.equal(typeof (globalThis as { document?: unknown }).document, 'undefined', 'no document was created');
});
