/**
 * The Vault API emulator's state: each consumer's connections (a copy of the seed made on first use), the opaque
 * `state` of every `authorize_url` handed out, and the confirm tokens of CSRF-protected authorizations.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ConnectionHealth } from '../../internal/api/vocabulary.ts';
import { randomState } from '../../internal/popup/random-state.ts';
import { healthTimestamps, seedCatalogue, seedConnections } from '../seed.ts';
import { deriveHealth } from '../seed/rules.ts';
import { VaultApiError, connectionNotFound, unprocessable } from './errors.ts';
import type { VaultEventType } from '../../server/webhooks/events.ts';
import { type ConnectionRecord, credentialedState, healthOf, isOAuth, pristineForm, requireAuthorizable } from './records.ts';

/** Which consumer connection an `authorize_url`'s `state` belongs to. */
export interface AuthorizeStateTarget {
  consumerId: string;
  unifiedApi: string;
  serviceId: string;
}

interface PendingConfirm {
  consumerId: string;
  connectionId: string;
  expiresAt: number;
}

const CONFIRM_TOKEN_TTL_MS = 30 * 60 * 1000;

/** What `POST /__sandbox/health/…` sets: a health, and the timestamps that go with it (by default dated from now). */
export interface HealthInput {
  health: ConnectionHealth;
  credentials_expire_at?: number | undefined;
  last_downstream_error_at?: number | undefined;
}

export interface ConnectionStoreOptions {
  vaultApiUrl: string;
  applicationId: string;
  /** Synthetic connectors appended to the seed (benchmarks). */
  extra?: number;
  now: () => number;
  /** How long the background refresh of an imported token takes, in ms. */
  refreshDelayMs: number;
  /** Told of every change to a consumer's connection, with the webhook events it causes. */
  onChange?: (record: ConnectionRecord, events: VaultEventType[]) => void;
}

/** Refresh tokens starting with this fail their background refresh, as a revoked one does at the provider. */
export const REVOKED_REFRESH_TOKEN_PREFIX = 'revoked';

export class ConnectionStore {
  readonly #options: ConnectionStoreOptions;
  readonly #consumers = new Map<string, { records: Map<string, ConnectionRecord>; complete: boolean }>();
  #seed: ReturnType<typeof seedCatalogue> | undefined;
  readonly #authorizeStates = new Map<string, AuthorizeStateTarget>();
  readonly #pendingConfirms = new Map<string, PendingConfirm>();
  readonly #refreshTimers = new Set<ReturnType<typeof setTimeout>>();

  constructor(options: ConnectionStoreOptions) {
    this.#options = options;
  }

  /**
   * A consumer's connections by id (`unified_api+service_id`), in the seed's order, each seeded on first use. A consumer
   * touched only through one connection (an import, say) gets only that one built: a migration of many consumers
   * costs the sandbox a record each, not the whole catalogue each.
   */
  records(consumerId: string): Map<string, ConnectionRecord> {
    const built = this.#consumers.get(consumerId);
    if (built?.complete) return built.records;
    const records = new Map<string, ConnectionRecord>();
    for (const id of this.#catalogue().ids) records.set(id, built?.records.get(id) ?? this.#build(consumerId, id)!);
    this.#consumers.set(consumerId, { records, complete: true });
    return records;
  }

  /** One connection of a consumer, seeded on first use; `undefined` for an id the seed does not have. */
  record(consumerId: string, id: string): ConnectionRecord | undefined {
    let built = this.#consumers.get(consumerId);
    const existing = built?.records.get(id);
    if (existing || built?.complete) return existing;
    const record = this.#build(consumerId, id);
    if (!record) return undefined;
    if (!built) this.#consumers.set(consumerId, (built = { records: new Map(), complete: false }));
    built.records.set(id, record);
    return record;
  }

  #catalogue(): ReturnType<typeof seedCatalogue> {
    return (this.#seed ??= seedCatalogue(this.#options.extra));
  }

  #build(consumerId: string, id: string): ConnectionRecord | undefined {
    const connection = this.#catalogue().build(id, {
      vaultApiUrl: this.#options.vaultApiUrl,
      applicationId: this.#options.applicationId,
      now: this.#options.now(),
      authorizeState: (unifiedApi, serviceId) => {
        const state = randomState();
        this.#authorizeStates.set(state, { consumerId, unifiedApi, serviceId });
        return state;
      },
    });
    if (!connection) return undefined;
    const record: ConnectionRecord = {
      consumerId,
      connection,
      pristine: structuredClone(connection),
      credentials: connection.state === 'callable' && isOAuth(connection) ? { access_token: 'seeded' } : undefined,
      pendingConfirmation: false,
      forcedHealth: connection.health === deriveHealth(connection) ? undefined : connection.health,
    };
    record.notified = { state: connection.state, enabled: connection.enabled, health: healthOf(record) };
    return record;
  }

  /** The application's catalogue, as listed without a consumer: every connector, unconnected. */
  catalogue(): ConnectionRecord[] {
    const { vaultApiUrl, applicationId, extra } = this.#options;
    return seedConnections({ vaultApiUrl, applicationId, extra }).map((connection) => {
      const available = pristineForm(connection);
      available.updated_at = null;
      return { consumerId: '', connection: available, pristine: connection, credentials: undefined, pendingConfirmation: false };
    });
  }

  /** A consumer's connection, or Apideck's 404. */
  find(consumerId: string, unifiedApi: string, serviceId: string): ConnectionRecord {
    const record = this.record(consumerId, `${unifiedApi}+${serviceId}`);
    if (!record) throw connectionNotFound(unifiedApi, serviceId);
    return record;
  }

  /** Which consumer connection an `authorize_url`'s `state` belongs to (a copy). */
  authorizeTarget(state: string): AuthorizeStateTarget | undefined {
    const target = this.#authorizeStates.get(state);
    return target ? { ...target } : undefined;
  }

  /**
   * Marks a change to a connection: its `updated_at`, and the webhook events the change causes (`created` when it leaves
   * `available`, `deleted` when it goes back, `updated` otherwise, `disabled`, `callable`), plus `extra` ones.
   */
  touch(record: ConnectionRecord, extra: VaultEventType[] = []): void {
    const connection = record.connection;
    connection.updated_at = this.#options.now();
    const before = record.notified ?? { state: 'available', enabled: true, health: 'needs_auth' };
    const after = { state: connection.state, enabled: connection.enabled, health: healthOf(record) };
    record.notified = after;
    if (!this.#options.onChange) return;
    const events: VaultEventType[] = [];
    if (before.state !== 'available' && after.state === 'available') events.push('vault.connection.deleted');
    else {
      if (before.state === 'available') events.push('vault.connection.created');
      events.push('vault.connection.updated');
      if (before.enabled && !after.enabled) events.push('vault.connection.disabled');
      if (before.state !== 'callable' && after.state === 'callable') events.push('vault.connection.callable');
    }
    this.#options.onChange(record, [...events, ...extra]);
  }

  /** Queues the background refresh of an imported token: `health: pending_refresh` until it has run. */
  queueRefresh(record: ConnectionRecord): void {
    record.refresh = 'queued';
    record.refreshFailedAt = undefined;
    const timer = setTimeout(() => {
      this.#refreshTimers.delete(timer);
      if (record.refresh !== 'queued') return;
      if (record.credentials?.refresh_token?.startsWith(REVOKED_REFRESH_TOKEN_PREFIX)) {
        this.failRefresh(record);
        return;
      }
      record.refresh = undefined;
      record.credentials = {
        access_token: randomBytes(24).toString('base64url'),
        refresh_token: record.credentials?.refresh_token ?? null,
        issued_at: new Date(this.#options.now()).toISOString(),
        expires_in: 3600,
      };
      this.touch(record);
    }, this.#options.refreshDelayMs);
    timer.unref?.();
    this.#refreshTimers.add(timer);
  }

  /** A refresh of the connection's token failed at the provider: `health: needs_auth`, `token_refresh.failed`. */
  failRefresh(record: ConnectionRecord): void {
    record.forcedHealth = undefined;
    record.refresh = 'failed';
    record.refreshFailedAt = this.#options.now();
    this.touch(record, ['vault.connection.token_refresh.failed']);
  }

  /** New credentials: whatever the refresh was doing is over. */
  clearRefresh(record: ConnectionRecord): void {
    record.refresh = undefined;
    record.refreshFailedAt = undefined;
  }

  /** Completes an OAuth authorization: `callable` when the required settings are present, else `authorized`. */
  completeAuthorization(record: ConnectionRecord): void {
    const connection = record.connection;
    requireAuthorizable(connection);
    record.credentials = { access_token: randomBytes(24).toString('base64url'), refresh_token: randomBytes(24).toString('base64url') };
    this.clearRefresh(record);
    record.pendingConfirmation = false;
    this.clearHealth(record);
    connection.state = credentialedState(connection);
    this.touch(record);
  }

  /**
   * The CSRF-protected variant: credentials stored unconfirmed, not callable until `confirm()` with the token. The
   * provider has authorized it, so it reads `authorized` (with `health: pending_confirmation`) meanwhile.
   */
  issueConfirmToken(consumerId: string, record: ConnectionRecord): string {
    const connection = record.connection;
    requireAuthorizable(connection);
    record.credentials = { access_token: randomBytes(24).toString('base64url') };
    this.clearRefresh(record);
    record.pendingConfirmation = true;
    this.clearHealth(record);
    connection.state = 'authorized';
    this.touch(record);
    const token = randomUUID();
    this.#pendingConfirms.set(token, { consumerId, connectionId: connection.id, expiresAt: this.#options.now() + CONFIRM_TOKEN_TTL_MS });
    return token;
  }

  /** Spends a confirm token (single use, 30 minutes) and makes the connection usable; a 400 when it does not apply. */
  confirm(consumerId: string, record: ConnectionRecord, confirmToken: string): void {
    const pending = this.#pendingConfirms.get(confirmToken);
    const invalid = new VaultApiError(400, 'BadRequestError', 'Invalid confirm token', 'The confirm_token is unknown, used or expired');
    if (!pending || pending.consumerId !== consumerId || pending.connectionId !== record.connection.id) throw invalid;
    this.#pendingConfirms.delete(confirmToken);
    if (pending.expiresAt <= this.#options.now() || !record.pendingConfirmation) throw invalid;
    record.pendingConfirmation = false;
    this.clearHealth(record);
    record.connection.state = credentialedState(record.connection);
    this.touch(record);
  }

  /**
   * Puts a connection that was authorized (`callable` or `authorized`) in a health state, as Apideck reports after
   * failed refreshes, a revoked grant or a provider that stops answering; `ok` clears it. A 422 for any other state.
   */
  setHealth(record: ConnectionRecord, input: HealthInput): void {
    const connection = record.connection;
    if (connection.state !== 'callable' && connection.state !== 'authorized') {
      throw unprocessable('Not authorized', `${connection.name} is ${connection.state}: only a connection that was authorized has a health to set.`);
    }
    this.clearRefresh(record);
    this.clearHealth(record);
    if (input.health !== 'ok') {
      record.forcedHealth = input.health;
      Object.assign(connection, healthTimestamps(input.health, this.#options.now()));
      if (input.credentials_expire_at !== undefined) connection.credentials_expire_at = input.credentials_expire_at;
      if (input.last_downstream_error_at !== undefined) connection.last_downstream_error_at = input.last_downstream_error_at;
    }
    this.touch(record);
  }

  /** Back to the health the state gives, with no failure on record. */
  clearHealth(record: ConnectionRecord): void {
    record.forcedHealth = undefined;
    record.connection.credentials_expire_at = record.connection.last_refresh_failed_at = record.connection.last_downstream_error_at = 0;
  }

  /** DELETE: back to the seeded connector, unconnected, its credentials and confirm tokens gone. */
  disconnect(consumerId: string, record: ConnectionRecord): void {
    const fresh = pristineForm(record.pristine);
    record.connection = fresh;
    record.credentials = undefined;
    this.clearRefresh(record);
    record.pendingConfirmation = false;
    record.forcedHealth = undefined;
    for (const [token, pending] of this.#pendingConfirms) {
      if (pending.consumerId === consumerId && pending.connectionId === fresh.id) this.#pendingConfirms.delete(token);
    }
    this.touch(record);
  }

  /** Forgets every consumer's connections (re-seeded on next use), every authorize state and confirm token. */
  reset(): void {
    this.dispose();
    this.#consumers.clear();
    this.#authorizeStates.clear();
    this.#pendingConfirms.clear();
  }

  /** Stops the background refreshes still waiting. */
  dispose(): void {
    for (const timer of this.#refreshTimers) clearTimeout(timer);
    this.#refreshTimers.clear();
  }
}
