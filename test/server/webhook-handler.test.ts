/**
 * `createWebhookHandler`: Apideck's webhook signature (keys sorted recursively, HMAC-SHA-256 with the API key, hex),
 * checked against an independently computed value, tampered bodies, reordered keys and wrong keys; the typed events;
 * the answers (2xx once onEvent resolved, 500 when it throws, 401/400/413 with a reason); redeliveries by idempotency
 * key; and the sandbox's own signed deliveries over HTTP.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import {
  VAULT_EVENT_TYPES,
  type VaultWebhookEvent,
  createWebhookHandler,
  memoryIdempotencyStore,
  signWebhookBody,
  toNodeHandler,
  verifyWebhookSignature,
} from '../../src/server/index.ts';
import { canonicalBody } from '../../src/server/webhooks/signature.ts';
import { startSandbox } from '../../src/sandbox/index.ts';

const API_KEY = 'test-api-key';

/** The spec's `x-webhooks` ConnectionCreated example body. */
const example = {
  payload: {
    event_id: '9755c355-56c3-4a2f-a2da-86ff4411fccb',
    event_type: 'vault.connection.token_refresh.failed',
    service_id: 'apideck-vault',
    entity_id: '1111+test_user_id',
    entity_type: 'Connection',
    entity: {
      id: '1111+test_user_id',
      consumer_id: 'test_user_id',
      unified_api: 'crm',
      service_id: 'salesforce',
      name: 'Salesforce',
      auth_type: 'oauth2',
      enabled: true,
      created_at: '2020-09-19T12:18:37.071Z',
      updated_at: '2020-09-19T12:18:37.071Z',
      state: 'callable',
      health: 'needs_auth',
    },
    execution_attempt: 2,
    occurred_at: '2021-10-01T03:14:55.419Z',
  },
};

/** A delivery as Apideck sends it: the body as given (any key order), signed over its sorted form. */
async function delivery(body: unknown, options: { key?: string; signature?: string; idempotencyKey?: string; eventType?: string | null; text?: string } = {}) {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-apideck-signature': options.signature ?? (await signWebhookBody(body, options.key ?? API_KEY)),
    'x-apideck-idempotency-key': options.idempotencyKey ?? crypto.randomUUID(),
  };
  const eventType = options.eventType === undefined ? (body as typeof example).payload?.event_type : options.eventType;
  if (eventType) headers['x-apideck-event-type'] = eventType;
  return new Request('https://host.test/api/webhooks', { method: 'POST', headers, body: options.text ?? JSON.stringify(body) });
}

function handlerWith(onEvent: (event: VaultWebhookEvent) => void | Promise<void>, extra: Record<string, unknown> = {}) {
  return createWebhookHandler({ apiKey: API_KEY, onEvent, ...extra });
}

async function answer(response: Response): Promise<{ status: number; body: Record<string, unknown> }> {
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('webhook signature', () => {
  it('matches an HMAC-SHA-256 computed elsewhere (openssl) over the body with its keys sorted', async () => {
    const body = { payload: { execution_attempt: 2, event_type: 'vault.connection.created', entity: { state: 'added', id: '1111+test_user_id' } } };
    // printf '%s' '{"payload":{"entity":{"id":…,"state":"added"},"event_type":…,"execution_attempt":2}}' | openssl dgst -sha256 -hmac test-api-key
    const expected = 'e1dd6aba7d0532baa39ad4380583c79577c497468a27e5c60f8b1ce42361653c';
    assert.equal(await signWebhookBody(body, API_KEY), expected);
    assert.equal(await verifyWebhookSignature(body, expected.toUpperCase(), API_KEY), true);
    const text = canonicalBody(example);
    assert.equal(await signWebhookBody(example, API_KEY), createHmac('sha256', API_KEY).update(text).digest('hex'));
  });

  it('sorts keys recursively, inside arrays too, and keeps array order', () => {
    assert.equal(canonicalBody({ b: [{ d: 1, c: 2 }, 3], a: { z: null, y: 'x' } }), '{"a":{"y":"x","z":null},"b":[{"c":2,"d":1},3]}');
  });

  it('refuses tampered bodies and wrong keys, accepts the same body with its keys reordered', async () => {
    const signature = await signWebhookBody(example, API_KEY);
    const reordered = { payload: Object.fromEntries(Object.entries(example.payload).reverse()) };
    assert.equal(await verifyWebhookSignature(reordered, signature, API_KEY), true);
    const tampered = structuredClone(example);
    tampered.payload.entity.health = 'ok';
    assert.equal(await verifyWebhookSignature(tampered, signature, API_KEY), false);
    const reorderedArray = { ...example, extra: [1, 2] };
    assert.equal(await verifyWebhookSignature({ ...example, extra: [2, 1] }, await signWebhookBody(reorderedArray, API_KEY), API_KEY), false);
    assert.equal(await verifyWebhookSignature(example, signature, 'another-key'), false);
    for (const malformed of ['', 'zz', signature.slice(2), `${signature}00`, `sha256=${signature}`]) {
      assert.equal(await verifyWebhookSignature(example, malformed, API_KEY), false, malformed);
    }
  });
});

describe('createWebhookHandler', () => {
  it('hands over the typed event and answers 200 once onEvent has resolved', async () => {
    const events: VaultWebhookEvent[] = [];
    let finished = false;
    const handler = handlerWith(async (event) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      events.push(event);
      finished = true;
    });
    const reordered = { payload: Object.fromEntries(Object.entries(example.payload).reverse()) };
    const response = await handler(await delivery(reordered, { signature: await signWebhookBody(example, API_KEY) }));
    assert.equal(finished, true, 'answered only after onEvent resolved');
    assert.deepEqual(await answer(response), { status: 200, body: { received: true } });
    const event = events[0];
    assert.equal(event.event_type, 'vault.connection.token_refresh.failed');
    if (event.event_type === 'vault.connection.token_refresh.failed') assert.equal(event.entity.health, 'needs_auth');
    assert.equal(event.entity.service_id, 'salesforce');
    assert.equal(VAULT_EVENT_TYPES.length, 12);
  });

  it('401 for a missing or bad signature, with the reason, and onEvent never called', async () => {
    let calls = 0;
    const handler = handlerWith(() => void calls++);
    const missing = await answer(await handler(await delivery(example, { signature: '' })));
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error, 'missing_signature');
    const tampered = structuredClone(example);
    tampered.payload.entity.consumer_id = 'someone-else';
    const forged = await answer(await handler(await delivery(tampered, { signature: await signWebhookBody(example, API_KEY) })));
    assert.deepEqual([forged.status, forged.body.error], [401, 'invalid_signature']);
    assert.match(String(forged.body.message), /does not match the body signed with the API key/);
    const wrongKey = await answer(await handler(await delivery(example, { key: 'not-the-key' })));
    assert.equal(wrongKey.status, 401);
    assert.equal(calls, 0);
    assert.ok(!JSON.stringify([missing, forged, wrongKey]).includes(API_KEY));
  });

  it('400 for a malformed body or event, 413 past maxBodyBytes, 405 for another method, 415 without JSON', async () => {
    const handler = handlerWith(() => undefined, { maxBodyBytes: 2048 });
    const notJson = await answer(await handler(await delivery(example, { text: '{"payload":' })));
    assert.deepEqual([notJson.status, notJson.body.error], [400, 'invalid_request']);
    assert.match(String(notJson.body.message), /JSON/);
    const noEntity = { payload: { event_type: 'vault.connection.updated' } };
    const invalid = await answer(await handler(await delivery(noEntity)));
    assert.deepEqual([invalid.status, invalid.body.error], [400, 'invalid_event']);
    assert.match(String(invalid.body.message), /payload\.entity/);
    const unknownType = { payload: { ...example.payload, event_type: 'crm.contact.created' } };
    const unknown = await answer(await handler(await delivery(unknownType)));
    assert.equal(unknown.status, 400);
    assert.match(String(unknown.body.message), /one of the Vault event types/);
    const mismatch = await answer(await handler(await delivery(example, { eventType: 'vault.connection.deleted' })));
    assert.deepEqual([mismatch.status, mismatch.body.error], [400, 'event_type_mismatch']);
    const noKey = await handler(await delivery(example, { idempotencyKey: '' }));
    assert.equal((await answer(noKey)).body.error, 'missing_idempotency_key');
    const big = { payload: { ...example.payload, entity: { ...example.payload.entity, name: 'x'.repeat(4000) } } };
    const oversized = await answer(await handler(await delivery(big)));
    assert.deepEqual([oversized.status, oversized.body.error], [413, 'invalid_request']);
    assert.equal((await handler(new Request('https://host.test/api/webhooks'))).status, 405);
    const plain = await handler(new Request('https://host.test/api/webhooks', { method: 'POST', body: JSON.stringify(example) }));
    assert.equal(plain.status, 415);
  });

  it('500 when onEvent throws (so Apideck retries), and the retry is handled', async () => {
    let attempts = 0;
    const handler = handlerWith(() => {
      attempts++;
      if (attempts === 1) throw new Error('database down: password=hunter2');
    });
    const key = crypto.randomUUID();
    const first = await answer(await handler(await delivery(example, { idempotencyKey: key })));
    assert.deepEqual([first.status, first.body.error], [500, 'event_handler_failed']);
    assert.ok(!JSON.stringify(first).includes('hunter2'), 'the error is not passed on');
    const retry = await answer(await handler(await delivery({ payload: { ...example.payload, execution_attempt: 3 } }, { idempotencyKey: key })));
    assert.deepEqual([retry.status, attempts], [200, 2]);
  });

  it('passes a redelivery to onEvent once (per process, or per store), and distinct events of one request each', async () => {
    const seen: string[] = [];
    const store = memoryIdempotencyStore();
    const one = handlerWith((event) => void seen.push(event.event_type), { store });
    const other = handlerWith((event) => void seen.push(event.event_type), { store });
    const key = crypto.randomUUID();
    assert.equal((await one(await delivery(example, { idempotencyKey: key }))).status, 200);
    const again = await answer(await one(await delivery({ payload: { ...example.payload, execution_attempt: 3 } }, { idempotencyKey: key })));
    assert.deepEqual(again, { status: 200, body: { received: true, duplicate: true } });
    assert.equal((await other(await delivery(example, { idempotencyKey: key }))).status, 200);
    assert.equal(seen.length, 1, 'one store: once across both handlers');

    // A connector migration: created, deleted and migrated share the request id (event_id) but are three events.
    for (const type of ['vault.connection.created', 'vault.connection.deleted', 'vault.connection.migrated']) {
      assert.equal((await one(await delivery({ payload: { ...example.payload, event_type: type } }))).status, 200);
    }
    assert.deepEqual(seen.slice(1), ['vault.connection.created', 'vault.connection.deleted', 'vault.connection.migrated']);

    const separate = handlerWith((event) => void seen.push(`separate ${event.event_type}`));
    await separate(await delivery(example, { idempotencyKey: key }));
    assert.equal(seen.at(-1), 'separate vault.connection.token_refresh.failed', 'another process (store) handles it again');
  });

  it('waits a bounded time: 503 past timeoutMs, 503 while still running, then the redelivery is a duplicate', async () => {
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const handler = handlerWith(() => {
      calls++;
      return done;
    }, { timeoutMs: 50 });
    const key = crypto.randomUUID();
    const slow = await handler(await delivery(example, { idempotencyKey: key }));
    assert.equal(slow.status, 503);
    assert.equal(slow.headers.get('retry-after'), '1');
    assert.equal((await handler(await delivery(example, { idempotencyKey: key }))).status, 503);
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal((await answer(await handler(await delivery(example, { idempotencyKey: key })))).body.duplicate, true);
    assert.equal(calls, 1);
  });

  it('refuses bad options without quoting the key', () => {
    assert.throws(() => createWebhookHandler({ apiKey: '', onEvent: () => undefined }), /option "apiKey"/);
    assert.throws(() => createWebhookHandler({ apiKey: 'k-SECRET', onEvent: 'x' as never }), (error: Error) => /option "onEvent"/.test(error.message) && !error.message.includes('SECRET'));
    assert.throws(() => createWebhookHandler({ apiKey: 'k', onEvent: () => undefined, timeoutMs: 120_000 }), /option "timeoutMs"/);
  });

  it('accepts the sandbox\'s signed deliveries over HTTP; refuses them signed with another key, and the sandbox retries', async () => {
    const received: VaultWebhookEvent[] = [];
    const sandbox = await startSandbox({ apiKey: 'sandbox-webhook-key', refreshDelayMs: 5 });
    const good = toNodeHandler(createWebhookHandler({ apiKey: 'sandbox-webhook-key', onEvent: (event) => void received.push(event) }));
    const wrong = toNodeHandler(createWebhookHandler({ apiKey: 'another-key', onEvent: () => assert.fail('a forged delivery reached onEvent') }));
    const server = createServer((req, res) => (req.url === '/wrong' ? wrong(req, res) : good(req, res)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const sent: { status: number | string; attempt: number; key: string }[] = [];
    sandbox.vaultApi.onWebhookSent((delivery) => sent.push({ status: delivery.status, attempt: delivery.attempt, key: delivery.idempotencyKey }));
    const waitFor = async (check: () => boolean) => {
      const deadline = Date.now() + 5000;
      while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok(check(), 'timed out');
    };
    try {
      sandbox.vaultApi.setWebhookUrl(`${base}/`);
      sandbox.vaultApi.authorize('hook-consumer', 'accounting', 'xero');
      sandbox.vaultApi.failTokenRefresh('hook-consumer', 'accounting', 'xero');
      await waitFor(() => received.length === 5);
      // The sandbox records a delivery once its reply is in, just after onEvent has run.
      await waitFor(() => sent.length === 5);
      assert.deepEqual(received.map((event) => event.event_type).sort(), [
        'vault.connection.callable',
        'vault.connection.created',
        'vault.connection.token_refresh.failed',
        'vault.connection.updated',
        'vault.connection.updated',
      ]);
      const failed = received.find((event) => event.event_type === 'vault.connection.token_refresh.failed');
      assert.equal(failed?.entity.health, 'needs_auth');
      assert.equal(failed?.entity.consumer_id, 'hook-consumer');
      assert.equal(failed?.entity.settings, undefined, 'no settings in a webhook');
      assert.ok(sent.every((delivery) => delivery.status === 200));

      sent.length = 0;
      sandbox.vaultApi.setWebhookUrl(`${base}/wrong`);
      sandbox.vaultApi.failTokenRefresh('hook-consumer', 'accounting', 'xero');
      await waitFor(() => sent.filter((delivery) => delivery.attempt === 2).length === 2);
      assert.ok(sent.every((delivery) => delivery.status === 401));
      const keys = new Map<string, number[]>();
      for (const delivery of sent) keys.set(delivery.key, [...(keys.get(delivery.key) ?? []), delivery.attempt]);
      assert.equal(keys.size, 2, 'two events, each with its own idempotency key, kept across retries');
    } finally {
      server.closeAllConnections();
      server.close();
      await sandbox.close();
    }
  });
});
