/**
 * The host's VaultRE endpoint (`vaultre-exchange-url`) for stories, on its own made-up origin and behind the same
 * `fetch` wrapper as the mock Vault API: `POST {action: "authorize"}` answers the authorize URL with a state it issues,
 * `GET` reports the status, `POST {code, state}` "exchanges" a code (refusing a state it did not issue, as
 * `createVaultreHandler` does), `DELETE` forgets the token. The real endpoint exchanges the code with VaultRE
 * server-side; this one only answers as it would, and keeps the posted bodies for `play` functions. Nothing here logs
 * a code: the request log has methods and statuses only.
 */
import { mockOrigin, mockUrl, wait } from './mock-vault.ts';

/** What `POST` (the exchange) answers. */
export const EXCHANGE_OUTCOMES = ['connected', 'expired', 'failed', 'not-stored', 'rate-limited', 'pending'] as const;
export type ExchangeOutcome = (typeof EXCHANGE_OUTCOMES)[number];

export interface MockVaultreHostScenario {
  /**
   * What `GET` reports. Default: not connected. `revoked`: a stored token VaultRE no longer accepts (`{"connected":
   * false, "reason": "revoked"}`, what `createVaultreHandler` answers when its `verifyToken` says so) until a new
   * exchange or a `DELETE`. `error` answers 500; `pending` never answers.
   */
  status?: 'not-connected' | 'connected' | 'revoked' | 'error' | 'pending';
  /** What `POST` answers. Default `connected` (2xx with the new status). */
  exchange?: ExchangeOutcome;
  /** Milliseconds before each reply. Default 200. */
  latency?: number;
}

export interface ExchangeBody {
  code?: unknown;
  state?: unknown;
}

/** The client ID and authorize base the mock host puts in its authorize URLs. */
export const STORY_VAULTRE_CLIENT_ID = 'storybook-vaultre-client';
export const STORY_VAULTRE_AUTHORIZE_BASE = 'https://login.vaultre.storybook.invalid/cgi-bin/clientvault';

/** The stories' callback page: on the Storybook origin, as the element requires (see `fake-popup.ts`). */
export function storyCallbackUrl(): string {
  return new URL('vaultre-callback.html', location.href).href;
}

export interface MockVaultreHost {
  /** Give it to the element as `vaultre-exchange-url`. */
  readonly url: string;
  /** The bodies of the code exchanges so far (the code included: for assertions, never shown). */
  readonly exchanges: readonly ExchangeBody[];
  /** The states the host issued, in order. */
  readonly states: readonly string[];
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
  const states: string[] = [];
  let connected = scenario.status === 'connected';
  let revoked = scenario.status === 'revoked';
  let connectedType = 'account';
  let connectedAt = CONNECTED_AT;

  const answer = async (request: Request): Promise<Response> => {
    const method = request.method.toUpperCase();
    if (new URL(request.url).pathname !== '/api/vaultre') return json(404, { error: 'not_found' });
    if (method === 'GET') {
      if (scenario.status === 'pending') await wait(Infinity, request.signal);
      await wait(latency, request.signal);
      if (scenario.status === 'error') return json(500, { error: 'internal', message: 'The host is having a bad day (mock).' });
      if (revoked) return json(200, { connected: false, reason: 'revoked' });
      return json(200, connected ? { connected: true, token_type: connectedType, connected_at: connectedAt } : { connected: false });
    }
    if (method === 'POST') {
      const body = (await request.json().catch(() => ({}))) as ExchangeBody & { action?: unknown; token_type?: unknown };
      if (body.action === 'authorize') {
        await wait(latency, request.signal);
        const tokenType = body.token_type === 'user' ? 'user' : 'account';
        // A made-up state as long as a signed one; the token type rides along so the exchange knows it.
        const state = `${tokenType}.${crypto.randomUUID()}.${'s'.repeat(280)}`;
        states.push(state);
        const page = tokenType === 'user' ? 'oauth-authorize-user.cgi' : 'oauth-authorize.cgi';
        const query = new URLSearchParams({ client_id: STORY_VAULTRE_CLIENT_ID, redirect_uri: storyCallbackUrl(), response_type: 'code', state });
        return json(200, { authorize_url: `${STORY_VAULTRE_AUTHORIZE_BASE}/${page}?${query.toString()}` });
      }
      exchanges.push(body);
      const outcome = scenario.exchange ?? 'connected';
      if (outcome === 'pending') await wait(Infinity, request.signal);
      await wait(latency, request.signal);
      if (typeof body.state !== 'string' || !states.includes(body.state)) {
        return json(400, { error: 'state_mismatch', message: 'This authorization was not started here (mock).' });
      }
      if (outcome === 'expired') return json(400, { error: 'code_expired', message: 'The authorization code expired.' });
      if (outcome === 'failed') return json(502, { error: 'exchange_failed', message: 'VaultRE refused the code (mock).' });
      if (outcome === 'not-stored') return json(500, { error: 'store_failed', message: 'The server could not save the VaultRE connection (mock).' });
      if (outcome === 'rate-limited') {
        return new Response(JSON.stringify({ error: 'rate_limited', message: 'Too many attempts. Try again in 42 seconds.', retry_after: 42 }), {
          status: 429,
          headers: { 'content-type': 'application/json', 'retry-after': '42' },
        });
      }
      connected = true;
      revoked = false;
      connectedAt = new Date().toISOString();
      connectedType = body.state.startsWith('user.') ? 'user' : 'account';
      return json(200, { connected: true, token_type: connectedType, connected_at: connectedAt });
    }
    if (method === 'DELETE') {
      await wait(latency, request.signal);
      connected = false;
      revoked = false;
      return new Response(null, { status: 204 });
    }
    return json(405, { error: 'invalid_request' });
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
    states,
    get connected() {
      return connected;
    },
    dispose,
  };
}
