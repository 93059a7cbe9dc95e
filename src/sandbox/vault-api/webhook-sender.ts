/**
 * The sandbox's webhooks, sent as Apideck sends them: `POST` to the configured URL with the body
 * `{"payload": ConnectionEvent}` (keys in their natural order, not sorted), `x-apideck-event-type`,
 * `x-apideck-idempotency-key` (one per event, the same on every retry) and `x-apideck-signature` (HMAC-SHA-256 of
 * the body with sorted keys, keyed with the API key). A delivery that is not answered 2xx is retried a few times, with
 * `execution_attempt` counting up. The events of one change share an `event_id` (the request id) but are distinct.
 * The entity carries no settings and no credentials.
 */
import { randomUUID } from 'node:crypto';
import type { VaultEventType } from '../../server/webhooks/events.ts';
import { signWebhookBody } from '../../server/webhooks/signature.ts';
import type { ConnectionRecord } from './records.ts';
import { presentForReply } from './records.ts';

export interface WebhookSenderOptions {
  apiKey: string;
  now: () => number;
  /** Deliveries per event, the first included. Default 3. */
  maxAttempts?: number;
  /** The wait before the first retry, doubled for each later one. Default 500 ms. */
  retryDelayMs?: number;
}

export interface SentWebhook {
  url: string;
  eventType: VaultEventType;
  idempotencyKey: string;
  attempt: number;
  status: number | 'network_error';
}

const toIso = (ms: number | null | undefined) => (typeof ms === 'number' ? new Date(ms).toISOString() : null);

export function createWebhookSender(options: WebhookSenderOptions) {
  let url: string | undefined;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const inFlight = new Set<AbortController>();
  const listeners = new Set<(sent: SentWebhook) => void>();
  const maxAttempts = options.maxAttempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 500;

  /** `ConsumerConnection`, as a webhook shows it: no settings, no credentials. */
  function entityOf(record: ConnectionRecord): Record<string, unknown> {
    const connection = presentForReply(record);
    return {
      id: connection.id,
      consumer_id: record.consumerId,
      unified_api: connection.unified_api,
      service_id: connection.service_id,
      name: connection.name,
      icon: connection.icon,
      logo: connection.logo,
      website: connection.website,
      tag_line: connection.tag_line,
      auth_type: connection.auth_type,
      enabled: connection.enabled,
      created_at: toIso(connection.created_at),
      updated_at: toIso(connection.updated_at),
      state: connection.state,
      health: connection.health,
      // As the spec says: only present while a retention window is active, and once a refresh has failed.
      ...(connection.credentials_expire_at > 0 ? { credentials_expire_at: toIso(connection.credentials_expire_at) } : {}),
      ...(connection.last_refresh_failed_at > 0 ? { last_refresh_failed_at: toIso(connection.last_refresh_failed_at) } : {}),
    };
  }

  async function deliver(target: string, eventType: VaultEventType, payload: Record<string, unknown>, key: string, attempt: number): Promise<void> {
    const body = { payload: { ...payload, execution_attempt: attempt } };
    const controller = new AbortController();
    inFlight.add(controller);
    let status: number | 'network_error' = 'network_error';
    try {
      const response = await fetch(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-apideck-event-type': eventType,
          'x-apideck-idempotency-key': key,
          'x-apideck-signature': await signWebhookBody(body, options.apiKey),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.any([controller.signal, AbortSignal.timeout(60_000)]),
        redirect: 'manual',
      });
      status = response.status;
      await response.body?.cancel().catch(() => undefined);
    } catch {
      // Retried below, as a failed delivery.
    } finally {
      inFlight.delete(controller);
    }
    for (const listener of listeners) listener({ url: target, eventType, idempotencyKey: key, attempt, status });
    if ((typeof status === 'number' && status >= 200 && status <= 299) || attempt >= maxAttempts || controller.signal.aborted) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void deliver(target, eventType, payload, key, attempt + 1);
    }, retryDelayMs * 2 ** (attempt - 1));
    timer.unref?.();
    timers.add(timer);
  }

  return {
    setUrl(next: string | undefined): void {
      url = next;
    },
    get url(): string | undefined {
      return url;
    },
    /** Sends each event of one change about `record` (nothing when no URL is set). */
    send(record: ConnectionRecord, events: VaultEventType[]): void {
      const target = url;
      if (!target || events.length === 0 || record.consumerId === '') return;
      const requestId = randomUUID();
      const entity = entityOf(record);
      for (const eventType of events) {
        const payload = {
          event_type: eventType,
          event_id: requestId,
          service_id: record.connection.service_id,
          entity_id: record.connection.id,
          entity_type: 'Connection',
          entity,
          occurred_at: new Date(options.now()).toISOString(),
        };
        void deliver(target, eventType, payload, randomUUID(), 1);
      }
    },
    /** Called after each delivery attempt (tests, the demo's log). Returns the function that removes the listener. */
    onSent(listener: (sent: SentWebhook) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Stops every retry still waiting and every delivery on its way. */
    close(): void {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const controller of inFlight) controller.abort();
    },
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;
