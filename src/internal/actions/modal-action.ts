/**
 * Opens the embedded Vault on a connection. The row shows progress until the modal calls `onReady`; a modal that never
 * does, or whose frame the page's policy blocks, ends the flow with an error (and one warning for the developer).
 * Vault JS's callbacks are hints (it does not check message origins): each triggers a re-read from the API, and the
 * connection is read once more on close, since a change may come with none.
 */
import { VaultConnectError } from '../api/errors.ts';
import type { Connection } from '../api/schemas.ts';
import { refreshAfterHint } from './connection-refresh.ts';
import { warnDeveloper } from './developer-warnings.ts';
import { MODAL_READY_TIMEOUT_MS, runModalFlow, type ModalOutcome } from './modal-flow.ts';
import type { ActionContext, ActionResult } from './types.ts';
import { loadApideckVault, type VaultModal } from './vault-modal.ts';

export async function openInModal(ctx: ActionContext, connection: Connection, signal: AbortSignal): Promise<ActionResult> {
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
  let outcome: ModalOutcome;
  try {
    outcome = await runModalFlow({
      modal,
      token: session.token,
      unifiedApi: connection.unified_api,
      serviceId: connection.service_id,
      locale: host.locale,
      unifyBaseUrl: host.unifyBaseUrl,
      signal,
      // The user now works in the modal: the row stops showing progress.
      onReady: () => ctx.idle(connection),
      onHint: (hint) => {
        if (hint === 'delete') deleted = true;
        // One after another, so events keep the order of the changes.
        rereads = rereads.then(refresh, refresh);
      },
    });
  } catch (error) {
    if (error instanceof VaultConnectError && error.code === 'blocked_by_policy') warnDeveloper(host, 'frame_blocked', error.detail);
    else if (error instanceof VaultConnectError) warnDeveloper(host, 'frame_timeout', `${MODAL_READY_TIMEOUT_MS / 1000} s`);
    throw error;
  }
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
