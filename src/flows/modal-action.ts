/**
 * A row action in the embedded Vault, loaded on first use: open the modal, turn Vault JS's callbacks (hints, since it
 * does not check message origins) into re-reads from the Vault API, and read the connection once more on close, since
 * a change may come without a callback.
 */
import type { Session } from '../api/session-source.ts';
import type { Connection } from '../api/schemas.ts';
import type { ActionResult } from '../state/connections-controller.ts';
import { runModalFlow } from './modal-flow.ts';
import type { VaultModal } from './vault-modal.ts';

export interface ModalActionContext {
  session(signal: AbortSignal): Promise<Session>;
  modal(): Promise<VaultModal>;
  locale(): string;
  unifyBaseUrl(): string | undefined;
  /** The modal is open: the row stops showing progress. */
  opened(connection: Connection): void;
  /** Re-reads the connection, fires change/delete when it differs, and returns the new value (or nothing if unchanged). */
  reread(connection: Connection, signal: AbortSignal): Promise<Connection | undefined>;
}

export async function runModalAction(ctx: ModalActionContext, connection: Connection, signal: AbortSignal): Promise<ActionResult> {
  let changed: Connection | undefined;
  let deleted = false;
  let rereads = Promise.resolve();
  const reread = async () => {
    const fresh = await ctx.reread(connection, signal);
    if (fresh) changed = fresh;
  };
  const [session, modal] = await Promise.all([ctx.session(signal), ctx.modal()]);
  if (signal.aborted) return { kind: 'aborted' };
  ctx.opened(connection);
  const outcome = await runModalFlow({
    modal,
    token: session.token,
    unifiedApi: connection.unified_api,
    serviceId: connection.service_id,
    locale: ctx.locale(),
    unifyBaseUrl: ctx.unifyBaseUrl(),
    signal,
    onHint: (hint) => {
      if (hint === 'delete') deleted = true;
      // Re-reads run one after another so events keep the order of the changes.
      rereads = rereads.then(reread, reread);
    },
  });
  await rereads.catch(() => undefined);
  if (outcome === 'aborted') return { kind: 'aborted' };
  await reread();
  if (!changed) return { kind: 'unchanged' };
  return deleted || changed.state === 'available' ? { kind: 'deleted', connection: changed } : { kind: 'updated', connection: changed };
}
