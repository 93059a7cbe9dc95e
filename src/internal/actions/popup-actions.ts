/**
 * The popup ways of opening an Apideck connection (lazy chunk, with the popup engine):
 * - `hosted`: Hosted Vault at `{vault-url}/integrations/{unified_api}/{service_id}?jwt=…`. It returns to the session's
 *   `redirect_uri` (the callback page) with `authorizedConnection=<service_id>` and nothing else: such a message can
 *   only trigger a re-read from the API, never carry data.
 * - `direct`: the connection's `authorize_url`, only when it is `https:` (`http:` only on loopback) on the Vault API's
 *   origin, with `redirect_uri` (the absolute callback URL) and a fresh 128-bit `nonce` set through `URLSearchParams`
 *   (encoded exactly once). A return carrying `confirm_token` for our nonce is confirmed with `POST …/confirm`.
 * - `token`: `client_credentials` and `password` grants, `POST …/token`, no window.
 * and the same-tab fallback for when the browser blocks the popup twice.
 */
import { authorizeToken, confirmConnection, getConnection } from '../api/connection-requests.ts';
import { VaultConnectError } from '../api/errors.ts';
import type { Connection } from '../api/schemas.ts';
import type { ActionResult } from '../state/connections-controller.ts';
import { refreshAfterHint, type ActionContext } from '../state/row-actions.ts';
import { VaultConnectionChangeEvent } from '../events/vault-connection-change.ts';
import type { CallbackMessage } from './popup/callback-message.ts';
import type { MatchResult, MessageProvenance } from './popup/callback-listener.ts';
import { runPopupFlow } from './popup/popup-flow.ts';
import { randomState } from './popup/random-state.ts';
import { startRedirectFlow, type PendingRedirect, type RedirectResult } from './popup/redirect-fallback.ts';

export const DEFAULT_VAULT_URL = 'https://vault.apideck.com';

export interface PopupActionOptions {
  plan: 'hosted' | 'direct' | 'token';
  /** The window opened inside the click (absent for `token`). */
  popup?: Window | undefined;
  callbackUrl: string;
  vaultUrl: string;
  unifyBaseUrl: string;
  timeoutMs: number;
  /** The popup reads closed but the flow goes on listening (see `runPopupFlow`): the row offers a retry. */
  onClosed?: (() => void) | undefined;
}

/** Hosted Vault's connection page for a session. */
async function hostedUrl(ctx: ActionContext, connection: Connection, vaultUrl: string, signal: AbortSignal): Promise<string> {
  const session = await ctx.client().session(signal);
  const base = vaultUrl.replace(/\/+$/, '');
  const url = new URL(`${base}/integrations/${encodeURIComponent(connection.unified_api)}/${encodeURIComponent(connection.service_id)}`);
  url.searchParams.set('jwt', session.token);
  return url.href;
}

/** Hosts where an authorization page may be plain `http:` (the sandbox's emulators); everywhere else only `https:`. */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The connection's `authorize_url` with our `redirect_uri` and `nonce`. Refused (`invalid_response`) unless it is on the
 * Vault API's origin, so a tampered reply cannot send the user elsewhere, and is `https:` (plain `http:` only on a
 * loopback host), so neither a `blob:` URL that inherits that origin nor an `http:` Vault API off this machine passes.
 */
export function directUrl(connection: Connection, unifyBaseUrl: string, callbackUrl: string, nonce: string): string {
  let authorize: URL;
  try {
    authorize = new URL(connection.authorize_url ?? '');
  } catch {
    throw new VaultConnectError('invalid_response', { detail: 'authorize_url' });
  }
  const secure =
    authorize.protocol === 'https:' || (authorize.protocol === 'http:' && LOOPBACK_HOSTS.includes(authorize.hostname));
  if (!secure || authorize.origin !== new URL(unifyBaseUrl).origin) {
    throw new VaultConnectError('invalid_response', { detail: 'authorize_url' });
  }
  authorize.searchParams.set('redirect_uri', new URL(callbackUrl, location.href).href);
  authorize.searchParams.set('nonce', nonce);
  return authorize.href;
}

/** Accepts Hosted Vault's return for this connection; anything else is not ours. */
function matchHosted(connection: Connection) {
  return (message: CallbackMessage): MatchResult =>
    message.query.authorizedConnection === connection.service_id ? 'accept' : 'ignore';
}

/**
 * Accepts the return that carries our nonce. A different nonce is a mismatch (which ends the flow only when it comes
 * from our own popup). A return with no nonce at all (a denial, or an account without CSRF protection) counts only
 * when our own popup sent it.
 */
function matchDirect(nonce: string) {
  return (message: CallbackMessage, provenance: MessageProvenance): MatchResult => {
    const returned = message.fragment.nonce;
    if (returned === nonce) return 'accept';
    if (returned !== undefined) return 'mismatch';
    return provenance.fromPopup ? 'accept' : 'ignore';
  };
}

/** Confirms a CSRF-protected authorization, re-reads the connection and reports what changed. */
async function finishDirect(
  ctx: ActionContext,
  connection: Connection,
  query: Record<string, string>,
  fragment: Record<string, string>,
  nonce: string,
  signal: AbortSignal,
): Promise<ActionResult> {
  if (query.error) {
    throw new VaultConnectError(query.error === 'access_denied' ? 'access_denied' : 'api_error', {
      detail: query.error === 'access_denied' ? undefined : query.error.slice(0, 200),
    });
  }
  if (fragment.confirm_token && fragment.nonce === nonce && (!fragment.service_id || fragment.service_id === connection.service_id)) {
    await confirmConnection(ctx.client(), connection.unified_api, connection.service_id, fragment.confirm_token, signal);
  }
  return refreshed(ctx, connection, signal);
}

async function refreshed(ctx: ActionContext, connection: Connection, signal: AbortSignal): Promise<ActionResult> {
  const fresh = await refreshAfterHint(ctx, connection, signal);
  return fresh ? { kind: 'updated', connection: fresh } : { kind: 'unchanged' };
}

export async function runPopupAction(
  ctx: ActionContext,
  connection: Connection,
  options: PopupActionOptions,
  signal: AbortSignal,
): Promise<ActionResult> {
  if (options.plan === 'token') {
    const updated = await authorizeToken(ctx.client(), connection.unified_api, connection.service_id, signal);
    ctx.replace(updated);
    ctx.host().dispatchEvent(new VaultConnectionChangeEvent({ connection: updated }));
    return { kind: 'updated', connection: updated };
  }
  const popup = options.popup;
  if (!popup) throw new VaultConnectError('popup_blocked', { retryable: true });
  const common = { popup, callbackOrigin: new URL(options.callbackUrl, location.href).origin, signal, timeoutMs: options.timeoutMs };
  if (options.plan === 'hosted') {
    // Closing Hosted Vault once the work is done is how many users finish: what counts is the API's value. When the
    // popup reads closed, re-read the connection; a change ends the flow, otherwise the row offers a retry while the
    // flow still listens (under COOP the popup may well be open).
    const early = new AbortController();
    let done: ActionResult | undefined;
    const onClosed = () =>
      void refreshed(ctx, connection, signal).then(
        (result) => {
          if (result.kind === 'unchanged') options.onClosed?.();
          else {
            done = result;
            early.abort();
          }
        },
        () => options.onClosed?.(),
      );
    try {
      await runPopupFlow({
        ...common,
        signal: AbortSignal.any([signal, early.signal]),
        url: hostedUrl(ctx, connection, options.vaultUrl, signal),
        match: matchHosted(connection),
        onClosed,
      });
    } catch (error) {
      if (done) return done;
      if (error instanceof VaultConnectError && error.code === 'popup_closed') {
        const result = await refreshed(ctx, connection, signal);
        if (result.kind !== 'unchanged') return result;
      }
      throw error;
    }
    return refreshed(ctx, connection, signal);
  }
  const nonce = randomState();
  let url: string;
  try {
    url = directUrl(connection, options.unifyBaseUrl, options.callbackUrl, nonce);
  } catch (error) {
    popup.close();
    throw error;
  }
  const message = await runPopupFlow({ ...common, url, match: matchDirect(nonce), onClosed: options.onClosed });
  return finishDirect(ctx, connection, message.query, message.fragment, nonce, signal);
}

/** The same-tab fallback: remember the flow (no secret) and leave the page for Hosted Vault or the authorize URL. */
export async function continueInSameTab(
  ctx: ActionContext,
  connection: Connection,
  options: PopupActionOptions,
  signal: AbortSignal,
): Promise<ActionResult> {
  const state = randomState();
  const url =
    options.plan === 'hosted'
      ? await hostedUrl(ctx, connection, options.vaultUrl, signal)
      : directUrl(connection, options.unifyBaseUrl, options.callbackUrl, state);
  const pending: PendingRedirect = {
    id: randomState(),
    kind: options.plan === 'hosted' ? 'hosted' : 'direct',
    state,
    serviceId: connection.service_id,
    unifiedApi: connection.unified_api,
    returnUrl: location.href,
    startedAt: Date.now(),
  };
  startRedirectFlow(pending, url);
  return { kind: 'unchanged' };
}

/** Finishes a same-tab flow for an Apideck connection after the callback page brought the user back. */
export async function finishSameTab(
  ctx: ActionContext,
  connection: Connection,
  pending: PendingRedirect,
  result: RedirectResult,
  signal: AbortSignal,
): Promise<ActionResult> {
  if (result.type !== 'callback') return { kind: 'unchanged' };
  if (pending.kind === 'direct') {
    if (result.fragment.nonce !== undefined && result.fragment.nonce !== pending.state) throw new VaultConnectError('state_mismatch');
    return finishDirect(ctx, connection, result.query, result.fragment, pending.state, signal);
  }
  // Hosted Vault returned `authorizedConnection` for this connection: it changed during this flow, although the list
  // read after the return already shows it. Report the API's value.
  if (result.query.authorizedConnection === connection.service_id) {
    const fresh = await getConnection(ctx.client(), connection.unified_api, connection.service_id, signal);
    ctx.replace(fresh);
    ctx.host().dispatchEvent(new VaultConnectionChangeEvent({ connection: fresh }));
    return { kind: 'updated', connection: fresh };
  }
  return refreshed(ctx, connection, signal);
}
