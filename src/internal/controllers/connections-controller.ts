/**
 * Loads the list and owns it: the session and `GET /vault/connections` leave together, then `status`, `connections`,
 * `error` and `allow` hold what the view draws. Flows put their re-reads in place through `update` (the actions
 * controller's `replace` and `remove`). Every load is tied to an `AbortController` that `hostDisconnected()` aborts.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { DEFAULT_UNIFY_BASE_URL } from '../api/constants.ts';
import { allowedActions, connectionStatus } from '../api/connection-status.ts';
import { toVaultConnectError, type VaultConnectError } from '../api/errors.ts';
import type { Connection } from '../api/schemas.ts';
import { SessionSource } from '../api/session-source.ts';
import { VaultClient } from '../api/vault-client.ts';
import type { AllowAction } from '../api/vocabulary.ts';
import type { StatusDates } from '../templates/connection-row.ts';
import { VaultConnectErrorEvent } from '../../events/vault-connect-error.ts';
import { VaultConnectReadyEvent } from '../../events/vault-connect-ready.ts';
import { hasPendingRedirect } from '../popup/redirect-keys.ts';
import { loadWindowing } from './windowing.ts';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** Whether a connection's row writes a date (see `status-dates.ts`). */
function showsDate(connection: Connection): boolean {
  const status = connectionStatus(connection);
  return status === 'expiring' || status === 'degraded';
}

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
  /** What `expiring` and `degraded` rows write their dates with: a chunk, loaded with the first list that has one. */
  dates: StatusDates | undefined;

  readonly #host: ConnectionsHost;
  readonly #listener: LoadListener;
  readonly #session: SessionSource;
  readonly #client: VaultClient;
  #load: AbortController | undefined;
  #readyFired = false;
  /** How many times a flow changed the list: a quiet re-read that saw it change meanwhile is dropped. */
  #changes = 0;

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
      const list = await this.#read(controller.signal);
      if (!list) return;
      this.connections = list;
      this.#listener.reloaded();
      this.status = 'ready';
      this.#host.requestUpdate();
      await this.#host.updateComplete;
      if (!this.#readyFired && !controller.signal.aborted) {
        this.#readyFired = true;
        this.#host.dispatchEvent(new VaultConnectReadyEvent({ connections: this.connections }));
        // From now on the list is read again when the user comes back to the page (a chunk: the first render has no use for it).
        void import('./freshness.ts').then(({ FreshnessController }) => new FreshnessController(this.#host, this), () => undefined);
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

  /**
   * Reads the list again without the skeleton: rows change in place. `false` when it did not: a load in progress, no
   * list yet, or a failure (reported as `vault-connect-error`; the list stays as it was).
   */
  async reread(): Promise<boolean> {
    if (this.status !== 'ready' || this.#load) return false;
    const controller = (this.#load = new AbortController());
    const changes = this.#changes;
    try {
      const list = await this.#read(controller.signal);
      // A flow changed a row meanwhile: this read may be older than that change, so it goes (the next return reads again).
      if (!list || this.#changes !== changes) return false;
      this.connections = list;
      this.#host.requestUpdate();
      return true;
    } catch (error) {
      if (!controller.signal.aborted) this.reportError(toVaultConnectError(error));
      return false;
    } finally {
      if (this.#load === controller) this.#load = undefined;
    }
  }

  /**
   * The session and the list, read together: the session's settings are applied and the list to show is returned
   * (`undefined` once `signal` aborted); the caller puts it in place.
   */
  async #read(signal: AbortSignal): Promise<Connection[] | undefined> {
    // Both start now: with a `token` the session is read at once, and the list request leaves before the first render.
    const [session, connections] = await Promise.all([
      this.#session.get(signal),
      this.#client.listConnections(this.#host.unifiedApi || undefined, signal),
    ]);
    if (signal.aborted) return undefined;
    const settings = session.claims.settings;
    this.allow = allowedActions(settings?.allow_actions);
    this.sandboxMode = settings?.sandbox_mode === true;
    // `settings.unified_apis` shows only those unified APIs, as Apideck's own UI does; empty or absent shows all.
    const shown = settings?.unified_apis;
    const list = shown?.length ? connections.filter((c) => shown.includes(c.unified_api)) : connections;
    // Rows change once their dates can be written (should the chunk fail, they read their plain labels).
    if (list.some(showsDate)) await this.#loadDates();
    return signal.aborted ? undefined : list;
  }

  #loadDates(): Promise<void> {
    return import('../templates/status-dates.ts').then((dates) => void (this.dates = dates), () => undefined);
  }

  find(serviceId: string, unifiedApi?: string): Connection | undefined {
    return this.connections.find((c) => c.service_id === serviceId && (!unifiedApi || c.unified_api === unifiedApi));
  }

  /** Puts a changed list in place: the flows' re-reads (see `ActionsController`), which change or remove one row. */
  update(connections: Connection[]): void {
    this.#changes++;
    this.connections = connections;
    this.#host.requestUpdate();
    if (!this.dates && connections.some(showsDate)) void this.#loadDates().then(() => this.#host.requestUpdate());
  }

  /** Fires `vault-connect-error` for `error`, with the sentence the user reads (by default the list's own). */
  reportError(error: VaultConnectError, message = this.#listener.describe(error)): void {
    this.#host.dispatchEvent(new VaultConnectErrorEvent({ code: error.code, message, retryable: error.retryable }));
  }
}
