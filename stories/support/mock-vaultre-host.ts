/**
 * The host's VaultRE endpoint (`vaultre-exchange-url`) for stories, on its own made-up origin and behind the same
 * `fetch` wrapper as the mock Vault API: `GET` reports the status, `POST` "exchanges" a code, `DELETE` forgets the
 * token. The real endpoint exchanges the code with VaultRE server-side; this one only answers as it would, and keeps
 * the posted bodies for `play` functions. Nothing here logs a code: the request log has methods and statuses only.
 */
import { mockOrigin, mockUrl, wait } from './mock-vault.ts';

/** What `POST` (the exchange) answers. */
export const EXCHANGE_OUTCOMES = ['connected', 'expired', 'failed', 'pending'] as const;
export type ExchangeOutcome = (typeof EXCHANGE_OUTCOMES)[number];

export interface MockVaultreHostScenario {
  /** What `GET` reports. Default: not connected. `error` answers 500; `pending` never answers. */
  status?: 'not-connected' | 'connected' | 'error' | 'pending';
  /** What `POST` answers. Default `connected` (2xx with the new status). */
  exchange?: ExchangeOutcome;
  /** Milliseconds before each reply. Default 200. */
  latency?: number;
}

export interface ExchangeBody {
  code?: unknown;
  state?: unknown;
  token_type?: unknown;
  redirect_uri?: unknown;
}

export interface MockVaultreHost {
  /** Give it to the element as `vaultre-exchange-url`. */
  readonly url: string;
  /** The bodies of the `POST`s so far (the code included: for assertions, never shown). */
  readonly exchanges: readonly ExchangeBody[];
  /** Whether the host holds a token now. */
  readonly connected: boolean;
  dispose(): void;
}

/** The date the stories' "connected" host reports: fixed, so the rendered row is deterministic. */
export const CONNECTED_AT = '2024-05-01T10:00:00.000Z';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export function createMockVaultreHost(
  name: string,
  scenario: MockVaultreHostScenario = {},
  onRequest?: (entry: { method: string; status: number | 'pending' }) => void,
): MockVaultreHost {
  const origin = mockUrl(name, 'host');
  const url = `${origin}/api/vaultre`;
  const latency = scenario.latency ?? 200;
  const exchanges: ExchangeBody[] = [];
  let connected = scenario.status === 'connected';
  let connectedAt = CONNECTED_AT;

  const answer = async (request: Request): Promise<Response> => {
    const method = request.method.toUpperCase();
    if (new URL(request.url).pathname !== '/api/vaultre') return json(404, { error: 'not_found' });
    if (method === 'GET') {
      if (scenario.status === 'pending') await wait(Infinity, request.signal);
      await wait(latency, request.signal);
      if (scenario.status === 'error') return json(500, { error: 'internal', message: 'The host is having a bad day (mock).' });
      return json(200, connected ? { connected: true, token_type: 'account', connected_at: connectedAt } : { connected: false });
    }
    if (method === 'POST') {
      const body = (await request.json().catch(() => ({}))) as ExchangeBody;
      exchanges.push(body);
      const outcome = scenario.exchange ?? 'connected';
      if (outcome === 'pending') await wait(Infinity, request.signal);
      await wait(latency, request.signal);
      if (outcome === 'expired') return json(400, { error: 'code_expired', message: 'The authorization code expired.' });
      if (outcome === 'failed') return json(502, { error: 'exchange_failed', message: 'VaultRE refused the code (mock).' });
      connected = true;
      connectedAt = new Date().toISOString();
      const tokenType = body.token_type === 'user' ? 'user' : 'account';
      return json(200, { connected: true, token_type: tokenType, connected_at: connectedAt });
    }
    if (method === 'DELETE') {
      await wait(latency, request.signal);
      connected = false;
      return new Response(null, { status: 204 });
    }
    return json(405, { error: 'method_not_allowed' });
  };

  const dispose = mockOrigin(origin, async (request) => {
    const pending = (request.method === 'GET' && scenario.status === 'pending') || (request.method === 'POST' && scenario.exchange === 'pending');
    if (pending) onRequest?.({ method: request.method, status: 'pending' });
    const response = await answer(request);
    onRequest?.({ method: request.method, status: response.status });
    return response;
  });

  return {
    url,
    exchanges,
    get connected() {
      return connected;
    },
    dispose,
  };
}
