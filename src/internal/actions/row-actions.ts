/**
 * What a row's action does, a lazy chunk: `PATCH {enabled}`, `DELETE` then a re-read, and opening a connection in the
 * embedded Vault or (a chunk of its own) a popup. Every value an event carries is the Vault API's, never one taken
 * from a message.
 */
import { DEFAULT_UNIFY_BASE_URL, DEFAULT_VAULT_URL } from '../api/constants.ts';
import { deleteConnection, updateConnection } from '../api/connection-requests.ts';
import { connectionKey } from '../api/connection-status.ts';
import type { Connection } from '../api/schemas.ts';
import type { RowAction } from '../api/vocabulary.ts';
import { VaultConnectionChangeEvent } from '../../events/vault-connection-change.ts';
import { VaultConnectionDeleteEvent } from '../../events/vault-connection-delete.ts';
import { reread } from './connection-refresh.ts';
import { completeConfirmation } from './direct-authorize.ts';
import { openInModal } from './modal-action.ts';
import type { ActionContext, ActionResult, RunOptions } from './types.ts';

export async function performAction(
  ctx: ActionContext,
  connection: Connection,
  action: RowAction,
  options: RunOptions,
  signal: AbortSignal,
): Promise<ActionResult> {
  const client = ctx.client();
  const host = ctx.host();
  switch (action) {
    case 'enable':
    case 'disable': {
      const updated = await updateConnection(client, connection.unified_api, connection.service_id, { enabled: action === 'enable' }, signal);
      ctx.replace(updated);
      host.dispatchEvent(new VaultConnectionChangeEvent({ connection: updated }));
      return { kind: 'updated', connection: updated };
    }
    case 'disconnect': {
      await deleteConnection(client, connection.unified_api, connection.service_id, signal);
      // Apideck lists a deleted connection again as `available`: report that value.
      const after = (await reread(ctx, connection, signal)) ?? connection;
      host.dispatchEvent(new VaultConnectionDeleteEvent({ connection: after }));
      return { kind: 'deleted', connection: after };
    }
    case 'connect':
    case 'settings':
    case 'reconnect': {
      const plan = options.plan ?? 'modal';
      if (plan === 'modal') return openInModal(ctx, connection, signal);
      const popupActions = await import('./popup-actions.ts');
      if (options.resume) return popupActions.finishSameTab(ctx, connection, options.resume.pending, options.resume.result, signal);
      const popupOptions = {
        plan,
        popup: options.popup,
        callbackUrl: host.callbackUrl ?? '',
        vaultUrl: host.vaultUrl || DEFAULT_VAULT_URL,
        unifyBaseUrl: host.unifyBaseUrl || DEFAULT_UNIFY_BASE_URL,
        timeoutMs: host.flowTimeout,
        onClosed: options.onClosed,
        onSevered: options.onSevered,
      };
      return options.sameTab
        ? popupActions.continueInSameTab(ctx, connection, popupOptions, signal)
        : popupActions.runPopupAction(ctx, connection, popupOptions, signal);
    }
    case 'retry':
      // The only action a row's Try again runs here: a confirmation that failed, with the token the element holds.
      return options.confirmToken ? completeConfirmation(ctx, connection, options.confirmToken, signal) : { kind: 'unchanged' };
  }
}

/** Finishes a same-tab flow (the popup was blocked twice) for a connection in this list, once the list is in. */
export async function resumeSameTab(
  ctx: ActionContext,
  run: (connection: Connection, action: RowAction, options: RunOptions) => Promise<ActionResult>,
): Promise<void> {
  const { readPendingRedirect, takeRedirectResult } = await import('../popup/redirect-fallback.ts');
  const pending = readPendingRedirect();
  if (!pending?.serviceId || pending.kind === 'vaultre') return;
  const key = connectionKey({ unified_api: pending.unifiedApi ?? '', service_id: pending.serviceId });
  const connection = ctx.connections().find((c) => connectionKey(c) === key);
  const taken = connection && takeRedirectResult();
  if (connection && taken) await run(connection, 'connect', { plan: pending.kind, resume: taken });
}
