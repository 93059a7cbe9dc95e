/**
 * The demo's live loop, on the demo server: Apideck's webhooks arrive at `POST /api/webhooks` (the package's own
 * `createWebhookHandler`), and each Vault event about the demo's consumer that the page cannot see for itself (a token
 * refresh that failed, a revocation at the provider, …: not the changes the user just made on the page, which the
 * element already re-reads) is passed on to the open demo pages as a server-sent event on `GET /api/events`; they then
 * re-read their list. What is passed on names the connection and the event; nothing secret is in a webhook, and
 * nothing more leaves the server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toNodeHandler } from '../server/node-adapter.ts';
import { createWebhookHandler } from '../server/webhooks/webhook-handler.ts';
import type { VaultWebhookEvent } from '../server/webhooks/events.ts';

/** What a demo page is told about a webhook. */
export interface DemoVaultEvent {
  event_type: VaultWebhookEvent['event_type'];
  unified_api: string | null;
  service_id: string | null;
  state: string | null;
  health: string | null;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Events that happen away from the page: the connection changed at Apideck or the provider, not through the user. */
const BACKGROUND_EVENTS: readonly VaultWebhookEvent['event_type'][] = [
  'vault.connection.revoked',
  'vault.connection.token_refresh.failed',
  'vault.connection.token_refresh.pending',
  'vault.connection.token_refresh.recovered',
  'vault.connection.downstream.degraded',
  'vault.connection.downstream.recovered',
];

/** A comment line every 25 s keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 25_000;

export function createDemoEvents(options: { apiKey: string; consumerId: string }): { webhooks: NodeHandler; events: NodeHandler; close(): void } {
  const clients = new Set<ServerResponse>();
  const broadcast = (event: DemoVaultEvent) => {
    const message = `event: vault\ndata: ${JSON.stringify(event)}\n\n`;
    for (const client of clients) client.write(message);
  };
  const webhooks = toNodeHandler(
    createWebhookHandler({
      apiKey: options.apiKey,
      onEvent: (event) => {
        if (event.entity.consumer_id !== options.consumerId || !BACKGROUND_EVENTS.includes(event.event_type)) return;
        broadcast({
          event_type: event.event_type,
          unified_api: event.entity.unified_api ?? null,
          service_id: event.entity.service_id ?? null,
          state: event.entity.state ?? null,
          health: event.entity.health ?? null,
        });
      },
    }),
  );
  const events: NodeHandler = (req, res) => {
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'method_not_allowed', message: 'Use GET /api/events (text/event-stream).' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    clients.add(res);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    req.once('close', () => {
      clearInterval(heartbeat);
      clients.delete(res);
    });
  };
  return {
    webhooks,
    events,
    close() {
      for (const client of clients) client.end();
      clients.clear();
    },
  };
}
