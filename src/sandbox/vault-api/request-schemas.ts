/** The Vault API's request bodies, written from the OpenAPI spec; `parseWith()` (errors.ts) turns a failure into a 400. */
import * as z from 'zod';
import { ALLOW_ACTIONS, CONNECTION_HEALTH } from '../../internal/api/vocabulary.ts';

const record = z.record(z.string(), z.unknown());

/** `Session`: `additionalProperties: false` at the top and in `settings`. */
export const SessionSchema = z.strictObject({
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
export const ConnectionPatchSchema = z.looseObject({
  enabled: z.boolean().optional(),
  settings: record.nullable().optional(),
  metadata: record.nullable().optional(),
  configuration: z.array(z.looseObject({})).optional(),
});

/** `ConnectionImportData`; `credentials` has `additionalProperties: false`. */
export const ImportSchema = z.looseObject({
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
export const TokenSchema = z.strictObject({});

/** `ConfirmConnection`. */
export const ConfirmSchema = z.looseObject({ confirm_token: z.string().min(1) });

/** The sandbox's own `POST /__sandbox/health/{unified_api}/{service_id}`: a health and, optionally, its timestamps (Unix ms). */
export const HealthControlSchema = z.strictObject({
  health: z.enum(CONNECTION_HEALTH),
  credentials_expire_at: z.number().int().nonnegative().optional(),
  last_downstream_error_at: z.number().int().nonnegative().optional(),
});
