/**
 * How a row's `connect` / `settings` / `reconnect` opens, decided synchronously inside the click (a popup must be opened
 * before any `await`). Part of the first load: keep it small.
 *
 * - `modal` (the default `open-mode`): the embedded Vault.
 * - `popup`: Hosted Vault in a popup, for every opening action.
 * - `direct`: the connection's `authorize_url` in a popup, only for OAuth authorization-code connectors that need
 *   nothing before authorization. Connectors that need settings first (`settings_required_for_authorization`, a
 *   required form field without a value) and `apiKey`/`basic` ones open the modal, as Apideck's guide advises; the
 *   `client_credentials` and `password` grants are authorized with `POST …/token`, no window at all. `settings` always
 *   opens the modal: it is a form.
 * Without a `callback-url` nothing can come back from a popup, so `popup` and `direct` fall back to the modal.
 */
import * as z from 'zod/mini';
import type { Connection } from '../api/schemas.ts';
import type { OpenMode, RowAction } from '../api/vocabulary.ts';

export type OpenPlan = 'modal' | 'hosted' | 'direct' | 'token';

/**
 * What `direct` mode reads to tell whether a connector needs settings before it can be authorized. Checked here, not
 * with the list: a malformed value then sends this one connector to the modal (which asks for what it needs) instead
 * of failing the whole list, and a long list is not validated for fields only this flow reads.
 */
const DirectFieldsSchema = z.object({
  settings_required_for_authorization: z.optional(z.array(z.string())),
  form_fields: z.optional(z.array(z.object({ required: z.optional(z.boolean()), value: z.optional(z.unknown()) }))),
});

export function planOpen(connection: Connection, action: RowAction, mode: OpenMode, callbackUrl: string | undefined): OpenPlan {
  if (mode === 'modal' || !callbackUrl) return 'modal';
  if (mode === 'popup') return 'hosted';
  if (action === 'settings' || connection.auth_type !== 'oauth2') return 'modal';
  if (connection.oauth_grant_type === 'client_credentials' || connection.oauth_grant_type === 'password') return 'token';
  let fields: ReturnType<typeof DirectFieldsSchema.safeParse>;
  try {
    fields = DirectFieldsSchema.safeParse(connection);
  } catch {
    // zod can throw on a hostile value (a `length` that cannot be compared with a number).
    return 'modal';
  }
  if (!fields.success) return 'modal';
  const { settings_required_for_authorization: required, form_fields: form } = fields.data;
  const needsSettings =
    (required?.length ?? 0) > 0 ||
    form?.some((field) => field.required && (field.value === undefined || field.value === null || field.value === ''));
  return needsSettings || !connection.authorize_url ? 'modal' : 'direct';
}
