/**
 * The sandbox's VaultRE OAuth emulator (`https://login.vaultre.com.au/cgi-bin/clientvault`), following the fact sheet
 * "Generating tokens via oAuth" (`002_5d9b8eb07db13914.txt`) to the letter:
 *
 * - `GET /cgi-bin/clientvault/oauth-authorize.cgi` (account, "third party" tokens: office-level access that only a system
 *   admin can approve) and `GET /cgi-bin/clientvault/oauth-authorize-user.cgi` (user tokens), with `client_id`,
 *   `redirect_uri`, `response_type=code` and an optional `state`.
 * - Registered redirect URIs match exactly: the decoded `redirect_uri` must equal one of the client's registered strings,
 *   query included (`demo.com/some-stuff/auth?exampleparameter=value1` works when registered, `…=value4` does not). An
 *   unknown client, an unregistered `redirect_uri` or a `response_type` other than `code` is an error page (400) and no
 *   redirect.
 * - The approval page ("VaultRE Office Integrations", a fake signed-in user) has Confirm and Cancel. Confirm redirects
 *   (302) to the `redirect_uri` with `reason=success&code=<code>`, Cancel with `reason=User%20denied%20request`; `state`
 *   follows when it was given. The pair is appended with `?`, or with `&` when the `redirect_uri` already has a query.
 * - `POST /cgi-bin/clientvault/integrations/oauthexchange.cgi`, form body `client_id` and `code`: a code works once, for
 *   60 seconds, for the client it was issued to → `{"token": "…", "message": "Token generated successfully"}`; anything
 *   else → 400 `{"message": "Invalid or expired code"}`. The endpoint sends no CORS headers, not even to a preflight, so
 *   an exchange from a browser fails as it does in production.
 *
 * Beside the OAuth pages, a sliver of VaultRE's API (`https://ap-southeast-2.api.vaultre.com.au/api/v1.3`, here under
 * `/api/v1.3` on the same origin), enough to verify a token: `GET /api/v1.3/scopes` with `X-Api-Key: <apiKey>` and
 * `Authorization: Bearer <token>` → 200 and the token's scopes (an array of strings); a missing or wrong API key → 403,
 * a missing, unknown or revoked token → 401, both `{"success": false, "msg"}`. A token is revoked as the user would in
 * their VaultRE account with `revoke(token)` or `revokeAll()`, or `POST /__sandbox/vaultre/revoke-all`.
 */
import { randomBytes } from 'node:crypto';
import { randomState } from '../internal/popup/random-state.ts';
import type { FetchHandler } from '../server/node-adapter.ts';
import {
  FormBodyError,
  PAGE_CSS_PATH,
  appendQuery,
  cssResponse,
  escapeHtml,
  htmlResponse,
  messagePage,
  methodNotAllowed,
  notFound,
  readForm,
  redirectResponse,
  renderPage,
} from './pages.ts';

/** `account`: office-level "third party" token (`oauth-authorize.cgi`); `user`: user token (`oauth-authorize-user.cgi`). */
export type VaultreTokenType = 'account' | 'user';

export interface VaultreClient {
  /** The redirect URIs registered for this client, matched exactly (query included). */
  redirectUris: string[];
  /** Shown on the approval page. Default: the client ID. */
  name?: string;
}

export interface VaultreEmulatorOptions {
  clients: Record<string, VaultreClient>;
  /** The integrator API key its API wants in `X-Api-Key`. Default `sandbox-vaultre-api-key`. */
  apiKey?: string;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
}

export interface VaultreIssuedToken {
  token: string;
  clientId: string;
  tokenType: VaultreTokenType;
  /** When the code was exchanged (ms). */
  issuedAt: number;
  revoked: boolean;
}

export interface VaultreEmulator {
  handler: FetchHandler;
  /** Every token handed out by the exchange so far (copies). */
  issuedTokens(): VaultreIssuedToken[];
  /** Revokes a token, as a user can from their VaultRE account. Returns whether it was a live token. */
  revoke(token: string): boolean;
  /** Revokes every live token (the sandbox has one signed-in VaultRE user); returns how many. */
  revokeAll(): number;
  /** Whether a token was issued here and is not revoked. */
  isTokenValid(token: string): boolean;
  /** Registers one more redirect URI for a client (created when unknown), e.g. the demo's, known only once it listens. */
  registerRedirectUri(clientId: string, uri: string): void;
}

/** The path every VaultRE route lives under. */
export const VAULTRE_BASE_PATH = '/cgi-bin/clientvault';
/** How long a code can be exchanged: "the <code> value is only valid for 60 seconds". */
export const VAULTRE_CODE_TTL_MS = 60_000;
/** How long the approval page waits for Confirm or Cancel. */
const APPROVAL_TTL_MS = 10 * 60 * 1000;

const AUTHORIZE_PATHS: Record<string, VaultreTokenType> = {
  [`${VAULTRE_BASE_PATH}/oauth-authorize.cgi`]: 'account',
  [`${VAULTRE_BASE_PATH}/oauth-authorize-user.cgi`]: 'user',
};
const EXCHANGE_PATH = `${VAULTRE_BASE_PATH}/integrations/oauthexchange.cgi`;
/** VaultRE's API (v1.3), as far as the sandbox emulates it. */
export const VAULTRE_API_PATH = '/api/v1.3';
const SCOPES_PATH = `${VAULTRE_API_PATH}/scopes`;
/** The sandbox control that revokes every live token. */
export const VAULTRE_REVOKE_ALL_PATH = '/__sandbox/vaultre/revoke-all';
/** The default integrator API key of the emulated API. */
export const VAULTRE_SANDBOX_API_KEY = 'sandbox-vaultre-api-key';
/** What `GET /scopes` lists for a live token: VaultRE publishes no scope names, so these are the sandbox's own. */
const SANDBOX_SCOPES: Record<VaultreTokenType, string[]> = { account: ['sandbox:office'], user: ['sandbox:user'] };

/** The fake signed-in VaultRE user of the approval page (a system admin, so both token types can be approved). */
const SIGNED_IN_USER = { name: 'Sandy Admin', email: 'sandy.admin@sandbox-realty.example', office: 'Sandbox Realty', role: 'System administrator' };

interface PendingApproval {
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  tokenType: VaultreTokenType;
  expiresAt: number;
}

interface IssuedCode {
  clientId: string;
  tokenType: VaultreTokenType;
  issuedAt: number;
}

const EXCHANGE_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

/** A JSON reply of the exchange endpoint. Deliberately without any `Access-Control-*` header. */
function exchangeReply(status: number, body: Record<string, string | number | boolean>): Response {
  return new Response(JSON.stringify(body), { status, headers: EXCHANGE_HEADERS });
}

/** A `redirect_uri` that can go into a `Location` header: characters outside printable ASCII percent-encoded. */
function locationSafe(uri: string): string {
  return uri.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
}

/** The query a redirect carries: `reason=…` first, then `code`, then `state` when given. */
function redirectPairs(reason: 'success' | 'denied', code: string | undefined, state: string | undefined): string {
  // The fact sheet's exact spelling: `reason=success`, `reason=User%20denied%20request` (%20, not +).
  let pairs = reason === 'success' ? 'reason=success' : 'reason=User%20denied%20request';
  if (code !== undefined) pairs += `&code=${encodeURIComponent(code)}`;
  if (state !== undefined) pairs += `&state=${encodeURIComponent(state)}`;
  return pairs;
}

function errorPage(message: string): Response {
  return messagePage(400, 'VaultRE: the request could not be completed', message);
}

export function createVaultreEmulator(options: VaultreEmulatorOptions): VaultreEmulator {
  const now = options.now ?? Date.now;
  const apiKey = options.apiKey ?? VAULTRE_SANDBOX_API_KEY;
  const clients = new Map<string, { name: string; redirectUris: Set<string> }>();
  for (const [clientId, client] of Object.entries(options.clients)) {
    clients.set(clientId, { name: client.name ?? clientId, redirectUris: new Set(client.redirectUris) });
  }
  const approvals = new Map<string, PendingApproval>();
  const codes = new Map<string, IssuedCode>();
  const tokens: VaultreIssuedToken[] = [];

  function prune(): void {
    const time = now();
    for (const [id, approval] of approvals) if (approval.expiresAt <= time) approvals.delete(id);
    for (const [code, issued] of codes) if (time - issued.issuedAt >= VAULTRE_CODE_TTL_MS) codes.delete(code);
  }

  /** The single value of a query parameter; `null` when absent, `undefined` when repeated. */
  function single(query: URLSearchParams, name: string): string | null | undefined {
    const values = query.getAll(name);
    if (values.length > 1) return undefined;
    return values[0] ?? null;
  }

  function approvalPage(tokenType: VaultreTokenType, query: URLSearchParams): Response {
    const clientId = single(query, 'client_id');
    const redirectUri = single(query, 'redirect_uri');
    const responseType = single(query, 'response_type');
    const state = single(query, 'state');
    if (clientId === undefined || redirectUri === undefined || responseType === undefined || state === undefined) {
      return errorPage('A parameter was given more than once.');
    }
    const client = clientId ? clients.get(clientId) : undefined;
    if (!clientId || !client) return errorPage('Unknown client_id. Ask api@vaultre.com.au for your client ID.');
    // URLSearchParams has already URL-decoded the value once; the comparison is plain string equality.
    if (!redirectUri || !client.redirectUris.has(redirectUri)) {
      return errorPage(
        'The redirect_uri is not registered for this client. VaultRE accepts only redirect URIs registered exactly as given, query parameters included.',
      );
    }
    if (responseType !== 'code') return errorPage('response_type must be code.');

    prune();
    const id = randomState();
    approvals.set(id, { clientId, redirectUri, state: state ?? undefined, tokenType, expiresAt: now() + APPROVAL_TTL_MS });
    const office = tokenType === 'account';
    const access = office
      ? `<p class="notice"><strong>Office-level access.</strong> ${escapeHtml(client.name)} will be able to access your office's data in VaultRE. Only a system admin can approve office-level access.</p>`
      : `<p class="notice"><strong>User-level access.</strong> ${escapeHtml(client.name)} will be able to access VaultRE as you, ${escapeHtml(SIGNED_IN_USER.name)}.</p>`;
    const body = `<div class="user"><span>VaultRE</span><span>Signed in as <strong>${escapeHtml(SIGNED_IN_USER.name)}</strong> (${escapeHtml(SIGNED_IN_USER.role)}), ${escapeHtml(SIGNED_IN_USER.office)}</span></div>
<h1>VaultRE Office Integrations</h1>
<p><strong>${escapeHtml(client.name)}</strong> is requesting access to your VaultRE account.</p>
${access}
<dl>
<dt>Integration</dt><dd>${escapeHtml(client.name)}</dd>
<dt>Token</dt><dd>${office ? 'Third party (office/account)' : 'User'}</dd>
<dt>Returns to</dt><dd>${escapeHtml(redirectUri)}</dd>
</dl>
<form method="post" class="actions">
<input type="hidden" name="request" value="${escapeHtml(id)}">
<button type="submit" name="action" value="confirm">Confirm</button>
<button type="submit" name="action" value="cancel" class="secondary">Cancel</button>
</form>
<p class="muted small">VaultRE sandbox emulator</p>`;
    return htmlResponse(200, renderPage({ title: 'VaultRE Office Integrations (sandbox)', body }));
  }

  async function decide(tokenType: VaultreTokenType, request: Request): Promise<Response> {
    let form: URLSearchParams;
    try {
      form = await readForm(request);
    } catch (error) {
      if (error instanceof FormBodyError) return messagePage(error.status, 'VaultRE: bad request', error.message);
      throw error;
    }
    const id = form.get('request') ?? '';
    const action = form.get('action');
    const approval = approvals.get(id);
    if (!approval || approval.tokenType !== tokenType) return errorPage('This request is unknown or was already answered. Start again from the application.');
    if (action !== 'confirm' && action !== 'cancel') return errorPage('Choose Confirm or Cancel.');
    approvals.delete(id);
    if (approval.expiresAt <= now()) return errorPage('This request has expired. Start again from the application.');

    const target = locationSafe(approval.redirectUri);
    if (action === 'cancel') return redirectResponse(302, appendQuery(target, redirectPairs('denied', undefined, approval.state)));
    prune();
    const code = randomBytes(20).toString('hex');
    codes.set(code, { clientId: approval.clientId, tokenType, issuedAt: now() });
    return redirectResponse(302, appendQuery(target, redirectPairs('success', code, approval.state)));
  }

  async function exchange(request: Request): Promise<Response> {
    let form: URLSearchParams;
    try {
      // Like the CGI it emulates, it reads the body as a form whatever its declared type (curl -d, fetch with a string).
      form = await readForm(request, { anyType: true });
    } catch (error) {
      if (error instanceof FormBodyError) return exchangeReply(error.status, { message: error.message });
      throw error;
    }
    const clientId = form.get('client_id');
    const code = form.get('code');
    if (!clientId || !code) return exchangeReply(400, { message: 'Missing client_id or code' });
    const issued = codes.get(code);
    const invalid = exchangeReply(400, { message: 'Invalid or expired code' });
    // A code presented by another client is refused and stays usable by its own client.
    if (!issued || issued.clientId !== clientId) return invalid;
    codes.delete(code);
    const issuedAt = now();
    if (issuedAt - issued.issuedAt >= VAULTRE_CODE_TTL_MS) return invalid;
    const token = randomBytes(32).toString('hex');
    tokens.push({ token, clientId, tokenType: issued.tokenType, issuedAt, revoked: false });
    return exchangeReply(200, { token, message: 'Token generated successfully' });
  }

  /** `GET /api/v1.3/scopes`: the API key first (403), then the bearer token (401). */
  function scopes(request: Request): Response {
    if (request.headers.get('x-api-key') !== apiKey) return exchangeReply(403, { success: false, msg: 'Invalid or missing API key' });
    const bearer = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
    const issued = bearer === undefined ? undefined : tokens.find((t) => t.token === bearer && !t.revoked);
    if (!issued) return exchangeReply(401, { success: false, msg: 'Invalid or expired access token' });
    return new Response(JSON.stringify(SANDBOX_SCOPES[issued.tokenType]), { status: 200, headers: EXCHANGE_HEADERS });
  }

  function revokeAll(): number {
    let count = 0;
    for (const issued of tokens) {
      if (!issued.revoked) {
        issued.revoked = true;
        count++;
      }
    }
    return count;
  }

  async function handler(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    const method = request.method.toUpperCase();
    if (path === PAGE_CSS_PATH) return cssResponse(request);
    if (path === SCOPES_PATH) {
      return method === 'GET' ? scopes(request) : exchangeReply(405, { success: false, msg: 'Method not allowed' });
    }
    if (path === VAULTRE_REVOKE_ALL_PATH) {
      if (method !== 'POST') return exchangeReply(405, { message: 'Use POST' });
      // For tests and the demo's server; a page on another origin must not call it.
      const origin = request.headers.get('origin');
      if (origin !== null && origin !== new URL(request.url).origin) return exchangeReply(403, { message: 'Not from another origin' });
      return exchangeReply(200, { revoked: revokeAll() });
    }
    if (path === EXCHANGE_PATH) {
      if (method === 'POST') return exchange(request);
      // A preflight gets an answer, but never an `Access-Control-Allow-*` header: browsers must fail the exchange.
      if (method === 'OPTIONS') return new Response(null, { status: 204, headers: { allow: 'POST', 'cache-control': 'no-store' } });
      return new Response(JSON.stringify({ message: 'Method not allowed' }), { status: 405, headers: { ...EXCHANGE_HEADERS, allow: 'POST' } });
    }
    const tokenType = AUTHORIZE_PATHS[path];
    if (tokenType) {
      if (method === 'GET') return approvalPage(tokenType, new URL(request.url).searchParams);
      if (method === 'POST') return decide(tokenType, request);
      return methodNotAllowed('GET, POST');
    }
    return notFound();
  }

  return {
    handler,
    issuedTokens: () => tokens.map((t) => ({ ...t })),
    revoke(token) {
      const issued = tokens.find((t) => t.token === token);
      if (!issued || issued.revoked) return false;
      issued.revoked = true;
      return true;
    },
    revokeAll,
    isTokenValid: (token) => tokens.some((t) => t.token === token && !t.revoked),
    registerRedirectUri(clientId, uri) {
      let client = clients.get(clientId);
      if (!client) {
        client = { name: clientId, redirectUris: new Set() };
        clients.set(clientId, client);
      }
      client.redirectUris.add(uri);
    },
  };
}
