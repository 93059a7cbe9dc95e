import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createTokenCipher, SINGLE_KEY_ID, UnsealError } from '../../src/server/encryption/token-cipher.ts';

const TOKEN = 'vrTOKENtopsecret0123456789abcdef';
const keyA = randomBytes(32);
const keyB = randomBytes(32);

async function rejectsWith(promise: Promise<unknown>, reason: UnsealError['reason']): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof UnsealError && error.reason === reason);
}

describe('createTokenCipher: sealing', () => {
  test('seals and opens a value; the sealed text holds neither the value nor the key', async () => {
    const cipher = createTokenCipher(keyA.toString('base64'));
    const sealed = await cipher.seal(TOKEN, 'consumer-1');
    assert.match(sealed, /^vc1\.default\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    assert.ok(!sealed.includes(TOKEN));
    assert.ok(!sealed.includes(keyA.toString('base64url')));
    assert.equal(await cipher.open(sealed, 'consumer-1'), TOKEN);
    assert.equal(cipher.keyIdOf(sealed), SINGLE_KEY_ID);
    assert.equal(cipher.isCurrent(sealed), true);
  });

  test('a fresh IV each time: the same value seals to different texts', async () => {
    const cipher = createTokenCipher(new Uint8Array(keyA));
    const [one, two] = await Promise.all([cipher.seal(TOKEN, 'c'), cipher.seal(TOKEN, 'c')]);
    assert.notEqual(one, two);
  });

  test('accepts the key as base64, base64url or bytes, and copies the bytes', async () => {
    const bytes = new Uint8Array(keyA);
    const fromBytes = createTokenCipher(bytes);
    bytes.fill(0);
    const sealed = await fromBytes.seal(TOKEN, 'c');
    assert.equal(await createTokenCipher(keyA.toString('base64')).open(sealed, 'c'), TOKEN);
    assert.equal(await createTokenCipher(keyA.toString('base64url')).open(sealed, 'c'), TOKEN);
  });

  test('round-trips any Unicode, and the empty string', async () => {
    const cipher = createTokenCipher(keyA);
    for (const value of ['', 'ünïcødé ✓ 🔑', 'a'.repeat(10_000)]) {
      assert.equal(await cipher.open(await cipher.seal(value, 'c'), 'c'), value);
    }
  });
});

describe('createTokenCipher: what does not open', () => {
  test('a value moved to another owner fails authentication', async () => {
    const cipher = createTokenCipher(keyA);
    const sealed = await cipher.seal(TOKEN, 'victim');
    await rejectsWith(cipher.open(sealed, 'attacker'), 'authentication_failed');
    await rejectsWith(cipher.open(sealed, 'victim '), 'authentication_failed');
  });

  test('any altered byte fails authentication', async () => {
    const cipher = createTokenCipher(keyA);
    const sealed = await cipher.seal(TOKEN, 'c');
    const [prefix, id, iv, data] = sealed.split('.') as [string, string, string, string];
    const flip = (text: string, at: number) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[at] ^= 1;
      return bytes.toString('base64url');
    };
    await rejectsWith(cipher.open([prefix, id, flip(iv, 0), data].join('.'), 'c'), 'authentication_failed');
    await rejectsWith(cipher.open([prefix, id, iv, flip(data, 0)].join('.'), 'c'), 'authentication_failed');
    await rejectsWith(cipher.open([prefix, id, iv, flip(data, Buffer.from(data, 'base64url').length - 1)].join('.'), 'c'), 'authentication_failed');
  });

  test('the same id under another key fails authentication', async () => {
    const sealed = await createTokenCipher(keyA).seal(TOKEN, 'c');
    await rejectsWith(createTokenCipher(keyB).open(sealed, 'c'), 'authentication_failed');
  });

  test('an unknown key id is reported as such, with the id', async () => {
    const sealed = await createTokenCipher({ current: 'old', keys: { old: keyA } }).seal(TOKEN, 'c');
    const error = await createTokenCipher({ current: 'new', keys: { new: keyB } })
      .open(sealed, 'c')
      .catch((e: unknown) => e);
    assert.ok(error instanceof UnsealError);
    assert.equal(error.reason, 'unknown_key');
    assert.equal(error.keyId, 'old');
    assert.match(error.message, /"old"/);
  });

  test('anything that is not a sealed value is malformed, and the message never quotes it', async () => {
    const cipher = createTokenCipher(keyA);
    const sealed = await cipher.seal(TOKEN, 'c');
    const [, id, iv, data] = sealed.split('.') as [string, string, string, string];
    for (const bad of [
      TOKEN,
      '',
      'vc1',
      `vc2.${id}.${iv}.${data}`,
      `vc1.${id}.${iv}`,
      `vc1.${id}.${iv}.${data}.extra`,
      `vc1.bad id.${iv}.${data}`,
      `vc1.${id}.${iv.slice(2)}.${data}`,
      `vc1.${id}.${iv}.${data.slice(0, 10)}`,
      `vc1.${id}.${iv}.${data}=`,
      `vc1.${id}.${iv}.!${data}`,
    ]) {
      const error = await cipher.open(bad, 'c').catch((e: unknown) => e);
      assert.ok(error instanceof UnsealError, bad);
      assert.equal(error.reason, 'malformed', bad);
      if (bad.length > 0) assert.ok(!error.message.includes(bad), bad);
      assert.equal(cipher.keyIdOf(bad), undefined);
    }
    await rejectsWith(cipher.open(42 as unknown as string, 'c'), 'malformed');
  });
});

describe('createTokenCipher: keyrings', () => {
  test('seals under the current key and opens under every listed one', async () => {
    const old = createTokenCipher({ current: 'k1', keys: { k1: keyA } });
    const sealedOld = await old.seal(TOKEN, 'c');
    const ring = createTokenCipher({ current: 'k2', keys: { k1: keyA, k2: keyB } });
    assert.equal(ring.currentKeyId, 'k2');
    assert.equal(ring.isCurrent(sealedOld), false);
    assert.equal(await ring.open(sealedOld, 'c'), TOKEN);
    const sealedNew = await ring.seal(TOKEN, 'c');
    assert.equal(ring.keyIdOf(sealedNew), 'k2');
    assert.equal(ring.isCurrent(sealedNew), true);
  });

  test('a single key is the keyring entry "default", so a keyring can rotate away from it', async () => {
    const sealed = await createTokenCipher(keyA).seal(TOKEN, 'c');
    const ring = createTokenCipher({ current: 'next', keys: { [SINGLE_KEY_ID]: keyA, next: keyB } });
    assert.equal(await ring.open(sealed, 'c'), TOKEN);
  });
});

describe('createTokenCipher: options', () => {
  const secret = keyA.toString('base64');
  const refuses = (option: unknown, pattern: RegExp) =>
    assert.throws(
      () => createTokenCipher(option as never, 'postgresStore: encryptionKey'),
      (error: unknown) => error instanceof Error && pattern.test(error.message) && !error.message.includes(secret),
    );

  test('refuses keys of the wrong length or kind, naming the option and never the key', () => {
    refuses(undefined, /^postgresStore: encryptionKey is required/);
    refuses(null, /is required/);
    refuses(42, /is required/);
    refuses('', /base64 string or a Uint8Array of 32 bytes/);
    refuses('not base64 at all!', /base64 string or a Uint8Array of 32 bytes/);
    refuses(randomBytes(16).toString('base64'), /must be 32 bytes \(AES-256\); it is 16/);
    refuses(randomBytes(33), /it is 33/);
    refuses(`${secret}x`, /encryptionKey/);
  });

  test('refuses a keyring whose current id is missing, or whose ids or keys are bad', () => {
    refuses({ current: 'a', keys: { b: keyA } }, /current must name one of the ids/);
    refuses({ keys: { a: keyA } }, /current must name/);
    refuses({ current: 'a' }, /keys must be an object/);
    refuses({ current: 'a', keys: [keyA] }, /keys must be an object/);
    refuses({ current: 'a b', keys: { 'a b': keyA } }, /key id must be/);
    refuses({ current: 'a', keys: { a: secret.slice(4) } }, /the key "a" must be/);
  });
});
