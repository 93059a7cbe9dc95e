/**
 * Loads the list and owns it: the session and `GET /vault/connections` leave together, then `status`, `connections`,
 * `error` and `allow` hold what the view draws. Flows change a row only through `replace` and `remove`. Every load is
 * tied to an `AbortController` that `hostDisconnected()` aborts.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { DEFAULT_UNIFY_BASE_URL } from '../api/constants.ts';
import { allowedActions, connectionKey } from '../api/connection-status.ts';
import { toVaultConnectError, type VaultConnectError } from '../api/errors.ts';
import type { Connection } from '../api/schemas.ts';
import { SessionSource } from '../api/session-source.ts';
import { VaultClient } from '../api/vault-client.ts';
import type { AllowAction } from '../api/vocabulary.ts';
import { VaultConnectErrorEvent } from '../../events/vault-connect-error.ts';
import { VaultConnectReadyEvent } from '../../events/vault-connect-ready.ts';
import { hasPendingRedirect } from '../popup/redirect-keys.ts';
import { loadWindowing } from './windowing.ts';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** What the controller reads from its element. */
export interface ConnectionsHost extends ReactiveControllerHost, EventTarget {
  readonly sessionUrl: string | undefined;
  readonly token: string | undefined;
  readonly unifyBaseUrl: string | undefined;
  readonly unifiedApi: string | undefined;
}

/** What a load tells the rest of the element. */
export interface LoadListener {
  /** The sentence the user reads for an error, in the element's locale. */
  describe(error: VaultConnectError): string;
  /** A new list replaced the old one: the old rows' errors are moot. */
  reloaded(): void;
  /** The list is drawn and this tab holds a same-tab flow that the callback page brought back. */
  resume(): void;
}

export class ConnectionsController implements ReactiveController {
  status: LoadStatus = 'idle';
  connections: Connection[] = [];
  error: VaultConnectError | undefined;
  /** `settings.allow_actions` of the session; `undefined` allows every action. */
  allow: ReadonlySet<AllowAction> | undefined;
  /** `settings.sandbox_mode` of the session: the element shows a "Sandbox" marker. */
  sandboxMode = false;

  readonly #host: ConnectionsHost;
  readonly #listener: LoadListener;
  readonly #session: SessionSource;
  readonly #client: VaultClient;
  #load: AbortController | undefined;
  #readyFired = false;

  constructor(host: ConnectionsHost, listener: LoadListener) {
    this.#host = host;
    this.#listener = listener;
    this.#session = new SessionSource(() => ({ sessionUrl: host.sessionUrl, token: host.token }));
    this.#client = new VaultClient(this.#session, () => host.unifyBaseUrl || DEFAULT_UNIFY_BASE_URL);
    host.addController(this);
  }

  get sessionConfigured(): boolean {
    return this.#session.configured;
  }

  /** The Vault API client, for the flows. */
  client(): VaultClient {
    return this.#client;
  }

  hostConnected(): void {
    if (this.status === 'idle' || this.status === 'loading') void this.load();
  }

  hostDisconnected(): void {
    this.#load?.abort();
    this.#load = undefined;
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
      // The windowing chunk downloads while the list is on its way, so a long list is drawn as soon as it is parsed
      // (after the reply, it came about 20 ms later at 1,000 rows); a short list loads it without using it.
      void loadWindowing().catch(() => undefined);
      // Both start now: with a `token` the session is read at once, and the list request leaves before the first render.
      const [session, connections] = await Promise.all([
        this.#session.get(controller.signal),
        this.#client.listConnections(this.#host.unifiedApi || undefined, controller.signal),
      ]);
      if (controller.signal.aborted) return;
      const settings = session.claims.settings;
      this.allow = allowedActions(settings?.allow_actions);
      this.sandboxMode = settings?.sandbox_mode === true;
      // `settings.unified_apis` shows only those unified APIs, as Apideck's own UI does; empty or absent shows all.
      const shown = settings?.unified_apis;
      this.connections = shown?.length ? connections.filter((c) => shown.includes(c.unified_api)) : connections;
      this.#listener.reloaded();
      this.status = 'ready';
      this.#host.requestUpdate();
      await this.#host.updateComplete;
      if (!this.#readyFired && !controller.signal.aborted) {
        this.#readyFired = true;
        this.#host.dispatchEvent(new VaultConnectReadyEvent({ connections: this.connections }));
      }
      // After the same-tab fallback the callback page brings the user back here: finish that flow (only this cheap
      // check is on the first load).
      if (hasPendingRedirect()) this.#listener.resume();
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

  /** The list's current value of a connection. */
  current(connection: Connection): Connection | undefined {
    return this.connections.find((c) => connectionKey(c) === connectionKey(connection));
  }

  /** Puts a fresh read of a connection in its place in the list. */
  replace(updated: Connection): void {
    const key = connectionKey(updated);
    const index = this.connections.findIndex((c) => connectionKey(c) === key);
    if (index === -1) return;
    this.connections = this.connections.with(index, updated);
    this.#host.requestUpdate();
  }

  /** Takes a connection out of the list (the Vault API no longer has it). */
  remove(connection: Connection): void {
    this.connections = this.connections.filter((c) => connectionKey(c) !== connectionKey(connection));
    this.#host.requestUpdate();
  }

  /** Fires `vault-connect-error` for `error`, with the sentence the user reads (by default the list's own). */
  reportError(error: VaultConnectError, message = this.#listener.describe(error)): void {
    this.#host.dispatchEvent(new VaultConnectErrorEvent({ code: error.code, message, retryable: error.retryable }));
  }
}
