/**
 * The row actions, a lazy chunk: `PATCH {enabled}`, `DELETE` then a re-read, and the embedded Vault. Every value an
 * event carries is the Vault API's, never one taken from a message.
 */
import { VaultConnectError } from '../api/errors.ts';
import type { Connection } from '../api/schemas.ts';
import type { VaultClient } from '../api/vault-client.ts';
import type { RowAction } from '../api/vocabulary.ts';
import { VaultConnectionChangeEvent } from '../events/vault-connection-change.ts';
import { VaultConnectionDeleteEvent } from '../events/vault-connection-delete.ts';
import { runModalFlow } from '../flows/modal-flow.ts';
import { loadApideckVault, type VaultModal } from '../flows/vault-modal.ts';
import type { ActionResult, ConnectionsHost } from './connections-controller.ts';

export interface ActionContext {
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
  signal: AbortSignal,
): Promise<ActionResult> {
  const client = ctx.client();
  const host = ctx.host();
  switch (action) {
    case 'enable':
    case 'disable': {
      const updated = await client.updateConnection(connection.unified_api, connection.service_id, { enabled: action === 'enable' }, signal);
      ctx.replace(updated);
      host.dispatchEvent(new VaultConnectionChangeEvent({ connection: updated }));
      return { kind: 'updated', connection: updated };
    }
    case 'disconnect': {
      await client.deleteConnection(connection.unified_api, connection.service_id, signal);
      // Apideck lists a deleted connection again as `available`: report that value.
      const after = (await reread(ctx, connection, signal)) ?? connection;
      host.dispatchEvent(new VaultConnectionDeleteEvent({ connection: after }));
      return { kind: 'deleted', connection: after };
    }
    case 'connect':
    case 'settings':
    case 'reconnect':
      return openInModal(ctx, connection, signal);
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
async function refreshAfterHint(ctx: ActionContext, previous: Connection, signal: AbortSignal): Promise<Connection | undefined> {
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
    const fresh = await ctx.client().getConnection(connection.unified_api, connection.service_id, signal);
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
