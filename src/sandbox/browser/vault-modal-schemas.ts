/**
 * zod/mini schemas for everything the emulated Vault JS modal page reads from outside: the parent's messages, the
 * session JWT's claims and the Vault API's replies. Loose objects: extra fields pass through, a wrong type fails.
 */
import * as z from 'zod/mini';

const optionalText = z.optional(z.string());
const nullableText = z.optional(z.nullable(z.string()));
const nullableFlag = z.optional(z.nullable(z.boolean()));

/** The `ApideckVault.open()` options the parent posts, callbacks left out. */
export const OpenMessageSchema = z.looseObject({
  token: z.string(),
  unifiedApi: z.optional(z.string()),
  serviceId: z.optional(z.string()),
  locale: z.optional(z.string()),
  showAttribution: z.optional(z.boolean()),
  autoStartAuthorization: z.optional(z.boolean()),
});
export type OpenMessage = z.infer<typeof OpenMessageSchema>;

/** `{type: 'close'}`: vault-js's `ApideckVault.close()`. */
export const CloseMessageSchema = z.looseObject({ type: z.literal('close') });

/** The session JWT's claims the page uses. */
export const SessionClaimsSchema = z.looseObject({
  application_id: z.string(),
  consumer_id: z.string(),
  settings: z.optional(z.nullable(z.looseObject({ allow_actions: z.optional(z.array(z.string())) }))),
  theme: z.optional(z.nullable(z.looseObject({ primary_color: z.optional(z.string()) }))),
});
export type SessionClaims = z.infer<typeof SessionClaimsSchema>;

/** `SimpleFormFieldOption` or `FormFieldOptionGroup` (groups carry no `value` and are skipped). */
const FormFieldOptionSchema = z.looseObject({
  label: z.string(),
  value: z.optional(z.union([z.string(), z.number(), z.boolean()])),
  option_type: z.optional(z.string()),
});

/** `FormField`. */
export const FormFieldSchema = z.looseObject({
  id: z.string(),
  label: optionalText,
  placeholder: nullableText,
  description: nullableText,
  type: optionalText,
  required: z.optional(z.boolean()),
  disabled: nullableFlag,
  hidden: nullableFlag,
  deprecated: nullableFlag,
  sensitive: nullableFlag,
  prefix: nullableText,
  suffix: nullableText,
  options: z.optional(z.array(FormFieldOptionSchema)),
});
export type FormField = z.infer<typeof FormFieldSchema>;

/** `Connection`, the fields the page shows or acts on (states as plain strings: an unknown one is shown as it is). */
export const ConnectionSchema = z.looseObject({
  service_id: z.string(),
  unified_api: z.string(),
  name: optionalText,
  tag_line: optionalText,
  icon: optionalText,
  state: optionalText,
  integration_state: optionalText,
  auth_type: optionalText,
  oauth_grant_type: optionalText,
  enabled: z.optional(z.boolean()),
  health: optionalText,
  settings: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  form_fields: z.optional(z.array(FormFieldSchema)),
});
export type Connection = z.infer<typeof ConnectionSchema>;

/** `GetConnectionResponse`, `UpdateConnectionResponse`, … : `{data: Connection}`. */
export const ConnectionReplySchema = z.looseObject({ data: ConnectionSchema });
/** `GetConnectionsResponse`. */
export const ConnectionListReplySchema = z.looseObject({ data: z.array(ConnectionSchema) });
/** Apideck's error envelope, the parts the page shows. */
export const ErrorReplySchema = z.looseObject({ message: z.optional(z.string()), detail: z.optional(z.unknown()) });
