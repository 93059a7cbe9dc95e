/**
 * What a click on a row button does, in a lazy chunk that the element fetches when a pointer moves over its list or
 * focus enters it (only the delegated click listener is on the first load). Everything up to `window.open` runs
 * synchronously inside the click, so a popup opened here counts as user-initiated; focus returns to the row's button
 * after every action, and each outcome is announced in the element's live region. The row state itself is the
 * `ActionsController`'s, changed only through its methods.
 */
import { connectionKey, connectionStatus } from '../api/connection-status.ts';
import { describeError, toVaultConnectError, VaultConnectError } from '../api/errors.ts';
import type { Connection } from '../api/schemas.ts';
import type { OpenMode, RowAction, WindowMode } from '../api/vocabulary.ts';
import { warnDeveloper } from '../actions/developer-warnings.ts';
import { planOpen } from '../actions/open-plan.ts';
import type { ActionResult } from '../actions/types.ts';
import { openPopup } from '../popup/open-popup.ts';
import { flowsInSameTab } from '../popup/window-mode.ts';
import { randomState } from '../popup/random-state.ts';
import { withFlows, type Strings } from '../../i18n/en.ts';
import type { ListStrings } from '../../i18n/en-list.ts';
import { displayName, statusLabel, type RowActivityView } from '../templates/connection-row.ts';
import * as statusDates from '../templates/status-dates.ts';
import { renderRowActivity } from '../templates/row-activity.ts';
import { confirmInDialog } from '../templates/confirm-dialog.ts';
import { adoptRowInUseStyles } from '../templates/row-in-use.ts';
import { ActionsController, type ActionList, type ActionsHost } from './actions-controller.ts';
import { RowMenu } from '../menu/row-menu.ts';

// The actions chunk comes next (the first action awaits it after its window is open): fetch it along.
void import('../actions/row-actions.ts').catch(() => undefined);

/** What the interactions read of the element. */
export interface InteractionHost extends ActionsHost {
  readonly openMode: OpenMode;
  readonly windowMode: WindowMode;
  readonly callbackUrl: string | undefined;
  readonly renderRoot: HTMLElement | DocumentFragment;
  readonly updateComplete: Promise<boolean>;
}

/** What the interactions use of the element's own parts. */
export interface InteractionServices {
  /** The element's strings: English's are the list's alone, to which `withFlows` adds the flows'. */
  strings(): ListStrings | Strings;
  /** The element's `locale`: dates are written in its language. */
  locale(): string;
  announce(text: string): void;
  /** Where focus goes when a row has no button left (the search box). */
  fallbackFocus(): HTMLElement | null;
}

/** A toggle's other half: after Disable, focus goes to Enable (and back). */
const TWIN: Partial<Record<RowAction, RowAction>> = { enable: 'disable', disable: 'enable' };

export class RowInteractions {
  /** The rows' action state, which the element draws. */
  readonly actions: ActionsController;
  /** The rows' More menus. */
  readonly menu: RowMenu;
  readonly #host: InteractionHost;
  readonly #list: ActionList;
  readonly #services: InteractionServices;

  constructor(host: InteractionHost, list: ActionList, services: InteractionServices) {
    this.#host = host;
    this.#list = list;
    this.#services = services;
    this.actions = new ActionsController(host, list, (error) => this.#describe(error));
    this.menu = new RowMenu(
      host,
      () => services.strings(),
      (key) => host.renderRoot.querySelector(`[data-key="${CSS.escape(key)}"]`),
      (trigger) => trigger.closest<HTMLElement>('[data-key]')?.dataset.key,
    );
    adoptRowInUseStyles(host.renderRoot as ShadowRoot);
  }

  /** A click on a row's button or on an item of its More menu: More opens or closes its menu, the others run. */
  click(button: HTMLButtonElement, key: string): void {
    if (button.dataset.action === 'more') {
      this.menu.toggle(key);
      return;
    }
    const connection = this.#list.connections.find((c) => connectionKey(c) === key);
    if (connection) void this.run(connection, button.dataset.action as RowAction, 'sameTab' in button.dataset);
  }

  /** What the row of `key` shows of its actions (nothing once none is in progress, failed or to retry, and its menu is shut). */
  view(key: string): RowActivityView | undefined {
    const { pending, error, blocked } = this.actions.activity(key);
    const menu = this.menu.renderer(key);
    if (!pending && !error && !blocked && !menu) return undefined;
    // Described at each render, so a row's error follows a change of `locale`.
    return renderRowActivity(this.#strings(), pending, error && this.#describe(error), blocked, menu);
  }

  /** The whole table: the element's, or English's with the flows' strings. */
  #strings(): Strings {
    return withFlows(this.#services.strings());
  }

  /**
   * `openConnection()`: once the list is in, the row's own action for the connection (Connect when available,
   * otherwise Settings), or `api_error` when the list has no such connection.
   */
  async open(serviceId: string, unifiedApi?: string): Promise<void> {
    if (this.#list.status !== 'ready') await this.#list.load();
    const connection = this.#list.connections.find((c) => c.service_id === serviceId && (!unifiedApi || c.unified_api === unifiedApi));
    if (connection) return this.run(connection, connection.state === 'available' ? 'connect' : 'settings');
    const missing = new VaultConnectError('api_error', { detail: `“${serviceId}” (404)` });
    this.#list.reportError(missing, this.#describe(missing));
  }

  #describe(error: VaultConnectError): string {
    return describeError(error, this.#strings());
  }

  /**
   * Runs a row button's action. In a row whose popup was blocked, `retry` starts that flow again, in a fresh click or,
   * with `sameTab`, in this tab; elsewhere it reloads the list.
   */
  async run(connection: Connection, action: RowAction, sameTab = false): Promise<void> {
    const strings = this.#strings();
    const key = connectionKey(connection);
    const name = displayName(connection);
    // An item of the row's menu was chosen (or a method started an action): the menu closes, focus on its trigger.
    const fromMenu = this.menu.openKey === key;
    this.menu.close(fromMenu);
    switch (action) {
      case 'enable':
      case 'disable':
        this.#services.announce(strings.progress[action]);
        this.#announceResult(await this.actions.run(connection, action), name, action === 'enable' ? strings.announce.enabled : strings.announce.disabled);
        break;
      case 'disconnect': {
        const confirmed = await confirmInDialog(this.#host.renderRoot as ShadowRoot, {
          title: strings.confirmDisconnectTitle(name),
          body: strings.confirmDisconnectBody,
          confirm: strings.confirmDisconnect,
          cancel: strings.cancel,
        });
        if (confirmed) {
          this.#services.announce(strings.progress.disconnect);
          this.#announceResult(await this.actions.run(connection, 'disconnect'), name, strings.announce.changed);
        }
        break;
      }
      case 'retry': {
        const confirmToken = this.actions.heldConfirmation(connection);
        if (confirmToken) {
          this.#services.announce(strings.progress.retry);
          this.#announceResult(await this.actions.run(connection, 'retry', { confirmToken }), name, strings.announce.changed, true);
          break;
        }
        const blocked = this.actions.blockedAction(connection);
        if (!blocked) {
          await this.#list.load();
          return;
        }
        return this.#startFlow(connection, blocked, false, sameTab);
      }
      case 'connect':
      case 'settings':
      case 'reconnect':
        return this.#startFlow(connection, action, fromMenu);
    }
    await this.#focusRowButton(key, action, fromMenu);
  }

  /**
   * Starts a flow action; synchronous up to the popup, which must open before any `await` or the browser blocks it.
   * Settles when the flow ends, or when its popup reads closed and `popup_closed` is reported: the flow then goes on
   * listening, and a late result still updates the row (and fires its event) without taking the focus back.
   */
  async #startFlow(connection: Connection, action: RowAction, fromMenu: boolean, sameTab = false): Promise<void> {
    const { actions } = this;
    const key = connectionKey(connection);
    // A flow whose popup reads closed (closed by the user, or severed by COOP) gives way to a new one.
    const replacing = actions.flowOpen;
    if (replacing && actions.focusFlow()) return;
    const plan = planOpen(connection, action, this.#host.openMode, this.#host.callbackUrl);
    const windowed = plan === 'hosted' || plan === 'direct';
    // `window-mode`: in an in-app browser (or when the host asks) the flow leaves for the provider in this tab.
    sameTab = windowed && (sameTab || flowsInSameTab(this.#host.windowMode));
    let popup: Window | undefined;
    if (!sameTab && windowed) {
      try {
        popup = openPopup(`vault-connect-${randomState()}`);
      } catch (thrown) {
        const error = toVaultConnectError(thrown);
        actions.popupBlocked(connection, action, error);
        warnDeveloper(this.#host, 'popup_blocked');
        this.#services.announce(this.#describe(error));
        await this.#focusRowButton(key, 'retry', false);
        return;
      }
    }
    if (replacing) actions.cancel();
    let reportClosed!: () => void;
    const closed = new Promise<void>((resolve) => (reportClosed = resolve));
    let late = false;
    // The popup reads closed but its result may still come (see `runPopupFlow`): the row offers a retry meanwhile.
    const onClosed = () => {
      late = true;
      this.#services.announce(this.#describe(actions.popupClosed(connection, action)));
      reportClosed();
    };
    this.#services.announce(this.#strings().progress[action]);
    const finished = actions.run(connection, action, { plan, ...(popup ? { popup } : {}), sameTab, onClosed }).then(async (result) => {
      this.#announceResult(result, displayName(connection), this.#strings().announce.changed, true);
      // After `popup_closed` the user may be elsewhere: take the focus only if it was lost with the row's button.
      if (!late || document.activeElement === document.body) await this.#focusRowButton(key, action, fromMenu);
    });
    await Promise.race([finished, closed.then(() => this.#focusRowButton(key, 'retry', false))]);
  }

  /** Says how an action ended; after a flow (`withStatus`) also the row's new status, e.g. "Salesforce updated. Connected". */
  #announceResult(result: ActionResult, name: string, message: (name: string) => string, withStatus = false): void {
    const services = this.#services;
    if (result.kind === 'updated') {
      const { connection } = result;
      const status = statusLabel(this.#strings(), connection, connectionStatus(connection), statusDates, services.locale());
      services.announce(withStatus ? `${message(name)}. ${status}` : message(name));
    } else if (result.kind === 'deleted') services.announce(this.#strings().announce.disconnected(name));
    else if (result.kind === 'failed') services.announce(this.#describe(result.error));
  }

  /**
   * Returns focus to the button that started an action; if that one is gone, to its twin (Enable ↔ Disable); for an
   * action chosen in the More menu (`fromMenu`) or a twin in it, to the menu's trigger; else the row's first button
   * (Settings after a Connect, Connect after a disconnect), else — the row itself gone — the search box.
   */
  async #focusRowButton(key: string, action: RowAction, fromMenu: boolean): Promise<void> {
    await this.#host.updateComplete;
    // A menu opened meanwhile keeps the focus it took.
    if (this.menu.openKey !== undefined) return;
    const row = this.#host.renderRoot.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
    const button = (name: string) => row?.querySelector<HTMLButtonElement>(`button[data-action="${name}"]:not(:disabled)`);
    const twin = TWIN[action];
    // A twin in the menu (Disable, after Enable) is reached through More.
    const target =
      button(action) ?? button(twin ?? action) ?? (fromMenu || twin ? button('more') : null) ?? row?.querySelector<HTMLButtonElement>('button:not(:disabled)');
    (target ?? this.#services.fallbackFocus())?.focus();
  }
}
