/**
 * What a click on a row button does, in a lazy chunk that the element fetches when a pointer moves over its list or
 * focus enters it (only the delegated click listener is on the first load). Everything up to `window.open` runs synchronously inside the
 * click, so a popup opened here counts as user-initiated; focus returns to the row's button after every action, and
 * each outcome is announced in the element's live region.
 */
import { connectionKey, connectionStatus } from '../api/connection-status.ts';
import { toVaultConnectError, VaultConnectError } from '../api/errors.ts';
import type { Connection } from '../api/schemas.ts';
import type { OpenMode, RowAction } from '../api/vocabulary.ts';
import { planOpen } from '../flows/open-plan.ts';
import { openPopup } from '../flows/popup/open-popup.ts';
import { randomState } from '../flows/popup/random-state.ts';
import type { Strings } from '../i18n/en.ts';
import type { ActionResult, ConnectionsController } from '../state/connections-controller.ts';
import { displayName } from './connection-row.ts';
import { confirmInDialog } from './confirm-dialog.ts';

// The actions chunk comes next (the first action awaits it after its window is open): fetch it along.
void import('../state/row-actions.ts').catch(() => undefined);

/** What the interactions may use of the element. */
export interface InteractionHost {
  readonly connections: ConnectionsController;
  readonly openMode: OpenMode;
  readonly callbackUrl: string | undefined;
  readonly renderRoot: ShadowRoot;
  readonly updateComplete: Promise<boolean>;
  readonly strings: Strings;
  announce(text: string): void;
  describe(error: VaultConnectError): string;
  /** Where focus goes when a row has no button left (the search box). */
  fallbackFocus(): HTMLElement | null;
}

/**
 * Runs a row button's action. In a row whose popup was blocked, `retry` starts that flow again, in a fresh click or,
 * with `sameTab`, in this tab; elsewhere it reloads the list.
 */
export async function runRowAction(host: InteractionHost, connection: Connection, action: RowAction, sameTab = false): Promise<void> {
  const { connections, strings } = host;
  const key = connectionKey(connection);
  const name = displayName(connection);
  const blocked = connections.blocked.get(key);
  switch (action) {
    case 'enable':
    case 'disable':
      host.announce(strings.progress[action]);
      announceResult(host, await connections.run(connection, action), name, action === 'enable' ? strings.announce.enabled : strings.announce.disabled);
      break;
    case 'disconnect': {
      const confirmed = await confirmInDialog(host.renderRoot, {
        title: strings.confirmDisconnectTitle(name),
        body: strings.confirmDisconnectBody,
        confirm: strings.confirmDisconnect,
        cancel: strings.cancel,
      });
      if (confirmed) {
        host.announce(strings.progress.disconnect);
        announceResult(host, await connections.run(connection, 'disconnect'), name, strings.announce.changed);
      }
      break;
    }
    case 'retry':
      if (!blocked) {
        await connections.load();
        return;
      }
      return startFlow(host, connection, blocked.action, sameTab);
    case 'connect':
    case 'settings':
    case 'reconnect':
      return startFlow(host, connection, action);
  }
  await focusRowButton(host, key, action);
}

/** Starts a flow action; synchronous up to the popup, which must open before any `await` or the browser blocks it. */
async function startFlow(host: InteractionHost, connection: Connection, action: RowAction, sameTab = false): Promise<void> {
  const { connections } = host;
  const key = connectionKey(connection);
  // A flow whose popup reads closed (closed by the user, or severed by COOP) gives way to a new one.
  const replacing = connections.flowOpen;
  if (replacing && connections.focusFlow()) return;
  const plan = planOpen(connection, action, host.openMode, host.callbackUrl);
  let popup: Window | undefined;
  if (!sameTab && (plan === 'hosted' || plan === 'direct')) {
    try {
      popup = openPopup(`vault-connect-${randomState()}`);
    } catch (thrown) {
      const error = toVaultConnectError(thrown);
      connections.popupBlocked(connection, action, error);
      host.announce(host.describe(error));
      await focusRowButton(host, key, 'retry');
      return;
    }
  }
  if (replacing) connections.cancel();
  // The popup reads closed but its result may still come (see `runPopupFlow`): offer a retry meanwhile.
  const onClosed = () => {
    const error = new VaultConnectError('popup_closed', { retryable: true });
    connections.pending.delete(key);
    connections.blocked.set(key, { action, count: 1 });
    connections.rowErrors.set(key, error);
    // Announcing re-renders the element, which draws the row's new state.
    host.announce(host.describe(error));
  };
  host.announce(host.strings.progress[action]);
  const result = await connections.run(connection, action, { plan, ...(popup ? { popup } : {}), sameTab, onClosed });
  announceResult(host, result, displayName(connection), host.strings.announce.changed, true);
  await focusRowButton(host, key, action);
}

/** Says how an action ended; after a flow (`withStatus`) also the row's new status, e.g. "Salesforce updated. Connected". */
function announceResult(host: InteractionHost, result: ActionResult, name: string, message: (name: string) => string, withStatus = false): void {
  if (result.kind === 'updated') {
    host.announce(withStatus ? `${message(name)}. ${host.strings.status[connectionStatus(result.connection)]}` : message(name));
  } else if (result.kind === 'deleted') host.announce(host.strings.announce.disconnected(name));
  else if (result.kind === 'failed') host.announce(host.describe(result.error));
}

/** A toggle's other half: after Disable, focus goes to Enable (and back). */
const TWIN: Partial<Record<RowAction, RowAction>> = { enable: 'disable', disable: 'enable' };

/**
 * Returns focus to the button that started an action; if that one is gone, to its twin (Enable ↔ Disable), else the
 * row's first button (Connect after a disconnect), else — the row itself gone — the search box.
 */
async function focusRowButton(host: InteractionHost, key: string, action: RowAction): Promise<void> {
  await host.updateComplete;
  const row = host.renderRoot.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
  const button = (name: string) => row?.querySelector<HTMLButtonElement>(`button[data-action="${name}"]:not(:disabled)`);
  const target = button(action) ?? button(TWIN[action] ?? action) ?? row?.querySelector<HTMLButtonElement>('button:not(:disabled)');
  (target ?? host.fallbackFocus())?.focus();
}
