/**
 * An in-memory emulator of Apideck's Vault API (OpenAPI spec 10.34.0) as a Fetch handler: sessions, connections
 * (list, one, update, delete, import, token, confirm), Apideck's auth headers, its `{status_code, status, data}` replies
 * and its error envelope, plus a few `/__sandbox/*` routes the emulated Vault JS modal and the tests use.
 *
 * It also serves `GET /vault/authorize/{service_id}/{application_id}` (`connectionsAuthorize`), the `authorize_url` of
 * every oauth2 connection. Where Apideck answers with a redirect to the provider, whose consent screen then returns
 * through Apideck's callback, the sandbox shows one consent page on its own origin standing in for the provider, and its
 * Authorize / Deny form completes the flow and redirects (303) to the `redirect_uri`, with
 * `#nonce=…&confirm_token=…&service_id=…` when a `nonce` was sent (the connection then stays `pending_confirmation`
 * until `POST …/confirm`).
 *
 * Each consumer gets its own copy of the seed on first use. Secrets (the API key, session tokens, imported credentials)
 * are never logged and never written into a reply.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import * as z from 'zod';
import { ALLOW_ACTIONS } from '../api/vocabulary.ts';
import { readLimited } from '../server/http/read-limited.ts';
import {
  FormBodyError,
  PAGE_CSS_PATH,
  appendQuery,
  cssResponse,
  escapeHtml,
  htmlResponse,
  readForm,
  redirectResponse,
  renderPage,
} from './pages.ts';
import {
  type Connection,
  deriveHealth,
  missingAuthorizationSettings,
  missingRequiredSettings,
  seedConnections,
  syncFormFieldValues,
} from './seed.ts';

export type { Connection } from './seed.ts';

export type FetchHandler = (request: Request) => Promise<Response>;

export interface VaultApiOptions {
  apiKey: string;
  applicationId: string;
  /** The emulator's own public origin, used in `authorize_url` and `revoke_url`. */
  vaultApiUrl: string;
  /** Which browser origins get CORS headers. */
  allowOrigin: (origin: string) => boolean;
  /** Synthetic connectors appended to the seed (benchmarks). */
  extra?: number;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
  /** HS256 key for session JWTs. Default: 32 random bytes. */
  sessionSecret?: Uint8Array;
  /** Hosted Vault base used in `session_uri`. Default `https://vault.apideck.com`. */
  hostedVaultUrl?: string;
  /**
   * Which absolute http(s) `redirect_uri`s `GET /vault/authorize/…` accepts. Apideck checks them against the
   * application's settings; the sandbox, by default, accepts any redirect to `localhost` or `127.0.0.1` (any port, path
   * and query) and nothing else.
   */
  allowRedirectUri?: (uri: URL) => boolean;
}

/** The sandbox's default `redirect_uri` rule: any http(s) URL on `localhost` or `127.0.0.1`. */
export function isLocalRedirectUri(uri: URL): boolean {
  return (uri.protocol === 'http:' || uri.protocol === 'https:') && (uri.hostname === 'localhost' || uri.hostname === '127.0.0.1');
}

/** The claims of a session JWT this emulator issues. */
export interface SessionClaims {
  application_id: string;
  consumer_id: string;
  redirect_uri?: string;
  settings?: Record<string, unknown>;
  theme?: Record<string, unknown>;
  consumer_metadata?: Record<string, unknown>;
  custom_consumer_settings?: Record<string, unknown>;
  iat: number;
  exp: number;
  jti: string;
}

export interface AuthorizeStateTarget {
  consumerId: string;
  unifiedApi: string;
  serviceId: string;
}

export interface VaultApi {
  handler: FetchHandler;
  /** Forgets every consumer's connections (they are re-seeded on next use) and every pending confirm token. */
  reset(): void;
  /** Makes every session token issued so far invalid. */
  expireSessions(): void;
  /** Completes an OAuth authorization: `callable` when the required settings are present, else `authorized`. */
  authorize(consumerId: string, unifiedApi: string, serviceId: string): Connection;
  /**
   * Completes an OAuth authorization in CSRF-protected mode: the connection becomes `health: pending_confirmation` and
   * stays non-callable until `POST …/confirm` with the returned token (single use, valid 30 minutes).
   */
  createConfirmToken(consumerId: string, unifiedApi: string, serviceId: string): string;
  /** Issues a session JWT as `POST /vault/sessions` would. */
  createSessionToken(consumerId: string, session?: SessionInput): Promise<string>;
  /** Verifies a session JWT issued here; rejects with a `VaultApiError` (401) when it is invalid or expired. */
  verifySessionToken(token: string): Promise<SessionClaims>;
  /** Which consumer connection an `authorize_url`'s `state` belongs to. */
  resolveAuthorizeState(state: string): AuthorizeStateTarget | undefined;
  /** A copy of a consumer's connection, or `undefined`. */
  getConnection(consumerId: string, unifiedApi: string, serviceId: string): Connection | undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// Errors

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
};

/** An error that becomes Apideck's error envelope. */
export class VaultApiError extends Error {
  override readonly name = 'VaultApiError';
  readonly status: number;
  readonly typeName: string;
  readonly detail: string | Record<string, unknown>;
  /** Extra response headers, e.g. `Allow` on a 405. */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    typeName: string,
    message: string,
    detail?: string | Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.typeName = typeName;
    this.detail = detail ?? message;
    this.headers = headers;
  }

  toEnvelope(): Record<string, unknown> {
    return {
      status_code: this.status,
      error: REASONS[this.status] ?? 'Error',
      type_name: this.typeName,
      message: this.message,
      detail: this.detail,
      ref: `https://developers.apideck.com/errors#${this.typeName.toLowerCase()}`,
    };
  }
}

const unauthorized = (detail: string) => new VaultApiError(401, 'UnauthorizedError', 'Unauthorized Request', detail);
const badRequest = (message: string, detail?: string | Record<string, unknown>) =>
  new VaultApiError(400, 'RequestValidationError', message, detail);
const unprocessable = (message: string, detail?: string | Record<string, unknown>) =>
  new VaultApiError(422, 'InvalidStateError', message, detail);
const connectionNotFound = (unifiedApi: string, serviceId: string) =>
  new VaultApiError(404, 'EntityNotFoundError', 'Unknown Connection', {
    not_found: { entity: 'connection', id: `${unifiedApi}+${serviceId}` },
  });

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest('Invalid Params', formatIssues(result.error));
  return result.data;
}

// ---------------------------------------------------------------------------------------------------------------------
// Request schemas (written from the OpenAPI spec)

const record = z.record(z.string(), z.unknown());

/** `Session`: `additionalProperties: false` at the top and in `settings`. */
const SessionSchema = z.strictObject({
  consumer_metadata: z
    .looseObject({
      account_name: z.string().optional(),
      user_name: z.string().optional(),
      email: z.string().optional(),
      image: z.string().optional(),
    })
    .optional(),
  redirect_uri: z.string().optional(),
  settings: z
    .strictObject({
      unified_apis: z.array(z.string()).optional(),
      hide_resource_settings: z.boolean().optional(),
      sandbox_mode: z.boolean().optional(),
      isolation_mode: z.boolean().optional(),
      session_length: z.string().optional(),
      show_logs: z.boolean().optional(),
      show_suggestions: z.boolean().optional(),
      show_sidebar: z.boolean().optional(),
      auto_redirect: z.boolean().optional(),
      hide_guides: z.boolean().optional(),
      allow_actions: z.array(z.enum(ALLOW_ACTIONS)).optional(),
    })
    .optional(),
  theme: z
    .looseObject({
      favicon: z.string().optional(),
      logo: z.string().optional(),
      primary_color: z.string().optional(),
      sidepanel_background_color: z.string().optional(),
      sidepanel_text_color: z.string().optional(),
      vault_name: z.string().optional(),
      privacy_url: z.string().optional(),
      terms_url: z.string().optional(),
    })
    .optional(),
  custom_consumer_settings: record.optional(),
});
export type SessionInput = z.infer<typeof SessionSchema>;

/** The writable part of `Connection`; read-only properties are tolerated and ignored. */
const ConnectionPatchSchema = z.looseObject({
  enabled: z.boolean().optional(),
  settings: record.nullable().optional(),
  metadata: record.nullable().optional(),
  configuration: z.array(z.looseObject({})).optional(),
});

/** `ConnectionImportData`; `credentials` has `additionalProperties: false`. */
const ImportSchema = z.looseObject({
  credentials: z
    .strictObject({
      refresh_token: z.string().nullable().optional(),
      access_token: z.string().optional(),
      issued_at: z.iso.datetime({ offset: true }).nullable().optional(),
      expires_in: z.number().int().nullable().optional(),
    })
    .optional(),
  settings: record.nullable().optional(),
  metadata: record.nullable().optional(),
});

/** The `token` operation's body: an empty object with `additionalProperties: false`. */
const TokenSchema = z.strictObject({});

/** `ConfirmConnection`. */
const ConfirmSchema = z.looseObject({ confirm_token: z.string().min(1) });

const ClaimsSchema = z.looseObject({
  application_id: z.string().min(1),
  consumer_id: z.string().min(1),
  jti: z.string().min(1),
  iat: z.number(),
  exp: z.number(),
});

// ---------------------------------------------------------------------------------------------------------------------
// Helpers

const SESSION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const MAX_SESSION_SECONDS = 604_800;
const CONFIRM_TOKEN_TTL_MS = 30 * 60 * 1000;
const MAX_BODY_BYTES = 1_000_000;
const CONSENT_TTL_MS = 10 * 60 * 1000;
const MAX_NONCE_LENGTH = 512;

/** `session_length` (`30m`, `1h`, `1d`, `1w`, …) in seconds. Default 1 hour, at most 1 week. */
export function parseSessionLength(value: string | undefined): number {
  if (value === undefined) return 3600;
  const match = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (!match) throw badRequest('Invalid Params', `settings.session_length: "${value}" is not a duration like 30m, 1h, 1d or 1w`);
  const seconds = Number(match[1]) * SESSION_UNITS[match[2]];
  if (seconds <= 0) throw badRequest('Invalid Params', 'settings.session_length: must be longer than zero');
  if (seconds > MAX_SESSION_SECONDS) throw badRequest('Invalid Params', 'settings.session_length: the maximum is 1 week');
  return seconds;
}

/**
 * The `redirect_uri` as given when it can go into a `Location` header unchanged (printable ASCII), else its parsed,
 * percent-encoded form.
 */
function headerSafe(raw: string, parsed: URL): string {
  return /^[\x21-\x7e]+$/.test(raw) ? raw : parsed.href;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

async function readJson(request: Request): Promise<unknown> {
  const length = Number(request.headers.get('content-length') ?? '0');
  if (length > MAX_BODY_BYTES) throw new VaultApiError(413, 'RequestTooLargeError', 'Request body too large');
  const bytes = await readLimited(request.body, MAX_BODY_BYTES);
  if (!bytes) throw new VaultApiError(413, 'RequestTooLargeError', 'Request body too large');
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('Invalid JSON', 'The request body is not valid JSON');
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// State

interface StoredCredentials {
  access_token: string;
  refresh_token?: string | null;
  issued_at?: string | null;
  expires_in?: number | null;
}

interface ConnectionRecord {
  connection: Connection;
  /** The seeded form, used by DELETE. */
  pristine: Connection;
  credentials: StoredCredentials | undefined;
  pendingConfirmation: boolean;
}

interface PendingConfirm {
  consumerId: string;
  connectionId: string;
  expiresAt: number;
}

/** An authorize request the consent page was shown for, waiting for Authorize or Deny. Single use. */
interface PendingConsent {
  consumerId: string;
  unifiedApi: string;
  serviceId: string;
  /** The `redirect_uri` exactly as given (validated). */
  redirectUri: string;
  nonce: string | undefined;
  expiresAt: number;
}

interface Auth {
  /** Empty only where the spec makes the consumer header optional (`GET /vault/connections` with the API key). */
  consumerId: string;
  via: 'apiKey' | 'jwt';
}

type RouteHandler = (request: Request, params: string[]) => Promise<Response>;

interface Route {
  pattern: RegExp;
  methods: Partial<Record<string, RouteHandler>>;
}

/** A connector as it is before anyone connects it: `available`, no settings, enabled. */
function pristineForm(seeded: Connection): Connection {
  const fresh = structuredClone(seeded);
  fresh.state = 'available';
  fresh.settings = null;
  fresh.metadata = null;
  fresh.enabled = true;
  return fresh;
}

function isOAuth(connection: Connection): boolean {
  return connection.auth_type === 'oauth2';
}

/** The state a connection reaches once it holds valid credentials. */
function credentialedState(connection: Connection): 'callable' | 'authorized' {
  return missingRequiredSettings(connection).length > 0 ? 'authorized' : 'callable';
}

export function createVaultApi(options: VaultApiOptions): VaultApi {
  const now = options.now ?? Date.now;
  const secret = options.sessionSecret ?? new Uint8Array(randomBytes(32));
  const hostedVaultUrl = (options.hostedVaultUrl ?? 'https://vault.apideck.com').replace(/\/+$/, '');

  const consumers = new Map<string, Map<string, ConnectionRecord>>();
  const authorizeStates = new Map<string, AuthorizeStateTarget>();
  const pendingConfirms = new Map<string, PendingConfirm>();
  const pendingConsents = new Map<string, PendingConsent>();
  const allowRedirectUri = options.allowRedirectUri ?? isLocalRedirectUri;
  /** `jti`s of the session tokens that are still honoured; `expireSessions()` empties it. */
  const activeSessions = new Set<string>();

  // -- state ----------------------------------------------------------------------------------------------------------

  function consumerConnections(consumerId: string): Map<string, ConnectionRecord> {
    let connections = consumers.get(consumerId);
    if (!connections) {
      connections = new Map();
      const seeded = seedConnections({
        vaultApiUrl: options.vaultApiUrl,
        applicationId: options.applicationId,
        extra: options.extra,
        authorizeState: (unifiedApi, serviceId) => {
          const state = randomBytes(18).toString('base64url');
          authorizeStates.set(state, { consumerId, unifiedApi, serviceId });
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
      consumers.set(consumerId, connections);
    }
    return connections;
  }

  function catalogue(): ConnectionRecord[] {
    return seedConnections({ vaultApiUrl: options.vaultApiUrl, applicationId: options.applicationId, extra: options.extra }).map(
      (connection) => {
        const available = pristineForm(connection);
        available.updated_at = null;
        return { connection: available, pristine: connection, credentials: undefined, pendingConfirmation: false };
      },
    );
  }

  function findRecord(consumerId: string, unifiedApi: string, serviceId: string): ConnectionRecord {
    const record = consumerConnections(consumerId).get(`${unifiedApi}+${serviceId}`);
    if (!record) throw connectionNotFound(unifiedApi, serviceId);
    return record;
  }

  /**
   * The connection as the API shows it, `health` and form field values derived, for a reply serialized at once: only
   * what gets derived is copied (the connection and its form fields), the rest is shared with the stored record. A list
   * of 1,000 is answered in a third of the time a deep copy of each took, which matters to the benchmarks: both clients
   * wait for that reply.
   */
  function presentForReply(record: ConnectionRecord): Connection {
    const copy = { ...record.connection, form_fields: record.connection.form_fields.map((field) => ({ ...field })) };
    copy.health = record.pendingConfirmation ? 'pending_confirmation' : deriveHealth(copy);
    syncFormFieldValues(copy);
    return copy;
  }

  /** The same, as a deep copy the caller may keep. */
  function present(record: ConnectionRecord): Connection {
    return structuredClone(presentForReply(record));
  }

  function touch(record: ConnectionRecord): void {
    record.connection.updated_at = now();
  }

  function requireConfigured(connection: Connection): void {
    if (connection.integration_state !== 'configured') {
      throw unprocessable(
        'Integration needs configuration',
        `The ${connection.name} integration is ${connection.integration_state}; it must be configured in Apideck before connections can be changed.`,
      );
    }
  }

  function mergeSettings(connection: Connection, settings: Record<string, unknown> | null): void {
    if (settings === null) {
      connection.settings = {};
      return;
    }
    const merged: Record<string, unknown> = { ...(connection.settings ?? {}) };
    for (const [key, value] of Object.entries(settings)) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    connection.settings = merged;
  }

  /** Throws unless an OAuth authorization of this connection can complete now. */
  function requireAuthorizable(connection: Connection): void {
    if (!isOAuth(connection)) {
      throw unprocessable('Not an OAuth connection', `${connection.name} uses ${connection.auth_type} authorization, not OAuth.`);
    }
    requireConfigured(connection);
    const missing = missingAuthorizationSettings(connection);
    if (missing.length > 0) {
      throw unprocessable('Missing settings required for authorization', {
        missing: missing.map((id) => ({ [id]: 'required' })),
      });
    }
  }

  function completeAuthorization(record: ConnectionRecord): void {
    const connection = record.connection;
    requireAuthorizable(connection);
    record.credentials = { access_token: randomBytes(24).toString('base64url'), refresh_token: randomBytes(24).toString('base64url') };
    record.pendingConfirmation = false;
    connection.state = credentialedState(connection);
    touch(record);
  }

  /** The CSRF-protected variant: credentials stored unconfirmed, not callable until `POST …/confirm`. */
  function issueConfirmToken(consumerId: string, record: ConnectionRecord): string {
    const connection = record.connection;
    requireAuthorizable(connection);
    record.credentials = { access_token: randomBytes(24).toString('base64url') };
    record.pendingConfirmation = true;
    connection.state = 'added';
    touch(record);
    const token = randomUUID();
    pendingConfirms.set(token, { consumerId, connectionId: connection.id, expiresAt: now() + CONFIRM_TOKEN_TTL_MS });
    return token;
  }

  // -- sessions -------------------------------------------------------------------------------------------------------

  async function signSession(consumerId: string, session: SessionInput): Promise<string> {
    const lifetime = parseSessionLength(session.settings?.session_length);
    const issuedAt = Math.floor(now() / 1000);
    const jti = randomUUID();
    const claims: Record<string, unknown> = {
      application_id: options.applicationId,
      consumer_id: consumerId,
      ...(session.redirect_uri !== undefined ? { redirect_uri: session.redirect_uri } : {}),
      settings: session.settings ?? {},
      theme: session.theme ?? {},
      consumer_metadata: session.consumer_metadata ?? {},
      ...(session.custom_consumer_settings !== undefined ? { custom_consumer_settings: session.custom_consumer_settings } : {}),
    };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + lifetime)
      .setJti(jti)
      .sign(secret);
    activeSessions.add(jti);
    return token;
  }

  async function verifySession(token: string): Promise<SessionClaims> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], currentDate: new Date(now()) }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw unauthorized('Session expired');
      throw unauthorized('Invalid session token');
    }
    const claims = ClaimsSchema.safeParse(payload);
    if (!claims.success) throw unauthorized('Invalid session token');
    if (claims.data.application_id !== options.applicationId) throw unauthorized('Invalid session token');
    if (!activeSessions.has(claims.data.jti)) throw unauthorized('Session expired');
    return claims.data;
  }

  // -- auth -----------------------------------------------------------------------------------------------------------

  async function authenticate(request: Request, { apiKeyOnly = false, consumerOptional = false } = {}): Promise<Auth> {
    const header = request.headers.get('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw unauthorized('Missing authentication');
    const credential = match[1];
    const appId = request.headers.get('x-apideck-app-id');
    const consumerId = request.headers.get('x-apideck-consumer-id');

    if (safeEqual(credential, options.apiKey)) {
      if (!appId) throw unauthorized('Missing Header: x-apideck-app-id');
      if (appId !== options.applicationId) throw unauthorized('Invalid application id');
      if (!consumerId) {
        if (consumerOptional) return { consumerId: '', via: 'apiKey' };
        throw new VaultApiError(400, 'RequestHeadersValidationError', 'Invalid Params', 'Missing Header: x-apideck-consumer-id');
      }
      return { consumerId, via: 'apiKey' };
    }
    if (apiKeyOnly) throw unauthorized('This operation requires your API key');
    const claims = await verifySession(credential);
    if (appId !== null && appId !== claims.application_id) throw unauthorized('x-apideck-app-id does not match the session');
    if (consumerId !== null && consumerId !== claims.consumer_id) {
      throw unauthorized('x-apideck-consumer-id does not match the session');
    }
    return { consumerId: claims.consumer_id, via: 'jwt' };
  }

  // -- route handlers -------------------------------------------------------------------------------------------------

  const ok = (data: unknown) => json(200, { status_code: 200, status: 'OK', data });

  async function createSession(request: Request): Promise<Response> {
    const { consumerId } = await authenticate(request, { apiKeyOnly: true });
    const session = parseWith(SessionSchema, (await readJson(request)) ?? {});
    const token = await signSession(consumerId, session);
    return ok({ session_uri: `${hostedVaultUrl}/session/${token}`, session_token: token });
  }

  async function listConnections(request: Request): Promise<Response> {
    const { consumerId } = await authenticate(request, { consumerOptional: true });
    const query = new URL(request.url).searchParams;
    const api = query.get('api');
    const configured = query.get('configured');
    if (configured !== null && configured !== 'true' && configured !== 'false') {
      throw badRequest('Invalid Params', 'configured: must be true or false');
    }
    const data: Connection[] = [];
    // Without a consumer (allowed by the spec) the reply is the application's catalogue: every connector, unconnected.
    const records = consumerId ? consumerConnections(consumerId).values() : catalogue();
    for (const record of records) {
      const connection = record.connection;
      if (api && connection.unified_api !== api) continue;
      if (configured !== null && (connection.integration_state === 'configured') !== (configured === 'true')) continue;
      data.push(presentForReply(record));
    }
    return ok(data);
  }

  async function getConnection(request: Request, [unifiedApi, serviceId]: string[]): Promise<Response> {
    const { consumerId } = await authenticate(request);
    return ok(present(findRecord(consumerId, unifiedApi, serviceId)));
  }

  async function updateConnection(request: Request, [unifiedApi, serviceId]: string[]): Promise<Response> {
    const { consumerId } = await authenticate(request);
    const record = findRecord(consumerId, unifiedApi, serviceId);
    const body = await readJson(request);
    if (body === undefined) throw badRequest('Invalid Params', 'A request body is required');
    const patch = parseWith(ConnectionPatchSchema, body);
    const connection = record.connection;
    requireConfigured(connection);

    const settingsChanged = patch.settings !== undefined;
    if (patch.settings !== undefined) mergeSettings(connection, patch.settings);
    if (patch.metadata !== undefined) connection.metadata = patch.metadata;
    if (patch.enabled !== undefined) connection.enabled = patch.enabled;

    // The first write creates the connection: `available` → `added`.
    if (connection.state === 'available') connection.state = 'added';
    if (!isOAuth(connection)) {
      if (connection.state !== 'invalid' || settingsChanged) {
        connection.state = missingRequiredSettings(connection).length > 0 ? 'added' : 'callable';
      }
    } else if (!record.pendingConfirmation && (connection.state === 'authorized' || connection.state === 'callable')) {
      connection.state = credentialedState(connection);
    }
    touch(record);
    return ok(present(record));
  }

  async function deleteConnection(request: Request, [unifiedApi, serviceId]: string[]): Promise<Response> {
    const { consumerId } = await authenticate(request);
    const record = findRecord(consumerId, unifiedApi, serviceId);
    const fresh = pristineForm(record.pristine);
    record.connection = fresh;
    record.credentials = undefined;
    record.pendingConfirmation = false;
    for (const [token, pending] of pendingConfirms) {
      if (pending.consumerId === consumerId && pending.connectionId === fresh.id) pendingConfirms.delete(token);
    }
    touch(record);
    return new Response(null, { status: 204, headers: JSON_HEADERS });
  }

  async function importConnection(request: Request, [unifiedApi, serviceId]: string[]): Promise<Response> {
    const { consumerId } = await authenticate(request, { apiKeyOnly: true });
    const record = findRecord(consumerId, unifiedApi, serviceId);
    const body = parseWith(ImportSchema, (await readJson(request)) ?? {});
    const connection = record.connection;
    requireConfigured(connection);

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
    touch(record);
    return ok(present(record));
  }

  async function tokenConnection(request: Request, [unifiedApi, serviceId]: string[]): Promise<Response> {
    const { consumerId } = await authenticate(request);
    const record = findRecord(consumerId, unifiedApi, serviceId);
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
    connection.state = 'callable';
    touch(record);
    return ok(present(record));
  }

  async function confirmConnection(request: Request, [unifiedApi, serviceId]: string[]): Promise<Response> {
    const { consumerId } = await authenticate(request);
    const record = findRecord(consumerId, unifiedApi, serviceId);
    const body = await readJson(request);
    if (body === undefined) throw badRequest('Invalid Params', 'confirm_token: required');
    const { confirm_token } = parseWith(ConfirmSchema, body);
    const pending = pendingConfirms.get(confirm_token);
    const invalid = new VaultApiError(400, 'BadRequestError', 'Invalid confirm token', 'The confirm_token is unknown, used or expired');
    if (!pending || pending.consumerId !== consumerId || pending.connectionId !== record.connection.id) throw invalid;
    pendingConfirms.delete(confirm_token);
    if (pending.expiresAt <= now() || !record.pendingConfirmation) throw invalid;
    record.pendingConfirmation = false;
    record.connection.state = credentialedState(record.connection);
    touch(record);
    return ok({ confirmed: true });
  }

  async function sandboxAuthorize(request: Request, [unifiedApi, serviceId]: string[]): Promise<Response> {
    const { consumerId } = await authenticate(request);
    const record = findRecord(consumerId, unifiedApi, serviceId);
    completeAuthorization(record);
    return ok(present(record));
  }

  // -- connectionsAuthorize: the consent page ------------------------------------------------------------------------

  /**
   * `GET /vault/authorize/{service_id}/{application_id}?state=…&redirect_uri=…[&nonce=…][&scope=…]`. No credentials: the
   * opaque `state` of the connection's `authorize_url` names the consumer and the connection.
   */
  function authorizePage(request: Request, [serviceId, applicationId]: string[]): Promise<Response> {
    const query = new URL(request.url).searchParams;
    const state = query.get('state');
    const redirectUri = query.get('redirect_uri');
    const nonce = query.get('nonce') ?? undefined;
    if (!state) throw badRequest('Invalid Params', 'Missing Param: state');
    if (!redirectUri) throw badRequest('Invalid Params', 'Missing Param: redirect_uri');
    let parsed: URL;
    try {
      parsed = new URL(redirectUri);
    } catch {
      throw badRequest('Invalid Params', 'redirect_uri: must be an absolute URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw badRequest('Invalid Params', 'redirect_uri: must be an http or https URL');
    }
    if (!allowRedirectUri(parsed)) {
      throw badRequest('Invalid Params', 'redirect_uri: not allowed for this application (the sandbox accepts localhost and 127.0.0.1)');
    }
    if (nonce !== undefined && (nonce === '' || nonce.length > MAX_NONCE_LENGTH)) {
      throw badRequest('Invalid Params', `nonce: must be 1 to ${MAX_NONCE_LENGTH} characters`);
    }
    if (applicationId !== options.applicationId) {
      throw new VaultApiError(404, 'EntityNotFoundError', 'Unknown application', {
        not_found: { entity: 'application', id: applicationId },
      });
    }
    const target = authorizeStates.get(state);
    if (!target || target.serviceId !== serviceId) throw unauthorized('Invalid state');
    const record = findRecord(target.consumerId, target.unifiedApi, target.serviceId);
    requireAuthorizable(record.connection);

    const consent = randomBytes(18).toString('base64url');
    pendingConsents.set(consent, {
      consumerId: target.consumerId,
      unifiedApi: target.unifiedApi,
      serviceId: target.serviceId,
      redirectUri: headerSafe(redirectUri, parsed),
      nonce,
      expiresAt: now() + CONSENT_TTL_MS,
    });
    return Promise.resolve(htmlResponse(200, consentPageHtml(record.connection, target.consumerId, parsed, consent, serviceId, applicationId)));
  }

  /** `POST /vault/authorize/{service_id}/{application_id}/decision`, form body `consent` and `decision`. */
  async function authorizeDecision(request: Request, [serviceId, applicationId]: string[]): Promise<Response> {
    let form: URLSearchParams;
    try {
      form = await readForm(request);
    } catch (error) {
      if (error instanceof FormBodyError) throw badRequest('Invalid Params', error.message);
      throw error;
    }
    const consentId = form.get('consent') ?? '';
    const decision = form.get('decision');
    const consent = pendingConsents.get(consentId);
    if (!consent || consent.serviceId !== serviceId || applicationId !== options.applicationId) {
      throw badRequest('Invalid Params', 'This authorization request is unknown or was already answered; start again.');
    }
    if (decision !== 'authorize' && decision !== 'deny') throw badRequest('Invalid Params', 'decision: must be authorize or deny');
    pendingConsents.delete(consentId);
    if (consent.expiresAt <= now()) throw badRequest('Invalid Params', 'This authorization request has expired; start again.');

    if (decision === 'deny') {
      // What Apideck passes on when the provider's consent screen is declined: the provider returns
      // `error=access_denied` to Apideck's callback and Apideck redirects to the `redirect_uri` with it.
      return redirectResponse(303, appendQuery(consent.redirectUri, 'error=access_denied'));
    }
    const record = findRecord(consent.consumerId, consent.unifiedApi, consent.serviceId);
    if (consent.nonce === undefined) {
      completeAuthorization(record);
      return redirectResponse(303, consent.redirectUri);
    }
    const confirmToken = issueConfirmToken(consent.consumerId, record);
    const fragment = new URLSearchParams({ nonce: consent.nonce, confirm_token: confirmToken, service_id: consent.serviceId }).toString();
    const hashAt = consent.redirectUri.indexOf('#');
    const base = hashAt === -1 ? consent.redirectUri : consent.redirectUri.slice(0, hashAt);
    return redirectResponse(303, `${base}#${fragment}`);
  }

  function consentPageHtml(
    connection: Connection,
    consumerId: string,
    redirectUri: URL,
    consent: string,
    serviceId: string,
    applicationId: string,
  ): string {
    const action = `/vault/authorize/${encodeURIComponent(serviceId)}/${encodeURIComponent(applicationId)}/decision`;
    const icon = connection.icon.startsWith('data:image/') ? `<img src="${escapeHtml(connection.icon)}" alt="" width="48" height="48">` : '';
    return renderPage({
      title: `Authorize ${connection.name} (sandbox)`,
      body: `<div class="brand">${icon}<div><h1>Authorize ${escapeHtml(connection.name)}</h1>
<p class="muted small">Apideck Vault sandbox: this page stands in for ${escapeHtml(connection.name)}'s own sign-in and consent screen.</p></div></div>
<p>Allow the application to access your ${escapeHtml(connection.name)} account on your behalf?</p>
<dl>
<dt>Connection</dt><dd>${escapeHtml(connection.name)} (${escapeHtml(connection.unified_api)})</dd>
<dt>Consumer</dt><dd>${escapeHtml(consumerId)}</dd>
<dt>Returns to</dt><dd>${escapeHtml(redirectUri.origin + redirectUri.pathname)}</dd>
</dl>
<form method="post" action="${escapeHtml(action)}" class="actions">
<input type="hidden" name="consent" value="${escapeHtml(consent)}">
<button type="submit" name="decision" value="authorize">Authorize</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
    });
  }

  function reset(): void {
    consumers.clear();
    authorizeStates.clear();
    pendingConfirms.clear();
    pendingConsents.clear();
  }

  function expireSessions(): void {
    activeSessions.clear();
  }

  const SEGMENT = '([^/]+)';
  const routes: Route[] = [
    { pattern: /^\/vault\/sessions$/, methods: { POST: createSession } },
    { pattern: /^\/vault\/connections$/, methods: { GET: listConnections } },
    {
      pattern: new RegExp(`^/vault/connections/${SEGMENT}/${SEGMENT}$`),
      methods: { GET: getConnection, PATCH: updateConnection, DELETE: deleteConnection },
    },
    { pattern: new RegExp(`^/vault/connections/${SEGMENT}/${SEGMENT}/import$`), methods: { POST: importConnection } },
    { pattern: new RegExp(`^/vault/connections/${SEGMENT}/${SEGMENT}/token$`), methods: { POST: tokenConnection } },
    { pattern: new RegExp(`^/vault/connections/${SEGMENT}/${SEGMENT}/confirm$`), methods: { POST: confirmConnection } },
    { pattern: new RegExp(`^/__sandbox/authorize/${SEGMENT}/${SEGMENT}$`), methods: { POST: sandboxAuthorize } },
    { pattern: new RegExp(`^/vault/authorize/${SEGMENT}/${SEGMENT}$`), methods: { GET: authorizePage } },
    { pattern: new RegExp(`^/vault/authorize/${SEGMENT}/${SEGMENT}/decision$`), methods: { POST: authorizeDecision } },
    {
      pattern: new RegExp(`^${PAGE_CSS_PATH.replace(/[./]/g, '\\$&')}$`),
      methods: { GET: (request) => Promise.resolve(cssResponse(request)) },
    },
    {
      pattern: /^\/__sandbox\/reset$/,
      methods: {
        POST: () => {
          reset();
          return Promise.resolve(json(200, { status_code: 200, status: 'OK' }));
        },
      },
    },
    {
      pattern: /^\/__sandbox\/expire-sessions$/,
      methods: {
        POST: () => {
          expireSessions();
          return Promise.resolve(json(200, { status_code: 200, status: 'OK' }));
        },
      },
    },
  ];

  // -- CORS and dispatch ----------------------------------------------------------------------------------------------

  function corsHeaders(request: Request): Record<string, string> {
    const origin = request.headers.get('origin');
    if (!origin || !options.allowOrigin(origin)) return {};
    return { 'access-control-allow-origin': origin, vary: 'Origin' };
  }

  function withHeaders(response: Response, headers: Record<string, string>): Response {
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  }

  async function dispatch(request: Request): Promise<Response> {
    const method = request.method.toUpperCase();
    if (method === 'OPTIONS') {
      const cors = corsHeaders(request);
      if (Object.keys(cors).length === 0) return new Response(null, { status: 204, headers: JSON_HEADERS });
      return new Response(null, {
        status: 204,
        headers: {
          ...JSON_HEADERS,
          ...cors,
          'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
          'access-control-allow-headers':
            'authorization, content-type, x-apideck-app-id, x-apideck-consumer-id, x-apideck-auth-type, x-apideck-service-id',
          'access-control-max-age': '600',
        },
      });
    }
    const path = new URL(request.url).pathname.replace(/\/+$/, '') || '/';
    for (const route of routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      const handle = route.methods[method];
      if (!handle) {
        const allow = [...Object.keys(route.methods), 'OPTIONS'].join(', ');
        throw new VaultApiError(405, 'MethodNotAllowedError', 'Method Not Allowed', `${method} is not allowed on ${path}`, { allow });
      }
      let params: string[];
      try {
        params = match.slice(1).map((segment) => decodeURIComponent(segment));
      } catch {
        throw badRequest('Invalid Params', 'The path is not valid');
      }
      return handle(request, params);
    }
    throw new VaultApiError(404, 'NotFoundError', 'Not Found', `No route for ${method} ${path}`);
  }

  async function handler(request: Request): Promise<Response> {
    let response: Response;
    try {
      response = await dispatch(request);
    } catch (error) {
      if (error instanceof VaultApiError) {
        response = json(error.status, error.toEnvelope(), error.headers);
      } else {
        response = json(500, new VaultApiError(500, 'UnexpectedError', 'Unexpected error', 'The sandbox failed to handle the request').toEnvelope());
      }
    }
    return withHeaders(response, corsHeaders(request));
  }

  return {
    handler,
    reset,
    expireSessions,
    authorize(consumerId, unifiedApi, serviceId) {
      const record = findRecord(consumerId, unifiedApi, serviceId);
      completeAuthorization(record);
      return present(record);
    },
    createConfirmToken(consumerId, unifiedApi, serviceId) {
      return issueConfirmToken(consumerId, findRecord(consumerId, unifiedApi, serviceId));
    },
    createSessionToken(consumerId, session = {}) {
      return signSession(consumerId, parseWith(SessionSchema, session));
    },
    verifySessionToken: verifySession,
    resolveAuthorizeState(state) {
      const target = authorizeStates.get(state);
      return target ? { ...target } : undefined;
    },
    getConnection(consumerId, unifiedApi, serviceId) {
      const record = consumerConnections(consumerId).get(`${unifiedApi}+${serviceId}`);
      return record ? present(record) : undefined;
    },
  };
}
