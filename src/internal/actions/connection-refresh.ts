/**
 * Re-reading one connection after a flow's hint. Vault JS's callbacks and the popup's return carry no trusted data:
 * each only triggers a `GET` from the Vault API, and an event fires when the API's value differs from the list's.
 */
import { connectionChanged } from '../api/connection-changes.ts';
import { getConnection } from '../api/connection-requests.ts';
import { VaultConnectError } from '../api/errors.ts';
import type { Connection } from '../api/schemas.ts';
import { VaultConnectionChangeEvent } from '../../events/vault-connection-change.ts';
import { VaultConnectionDeleteEvent } from '../../events/vault-connection-delete.ts';
import type { ActionContext, ActionResult } from './types.ts';

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

/** `refreshAfterHint` as an action's result. */
export async function refreshed(ctx: ActionContext, connection: Connection, signal: AbortSignal): Promise<ActionResult> {
  const fresh = await refreshAfterHint(ctx, connection, signal);
  return fresh ? { kind: 'updated', connection: fresh } : { kind: 'unchanged' };
}

/** `GET` one connection and put it in the list; a 404 removes the row. */
export async function reread(ctx: ActionContext, connection: Connection, signal: AbortSignal): Promise<Connection | undefined> {
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

/** Whether two reads of a connection show the same thing (the fields that drive its row and the events). */
function sameConnection(a: Connection, b: Connection): boolean {
  return !connectionChanged(a, b) && a.name === b.name;
}
