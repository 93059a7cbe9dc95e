/**
 * The Vault API calls on one connection. Only the lazy chunks (row actions, popup flows) make them, so they and their
 * reply schemas stay out of the first load.
 */
import * as z from 'zod/mini';
import { ConnectionSchema, type Connection } from './schemas.ts';
import type { VaultClient } from './vault-client.ts';

/** `GetConnectionResponse` and `UpdateConnectionResponse` (same shape). */
export const ConnectionResponseSchema = z.object({
  status_code: z.number(),
  status: z.string(),
  data: ConnectionSchema,
});

/** `ConfirmConnectionResponse`. */
export const ConfirmResponseSchema = z.looseObject({
  status_code: z.number(),
  status: z.string(),
  data: z.looseObject({ confirmed: z.boolean() }),
});

/** Fields of a connection the element ever writes. */
export interface ConnectionPatch {
  enabled?: boolean;
}

function connectionPath(unifiedApi: string, serviceId: string): string {
  return `/vault/connections/${encodeURIComponent(unifiedApi)}/${encodeURIComponent(serviceId)}`;
}

/** `GET /vault/connections/{unified_api}/{service_id}`. */
export async function getConnection(client: VaultClient, unifiedApi: string, serviceId: string, signal?: AbortSignal): Promise<Connection> {
  return (await client.request('GET', connectionPath(unifiedApi, serviceId), ConnectionResponseSchema, undefined, signal)).data;
}

/** `PATCH /vault/connections/{unified_api}/{service_id}`. */
export async function updateConnection(
  client: VaultClient,
  unifiedApi: string,
  serviceId: string,
  patch: ConnectionPatch,
  signal?: AbortSignal,
): Promise<Connection> {
  return (await client.request('PATCH', connectionPath(unifiedApi, serviceId), ConnectionResponseSchema, patch, signal)).data;
}

/** `DELETE /vault/connections/{unified_api}/{service_id}` (204, no body). */
export async function deleteConnection(client: VaultClient, unifiedApi: string, serviceId: string, signal?: AbortSignal): Promise<void> {
  await client.request('DELETE', connectionPath(unifiedApi, serviceId), undefined, undefined, signal);
}

/** `POST …/confirm` with the `confirm_token` of a CSRF-protected authorization. */
export async function confirmConnection(
  client: VaultClient,
  unifiedApi: string,
  serviceId: string,
  confirmToken: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const path = `${connectionPath(unifiedApi, serviceId)}/confirm`;
  return (await client.request('POST', path, ConfirmResponseSchema, { confirm_token: confirmToken }, signal)).data.confirmed;
}

/** `POST …/token` for `client_credentials` and `password` grants. */
export async function authorizeToken(client: VaultClient, unifiedApi: string, serviceId: string, signal?: AbortSignal): Promise<Connection> {
  return (await client.request('POST', `${connectionPath(unifiedApi, serviceId)}/token`, ConnectionResponseSchema, {}, signal)).data;
}
