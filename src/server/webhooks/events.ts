/**
 * The Vault webhook events the spec lists (`VaultEventType`, `x-webhooks`), as zod schemas and the types drawn from
 * them. A delivery's body is `{"payload": ConnectionEvent}`; the entity is the connection (`ConsumerConnection`), with
 * nothing secret in it.
 */
import * as z from 'zod';

/** Every Vault event type of the spec (10.34.0), in its order. */
export const VAULT_EVENT_TYPES = [
  'vault.connection.created',
  'vault.connection.updated',
  'vault.connection.disabled',
  'vault.connection.deleted',
  'vault.connection.callable',
  'vault.connection.revoked',
  'vault.connection.migrated',
  'vault.connection.token_refresh.failed',
  'vault.connection.token_refresh.pending',
  'vault.connection.token_refresh.recovered',
  'vault.connection.downstream.degraded',
  'vault.connection.downstream.recovered',
] as const;
export type VaultEventType = (typeof VAULT_EVENT_TYPES)[number];

const optionalString = z.string().nullable().optional();

/** `ConsumerConnection`: the connection an event is about. Properties the spec does not declare are dropped. */
export const VaultEventConnectionSchema = z.object({
  id: z.string().optional(),
  name: z.string().optional(),
  icon: z.string().optional(),
  logo: z.string().optional(),
  website: z.string().optional(),
  tag_line: z.string().optional(),
  service_id: z.string().optional(),
  unified_api: z.string().optional(),
  consumer_id: z.string().optional(),
  auth_type: z.string().optional(),
  enabled: z.boolean().optional(),
  settings: z.record(z.string(), z.unknown()).nullable().optional(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  created_at: optionalString,
  updated_at: optionalString,
  state: z.string().optional(),
  health: z.string().optional(),
  credentials_expire_at: optionalString,
  last_refresh_failed_at: optionalString,
  /** `vault.connection.migrated`: the source connector's `service_id`. */
  migrated_from: z.string().optional(),
});
export type VaultEventConnection = z.infer<typeof VaultEventConnectionSchema>;

/** `ConnectionEvent`. `event_id` is the request's id: the events one change causes share it. */
export const VaultEventSchema = z.object({
  event_type: z.enum(VAULT_EVENT_TYPES),
  event_id: z.string().optional(),
  service_id: z.string().optional(),
  entity_id: z.string().optional(),
  entity_type: z.string().optional(),
  entity: VaultEventConnectionSchema,
  execution_attempt: z.number().optional(),
  occurred_at: z.string().optional(),
});

/** One Vault webhook event, narrowed by `event_type`. */
export type VaultWebhookEvent = {
  [Type in VaultEventType]: Omit<z.infer<typeof VaultEventSchema>, 'event_type'> & { event_type: Type };
}[VaultEventType];

/** The body of a delivery. */
export const WebhookBodySchema = z.looseObject({ payload: VaultEventSchema });
