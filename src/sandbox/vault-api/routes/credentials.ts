/**
 * A connection's credentials: `POST …/import` (`connectionsImport`: tokens or settings from elsewhere; API key only),
 * `POST …/token` (`connectionsToken`: the client_credentials and password grants) and `POST …/confirm`
 * (`connectionsConfirm`: completes a CSRF-protected authorization with its confirm token).
 */
import { randomBytes } from 'node:crypto';
import { missingRequiredSettings } from '../../seed/rules.ts';
import { badRequest, parseWith, unprocessable } from '../errors.ts';
import { type StoredCredentials, credentialedState, isOAuth, mergeSettings, present, requireConfigured } from '../records.ts';
import { ok, readJson } from '../replies.ts';
import { ConfirmSchema, ImportSchema, TokenSchema } from '../request-schemas.ts';
import { type Route, SEGMENT } from '../router.ts';
import type { RouteContext } from './context.ts';

/** Whether imported OAuth credentials need Apideck's background refresh: no `issued_at`/`expires_in`, or expired. */
function needsRefresh(credentials: StoredCredentials, now: number): boolean {
  if (!credentials.issued_at || credentials.expires_in === null || credentials.expires_in === undefined) return true;
  return Date.parse(credentials.issued_at) + credentials.expires_in * 1000 <= now;
}

export function credentialRoutes({ authenticate, store, faults, onImport, now }: RouteContext): Route[] {
  async function importConnection(request: Request, [unifiedApi, serviceId]: string[]): Promise<Response> {
    const { consumerId } = await authenticate(request, { apiKeyOnly: true });
    faults.injectIntoImport();
    const record = store.find(consumerId, unifiedApi, serviceId);
    const body = parseWith(ImportSchema, (await readJson(request)) ?? {});
    const connection = record.connection;
    requireConfigured(connection);
    let refreshQueued = false;

    if (isOAuth(connection)) {
      const credentials = body.credentials;
      const missing = ['access_token', 'refresh_token'].filter((key) => {
        const value = credentials?.[key as 'access_token' | 'refresh_token'];
        return typeof value !== 'string' || value.trim() === '';
      });
      if (!credentials || missing.length > 0) {
        throw badRequest('Invalid Params', {
          missing: missing.map((key) => ({ [`credentials.${key}`]: 'required' })),
        });
      }
      if (body.settings !== undefined) mergeSettings(connection, body.settings);
      record.credentials = {
        access_token: credentials.access_token!,
        refresh_token: credentials.refresh_token ?? null,
        issued_at: credentials.issued_at ?? null,
        expires_in: credentials.expires_in ?? null,
      };
      connection.state = credentialedState(connection);
      // As the guide says: without issued_at/expires_in, or expired, the token is queued for a background refresh.
      store.clearRefresh(record);
      refreshQueued = needsRefresh(record.credentials, now());
    } else {
      if (!body.settings || Object.keys(body.settings).length === 0) {
        throw badRequest('Invalid Params', `settings: required for ${connection.auth_type} connectors`);
      }
      const candidate = { ...connection, settings: { ...(connection.settings ?? {}) } };
      mergeSettings(candidate, body.settings);
      const missing = missingRequiredSettings(candidate);
      if (missing.length > 0) {
        throw badRequest('Invalid Params', { missing: missing.map((id) => ({ [`settings.${id}`]: 'required' })) });
      }
      connection.settings = candidate.settings;
      connection.state = 'callable';
    }
    if (body.metadata !== undefined) connection.metadata = body.metadata;
    record.pendingConfirmation = false;
    store.clearHealth(record);
    if (refreshQueued) store.queueRefresh(record);
    store.touch(record, refreshQueued ? ['vault.connection.token_refresh.pending'] : []);
    onImport?.(consumerId, connection.id);
    return ok(present(record));
  }

  async function tokenConnection(request: Request, [unifiedApi, serviceId]: string[]): Promise<Response> {
    const { consumerId } = await authenticate(request);
    const record = store.find(consumerId, unifiedApi, serviceId);
    parseWith(TokenSchema, (await readJson(request)) ?? {});
    const connection = record.connection;
    const grant = connection.oauth_grant_type;
    if (!isOAuth(connection) || (grant !== 'client_credentials' && grant !== 'password')) {
      throw unprocessable(
        'Unsupported grant type',
        'Token exchange is only supported for connections with the client_credentials or password OAuth grant type.',
      );
    }
    requireConfigured(connection);
    const missing = missingRequiredSettings(connection);
    if (missing.length > 0) {
      throw unprocessable('Missing settings', { missing: missing.map((id) => ({ [id]: 'required' })) });
    }
    record.credentials = { access_token: randomBytes(24).toString('base64url') };
    record.pendingConfirmation = false;
    store.clearHealth(record);
    connection.state = 'callable';
    store.touch(record);
    return ok(present(record));
  }

  async function confirmConnection(request: Request, [unifiedApi, serviceId]: string[]): Promise<Response> {
    const { consumerId } = await authenticate(request);
    const record = store.find(consumerId, unifiedApi, serviceId);
    const body = await readJson(request);
    if (body === undefined) throw badRequest('Invalid Params', 'confirm_token: required');
    const { confirm_token } = parseWith(ConfirmSchema, body);
    store.confirm(consumerId, record, confirm_token);
    return ok({ confirmed: true });
  }

  return [
    { pattern: new RegExp(`^/vault/connections/${SEGMENT}/${SEGMENT}/import$`), methods: { POST: importConnection } },
    { pattern: new RegExp(`^/vault/connections/${SEGMENT}/${SEGMENT}/token$`), methods: { POST: tokenConnection } },
    { pattern: new RegExp(`^/vault/connections/${SEGMENT}/${SEGMENT}/confirm$`), methods: { POST: confirmConnection } },
  ];
}
