/**
 * `open-mode="direct"`: the connection's `authorize_url` in a popup, only when it is `https:` (`http:` only on
 * loopback) on the Vault API's origin, with `redirect_uri` (the absolute callback URL) and a fresh 128-bit `nonce` set
 * through `URLSearchParams` (encoded exactly once). A return carrying `confirm_token` for our nonce is confirmed with
 * `POST …/confirm`.
 */
import { confirmConnection } from '../api/connection-requests.ts';
import { toVaultConnectError, VaultConnectError } from '../api/errors.ts';
import type { Connection } from '../api/schemas.ts';
import type { CallbackMessage } from '../popup/callback-message.ts';
import type { MatchResult, MessageProvenance } from '../popup/callback-listener.ts';
import { isSecureUrl } from '../api/url-rules.ts';
import { refreshAfterHint, refreshed } from './connection-refresh.ts';
import type { ActionContext, ActionResult } from './types.ts';

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
  if (!isSecureUrl(authorize) || authorize.origin !== new URL(unifyBaseUrl).origin) {
    throw new VaultConnectError('invalid_response', { detail: 'authorize_url' });
  }
  authorize.searchParams.set('redirect_uri', new URL(callbackUrl, location.href).href);
  authorize.searchParams.set('nonce', nonce);
  return authorize.href;
}

/**
 * Accepts the return that carries our nonce. A different nonce is a mismatch (which ends the flow only when it comes
 * from our own popup). A return with no nonce at all (a denial, or an account without CSRF protection) counts only
 * when our own popup sent it.
 */
export function matchDirect(nonce: string) {
  return (message: CallbackMessage, provenance: MessageProvenance): MatchResult => {
    const returned = message.fragment.nonce;
    if (returned === nonce) return 'accept';
    if (returned !== undefined) return 'mismatch';
    return provenance.fromPopup ? 'accept' : 'ignore';
  };
}

/** Confirms a CSRF-protected authorization, re-reads the connection and reports what changed. */
export async function finishDirect(
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
    return completeConfirmation(ctx, connection, fragment.confirm_token, signal);
  }
  return refreshed(ctx, connection, signal);
}

/**
 * `POST …/confirm` with the token, then the connection re-read. Should it fail in a way a new attempt may fix (the
 * network, a 5xx), the element holds the token for the row's Try again; either way the row shows what the API says
 * meanwhile (`pending_confirmation`).
 */
export async function completeConfirmation(ctx: ActionContext, connection: Connection, token: string, signal: AbortSignal): Promise<ActionResult> {
  try {
    await confirmConnection(ctx.client(), connection.unified_api, connection.service_id, token, signal);
  } catch (thrown) {
    const error = toVaultConnectError(thrown);
    if (error.code === 'aborted') throw error;
    ctx.holdConfirmation(connection, error.retryable ? token : undefined);
    await refreshAfterHint(ctx, connection, signal).catch(() => undefined);
    throw error;
  }
  ctx.holdConfirmation(connection, undefined);
  return refreshed(ctx, connection, signal);
}
