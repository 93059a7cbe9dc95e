/**
 * zod/mini schemas for every value the browser receives from the Vault API and the host's session endpoint, written from
 * the OpenAPI spec's `Connection`, `Get(Connection|Connections)Response`, `UpdateConnectionResponse` and error envelopes.
 * Unknown extra fields are tolerated (and kept: the client returns the reply as sent once it passes); a wrong type fails the parse, and the caller turns that into an
 * `invalid_response` error instead of drawing half a list.
 */
import * as z from 'zod/mini';
import {
  AUTH_TYPES,
  CONNECTION_STATES,
  INTEGRATION_STATES,
} from './vocabulary.ts';

const optionalString = z.optional(z.string());
const nullableString = z.optional(z.nullable(z.string()));
const nonEmpty = z.string().check(z.minLength(1));
const optionalTime = z.optional(z.nullable(z.number()));

/**
 * `Connection`, reduced to the fields the list reads; the rest is not checked (the client keeps the reply as sent), and a flow that
 * needs more (form fields for direct authorization) validates those fields in its own chunk. The spec marks no field
 * required; the element cannot place a row without `service_id` and `unified_api`, so a reply without them is invalid.
 */
export const ConnectionSchema = z.object({
  service_id: nonEmpty,
  unified_api: nonEmpty,
  name: optionalString,
  tag_line: optionalString,
  state: z.optional(z.enum(CONNECTION_STATES)),
  integration_state: z.optional(z.enum(INTEGRATION_STATES)),
  auth_type: z.optional(z.enum(AUTH_TYPES)),
  // Strings, not enums: nothing on the first load branches on them (see the size budget); the spec's values are
  // OAUTH_GRANT_TYPES and CONNECTION_HEALTH.
  oauth_grant_type: optionalString,
  enabled: z.optional(z.boolean()),
  icon: optionalString,
  logo: optionalString,
  authorize_url: nullableString,
  health: optionalString,
  // Unix milliseconds; 0 (or absent) means none. Read by the status rules and the row's date lines.
  credentials_expire_at: optionalTime,
  last_downstream_error_at: optionalTime,
  updated_at: optionalTime,
});
/** A connection as the Vault API sent it: the fields above, checked, and whatever else the reply carries. */
export type Connection = z.infer<typeof ConnectionSchema> & { [field: string]: unknown };

/** `GetConnectionsResponse`. */
export const ConnectionListResponseSchema = z.object({
  status_code: z.number(),
  status: z.string(),
  data: z.array(ConnectionSchema),
});

/** Apideck's error envelope (`BadRequestResponse`, `UnauthorizedResponse`, … all share it). */
export const ErrorEnvelopeSchema = z.looseObject({
  status_code: z.optional(z.number()),
  error: optionalString,
  type_name: optionalString,
  message: optionalString,
  detail: z.optional(z.unknown()),
  ref: optionalString,
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;

/**
 * The host's session endpoint: `{"session_token"}` or Apideck's own envelope `{"data": {"session_token"}}`.
 * Both shapes in one schema; `sessionTokenOf` picks the token and rejects a reply with neither.
 */
export const SessionReplySchema = z.looseObject({
  session_token: optionalString,
  data: z.optional(z.looseObject({ session_token: optionalString })),
});

export function sessionTokenOf(reply: z.infer<typeof SessionReplySchema>): string | undefined {
  return reply.session_token || reply.data?.session_token || undefined;
}

/** The claims of a Vault session JWT that the element reads. */
export const SessionClaimsSchema = z.looseObject({
  application_id: nonEmpty,
  consumer_id: nonEmpty,
  redirect_uri: optionalString,
  exp: z.optional(z.number()),
  settings: z.optional(
    z.nullable(
      z.looseObject({
        allow_actions: z.optional(z.array(z.string())),
        unified_apis: z.optional(z.array(z.string())),
        sandbox_mode: z.optional(z.boolean()),
      }),
    ),
  ),
});
export type SessionClaims = z.infer<typeof SessionClaimsSchema>;
