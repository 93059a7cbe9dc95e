/**
 * Loads the list and owns it: the session and `GET /vault/connections` leave together, then `status`, `connections`,
 * `error` and `allow` hold what the view draws. Flows put their re-reads in place through `update` (the actions
 * controller's `replace` and `remove`). Every load is tied to an `AbortController` that `hostDisconnected()` aborts.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { DEFAULT_UNIFY_BASE_URL } from '../api/constants.ts';
import { allowedActions } from '../api/connection-status.ts';
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
  /** What `expiring` and `degraded` rows write their dates with: a chunk, fetched with the first list request. */
  dates: StatusDates | undefined;

  readonly #host: ConnectionsHost;
  readonly #listener: LoadListener;
  readonly #session: SessionSource;
  readonly #client: VaultClient;
  #load: AbortController | undefined;
  #readyFired = false;
  /** How many times a flow changed the list: a quiet re-read that saw it change meanwhile is dropped. */
  #changes = 0;
  /** The dates chunk on its way (see `load`). */
  #dates: Promise<void> | undefined;

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

  /**
   * Loads (or reloads) the list. Settles when the list or the error is in place; never rejects. `quiet` reads it again
   * without the skeleton (rows change in place) and leaves the list as it was on a failure, which is still reported;
   * it does nothing while a load is on its way or before there is a list. Resolves `true` when a new list is in place.
   */
  async load(quiet = false): Promise<boolean> {
    if (quiet && (this.status !== 'ready' || this.#load)) return false;
    this.#load?.abort();
    if (!this.#session.configured) {
      this.status = 'idle';
      this.#host.requestUpdate();
      return false;
    }
    const controller = new AbortController();
    const { signal } = controller;
    const changes = this.#changes;
    this.#load = controller;
    if (!quiet) {
      this.status = 'loading';
      this.error = undefined;
      this.#host.requestUpdate();
    }
    try {
      // The windowing chunk downloads while the list is on its way, so a long list is drawn as soon as it is parsed
      // (after the reply, it came about 20 ms later at 1,000 rows); a short list loads it without using it. So do the
      // dates of expiring and degraded rows (half a kilobyte): the list waits for them, so a label never changes under
      // the user's eyes; should they fail to load, those rows read their plain labels.
      void loadWindowing().catch(() => undefined);
      const dates = (this.#dates ??= import('../templates/status-dates.ts').then((loaded) => void (this.dates = loaded), () => undefined));
      // Both start now: with a `token` the session is read at once, and the list request leaves before the first render.
      const [session, connections] = await Promise.all([
        this.#session.get(signal),
        this.#client.listConnections(this.#host.unifiedApi || undefined, signal),
      ]);
      const settings = session.claims.settings;
      // `settings.unified_apis` shows only those unified APIs, as Apideck's own UI does; empty or absent shows all.
      const shown = settings?.unified_apis;
      const list = shown?.length ? connections.filter((c) => shown.includes(c.unified_api)) : connections;
      await dates;
      // A quiet read that a flow's change overtook may be older than that change: it goes (the next return reads again).
      if (signal.aborted || (quiet && this.#changes !== changes)) return false;
      this.allow = allowedActions(settings?.allow_actions);
      this.sandboxMode = settings?.sandbox_mode === true;
      this.connections = list;
      this.#host.requestUpdate();
      if (quiet) return true;
      this.#listener.reloaded();
      this.status = 'ready';
      await this.#host.updateComplete;
      if (!this.#readyFired && !signal.aborted) {
        this.#readyFired = true;
        this.#host.dispatchEvent(new VaultConnectReadyEvent({ connections: this.connections }));
        // From now on the list is read again when the user comes back to the page (a chunk: the first render has no use for it).
        void import('./freshness.ts').then(({ FreshnessController }) => new FreshnessController(this.#host, this), () => undefined);
      }
      // After the same-tab fallback the callback page brings the user back here: finish that flow (only this cheap
      // check is on the first load).
      if (hasPendingRedirect()) this.#listener.resume();
      return true;
    } catch (error) {
      if (signal.aborted) return false;
      const failure = toVaultConnectError(error);
      if (!quiet) {
        this.error = failure;
        this.status = 'error';
        this.#host.requestUpdate();
        // The event's message is the sentence the panel shows: wait for that render, which waits for the locale's strings.
        await this.#host.updateComplete;
        if (signal.aborted) return false;
      }
      this.reportError(failure);
      return false;
    } finally {
      if (this.#load === controller) this.#load = undefined;
    }
  }

  /** Puts a changed list in place: the flows' re-reads (see `ActionsController`), which change or remove one row. */
  update(connections: Connection[]): void {
    this.#changes++;
    this.connections = connections;
    this.#host.requestUpdate();
  }

  /** Fires `vault-connect-error` for `error`, with the sentence the user reads (by default the list's own). */
  reportError(error: VaultConnectError, message = this.#listener.describe(error)): void {
    this.#host.dispatchEvent(new VaultConnectErrorEvent({ code: error.code, message, retryable: error.retryable }));
  }
}
