/**
 * The element's side logic as a reactive controller: it loads the list, keeps the state the view draws, runs row
 * actions and reports through the contract's events. The actions themselves live in a lazy chunk (`row-actions.ts`),
 * prefetched once the first list has rendered, so the first load carries only what drawing the list needs. Every
 * request and flow it starts is tied to an `AbortController` that `hostDisconnected()` aborts.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { allowedActions, connectionKey } from '../api/connection-status.ts';
import { toVaultConnectError, type VaultConnectError } from '../api/errors.ts';
import type { Connection } from '../api/schemas.ts';
import { SessionSource } from '../api/session-source.ts';
import { DEFAULT_UNIFY_BASE_URL, VaultClient } from '../api/vault-client.ts';
import type { AllowAction, RowAction } from '../api/vocabulary.ts';
import { VaultConnectErrorEvent } from '../events/vault-connect-error.ts';
import { VaultConnectReadyEvent } from '../events/vault-connect-ready.ts';
import type { OpenPlan } from '../flows/open-plan.ts';
import type { PendingRedirect, RedirectResult } from '../flows/popup/redirect-fallback.ts';
import type { VaultModal } from '../flows/vault-modal.ts';
import type { ActionContext } from './row-actions.ts';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** What the controller reads from its element. */
export interface ConnectionsHost extends ReactiveControllerHost, EventTarget {
  readonly sessionUrl: string | undefined;
  readonly token: string | undefined;
  readonly unifyBaseUrl: string | undefined;
  readonly unifiedApi: string | undefined;
  readonly locale: string;
  readonly vaultModal: VaultModal | undefined;
  readonly vaultUrl: string | undefined;
  readonly callbackUrl: string | undefined;
  readonly flowTimeout: number;
  /** The sentence the user reads for an error, in the element's locale. */
  describe(error: VaultConnectError): string;
}

/** What a finished action says, for the element to announce. */
export type ActionResult =
  | { kind: 'updated'; connection: Connection }
  | { kind: 'deleted'; connection: Connection }
  | { kind: 'unchanged' }
  | { kind: 'failed'; error: VaultConnectError }
  | { kind: 'aborted' };

/** How a row action runs, beyond the action itself. */
export interface RunOptions {
  /** How `connect`/`settings`/`reconnect` open (default `modal`). */
  plan?: OpenPlan;
  /** The popup opened inside the click, for `hosted` and `direct`. */
  popup?: Window;
  /** Leave the page instead of a popup (the browser blocked it twice). */
  sameTab?: boolean;
  /** Finish a same-tab flow the callback page brought back. */
  resume?: { pending: PendingRedirect; result: RedirectResult };
  /** The popup reads closed while the flow still listens for its result (see `runPopupFlow`). */
  onClosed?: () => void;
}

/** Actions that open a flow (a modal or popup): one at a time per element. */
const FLOW_ACTIONS: ReadonlySet<RowAction> = new Set(['connect', 'settings', 'reconnect']);

const loadRowActions = () => import('./row-actions.ts');

export class ConnectionsController implements ReactiveController {
  status: LoadStatus = 'idle';
  connections: Connection[] = [];
  error: VaultConnectError | undefined;
  /** The action in progress per connection key. */
  readonly pending = new Map<string, RowAction>();
  /** The last failure per connection key, shown in its row until the next action on it. */
  readonly rowErrors = new Map<string, VaultConnectError>();
  /** `settings.allow_actions` of the session; `undefined` allows every action. */
  allow: ReadonlySet<AllowAction> | undefined;
  /** Rows whose popup the browser blocked: the action to retry and how many times it was blocked. */
  readonly blocked = new Map<string, { action: RowAction; count: number }>();

  readonly #host: ConnectionsHost;
  readonly #session: SessionSource;
  readonly #client: VaultClient;
  #load: AbortController | undefined;
  readonly #actions = new Set<AbortController>();
  #flow: AbortController | undefined;
  #popup: Window | undefined;
  #readyFired = false;

  constructor(host: ConnectionsHost) {
    this.#host = host;
    this.#session = new SessionSource(() => ({ sessionUrl: host.sessionUrl, token: host.token }));
    this.#client = new VaultClient(this.#session, () => host.unifyBaseUrl || DEFAULT_UNIFY_BASE_URL);
    host.addController(this);
  }

  get sessionConfigured(): boolean {
    return this.#session.configured;
  }

  /** Whether a modal (or popup) flow is open. */
  get flowOpen(): boolean {
    return this.#flow !== undefined;
  }

  hostConnected(): void {
    if (this.status === 'idle' || this.status === 'loading') void this.load();
  }

  hostDisconnected(): void {
    this.#load?.abort();
    this.#load = undefined;
    for (const action of this.#actions) action.abort();
    this.#actions.clear();
    this.#flow = undefined;
    this.#popup = undefined;
    this.pending.clear();
    if (this.status === 'loading') this.status = 'idle';
  }

  /** The session or its source changed: forget the token in hand and load again. */
  sessionChanged(): void {
    this.#session.reset();
    void this.load();
  }

  /** Loads (or reloads) the list. Settles when the list or the error is in place; never rejects. */
  async load(): Promise<void> {
    this.#load?.abort();
    if (!this.#session.configured) {
      this.status = 'idle';
      this.#host.requestUpdate();
      return;
    }
    const controller = new AbortController();
    this.#load = controller;
    this.status = 'loading';
    this.error = undefined;
    this.#host.requestUpdate();
    try {
      // Both start now: with a \`token\` the session is read at once, and the list request leaves before the first render.
      const [session, connections] = await Promise.all([
        this.#session.get(controller.signal),
        this.#client.listConnections(this.#host.unifiedApi || undefined, controller.signal),
      ]);
      if (controller.signal.aborted) return;
      this.allow = allowedActions(session.claims.settings?.allow_actions);
      this.connections = connections;
      this.rowErrors.clear();
      this.status = 'ready';
      this.#host.requestUpdate();
      await this.#host.updateComplete;
      if (!this.#readyFired && !controller.signal.aborted) {
        this.#readyFired = true;
        this.#host.dispatchEvent(new VaultConnectReadyEvent({ connections: this.connections }));
      }
      // After the same-tab fallback the callback page brings the user back here: finish that flow. Only this cheap
      // check is on the first load; the rest is in the actions chunk (otherwise fetched when the user reaches for a row).
      let resume = false;
      try {
        resume = sessionStorage.getItem('vault-connect:pending') !== null;
      } catch {
        // Storage disabled: there is no same-tab flow to finish.
      }
      if (resume) {
        void loadRowActions()
          .then((actions) => actions.resumeSameTab(this.#context, (c, a, o) => this.run(c, a, o)))
          .catch(() => undefined);
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      const failure = (this.error = toVaultConnectError(error));
      this.status = 'error';
      this.#host.requestUpdate();
      // The event's message is the sentence the panel shows: wait for that render, which waits for the locale's strings.
      await this.#host.updateComplete;
      if (!controller.signal.aborted) this.reportError(failure);
    } finally {
      if (this.#load === controller) this.#load = undefined;
    }
  }

  find(serviceId: string, unifiedApi?: string): Connection | undefined {
    return this.connections.find((c) => c.service_id === serviceId && (!unifiedApi || c.unified_api === unifiedApi));
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
    if (opensFlow) this.blocked.delete(connectionKey(connection));
    this.#popup = options.popup;
    const key = connectionKey(connection);
    const controller = new AbortController();
    this.#actions.add(controller);
    if (opensFlow) this.#flow = controller;
    this.pending.set(key, action);
    this.rowErrors.delete(key);
    this.#host.requestUpdate();
    try {
      const { performAction } = await loadRowActions();
      const result = await performAction(this.#context, connection, action, options, controller.signal);
      // A retry offered while the flow went on listening is moot now.
      this.blocked.delete(key);
      this.rowErrors.delete(key);
      return result;
    } catch (thrown) {
      const error = toVaultConnectError(thrown);
      if (controller.signal.aborted || error.code === 'aborted') {
        this.blocked.delete(key);
        this.rowErrors.delete(key);
        return { kind: 'aborted' };
      }
      this.rowErrors.set(key, error);
      this.reportError(error);
      return { kind: 'failed', error };
    } finally {
      this.#actions.delete(controller);
      if (this.#flow === controller) {
        this.#flow = undefined;
        this.#popup = undefined;
      }
      // Not when a new flow on this row replaced this one (see `cancel`).
      if (this.pending.get(key) === action && (!opensFlow || !this.#flow)) this.pending.delete(key);
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
    this.blocked.set(key, { action, count: (this.blocked.get(key)?.count ?? 0) + 1 });
    this.rowErrors.set(key, error);
    this.reportError(error);
    this.#host.requestUpdate();
  }

  /** What the lazily loaded actions may use of the controller. */
  readonly #context: ActionContext = {
    client: () => this.#client,
    connections: () => this.connections,
    host: () => this.#host,
    current: (connection) => this.connections.find((c) => connectionKey(c) === connectionKey(connection)),
    replace: (updated) => {
      const key = connectionKey(updated);
      const index = this.connections.findIndex((c) => connectionKey(c) === key);
      if (index === -1) return;
      this.connections = this.connections.with(index, updated);
      this.#host.requestUpdate();
    },
    remove: (connection) => {
      this.connections = this.connections.filter((c) => connectionKey(c) !== connectionKey(connection));
      this.#host.requestUpdate();
    },
    idle: (connection) => {
      this.pending.delete(connectionKey(connection));
      this.#host.requestUpdate();
    },
  };

  /** Fires `vault-connect-error` for `error`, with the sentence the user reads. */
  reportError(error: VaultConnectError): void {
    this.#host.dispatchEvent(
      new VaultConnectErrorEvent({ code: error.code, message: this.#host.describe(error), retryable: error.retryable }),
    );
  }
}
