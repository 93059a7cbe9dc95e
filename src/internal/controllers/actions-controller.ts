/**
 * The rows' actions as a reactive controller: it runs them (the code of each is in the lazy `actions/row-actions.ts`),
 * and owns what a row shows about them: the action in progress, the last failure, and a popup the browser blocked. It
 * is created with the interactions chunk, the first time a pointer or focus reaches the list. Every action is tied
 * to an `AbortController` that `cancel()` (for a flow) or `hostDisconnected()` aborts.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { connectionKey } from '../api/connection-status.ts';
import { toVaultConnectError, VaultConnectError } from '../api/errors.ts';
import type { Connection } from '../api/schemas.ts';
import type { VaultClient } from '../api/vault-client.ts';
import type { RowAction } from '../api/vocabulary.ts';
import { warnDeveloper } from '../actions/developer-warnings.ts';
import type { ActionContext, ActionHost, ActionResult, RunOptions } from '../actions/types.ts';

/** The list the actions change: the connections controller, through its methods. */
export interface ActionList {
  readonly connections: readonly Connection[];
  /** Whether the list is in (`ready`), loading, failed or not asked for yet. */
  readonly status: 'idle' | 'loading' | 'ready' | 'error';
  client(): VaultClient;
  /** Puts a changed list in place. */
  update(connections: Connection[]): void;
  /** Reloads the whole list (the list's own Try again). */
  load(): Promise<unknown>;
  /** Fires `vault-connect-error` for `error`, with `message`, the sentence the user reads. */
  reportError(error: VaultConnectError, message: string): void;
}

export type ActionsHost = ReactiveControllerHost & ActionHost;

/** What a row shows of its actions. */
export interface RowActivity {
  /** The action in progress. */
  pending: RowAction | undefined;
  /** The last failure, shown until the next action on the row. */
  error: VaultConnectError | undefined;
  /** How many times the browser blocked this row's popup: once offers a retry, twice also the same-tab fallback. */
  blocked: number;
}

/** Actions that open a flow (a modal or popup): one at a time per element. */
const FLOW_ACTIONS: ReadonlySet<RowAction> = new Set(['connect', 'settings', 'reconnect']);

/** How long Apideck honours a `confirm_token` (30 minutes): the element holds one no longer. */
const CONFIRM_TOKEN_LIFETIME_MS = 30 * 60_000;

const loadRowActions = () => import('../actions/row-actions.ts');

export class ActionsController implements ReactiveController {
  readonly #host: ActionsHost;
  readonly #list: ActionList;
  /** The sentence the user reads for an error, in the element's locale. */
  readonly #describe: (error: VaultConnectError) => string;
  /** The action in progress per connection key. */
  readonly #pending = new Map<string, RowAction>();
  /** The last failure per connection key, shown in its row until the next action on it. */
  readonly #rowErrors = new Map<string, VaultConnectError>();
  /**
   * Rows whose flow a fresh attempt may fix (a popup the browser blocked or that read closed, a Vault modal that never
   * came up, a confirmation that failed): the action to retry and how many times the popup was blocked.
   */
  readonly #blocked = new Map<string, { action: RowAction; count: number }>();
  /** `confirm_token`s whose confirmation failed in a way a new attempt may fix, with when they stop working. */
  readonly #confirmations = new Map<string, { token: string; until: number }>();
  readonly #actions = new Set<AbortController>();
  #flow: AbortController | undefined;
  #popup: Window | undefined;

  constructor(host: ActionsHost, list: ActionList, describe: (error: VaultConnectError) => string) {
    this.#host = host;
    this.#list = list;
    this.#describe = describe;
    host.addController(this);
  }

  hostDisconnected(): void {
    for (const action of this.#actions) action.abort();
    this.#actions.clear();
    this.#flow = undefined;
    this.#popup = undefined;
    this.#pending.clear();
  }

  /** What the row of `key` shows of its actions. */
  activity(key: string): RowActivity {
    return { pending: this.#pending.get(key), error: this.#rowErrors.get(key), blocked: this.#blocked.get(key)?.count ?? 0 };
  }

  /** The action a row's `retry` starts again, when its popup was blocked or read closed, or its modal failed. */
  blockedAction(connection: Connection): RowAction | undefined {
    return this.#blocked.get(connectionKey(connection))?.action;
  }

  /** The `confirm_token` the element holds for a row whose confirmation failed, while it still works. */
  heldConfirmation(connection: Connection): string | undefined {
    const key = connectionKey(connection);
    const held = this.#confirmations.get(key);
    if (held && held.until <= Date.now()) this.#confirmations.delete(key);
    return this.#confirmations.get(key)?.token;
  }

  /** A new list replaced the old one: its rows' errors are moot. */
  clearErrors(): void {
    this.#rowErrors.clear();
  }

  /** Whether a modal (or popup) flow is open. */
  get flowOpen(): boolean {
    return this.#flow !== undefined;
  }

  /**
   * Runs a row action: shows progress in the row, reports a failure in the row and as `vault-connect-error`, and
   * settles when the action (or its flow) ends. While a flow is open, another flow action settles at once as `unchanged`.
   */
  async run(connection: Connection, action: RowAction, options: RunOptions = {}): Promise<ActionResult> {
    const opensFlow = FLOW_ACTIONS.has(action);
    if (opensFlow && this.#flow) {
      options.popup?.close();
      this.focusFlow();
      return { kind: 'unchanged' };
    }
    const key = connectionKey(connection);
    if (opensFlow || action === 'retry') this.#blocked.delete(key);
    this.#popup = options.popup;
    const controller = new AbortController();
    this.#actions.add(controller);
    if (opensFlow) this.#flow = controller;
    this.#pending.set(key, action);
    this.#rowErrors.delete(key);
    this.#host.requestUpdate();
    // Whether the flow's popup read closed and `popup_closed` was reported: the flow then only goes on listening.
    let closedReported = false;
    const flowOptions: RunOptions = {
      ...options,
      onClosed: options.onClosed && (() => ((closedReported = true), options.onClosed?.())),
      onSevered: () => warnDeveloper(this.#host, 'popup_severed'),
    };
    try {
      const { performAction } = await loadRowActions();
      const result = await performAction(this.#context, connection, action, flowOptions, controller.signal);
      // A retry offered while the flow went on listening is moot now.
      this.#blocked.delete(key);
      this.#rowErrors.delete(key);
      return result;
    } catch (thrown) {
      const error = toVaultConnectError(thrown);
      if (controller.signal.aborted || error.code === 'aborted') {
        this.#blocked.delete(key);
        this.#rowErrors.delete(key);
        return { kind: 'aborted' };
      }
      this.#rowErrors.set(key, error);
      // A Vault modal that never came up (or was blocked), or a confirmation that failed: the row offers Try again.
      const modalFailed = opensFlow && (options.plan ?? 'modal') === 'modal' && (error.code === 'network_error' || error.code === 'blocked_by_policy');
      if (modalFailed || this.#confirmations.has(key)) this.#blocked.set(key, { action, count: 1 });
      // A flow that only went on listening after `popup_closed` and now times out is no new failure: the row stops
      // saying the result may still come, and the host, told already, hears nothing more.
      if (!(closedReported && error.code === 'timeout')) this.#list.reportError(error, this.#describe(error));
      return { kind: 'failed', error };
    } finally {
      this.#actions.delete(controller);
      if (this.#flow === controller) {
        this.#flow = undefined;
        this.#popup = undefined;
      }
      // Not when a new flow on this row replaced this one (see `cancel`).
      if (this.#pending.get(key) === action && (!opensFlow || !this.#flow)) this.#pending.delete(key);
      this.#host.requestUpdate();
    }
  }

  /** Ends the flow in progress (`aborted`); another may start at once. */
  cancel(): void {
    this.#flow?.abort();
    this.#flow = this.#popup = undefined;
  }

  /**
   * A second click while a flow is open brings its popup to the front. Returns false when that popup reads closed (the
   * user closed it, or COOP severed it): the caller may then start the flow again.
   */
  focusFlow(): boolean {
    const popup = this.#popup;
    try {
      if (popup?.closed) return false;
      popup?.focus();
    } catch {
      // A cross-origin window may refuse.
    }
    return true;
  }

  /** The browser blocked the popup for a row's action: say so, and offer a retry (then the same-tab fallback). */
  popupBlocked(connection: Connection, action: RowAction, error: VaultConnectError): void {
    const key = connectionKey(connection);
    this.#blocked.set(key, { action, count: (this.#blocked.get(key)?.count ?? 0) + 1 });
    this.#rowErrors.set(key, error);
    this.#list.reportError(error, this.#describe(error));
    this.#host.requestUpdate();
  }

  /**
   * The flow's popup reads closed but its result may still come (see `runPopupFlow`): the row stops showing progress,
   * says so and offers a retry, and `popup_closed` is reported, while the flow goes on listening. Returns the error.
   */
  popupClosed(connection: Connection, action: RowAction): VaultConnectError {
    const key = connectionKey(connection);
    const error = new VaultConnectError('popup_closed', { retryable: true });
    this.#pending.delete(key);
    this.#blocked.set(key, { action, count: 1 });
    this.#rowErrors.set(key, error);
    this.#list.reportError(error, this.#describe(error));
    this.#host.requestUpdate();
    return error;
  }

  /** Finishes a same-tab flow (the popup was blocked twice) that the callback page brought back to this page. */
  async resumeSameTab(): Promise<void> {
    const { resumeSameTab } = await loadRowActions();
    await resumeSameTab(this.#context, (c, a, o) => this.run(c, a, o));
  }

  /** What the lazily loaded actions may use: the list through its owner's methods, this row state through ours. */
  readonly #context: ActionContext = {
    client: () => this.#list.client(),
    connections: () => this.#list.connections,
    host: () => this.#host,
    current: (connection) => this.#list.connections.find((c) => connectionKey(c) === connectionKey(connection)),
    replace: (updated) => {
      const list = this.#list.connections;
      const index = list.findIndex((c) => connectionKey(c) === connectionKey(updated));
      if (index !== -1) this.#list.update(list.with(index, updated));
    },
    remove: (connection) => this.#list.update(this.#list.connections.filter((c) => connectionKey(c) !== connectionKey(connection))),
    idle: (connection) => {
      this.#pending.delete(connectionKey(connection));
      this.#host.requestUpdate();
    },
    holdConfirmation: (connection, token) => {
      const key = connectionKey(connection);
      if (token) this.#confirmations.set(key, { token, until: Date.now() + CONFIRM_TOKEN_LIFETIME_MS });
      else this.#confirmations.delete(key);
    },
  };
}
