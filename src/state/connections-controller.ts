/**
 * The element's side logic as a reactive controller: it loads the list, runs row actions and the modal flow, keeps the
 * state the view draws, and reports through the contract's events. Every request and flow it starts is tied to an
 * `AbortController` that `hostDisconnected()` aborts.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { allowedActions, connectionKey } from '../api/connection-status.ts';
import { VaultConnectError, toVaultConnectError } from '../api/errors.ts';
import type { Connection } from '../api/schemas.ts';
import { SessionSource } from '../api/session-source.ts';
import { DEFAULT_UNIFY_BASE_URL, VaultClient } from '../api/vault-client.ts';
import type { AllowAction, RowAction } from '../api/vocabulary.ts';
import { VaultConnectErrorEvent } from '../events/vault-connect-error.ts';
import { VaultConnectReadyEvent } from '../events/vault-connect-ready.ts';
import { VaultConnectionChangeEvent } from '../events/vault-connection-change.ts';
import { VaultConnectionDeleteEvent } from '../events/vault-connection-delete.ts';
import type { ModalActionContext } from '../flows/modal-action.ts';
import { loadApideckVault, type VaultModal } from '../flows/vault-modal.ts';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** What the controller reads from its element. */
export interface ConnectionsHost extends ReactiveControllerHost, EventTarget {
  readonly sessionUrl: string | undefined;
  readonly token: string | undefined;
  readonly unifyBaseUrl: string | undefined;
  readonly unifiedApi: string | undefined;
  readonly locale: string;
  readonly vaultModal: VaultModal | undefined;
}

/** What a finished action says, for the element to announce. */
export type ActionResult =
  | { kind: 'updated'; connection: Connection }
  | { kind: 'deleted'; connection: Connection }
  | { kind: 'unchanged' }
  | { kind: 'failed'; error: VaultConnectError }
  | { kind: 'aborted' };

export class ConnectionsController implements ReactiveController {
  status: LoadStatus = 'idle';
  connections: Connection[] = [];
  error: VaultConnectError | undefined;
  /** The action in progress per connection key. */
  readonly pending = new Map<string, RowAction>();
  /** The last failure per connection key, shown in its row until the next action on it. */
  readonly rowErrors = new Map<string, string>();
  /** `settings.allow_actions` of the session; `undefined` allows every action. */
  allow: ReadonlySet<AllowAction> | undefined;

  readonly #host: ConnectionsHost;
  readonly #session: SessionSource;
  readonly #client: VaultClient;
  #load: AbortController | undefined;
  readonly #actions = new Set<AbortController>();
  #modalFlow: AbortController | undefined;
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

  /** Whether a modal (or later, popup) flow is open. One flow per element at a time. */
  get flowOpen(): boolean {
    return this.#modalFlow !== undefined;
  }

  hostConnected(): void {
    if (this.status === 'idle' || this.status === 'loading') void this.load();
  }

  hostDisconnected(): void {
    this.#load?.abort();
    this.#load = undefined;
    this.cancel();
    for (const action of this.#actions) action.abort();
    this.#actions.clear();
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
      const session = await this.#session.get(controller.signal);
      const connections = await this.#client.listConnections(this.#host.unifiedApi || undefined, controller.signal);
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
    } catch (error) {
      if (controller.signal.aborted) return;
      this.error = toVaultConnectError(error);
      this.status = 'error';
      this.#host.requestUpdate();
      this.#reportError(this.error);
    } finally {
      if (this.#load === controller) this.#load = undefined;
    }
  }

  find(serviceId: string, unifiedApi?: string): Connection | undefined {
    return this.connections.find((c) => c.service_id === serviceId && (!unifiedApi || c.unified_api === unifiedApi));
  }

  /** Enables or disables a connection with `PATCH {enabled}`, updating the row from the API's reply. */
  setEnabled(connection: Connection, enabled: boolean): Promise<ActionResult> {
    return this.#runAction(connection, enabled ? 'enable' : 'disable', async (signal) => {
      const updated = await this.#client.updateConnection(connection.unified_api, connection.service_id, { enabled }, signal);
      this.#replace(updated);
      this.#host.dispatchEvent(new VaultConnectionChangeEvent({ connection: updated }));
      return { kind: 'updated', connection: updated };
    });
  }

  /** Deletes a connection, then re-reads it: Apideck lists a deleted connection again as `available`. */
  disconnect(connection: Connection): Promise<ActionResult> {
    return this.#runAction(connection, 'disconnect', async (signal) => {
      await this.#client.deleteConnection(connection.unified_api, connection.service_id, signal);
      const after = await this.#reread(connection, signal);
      this.#host.dispatchEvent(new VaultConnectionDeleteEvent({ connection: after ?? connection }));
      return { kind: 'deleted', connection: after ?? connection };
    });
  }

  /**
   * Opens the embedded Vault on a connection (the flow's code is a lazy chunk). One flow per element at a time: while
   * one is open, another request settles at once as `unchanged`.
   */
  openInModal(connection: Connection, action: RowAction): Promise<ActionResult> {
    if (this.#modalFlow) return Promise.resolve({ kind: 'unchanged' });
    const flow = new AbortController();
    this.#modalFlow = flow;
    return this.#runAction(connection, action, async (signal) => {
      const onAbort = () => flow.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const { runModalAction } = await import('../flows/modal-action.ts');
        return await runModalAction(this.#modalContext, connection, flow.signal);
      } finally {
        signal.removeEventListener('abort', onAbort);
        if (this.#modalFlow === flow) this.#modalFlow = undefined;
      }
    });
  }

  /** What the lazily loaded modal flow may use of the controller. */
  readonly #modalContext: ModalActionContext = {
    session: (signal) => this.#client.session(signal),
    modal: () => this.#modal(),
    locale: () => this.#host.locale,
    unifyBaseUrl: () => this.#host.unifyBaseUrl,
    opened: (connection) => {
      this.pending.delete(connectionKey(connection));
      this.#host.requestUpdate();
    },
    reread: (connection, signal) => this.#refreshAfterHint(connection, signal),
  };

  /** Ends the flow in progress (`aborted`). */
  cancel(): void {
    this.#modalFlow?.abort();
  }

  /** Re-reads a connection after a hint and fires change/delete when the API's value differs from ours. */
  async #refreshAfterHint(previous: Connection, signal: AbortSignal): Promise<Connection | undefined> {
    const before = this.connections.find((c) => connectionKey(c) === connectionKey(previous)) ?? previous;
    const fresh = await this.#reread(previous, signal);
    if (!fresh || sameConnection(before, fresh)) return undefined;
    const wasConnected = before.state !== 'available';
    const event =
      fresh.state === 'available' && wasConnected
        ? new VaultConnectionDeleteEvent({ connection: fresh })
        : new VaultConnectionChangeEvent({ connection: fresh });
    this.#host.dispatchEvent(event);
    return fresh;
  }

  /** `GET` one connection and put it in the list; a 404 removes the row. */
  async #reread(connection: Connection, signal: AbortSignal): Promise<Connection | undefined> {
    try {
      const fresh = await this.#client.getConnection(connection.unified_api, connection.service_id, signal);
      this.#replace(fresh);
      return fresh;
    } catch (error) {
      if (error instanceof VaultConnectError && error.status === 404) {
        this.connections = this.connections.filter((c) => connectionKey(c) !== connectionKey(connection));
        this.#host.requestUpdate();
        return undefined;
      }
      throw error;
    }
  }

  async #modal(): Promise<VaultModal> {
    if (this.#host.vaultModal) return this.#host.vaultModal;
    try {
      return await loadApideckVault();
    } catch (cause) {
      throw new VaultConnectError('network_error', 'The Vault window could not be loaded. Check your connection and try again.', {
        retryable: true,
        cause,
      });
    }
  }

  async #runAction(
    connection: Connection,
    action: RowAction,
    run: (signal: AbortSignal) => Promise<ActionResult>,
  ): Promise<ActionResult> {
    const key = connectionKey(connection);
    const controller = new AbortController();
    this.#actions.add(controller);
    this.pending.set(key, action);
    this.rowErrors.delete(key);
    this.#host.requestUpdate();
    try {
      return await run(controller.signal);
    } catch (thrown) {
      const error = toVaultConnectError(thrown);
      if (controller.signal.aborted || error.code === 'aborted') {
        return { kind: 'aborted' };
      }
      this.rowErrors.set(key, error.message);
      this.#reportError(error);
      return { kind: 'failed', error };
    } finally {
      this.#actions.delete(controller);
      if (this.pending.get(key) === action) this.pending.delete(key);
      this.#host.requestUpdate();
    }
  }

  #replace(updated: Connection): void {
    const key = connectionKey(updated);
    const index = this.connections.findIndex((c) => connectionKey(c) === key);
    if (index === -1) return;
    this.connections = this.connections.with(index, updated);
    this.#host.requestUpdate();
  }

  #reportError(error: VaultConnectError): void {
    this.#host.dispatchEvent(
      new VaultConnectErrorEvent({ code: error.code, message: error.message, retryable: error.retryable }),
    );
  }
}

/** Whether two reads of a connection show the same thing to the user (the fields that drive its row). */
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
