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
import type { Connection } from '../api/schemas.ts';
import type { OpenMode, RowAction } from '../api/vocabulary.ts';

export type OpenPlan = 'modal' | 'hosted' | 'direct' | 'token';

export function planOpen(connection: Connection, action: RowAction, mode: OpenMode, callbackUrl: string | undefined): OpenPlan {
  if (mode === 'modal' || !callbackUrl) return 'modal';
  if (mode === 'popup') return 'hosted';
  if (action === 'settings' || connection.auth_type !== 'oauth2') return 'modal';
  if (connection.oauth_grant_type === 'client_credentials' || connection.oauth_grant_type === 'password') return 'token';
  const needsSettings =
    (connection.settings_required_for_authorization?.length ?? 0) > 0 ||
    connection.form_fields?.some((field) => field.required && (field.value === undefined || field.value === null || field.value === ''));
  return needsSettings || !connection.authorize_url ? 'modal' : 'direct';
}
