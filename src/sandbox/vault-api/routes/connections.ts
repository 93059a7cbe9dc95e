/**
 * The connection resource: `GET /vault/connections` (`connectionsAll`) and `GET`, `PATCH`, `DELETE`
 * `/vault/connections/{unified_api}/{service_id}` (`connectionsOne`, `connectionsUpdate`, `connectionsDelete`).
 */
import type { Connection } from '../../seed/connection.ts';
import { missingRequiredSettings } from '../../seed/rules.ts';
import { badRequest, parseWith } from '../errors.ts';
import { credentialedState, isOAuth, mergeSettings, present, presentForReply, requireConfigured } from '../records.ts';
import { JSON_HEADERS, ok, readJson } from '../replies.ts';
import { ConnectionPatchSchema } from '../request-schemas.ts';
import { type Route, SEGMENT } from '../router.ts';
import type { RouteContext } from './context.ts';

export function connectionRoutes({ authenticate, store }: RouteContext): Route[] {
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
    const records = consumerId ? store.records(consumerId).values() : store.catalogue();
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
    return ok(present(store.find(consumerId, unifiedApi, serviceId)));
  }

  async function updateConnection(request: Request, [unifiedApi, serviceId]: string[]): Promise<Response> {
    const { consumerId } = await authenticate(request);
    const record = store.find(consumerId, unifiedApi, serviceId);
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
    // New credentials (an API key entered again) or the settings that were missing put the health right.
    const refreshed = !isOAuth(connection) || (record.forcedHealth === 'missing_settings' && missingRequiredSettings(connection).length === 0);
    if (settingsChanged && refreshed) store.clearHealth(record);
    store.touch(record);
    return ok(present(record));
  }

  async function deleteConnection(request: Request, [unifiedApi, serviceId]: string[]): Promise<Response> {
    const { consumerId } = await authenticate(request);
    store.disconnect(consumerId, store.find(consumerId, unifiedApi, serviceId));
    return new Response(null, { status: 204, headers: JSON_HEADERS });
  }

  return [
    { pattern: /^\/vault\/connections$/, methods: { GET: listConnections } },
    {
      pattern: new RegExp(`^/vault/connections/${SEGMENT}/${SEGMENT}$`),
      methods: { GET: getConnection, PATCH: updateConnection, DELETE: deleteConnection },
    },
  ];
}
