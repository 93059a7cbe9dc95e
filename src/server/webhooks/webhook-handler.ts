/**
 * `createWebhookHandler({apiKey, onEvent})`: the endpoint Apideck delivers Vault webhooks to. It checks the
 * `x-apideck-signature` (the body signed with the API key, keys sorted), parses the event, hands it to `onEvent` once
 * per idempotency key, and answers only when `onEvent` has finished (so a serverless runtime does not freeze the work),
 * within a bounded wait. An error from `onEvent` is a 500, so Apideck retries. Nothing is logged, and no reply carries
 * the API key or the body.
 */
import * as z from 'zod';
import { readJsonBody } from '../http/json-body.ts';
import { HttpError, type FetchHandler, json, toErrorResponse } from '../http/replies.ts';
import { requireMethod } from '../http/request-checks.ts';
import { HEADER_SAFE, optionsError, safeParse } from '../options.ts';
import { VAULT_EVENT_TYPES, type VaultWebhookEvent, WebhookBodySchema } from './events.ts';
import { type WebhookIdempotencyStore, memoryIdempotencyStore } from './idempotency-store.ts';
import { verifyWebhookSignature } from './signature.ts';

/** What `onEvent` learns about the delivery besides the event. */
export interface WebhookDelivery {
  /** `x-apideck-idempotency-key`: the same for every redelivery of one event. */
  idempotencyKey: string;
  /** `execution_attempt` from the payload, when present. */
  attempt?: number;
}

export interface WebhookHandlerOptions {
  /** Apideck API key: the key the signature is made with. Server-side secret. */
  apiKey: string;
  /** Called once per event (per idempotency key); the delivery is answered 2xx when it resolves, 500 when it throws. */
  onEvent: (event: VaultWebhookEvent, delivery: WebhookDelivery) => void | Promise<void>;
  /** Remembers handled deliveries. Default: this process's memory (the last 10,000). */
  store?: WebhookIdempotencyStore;
  /** How long a delivery waits for `onEvent` before it is answered 503 (Apideck retries; the work goes on). Default 20000. */
  timeoutMs?: number;
  /** The largest body accepted, in bytes. Default 256 KiB. */
  maxBodyBytes?: number;
}

const isFunction = (value: unknown) => typeof value === 'function';
const StoreSchema = z.custom<WebhookIdempotencyStore>(
  (value) =>
    typeof value === 'object' && value !== null && ['claim', 'finish', 'release'].every((name) => isFunction((value as Record<string, unknown>)[name])),
  'must have claim, finish and release methods',
);

const OptionsSchema = z.strictObject({
  apiKey: z.string().trim().min(1, 'must be a non-empty string').regex(HEADER_SAFE, 'must contain printable ASCII characters only'),
  onEvent: z.custom<WebhookHandlerOptions['onEvent']>(isFunction, 'must be a function'),
  store: StoreSchema.optional(),
  // Apideck gives an endpoint 60 seconds to answer.
  timeoutMs: z.number().int().positive().max(55_000).optional(),
  maxBodyBytes: z.number().int().positive().max(10 * 1024 * 1024).optional(),
});

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_BODY_LIMIT = 256 * 1024;
/** How long a handled key is remembered, beyond Apideck's retries. */
const DONE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** The first problem of a body that is not a Vault event, by path and zod's words (never a value). */
function describeInvalidEvent(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') || 'body';
  if (path === 'payload.event_type') return `payload.event_type must be one of the Vault event types (${VAULT_EVENT_TYPES.join(', ')}).`;
  return `The body is not a Vault webhook event: ${path} is missing or has the wrong type.`;
}

export function createWebhookHandler(options: WebhookHandlerOptions): FetchHandler {
  const parsed = safeParse(OptionsSchema, options);
  if (!parsed.success) throw optionsError('createWebhookHandler', parsed.error);
  const config = parsed.data;
  const store = config.store ?? memoryIdempotencyStore();
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const limit = config.maxBodyBytes ?? DEFAULT_BODY_LIMIT;

  async function handle(request: Request): Promise<Response> {
    requireMethod(request, ['POST']);
    const body = await readJsonBody(request, { limit });
    const signature = request.headers.get('x-apideck-signature');
    if (signature === null || signature.trim() === '') {
      throw new HttpError(401, 'missing_signature', 'The x-apideck-signature header is missing: only Apideck may call this endpoint.');
    }
    if (!(await verifyWebhookSignature(body, signature, config.apiKey))) {
      throw new HttpError(401, 'invalid_signature', 'The x-apideck-signature header does not match the body signed with the API key.');
    }
    const event = WebhookBodySchema.safeParse(body);
    if (!event.success) throw new HttpError(400, 'invalid_event', describeInvalidEvent(event.error));
    const payload = event.data.payload;
    const headerType = request.headers.get('x-apideck-event-type');
    if (headerType !== null && headerType !== payload.event_type) {
      throw new HttpError(400, 'event_type_mismatch', 'The x-apideck-event-type header names another event type than the payload.');
    }
    const key = request.headers.get('x-apideck-idempotency-key');
    if (key === null || !KEY_PATTERN.test(key)) {
      throw new HttpError(400, 'missing_idempotency_key', 'The x-apideck-idempotency-key header is missing or not a plain token.');
    }

    const claim = await store.claim(key, timeoutMs * 3);
    if (claim === 'done') return json(200, { received: true, duplicate: true });
    if (claim === 'processing') {
      throw new HttpError(503, 'event_processing', 'This event is still being handled; it will be answered on a later delivery.', {
        headers: { 'retry-after': String(Math.ceil(timeoutMs / 1000)) },
      });
    }

    const delivery: WebhookDelivery = { idempotencyKey: key, ...(payload.execution_attempt !== undefined ? { attempt: payload.execution_attempt } : {}) };
    const work = (async () => config.onEvent(payload, delivery))().then(
      async () => {
        await store.finish(key, DONE_TTL_MS);
        return 'done' as const;
      },
      async () => {
        await store.release(key);
        return 'failed' as const;
      },
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([work, timedOut]);
    clearTimeout(timer);
    if (outcome === 'done') return json(200, { received: true });
    if (outcome === 'failed') {
      throw new HttpError(500, 'event_handler_failed', 'The event could not be handled here; Apideck will deliver it again.');
    }
    throw new HttpError(503, 'event_processing', `The event is still being handled after ${timeoutMs} ms; Apideck will deliver it again.`, {
      headers: { 'retry-after': String(Math.ceil(timeoutMs / 1000)) },
    });
  }

  return async (request) => {
    try {
      return await handle(request);
    } catch (error) {
      return toErrorResponse(error);
    }
  };
}
