/**
 * The sandbox's Hosted Vault (`https://vault.apideck.com`), on its own origin:
 *
 * - `GET /integrations/{unified_api}/{service_id}?jwt=<session token>`: the connection page of the seed document
 *   (`000_011937c3f77b8c7c.txt`). It shows the connection with "Authorize" (oauth2) and/or a settings form (apiKey,
 *   basic, and oauth2 connectors with form fields), and "Cancel". Once an action leaves the connection `callable` and the
 *   session has `settings.auto_redirect` and a `redirect_uri`, it redirects (303) to that `redirect_uri` with
 *   `authorizedConnection=<service_id>` appended to its query; otherwise it says "Connected. You can close this window."
 *   `settings.isolation_mode` hides the link back to the integrations overview.
 * - `GET /integrations?jwt=…`: that overview; `GET /session/<token>` (the `session_uri` of `POST /vault/sessions`)
 *   redirects to it.
 *
 * Every change goes through the Vault API emulator's own handler with the session JWT, exactly as Hosted Vault calls
 * Apideck's API from the browser, so it lands in the same in-memory store the element reads. The pages are plain forms
 * with no script (see `pages.ts`); an invalid or expired `jwt` gets a 401 page.
 */
import type { FetchHandler } from '../server/node-adapter.ts';
import { statusLabel } from './connection-labels.ts';
import { fieldHtml, settingsFromForm, visibleFields } from './hosted-vault/settings-form.ts';
import type { Connection, SessionClaims, VaultApi } from './vault-api.ts';
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

export interface HostedVaultOptions {
  /** The Vault API emulator whose store the pages read and change. */
  vaultApi: Pick<VaultApi, 'handler' | 'verifySessionToken'>;
  /** The Vault API emulator's public origin (the URL its handler is called with). */
  vaultApiUrl: string;
}

type Notice = 'authorized' | 'saved';
const NOTICES: readonly Notice[] = ['authorized', 'saved'];

interface ApiResult<T> {
  ok: boolean;
  status: number;
  data?: T;
  message?: string;
}

export function createHostedVault(options: HostedVaultOptions): FetchHandler {
  const vaultApiUrl = options.vaultApiUrl.replace(/\/+$/, '');
  const { vaultApi } = options;

  async function callApi<T>(jwt: string, method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${jwt}`, 'x-apideck-auth-type': 'JWT' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await vaultApi.handler(
      new Request(`${vaultApiUrl}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }),
    );
    let json: { data?: T; message?: string; detail?: unknown } = {};
    try {
      json = (await response.json()) as typeof json;
    } catch {
      json = {};
    }
    if (response.ok) return { ok: true, status: response.status, data: json.data as T };
    const detail = typeof json.detail === 'string' && json.detail !== json.message ? `: ${json.detail}` : '';
    return { ok: false, status: response.status, message: `${json.message ?? `Request failed (${response.status})`}${detail}` };
  }

  const connectionPath = (unifiedApi: string, serviceId: string) =>
    `/vault/connections/${encodeURIComponent(unifiedApi)}/${encodeURIComponent(serviceId)}`;
  const pagePath = (unifiedApi: string, serviceId: string) =>
    `/integrations/${encodeURIComponent(unifiedApi)}/${encodeURIComponent(serviceId)}`;

  function invalidSession(): Response {
    return messagePage(401, 'Session expired', 'This Vault session is invalid or has expired. Go back to the application and open it again.');
  }

  async function verify(jwt: string | null): Promise<SessionClaims | undefined> {
    if (!jwt) return undefined;
    try {
      return await vaultApi.verifySessionToken(jwt);
    } catch {
      return undefined;
    }
  }

  const isolated = (claims: SessionClaims) => claims.settings?.isolation_mode === true;

  function allowedApi(claims: SessionClaims, unifiedApi: string): boolean {
    const apis = claims.settings?.unified_apis;
    return !Array.isArray(apis) || apis.length === 0 || apis.includes(unifiedApi);
  }

  function backLink(claims: SessionClaims, jwt: string): string {
    if (isolated(claims)) return '';
    return `<p><a href="/integrations?jwt=${escapeHtml(encodeURIComponent(jwt))}" data-action="back">All integrations</a></p>`;
  }

  function connectionPage(
    claims: SessionClaims,
    jwt: string,
    c: Connection,
    { notice, error, status = 200 }: { notice?: Notice; error?: string; status?: number } = {},
  ): Response {
    const base = pagePath(c.unified_api, c.service_id);
    const hiddenJwt = `<input type="hidden" name="jwt" value="${escapeHtml(jwt)}">`;
    const configured = c.integration_state === 'configured';
    const parts: string[] = [];
    const icon = c.icon.startsWith('data:image/') ? `<img src="${escapeHtml(c.icon)}" alt="" width="48" height="48">` : '';
    parts.push(`<div class="brand">${icon}<div><h1>${escapeHtml(c.name)}</h1><p class="muted small">${escapeHtml(c.tag_line)}</p></div></div>`);
    parts.push(`<p>Status: <strong data-state="${escapeHtml(c.state)}">${escapeHtml(statusLabel(c))}</strong></p>`);
    if (error) parts.push(`<p class="error" role="alert">${escapeHtml(error)}</p>`);
    if (notice && c.state === 'callable') {
      parts.push('<p class="notice" role="status">Connected. You can close this window.</p>');
    } else if (notice === 'saved') {
      parts.push('<p class="notice" role="status">Settings saved.</p>');
    } else if (notice === 'authorized') {
      parts.push('<p class="notice" role="status">Authorized. Fill in the remaining settings to finish.</p>');
    }
    if (!configured) {
      parts.push('<p class="muted">This integration must be configured by the application owner before it can be connected.</p>');
    }
    const fields = visibleFields(c);
    if (configured && c.auth_type === 'oauth2') {
      const label = c.state === 'callable' || c.state === 'invalid' ? 'Re-authorize' : 'Authorize';
      parts.push(
        `<form method="post" action="${escapeHtml(`${base}/authorize`)}" class="actions">${hiddenJwt}<button type="submit" data-action="authorize">${label}</button></form>`,
      );
    }
    if (configured && fields.length > 0) {
      parts.push(
        `<form method="post" action="${escapeHtml(`${base}/settings`)}"><h2>Settings</h2>${hiddenJwt}${fields.map((f) => fieldHtml(c, f)).join('\n')}` +
          `<div class="actions"><button type="submit" data-action="save">${c.auth_type === 'oauth2' ? 'Save settings' : 'Authorize'}</button></div></form>`,
      );
    }
    parts.push(
      `<form method="post" action="${escapeHtml(`${base}/cancel`)}" class="actions">${hiddenJwt}<button type="submit" class="secondary" data-action="cancel">Cancel</button></form>`,
    );
    parts.push(backLink(claims, jwt));
    parts.push('<p class="muted small">Apideck Hosted Vault sandbox emulator</p>');
    return htmlResponse(status, renderPage({ title: `${c.name} · Vault (sandbox)`, body: parts.join('\n') }));
  }

  /** After a change: back to the session's `redirect_uri` when `auto_redirect` applies, else to the page with a notice. */
  function afterChange(claims: SessionClaims, jwt: string, c: Connection, notice: Notice): Response {
    if (c.state === 'callable' && claims.settings?.auto_redirect === true && typeof claims.redirect_uri === 'string') {
      let target: URL | undefined;
      try {
        target = new URL(claims.redirect_uri);
      } catch {
        target = undefined;
      }
      if (target && (target.protocol === 'http:' || target.protocol === 'https:')) {
        const raw = /^[\x21-\x7e]+$/.test(claims.redirect_uri) ? claims.redirect_uri : target.href;
        return redirectResponse(303, appendQuery(raw, `authorizedConnection=${encodeURIComponent(c.service_id)}`));
      }
    }
    const search = new URLSearchParams({ jwt, notice });
    return redirectResponse(303, `${pagePath(c.unified_api, c.service_id)}?${search.toString()}`);
  }

  async function overview(claims: SessionClaims, jwt: string): Promise<Response> {
    const result = await callApi<Connection[]>(jwt, 'GET', '/vault/connections');
    if (!result.ok || !result.data) return messagePage(result.status, 'Vault', result.message ?? 'The connections could not be loaded.');
    const items = result.data
      .filter((c) => allowedApi(claims, c.unified_api))
      .map(
        (c) =>
          `<li><a href="${escapeHtml(`${pagePath(c.unified_api, c.service_id)}?jwt=${encodeURIComponent(jwt)}`)}" data-service-id="${escapeHtml(c.service_id)}"><span>${escapeHtml(c.name)} <span class="muted small">${escapeHtml(c.unified_api)}</span></span><span class="muted">${escapeHtml(statusLabel(c))}</span></a></li>`,
      )
      .join('\n');
    return htmlResponse(
      200,
      renderPage({ title: 'Integrations · Vault (sandbox)', body: `<h1>Integrations</h1>\n<ul class="list">\n${items}\n</ul>` }),
    );
  }

  async function connectionRoute(request: Request, unifiedApi: string, serviceId: string, action: string | undefined): Promise<Response> {
    const method = request.method.toUpperCase();
    if (action === undefined && method !== 'GET') return methodNotAllowed('GET');
    if (action !== undefined && method !== 'POST') return methodNotAllowed('POST');

    let jwt: string | null;
    let form: URLSearchParams | undefined;
    if (action === undefined) {
      jwt = new URL(request.url).searchParams.get('jwt');
    } else {
      try {
        form = await readForm(request);
      } catch (error) {
        if (error instanceof FormBodyError) return messagePage(error.status, 'Bad request', error.message);
        throw error;
      }
      jwt = form.get('jwt');
    }
    const claims = await verify(jwt);
    if (!claims || !jwt) return invalidSession();
    if (!allowedApi(claims, unifiedApi)) {
      return messagePage(404, 'Not available', 'This integration is not available in this Vault session.');
    }

    const path = connectionPath(unifiedApi, serviceId);
    const current = await callApi<Connection>(jwt, 'GET', path);
    if (!current.ok || !current.data) {
      return messagePage(current.status, 'Vault', current.message ?? 'The connection could not be loaded.', backLink(claims, jwt));
    }
    const connection = current.data;

    if (action === undefined) {
      const notice = new URL(request.url).searchParams.get('notice');
      return connectionPage(claims, jwt, connection, NOTICES.includes(notice as Notice) ? { notice: notice as Notice } : {});
    }
    if (action === 'cancel') {
      return messagePage(200, connection.name, 'Nothing was changed. You can close this window.', backLink(claims, jwt));
    }
    if (action === 'authorize') {
      if (connection.auth_type !== 'oauth2') {
        return connectionPage(claims, jwt, connection, { error: 'Fill in the settings below to connect.', status: 422 });
      }
      const grant = connection.oauth_grant_type;
      const result =
        grant === 'client_credentials' || grant === 'password'
          ? await callApi<Connection>(jwt, 'POST', `${path}/token`, {})
          : await callApi<Connection>(jwt, 'POST', `/__sandbox/authorize/${encodeURIComponent(unifiedApi)}/${encodeURIComponent(serviceId)}`);
      if (!result.ok || !result.data) {
        return connectionPage(claims, jwt, connection, { error: result.message ?? 'Authorization failed.', status: result.status });
      }
      return afterChange(claims, jwt, result.data, 'authorized');
    }
    // action === 'settings'
    const settings = settingsFromForm(connection, form ?? new URLSearchParams());
    const result = await callApi<Connection>(jwt, 'PATCH', path, { settings });
    if (!result.ok || !result.data) {
      return connectionPage(claims, jwt, connection, { error: result.message ?? 'The settings could not be saved.', status: result.status });
    }
    return afterChange(claims, jwt, result.data, 'saved');
  }

  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === PAGE_CSS_PATH) return cssResponse(request);

    const session = /^\/session\/([^/]+)$/.exec(path);
    if (session) {
      if (request.method !== 'GET') return methodNotAllowed('GET');
      let token: string;
      try {
        token = decodeURIComponent(session[1]);
      } catch {
        return notFound();
      }
      return redirectResponse(303, `/integrations?jwt=${encodeURIComponent(token)}`);
    }
    if (path === '/integrations') {
      if (request.method !== 'GET') return methodNotAllowed('GET');
      const jwt = url.searchParams.get('jwt');
      const claims = await verify(jwt);
      if (!claims || !jwt) return invalidSession();
      return overview(claims, jwt);
    }
    const match = /^\/integrations\/([^/]+)\/([^/]+)(?:\/(authorize|settings|cancel))?$/.exec(path);
    if (match) {
      let unifiedApi: string;
      let serviceId: string;
      try {
        unifiedApi = decodeURIComponent(match[1]);
        serviceId = decodeURIComponent(match[2]);
      } catch {
        return notFound();
      }
      return connectionRoute(request, unifiedApi, serviceId, match[3]);
    }
    return notFound();
  };
}
