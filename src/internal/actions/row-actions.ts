/**
 * The row actions, a lazy chunk: `PATCH {enabled}`, `DELETE` then a re-read, and the embedded Vault. Every value an
 * event carries is the Vault API's, never one taken from a message.
 */
import { deleteConnection, getConnection, updateConnection } from '../api/connection-requests.ts';
import { VaultConnectError } from '../api/errors.ts';
import type { Connection } from '../api/schemas.ts';
import type { VaultClient } from '../api/vault-client.ts';
import type { RowAction } from '../api/vocabulary.ts';
import { VaultConnectionChangeEvent } from '../events/vault-connection-change.ts';
import { VaultConnectionDeleteEvent } from '../events/vault-connection-delete.ts';
import { runModalFlow } from '../flows/modal-flow.ts';
import { loadApideckVault, type VaultModal } from '../flows/vault-modal.ts';
import { DEFAULT_UNIFY_BASE_URL } from '../api/vault-client.ts';
import type { ActionResult, ConnectionsHost, RunOptions } from './connections-controller.ts';
import { connectionKey } from '../api/connection-status.ts';

export interface ActionContext {
  /** Every connection in the list. */
  connections(): readonly Connection[];
  client(): VaultClient;
  host(): ConnectionsHost;
  /** The list's current value of a connection. */
  current(connection: Connection): Connection | undefined;
  replace(connection: Connection): void;
  remove(connection: Connection): void;
  /** The row stops showing progress (the user now works in a modal). */
  idle(connection: Connection): void;
}

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
      const popupActions = await import('../flows/popup-actions.ts');
      if (options.resume) return popupActions.finishSameTab(ctx, connection, options.resume.pending, options.resume.result, signal);
      const popupOptions = {
        plan,
        popup: options.popup,
        callbackUrl: host.callbackUrl ?? '',
        vaultUrl: host.vaultUrl || popupActions.DEFAULT_VAULT_URL,
        unifyBaseUrl: host.unifyBaseUrl || DEFAULT_UNIFY_BASE_URL,
        timeoutMs: host.flowTimeout,
        onClosed: options.onClosed,
      };
      return options.sameTab
        ? popupActions.continueInSameTab(ctx, connection, popupOptions, signal)
        : popupActions.runPopupAction(ctx, connection, popupOptions, signal);
    }
    case 'retry':
      return { kind: 'unchanged' };
  }
}

/**
 * Opens the embedded Vault on a connection. Vault JS's callbacks are hints (it does not check message origins): each
 * triggers a re-read from the API, and the connection is read once more on close, since a change may come with none.
 */
async function openInModal(ctx: ActionContext, connection: Connection, signal: AbortSignal): Promise<ActionResult> {
  const host = ctx.host();
  let changed: Connection | undefined;
  let deleted = false;
  let rereads = Promise.resolve();
  const refresh = async () => {
    const fresh = await refreshAfterHint(ctx, connection, signal);
    if (fresh) changed = fresh;
  };
  const [session, modal] = await Promise.all([ctx.client().session(signal), host.vaultModal ?? loadModal()]);
  if (signal.aborted) return { kind: 'aborted' };
  ctx.idle(connection);
  const outcome = await runModalFlow({
    modal,
    token: session.token,
    unifiedApi: connection.unified_api,
    serviceId: connection.service_id,
    locale: host.locale,
    unifyBaseUrl: host.unifyBaseUrl,
    signal,
    onHint: (hint) => {
      if (hint === 'delete') deleted = true;
      // One after another, so events keep the order of the changes.
      rereads = rereads.then(refresh, refresh);
    },
  });
  await rereads.catch(() => undefined);
  if (outcome === 'aborted') return { kind: 'aborted' };
  await refresh();
  if (!changed) return { kind: 'unchanged' };
  return deleted || changed.state === 'available' ? { kind: 'deleted', connection: changed } : { kind: 'updated', connection: changed };
}

async function loadModal(): Promise<VaultModal> {
  try {
    return await loadApideckVault();
  } catch (cause) {
    throw new VaultConnectError('network_error', { retryable: true, cause });
  }
}

/** Re-reads a connection and fires change (or delete) when the API's value differs from the list's. */
export async function refreshAfterHint(ctx: ActionContext, previous: Connection, signal: AbortSignal): Promise<Connection | undefined> {
  const before = ctx.current(previous) ?? previous;
  const fresh = await reread(ctx, previous, signal);
  if (!fresh || sameConnection(before, fresh)) return undefined;
  const event =
    fresh.state === 'available' && before.state !== 'available'
      ? new VaultConnectionDeleteEvent({ connection: fresh })
      : new VaultConnectionChangeEvent({ connection: fresh });
  ctx.host().dispatchEvent(event);
  return fresh;
}

/** `GET` one connection and put it in the list; a 404 removes the row. */
async function reread(ctx: ActionContext, connection: Connection, signal: AbortSignal): Promise<Connection | undefined> {
  try {
    const fresh = await getConnection(ctx.client(), connection.unified_api, connection.service_id, signal);
    ctx.replace(fresh);
    return fresh;
  } catch (error) {
    if (error instanceof VaultConnectError && error.status === 404) {
      ctx.remove(connection);
      return undefined;
    }
    throw error;
  }
}

/** Whether two reads of a connection show the same thing (the fields that drive its row). */
function sameConnection(a: Connection, b: Connection): boolean {
  return (
    a.state === b.state &&
    a.enabled === b.enabled &&
    a.integration_state === b.integration_state &&
    a.health === b.health &&
    a.updated_at === b.updated_at &&
    a.name === b.name
  );
}

/** Finishes a same-tab flow (the popup was blocked twice) for a connection in this list, once the list is in. */
export async function resumeSameTab(
  ctx: ActionContext,
  run: (connection: Connection, action: RowAction, options: RunOptions) => Promise<ActionResult>,
): Promise<void> {
  const { readPendingRedirect, takeRedirectResult } = await import('../flows/popup/redirect-fallback.ts');
  const pending = readPendingRedirect();
  if (!pending?.serviceId || pending.kind === 'vaultre') return;
  const key = connectionKey({ unified_api: pending.unifiedApi ?? '', service_id: pending.serviceId });
  const connection = ctx.connections().find((c) => connectionKey(c) === key);
  const taken = connection && takeRedirectResult();
  if (connection && taken) await run(connection, 'connect', { plan: pending.kind, resume: taken });
}
