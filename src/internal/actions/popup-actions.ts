/**
 * The popup ways of opening an Apideck connection (lazy chunk, with the popup engine):
 * - `hosted`: Hosted Vault at `{vault-url}/integrations/{unified_api}/{service_id}?jwt=…`. It returns to the session's
 *   `redirect_uri` (the callback page) with `authorizedConnection=<service_id>` and nothing else, which any page can
 *   imitate by opening the callback URL. Such a return ends the flow only when it comes from the flow's own popup (its
 *   messages carry the flow record's id); from anywhere else it is a hint: the connection is read again and the flow
 *   ends only if it changed since the flow began (`state`, `enabled`, `health`, `updated_at`). Either way the row shows
 *   the API's value, never the message's.
 * - `direct`: the connection's `authorize_url` (see `direct-authorize.ts`).
 * - `token`: `client_credentials` and `password` grants, `POST …/token`, no window.
 * and the same-tab fallback for when the browser blocks the popup twice.
 */
import { authorizeToken, getConnection } from '../api/connection-requests.ts';
import { VaultConnectError } from '../api/errors.ts';
import type { Connection } from '../api/schemas.ts';
import { isSecureUrl } from '../api/url-rules.ts';
import { VaultConnectionChangeEvent } from '../../events/vault-connection-change.ts';
import type { CallbackMessage } from '../popup/callback-message.ts';
import type { MatchResult, MessageProvenance } from '../popup/callback-listener.ts';
import { runPopupFlow } from '../popup/popup-flow.ts';
import { randomState } from '../popup/random-state.ts';
import { startRedirectFlow, type PendingRedirect, type RedirectResult } from '../popup/redirect-fallback.ts';
import { refreshed } from './connection-refresh.ts';
import { directUrl, finishDirect, matchDirect } from './direct-authorize.ts';
import type { ActionContext, ActionResult } from './types.ts';

export interface PopupActionOptions {
  plan: 'hosted' | 'direct' | 'token';
  /** The window opened inside the click (absent for `token`). */
  popup?: Window | undefined;
  callbackUrl: string;
  vaultUrl: string;
  unifyBaseUrl: string;
  timeoutMs: number | `${number}`;
  /** The popup reads closed but the flow goes on listening (see `runPopupFlow`): the row offers a retry. */
  onClosed?: (() => void) | undefined;
  /** A result came after the popup read closed (see `runPopupFlow`). */
  onSevered?: (() => void) | undefined;
}

/**
 * Hosted Vault's connection page for a session. The JWT goes into its URL, so `vault-url` must be `https:` (`http:`
 * only on loopback): anything else is `invalid_config`, before the session is even asked for.
 */
async function hostedUrl(ctx: ActionContext, connection: Connection, vaultUrl: string, signal: AbortSignal): Promise<string> {
  const base = vaultUrl.replace(/\/+$/, '');
  let url: URL | undefined;
  try {
    url = new URL(`${base}/integrations/${encodeURIComponent(connection.unified_api)}/${encodeURIComponent(connection.service_id)}`);
  } catch {
    url = undefined;
  }
  if (!url || !isSecureUrl(url)) throw new VaultConnectError('invalid_config', { detail: 'vault-url must be https: (http: only on localhost).' });
  const session = await ctx.client().session(signal);
  url.searchParams.set('jwt', session.token);
  return url.href;
}

/** Whether two reads of a connection differ in what a finished authorization changes. */
function changedSince(before: Connection, after: Connection): boolean {
  return before.state !== after.state || before.enabled !== after.enabled || before.health !== after.health || before.updated_at !== after.updated_at;
}

/**
 * Hosted Vault's return for this connection: from the flow's own popup it ends the flow; from anywhere else it calls
 * `onHint` (a re-read) and is not taken.
 */
function matchHosted(connection: Connection, onHint: () => void) {
  return (message: CallbackMessage, provenance: MessageProvenance): MatchResult => {
    if (message.query.authorizedConnection !== connection.service_id) return 'ignore';
    if (provenance.fromPopup) return 'accept';
    onHint();
    return 'ignore';
  };
}

/** The flow record written into the popup, so its callback page can say the return is the popup's own. */
function popupRecord(id: string, kind: 'hosted' | 'direct', connection: Connection, state: string): PendingRedirect {
  return {
    id,
    kind,
    mode: 'popup',
    state,
    serviceId: connection.service_id,
    unifiedApi: connection.unified_api,
    returnUrl: location.href,
    startedAt: Date.now(),
  };
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
  const flowId = randomState();
  const common = {
    popup,
    callbackOrigin: new URL(options.callbackUrl, location.href).origin,
    signal,
    timeoutMs: options.timeoutMs,
    flowId,
    onSevered: options.onSevered,
  };
  if (options.plan === 'hosted') {
    // Closing Hosted Vault once the work is done is how many users finish: what counts is the API's value. When the
    // popup reads closed, re-read the connection; a change ends the flow, otherwise the row offers a retry while the
    // flow still listens (under COOP the popup may well be open).
    const early = new AbortController();
    let done: ActionResult | undefined;
    const finishEarly = (result: ActionResult) => {
      done = result;
      early.abort();
    };
    const onClosed = () =>
      void refreshed(ctx, connection, signal).then(
        (result) => (result.kind === 'unchanged' ? options.onClosed?.() : finishEarly(result)),
        () => options.onClosed?.(),
      );
    // The connection as it was when the flow began: a hint from elsewhere ends the flow only if the API's value moved
    // on from it. Read now, beside the session; the list's copy stands in if the read fails.
    const snapshot = getConnection(ctx.client(), connection.unified_api, connection.service_id, signal).catch(
      () => ctx.current(connection) ?? connection,
    );
    let hintInFlight = false;
    const onHint = () => {
      if (hintInFlight || done) return;
      hintInFlight = true;
      void Promise.all([snapshot, getConnection(ctx.client(), connection.unified_api, connection.service_id, signal)])
        .then(async ([before, after]) => {
          if (changedSince(before, after)) finishEarly(await refreshed(ctx, connection, signal));
        })
        .catch(() => undefined)
        .finally(() => (hintInFlight = false));
    };
    try {
      await runPopupFlow({
        ...common,
        signal: AbortSignal.any([signal, early.signal]),
        url: hostedUrl(ctx, connection, options.vaultUrl, signal),
        record: () => popupRecord(flowId, 'hosted', connection, randomState()),
        match: matchHosted(connection, onHint),
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
  const message = await runPopupFlow({
    ...common,
    url,
    record: () => popupRecord(flowId, 'direct', connection, nonce),
    match: matchDirect(nonce),
    onClosed: options.onClosed,
  });
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
    mode: 'same-tab',
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
