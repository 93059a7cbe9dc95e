/**
 * The Vault API emulator's state: each consumer's connections (a copy of the seed made on first use), the opaque
 * `state` of every `authorize_url` handed out, and the confirm tokens of CSRF-protected authorizations.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { randomState } from '../../internal/popup/random-state.ts';
import { seedConnections } from '../seed.ts';
import { VaultApiError, connectionNotFound } from './errors.ts';
import { type ConnectionRecord, credentialedState, isOAuth, pristineForm, requireAuthorizable } from './records.ts';

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

export interface ConnectionStoreOptions {
  vaultApiUrl: string;
  applicationId: string;
  /** Synthetic connectors appended to the seed (benchmarks). */
  extra?: number;
  now: () => number;
}

export class ConnectionStore {
  readonly #options: ConnectionStoreOptions;
  readonly #consumers = new Map<string, Map<string, ConnectionRecord>>();
  readonly #authorizeStates = new Map<string, AuthorizeStateTarget>();
  readonly #pendingConfirms = new Map<string, PendingConfirm>();

  constructor(options: ConnectionStoreOptions) {
    this.#options = options;
  }

  /** A consumer's connections by id (`unified_api+service_id`), seeded on first use. */
  records(consumerId: string): Map<string, ConnectionRecord> {
    let connections = this.#consumers.get(consumerId);
    if (!connections) {
      connections = new Map();
      const seeded = seedConnections({
        vaultApiUrl: this.#options.vaultApiUrl,
        applicationId: this.#options.applicationId,
        extra: this.#options.extra,
        authorizeState: (unifiedApi, serviceId) => {
          const state = randomState();
          this.#authorizeStates.set(state, { consumerId, unifiedApi, serviceId });
          return state;
        },
      });
      for (const connection of seeded) {
        connections.set(connection.id, {
          connection,
          pristine: structuredClone(connection),
          credentials: connection.state === 'callable' && isOAuth(connection) ? { access_token: 'seeded' } : undefined,
          pendingConfirmation: false,
        });
      }
      this.#consumers.set(consumerId, connections);
    }
    return connections;
  }

  /** The application's catalogue, as listed without a consumer: every connector, unconnected. */
  catalogue(): ConnectionRecord[] {
    const { vaultApiUrl, applicationId, extra } = this.#options;
    return seedConnections({ vaultApiUrl, applicationId, extra }).map((connection) => {
      const available = pristineForm(connection);
      available.updated_at = null;
      return { connection: available, pristine: connection, credentials: undefined, pendingConfirmation: false };
    });
  }

  /** A consumer's connection, or Apideck's 404. */
  find(consumerId: string, unifiedApi: string, serviceId: string): ConnectionRecord {
    const record = this.records(consumerId).get(`${unifiedApi}+${serviceId}`);
    if (!record) throw connectionNotFound(unifiedApi, serviceId);
    return record;
  }

  /** Which consumer connection an `authorize_url`'s `state` belongs to (a copy). */
  authorizeTarget(state: string): AuthorizeStateTarget | undefined {
    const target = this.#authorizeStates.get(state);
    return target ? { ...target } : undefined;
  }

  touch(record: ConnectionRecord): void {
    record.connection.updated_at = this.#options.now();
  }

  /** Completes an OAuth authorization: `callable` when the required settings are present, else `authorized`. */
  completeAuthorization(record: ConnectionRecord): void {
    const connection = record.connection;
    requireAuthorizable(connection);
    record.credentials = { access_token: randomBytes(24).toString('base64url'), refresh_token: randomBytes(24).toString('base64url') };
    record.pendingConfirmation = false;
    connection.state = credentialedState(connection);
    this.touch(record);
  }

  /** The CSRF-protected variant: credentials stored unconfirmed, not callable until `confirm()` with the token. */
  issueConfirmToken(consumerId: string, record: ConnectionRecord): string {
    const connection = record.connection;
    requireAuthorizable(connection);
    record.credentials = { access_token: randomBytes(24).toString('base64url') };
    record.pendingConfirmation = true;
    connection.state = 'added';
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
    record.connection.state = credentialedState(record.connection);
    this.touch(record);
  }

  /** DELETE: back to the seeded connector, unconnected, its credentials and confirm tokens gone. */
  disconnect(consumerId: string, record: ConnectionRecord): void {
    const fresh = pristineForm(record.pristine);
    record.connection = fresh;
    record.credentials = undefined;
    record.pendingConfirmation = false;
    for (const [token, pending] of this.#pendingConfirms) {
      if (pending.consumerId === consumerId && pending.connectionId === fresh.id) this.#pendingConfirms.delete(token);
    }
    this.touch(record);
  }

  /** Forgets every consumer's connections (re-seeded on next use), every authorize state and confirm token. */
  reset(): void {
    this.#consumers.clear();
    this.#authorizeStates.clear();
    this.#pendingConfirms.clear();
  }
}

